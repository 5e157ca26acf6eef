// Attack: a verdict that goes stale when the base moves. Two pull requests, each valid against
// the default branch they were verified on, that together are not: here both make a key write
// the same new secret (one owner per target). Neither touches the other's file, so both merge
// without a conflict, and the default branch ends up with two keys fighting over one secret,
// although every required check passed. The same holds for the recipient case (PR A removes a
// recipient from .sops.yaml, PR B adds material encrypted to it).
//
// Against the emulator, which enforces rulesets on merge as GitHub does: with a ruleset that
// does not require branches to be up to date, the second merge goes through and the default
// branch is invalid; with `strict_required_status_checks_policy`, GitHub refuses it until the
// branch is updated and verified again. `rekey doctor` reports the first ruleset
// (doctor/protection-stale-verdict, an error) and is clean with strict checks or a merge queue.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/adapters/github/client.ts';
import { createRepoSettingsAdapter } from '../../src/adapters/github/repo-settings.ts';
import { doctor } from '../../src/commands/doctor.ts';
import type { BranchRule } from '../../src/core/ports/repo-settings.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { git, root } from '../cli/harness.ts';
import { goodRepo, tree } from '../core/doctor/fixtures.ts';
import { openApiValidator } from '../support/openapi.ts';
import { cliValidate, pullVerdict } from './manifest-harness.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const IDENTITY = 'keys-manifest/identity/token-signing/key.yaml';
const WEBHOOK = 'keys-manifest/payments/webhook-signing/key.yaml';
const TARGET = [
  '  - kind: github-secret',
  '    repository: acme/payments-api',
  '    name: SHARED_SIGNING_KEY',
];

let emu: Emulator;
let tmp: string;
type Octokit = ReturnType<typeof createGitHubClient>['octokit'];
let alice: Octokit;
let bob: Octokit;
let checks: Octokit;

/** The template's manifest, policies and .sops.yaml, as the initial commit. */
function templateFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else files[p] = readFileSync(join(root, p), 'utf8');
    }
  };
  walk('keys-manifest');
  walk('policies');
  files['.sops.yaml'] = readFileSync(join(root, '.sops.yaml'), 'utf8');
  return files;
}

const withTarget = (file: string) =>
  readFileSync(join(root, file), 'utf8').replace(
    /\nversions:/,
    `\n${TARGET.join('\n')}\nversions:`,
  );

const REVIEWS: BranchRule = {
  type: 'pull_request',
  parameters: { required_approving_review_count: 1, require_code_owner_review: true },
};
const verifyRule = (strict: boolean): BranchRule => ({
  type: 'required_status_checks',
  parameters: {
    required_status_checks: [{ context: 'rekey verify' }],
    strict_required_status_checks_policy: strict,
  },
});

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'rekey-attack-stale-'));
  emu = await startEmulator({ validator: openApiValidator(), now: () => NOW });
  const octokit = (token: string) =>
    createGitHubClient({
      token,
      apiUrl: emu.apiUrl,
      serverUrl: emu.serverUrl,
      fetch: globalThis.fetch,
      throttle: { enabled: false },
      retry: { enabled: false },
    }).octokit;
  emu.addUser('bob');
  alice = octokit(emu.addToken({ kind: 'user', login: 'alice', permissions: 'all' }));
  bob = octokit(emu.addToken({ kind: 'user', login: 'bob', permissions: 'all' }));
  checks = octokit(
    emu.addToken({ kind: 'app', login: 'checks', permissions: { statuses: 'write' } }),
  );
}, 60_000);

