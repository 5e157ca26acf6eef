// The audit end to end over the GitHub emulator (validated against GitHub's OpenAPI
// description): a history made by rekey's own change functions, opened as pull requests,
// approved by a person, merged, distribution recorded, yields no finding; then a stale
// approval, a bot's approval, an author's approval and a direct push are each flagged at their
// commit. The report is scanned for the generated secrets (canary).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { createGitHubClient, type GitHubClient } from '../../src/adapters/github/client.ts';
import { createGitHubPorts, type GitHubPorts } from '../../src/adapters/github/index.ts';
import { localAuditPorts, writeAuditFiles } from '../../src/cli/commands/audit.ts';
import { loadSopsConfig } from '../../src/cli/sops.ts';
import { audit, approvalsAtHead, type AuditReport } from '../../src/commands/audit.ts';
import { prepareRevocation, prepareRotation, type FileChange } from '../../src/commands/changes.ts';
import { DISTRIBUTION_CONTEXT } from '../../src/commands/distribution-evidence.ts';
import { generateKey } from '../../src/crypto/keys/index.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { canary } from '../support/canary.ts';
import { openApiValidator } from '../support/openapi.ts';
import { keyYaml, material, POLICY } from '../core/audit/git-history.ts';

const REPO = 'acme/infra';
const KEY = 'payments/webhook';
const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const DAY = 86_400_000;

let tmp: string;
let emu: Emulator;
let clock = new Date('2026-03-02T09:00:00Z');
let client: GitHubClient;
let ports: GitHubPorts;
let carol: Octokit;
let helper: Octokit;
let repoState: Awaited<ReturnType<Emulator['addRepo']>>;
const secrets: string[] = [];

const octokitFor = (token: string) =>
  new Octokit({ auth: token, baseUrl: emu.apiUrl, request: { fetch: globalThis.fetch } });
const at = (ms: number) => (clock = new Date(clock.getTime() + ms));

async function clone(): Promise<string> {
  const dir = mkdtempSync(join(tmp, 'clone-'));
  const url = new URL(`${emu.serverUrl}/${REPO}.git`);
  url.username = 'x-access-token';
  url.password = emu.addToken({ kind: 'app', login: 'reader', permissions: { contents: 'read' } });
  await run('git', ['clone', '-q', url.toString(), dir], {
    env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
  });
  return dir;
}

async function mainTree() {
  return readTreeAtRef(await clone(), 'HEAD');
}

/** A PR by rekey with `changes`, reviewed by `reviewers`, merged by carol; returns the merge commit. */
async function landPull(
  name: string,
  changes: readonly FileChange[],
  opts: { reviewers?: Octokit[]; pushAfterReview?: boolean; author?: 'rekey' | 'dave' } = {},
): Promise<{ merge: string; number: number }> {
  const base = (await ports.git.getBranchHead('main'))!;
  const c = await ports.git.commitFiles({
    base,
    changes,
    message: `rekey: ${name}`,
    branch: { name: `rekey/${name}`, mode: 'create' },
  });
  const pull = await ports.pulls.createPull({
    head: `rekey/${name}`,
    base: 'main',
    title: `rekey: ${name}`,
    body: 'x',
  });
  for (const r of opts.reviewers ?? [carol])
    await r.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner: 'acme',
      repo: 'infra',
      pull_number: pull.number,
      event: 'APPROVE',
    });
  if (opts.pushAfterReview)
    await ports.git.commitFiles({
      base: { commit: c.commit, tree: c.tree },
      changes: [{ path: `notes/${name}.md`, content: new TextEncoder().encode('later\n') }],
      message: 'a later push',
      branch: { name: `rekey/${name}`, mode: 'fast-forward' },
    });
  at(60_000);
  const merged = await carol.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
    owner: 'acme',
    repo: 'infra',
    pull_number: pull.number,
    merge_method: 'merge',
  });
  return { merge: merged.data.sha, number: pull.number };
}

const distributed = (sha: string) =>
  ports.statuses.createStatus(sha, { state: 'success', context: DISTRIBUTION_CONTEXT });

const generate = async (
  k: Parameters<typeof generateKey>[0] extends infer T
    ? { type: T; options?: Parameters<typeof generateKey>[1] }
    : never,
) => {
  const g = await generateKey(k.type, k.options);
  secrets.push(g.secret);
  canary.register(g.secret, 'rotation material');
  return g;
};

async function runAudit(dir: string, now: Date): Promise<AuditReport> {
  return audit(
    { ref: 'HEAD', now, repository: REPO, serverUrl: emu.serverUrl, defaultBranch: 'main' },
    localAuditPorts(dir, { client, repository: REPO }),
  );
}