afterAll(async () => {
  emu?.assertNoInvalidRequests();
  await emu?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * A clone of the repository's current state with every branch, to judge commits with rekey's
 * own code. Asynchronously: the emulator serves git from this process, so a blocking clone
 * would wait for a server that cannot answer.
 */
async function clone(fullName: string): Promise<string> {
  const dir = mkdtempSync(join(tmp, 'clone-'));
  const url = new URL(`${emu.serverUrl}/${fullName}.git`);
  url.username = 'x-access-token';
  url.password = emu.addToken({ kind: 'app', login: 'reader', permissions: { contents: 'read' } });
  const env = {
    PATH: process.env.PATH,
    HOME: tmp,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
  await promisify(execFile)('git', ['clone', '-q', '--no-single-branch', url.toString(), dir], {
    env,
  });
  return dir;
}

/**
 * Two pull requests, each adding the same secret to a different key, each verified against
 * the default branch as it is now (and passing), approved, with `rekey verify` green.
 */
async function twoVerifiedPulls(fullName: string, rules: BranchRule[]) {
  await emu.addRepo({ fullName, files: templateFiles() });
  emu.setBranchRules(fullName, 'main', rules);
  const [owner = '', repo = ''] = fullName.split('/');
  const main = (
    await alice.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      owner,
      repo,
      ref: 'heads/main',
    })
  ).data.object.sha;
  const pulls: { number: number; head: string }[] = [];
  for (const [branch, file] of [
    ['a', IDENTITY],
    ['b', WEBHOOK],
  ] as const) {
    await alice.request('POST /repos/{owner}/{repo}/git/refs', {
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      sha: main,
    });
    const head = await emu.commitFiles(fullName, branch, { [file]: withTarget(file) }, branch);
    pulls.push({
      number: (
        await alice.request('POST /repos/{owner}/{repo}/pulls', {
          owner,
          repo,
          head: branch,
          base: 'main',
          title: branch,
        })
      ).data.number,
      head,
    });
  }
  const work = await clone(fullName);
  for (const p of pulls) {
    // The verdict the required check gave, on the base each was verified against.
    const verdict = await pullVerdict(work, main, p.head);
    expect(verdict.diagnostics).toEqual([]);
    await checks.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      owner,
      repo,
      sha: p.head,
      state: 'success',
      context: 'rekey verify',
    });
    await bob.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner,
      repo,
      pull_number: p.number,
      event: 'APPROVE',
    });
  }
  return { owner, repo, pulls };
}

const settings = (fullName: string) => {
  const [owner = '', repo = ''] = fullName.split('/');
  const client = createGitHubClient({
    token: emu.addToken({
      kind: 'app',
      login: 'doctor',
      permissions: { actions: 'read', administration: 'read', contents: 'read' },
    }),
    apiUrl: emu.apiUrl,
    serverUrl: emu.serverUrl,
    fetch: globalThis.fetch,
    throttle: { enabled: false },
    retry: { enabled: false },
  });
  return { settings: createRepoSettingsAdapter(client, { owner, repo }) };
};

const protectionRules = async (fullName: string) =>
  (
    await doctor(
      { tree: tree(goodRepo()), now: NOW, token: { kind: 'app-installation' } },
      settings(fullName),
    )
  ).findings
    .filter((f) => f.rule.startsWith('doctor/protection'))
    .map((f) => [f.rule, f.severity]);

describe('two pull requests verified on the same base', () => {
  it('both merge into an invalid default branch without up-to-date branches, and doctor says so', async () => {
    const { owner, repo, pulls } = await twoVerifiedPulls('acme/loose', [
      REVIEWS,
      verifyRule(false),
    ]);
    for (const p of pulls)
      await alice.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        owner,
        repo,
        pull_number: p.number,
        merge_method: 'merge',
      });
    const work = await clone('acme/loose');
    const { findings } = await cliValidate(work);
    expect(findings.map((f) => f.rule)).toContain('target/shared');

    expect(await protectionRules('acme/loose')).toEqual([
      ['doctor/protection-stale-verdict', 'error'],
    ]);
  }, 120_000);

  it('the second waits to be updated and verified again when the ruleset is strict', async () => {
    const { owner, repo, pulls } = await twoVerifiedPulls('acme/strict', [
      REVIEWS,
      verifyRule(true),
    ]);
    await alice.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      owner,
      repo,
      pull_number: pulls[0]!.number,
      merge_method: 'merge',
    });
    await expect(
      alice.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        owner,
        repo,
        pull_number: pulls[1]!.number,
        merge_method: 'merge',
      }),
    ).rejects.toMatchObject({
      status: 405,
      message: expect.stringMatching(/not up to date/),
    });
    // Updated onto the new base, the change is verified again and refused.
    const work = await clone('acme/strict');
    git(work, 'checkout', '-q', '--detach', 'origin/b');
    git(work, 'merge', '-q', '--no-edit', 'origin/main');
    const verdict = await pullVerdict(
      work,
      git(work, 'rev-parse', 'origin/main'),
      git(work, 'rev-parse', 'HEAD'),
    );
    expect(verdict.diagnostics.map((d) => d.rule)).toContain('target/shared');

    expect(await protectionRules('acme/strict')).toEqual([]);
  }, 120_000);

  it('doctor accepts a merge queue instead of strict checks', async () => {
    await emu.addRepo({ fullName: 'acme/queue', files: templateFiles() });
    emu.setBranchRules('acme/queue', 'main', [
      REVIEWS,
      verifyRule(false),
      { type: 'merge_queue', parameters: { merge_method: 'SQUASH' } },
    ]);
    expect(await protectionRules('acme/queue')).toEqual([]);
  });
});