const c: Record<string, string> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'rekey-audit-cmd-'));
  emu = await startEmulator({ validator: openApiValidator(), now: () => clock });
  repoState = await emu.addRepo({
    fullName: REPO,
    files: {
      '.sops.yaml': readFileSync(join(root, '.sops.yaml'), 'utf8'),
      'policies/standard.yaml': POLICY,
      [`keys-manifest/${KEY}/key.yaml`]: keyYaml(KEY, [[1, 'active']]),
      [`keys-manifest/${KEY}/v1.sops.yaml`]: material(KEY, 1),
    },
  });
  const token = emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: { contents: 'write', pull_requests: 'write', statuses: 'write' },
  });
  client = createGitHubClient({
    token,
    apiUrl: emu.apiUrl,
    serverUrl: emu.serverUrl,
    fetch: globalThis.fetch,
    throttle: { enabled: false },
    retry: { baseDelayMs: 5 },
  });
  ports = createGitHubPorts(client, { owner: 'acme', repo: 'infra' });
  carol = octokitFor(emu.addToken({ kind: 'user', login: 'carol', permissions: 'all' }));
  helper = octokitFor(
    emu.addToken({ kind: 'app', login: 'helper', permissions: { pull_requests: 'write' } }),
  );
}, 120_000);

afterAll(async () => {
  await emu?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('audit over the emulator', () => {
  let clean: AuditReport;

  it('a history rekey made (rotation, distribution, revocation after grace) has no finding', async () => {
    at(30 * DAY);
    let tree = await mainTree();
    const rotation = await prepareRotation(
      tree,
      KEY,
      { now: clock, sopsConfig: loadSopsConfig(tree), prepublish: false },
      { codec: new BuiltinSopsCodec({ identities: [] }), generate },
    );
    const r1 = await landPull('rotate', rotation.files);
    c.rotate = r1.merge;
    at(3_600_000);
    await distributed(r1.merge);
    at(8 * DAY);
    tree = await mainTree();
    const revocation = prepareRevocation(tree, KEY, 1);
    c.revoke = (await landPull('revoke', revocation.files)).merge;
    at(DAY);

    const dir = await clone();
    emu.clearLog();
    clean = await runAudit(dir, clock);
    expect(clean.findings).toEqual([]);
    expect(clean.github.enriched).toBe(true);
    expect(clean.github.notChecked).toEqual([]);
    const v = clean.keys[0]!.versions;
    expect(v.map((x) => [x.version, x.state])).toEqual([
      [2, 'active'],
      [1, 'destroyed'],
    ]);
    const activated = v[0]!.events.find((e) => e.kind === 'active')!;
    expect(activated.commit.sha).toBe(c.rotate);
    expect(activated.pull).toMatchObject({
      author: 'rekey[bot]',
      mergedBy: 'carol',
      approvedBy: ['carol'],
    });
    // Calls: statuses 1 (the rotation merge proves v2); per manifest commit 1 list, and 1
    // reviews where a PR merged it: 3 commits, 2 of them merged PRs. (The emulator's list items
    // carry merged_by; GitHub's do not, which costs 1 more per PR there.)
    expect(clean.github.calls).toBe(emu.requestLog.length);
    expect(clean.github.calls).toBe(1 + 3 + 2);
    emu.assertNoInvalidRequests();
  });

  it.each([
    ['someone-else[bot]', ['audit/destroyed-unproven']],
    ['Rekey[bot]', []],
  ])(
    'pipeline.yaml status-creators decide whose distribution status proves anything (pinned to %s)',
    async (creator, expected) => {
      const dir = await clone();
      const base = localAuditPorts(dir, { client, repository: REPO });
      const pinned = new TextEncoder().encode(`status-creators: ['${creator}']\n`);
      const report = await audit(
        {
          ref: 'HEAD',
          now: clock,
          repository: REPO,
          serverUrl: emu.serverUrl,
          defaultBranch: 'main',
        },
        { ...base, tree: async () => new Map([['policies/pipeline.yaml', pinned]]) },
      );
      expect([...new Set(report.findings.map((f) => f.rule))]).toEqual(expected);
    },
  );

  it('flags a stale approval, a bot approval, the author’s approval and a direct push', async () => {
    const note = (name: string): FileChange[] => [
      {
        path: `keys-manifest/${KEY}/key.yaml`,
        content: new TextEncoder().encode(
          keyYaml(KEY, [
            [2, 'active'],
            [1, 'destroyed'],
          ]).replace('description: test key', `description: test key (${name})`),
        ),
      },
    ];
    at(DAY);
    c.stale = (await landPull('stale', note('stale'), { pushAfterReview: true })).merge;
    at(DAY);
    c.bot = (await landPull('bot', note('bot'), { reviewers: [helper] })).merge;
    at(DAY);
    // GitHub refuses a self-approval today; older or imported records can hold one, so the
    // review is written into the emulator's state directly.
    const self = await landPull('self', note('self'), { reviewers: [] });
    c.self = self.merge;
    const p = repoState.pulls.get(self.number)!;
    const issue = repoState.issues.get(self.number)!;
    p.reviews.push({
      id: 99_999,
      user: issue.user,
      body: '',
      state: 'APPROVED',
      commit_id: p.headSha,
      submitted_at: clock.toISOString(),
    });
    at(DAY);
    c.direct = await emu.commitFiles(
      REPO,
      'main',
      { [`keys-manifest/${KEY}/key.yaml`]: new TextDecoder().decode(note('direct')[0]!.content!) },
      'edit the manifest directly\n',
    );
    at(DAY);

    const dir = await clone();
    const r = await runAudit(dir, clock);
    const got = r.findings.map((f) => [f.rule, f.commits[0]!.sha, f.pull?.number]);
    expect(got).toEqual([
      ['audit/approval-missing', c.stale, 3],
      ['audit/approval-by-bot', c.bot, 4],
      ['audit/approval-missing', c.bot, 4],
      ['audit/approval-by-author', c.self, 5],
      ['audit/approval-missing', c.self, 5],
      ['audit/direct-push', c.direct, undefined],
    ]);
    expect(r.findings[0]!.message).toMatch(/older head by carol/);
    expect(r.findings[1]!.message).toContain('helper[bot]');
    expect(r.findings[0]!.commits[0]!.url).toBe(`${emu.serverUrl}/${REPO}/commit/${c.stale}`);
    emu.assertNoInvalidRequests();

    // The canary: no generated secret in any format of either report.
    const out = join(tmp, 'report');
    const paths = [
      ...(await writeAuditFiles(clean, join(out, 'clean'))),
      ...(await writeAuditFiles(r, out)),
    ];
    expect(secrets.length).toBeGreaterThan(0);
    canary.scan(Object.fromEntries(paths.map((f) => [f, readFileSync(f, 'utf8')])));
  });

  it('the call budget is a bound: commits beyond it are listed as not checked', async () => {
    const dir = await clone();
    emu.clearLog();
    const r = await audit(
      {
        ref: 'HEAD',
        now: clock,
        repository: REPO,
        serverUrl: emu.serverUrl,
        defaultBranch: 'main',
        maxCalls: 7,
      },
      localAuditPorts(dir, { client, repository: REPO }),
    );
    expect(emu.requestLog.length).toBeLessThanOrEqual(7);
    expect(r.github.calls).toBe(emu.requestLog.length);
    expect(r.github.notChecked.join('\n')).toMatch(
      /oldest manifest commit\(s\): the call budget \(7\)/,
    );
  });
});

describe('approvalsAtHead', () => {
  const review = (login: string, state: string, commitId: string, userType = 'User') => ({
    login,
    userType,
    state: state as 'APPROVED',
    commitId,
    submittedAt: '2026-01-01T00:00:00Z',
  });
  it.each([
    [
      'the latest per person counts',
      [review('a', 'APPROVED', 'h'), review('a', 'CHANGES_REQUESTED', 'h')],
      [],
      [],
    ],
    [
      'a comment does not undo an approval',
      [review('a', 'APPROVED', 'h'), review('a', 'COMMENTED', 'h')],
      ['a'],
      [],
    ],
    ['an approval at an older head is stale', [review('a', 'APPROVED', 'old')], [], ['a']],
    ['a bot is recognised by type', [review('ci', 'APPROVED', 'h', 'Bot')], ['ci'], []],
    [
      'dismissed is not approved',
      [review('a', 'APPROVED', 'h'), review('a', 'DISMISSED', 'h')],
      [],
      [],
    ],
  ])('%s', (_name, reviews, approved, stale) => {
    const r = approvalsAtHead(reviews, 'h');
    expect(r.approvals.map((a) => a.login)).toEqual(approved);
    expect(r.stale).toEqual(stale);
  });
  it('marks bots', () => {
    expect(approvalsAtHead([review('x[bot]', 'APPROVED', 'h')], 'h').approvals[0]!.bot).toBe(true);
  });
});
