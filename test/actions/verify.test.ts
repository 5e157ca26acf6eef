// The verify action as the runner runs it: the esbuild bundle of src/actions/verify.ts started
// with `node` in a child process, with an event payload, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
// a real git checkout, reading commit statuses from the GitHub emulator (validated against
// GitHub's OpenAPI description) with a GITHUB_TOKEN-like token that has statuses: read.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../src/adapters/files/working-tree.ts';
import { applyToWorkdir } from '../../src/adapters/workdir.ts';
import { loadSopsConfig } from '../../src/cli/sops.ts';
import { prepareRevocation, prepareRotation } from '../../src/commands/changes.ts';
import { generateKey } from '../../src/crypto/keys/index.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { edit, git, root } from '../cli/harness.ts';
import { canary } from '../support/canary.ts';
import { bundleAction, parseOutputs, runBundle } from './runner.ts';
import { openApiValidator } from '../support/openapi.ts';

const REPO = 'acme/infra';
const SSH = 'keys-manifest/infra/deploy-ssh/key.yaml';
const STATUSES = 'GET /repos/{owner}/{repo}/commits/{ref}/statuses';

let tmp: string;
let bundle: string;
let emu: Emulator;
let clock = new Date();
let readToken: string;
let writerToken: string;
let work: string;
let main: string;

/** Every file of the template's example content, as the emulator's initial commit. */
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

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'rekey-verify-action-'));
  bundle = await bundleAction('verify', tmp);

  emu = await startEmulator({ validator: openApiValidator(), now: () => clock });
  await emu.addRepo({ fullName: REPO, files: templateFiles() });
  readToken = emu.addToken({
    kind: 'github-actions',
    permissions: { contents: 'read', statuses: 'read' },
  });
  writerToken = emu.addToken({ kind: 'app', login: 'rekey', permissions: { statuses: 'write' } });
  work = join(tmp, 'work');
  const url = new URL(`${emu.serverUrl}/${REPO}.git`);
  url.username = 'x-access-token';
  url.password = readToken;
  // Asynchronously: the emulator serves git from this process, so a blocking clone would wait
  // for a server that cannot answer.
  await promisify(execFile)('git', ['clone', '-q', url.toString(), work], {
    env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
  });
  main = git(work, 'rev-parse', 'HEAD');
}, 120_000);

afterAll(async () => {
  await emu?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A branch from main with `make` applied and committed; returns its commit. */
async function branch(name: string, make: (dir: string) => Promise<void> | void): Promise<string> {
  git(work, 'checkout', '-q', '-b', name, main);
  try {
    await make(work);
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', name);
    return git(work, 'rev-parse', 'HEAD');
  } finally {
    git(work, 'checkout', '-q', '-f', main);
  }
}

/** Runs the bundle as the runner would for a pull_request event from `main` to `head`. */
async function runAction(
  head: string,
  opts: { sha?: string; token?: string } = {},
): Promise<{ code: number | null; stdout: string; outputs: string; summary: string }> {
  const ran = await runBundle({
    bundle,
    tmp,
    workspace: work,
    eventName: 'pull_request',
    event: {
      action: 'synchronize',
      number: 7,
      pull_request: { number: 7, base: { ref: 'main', sha: main }, head: { ref: 'pr', sha: head } },
    },
    env: { ...emu.actionsEnv(REPO), GITHUB_SHA: opts.sha ?? head, GITHUB_REF: 'refs/pull/7/merge' },
    inputs: { token: opts.token ?? readToken },
  });
  return { code: ran.code, stdout: ran.stdout, outputs: ran.outputsText, summary: ran.summary };
}

const errorLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('the verify action bundle', () => {
  it('passes a rotation made by rekey, verifying the merge commit when GitHub made one', async () => {
    let secret = '';
    const head = await branch('rotation', async (dir) => {
      const tree = await readWorkingTree(dir);
      const change = await prepareRotation(
        tree,
        'payments/webhook-signing',
        {
          now: new Date('2026-11-20T10:00:00Z'),
          sopsConfig: loadSopsConfig(tree),
          prepublish: false,
        },
        {
          codec: new BuiltinSopsCodec({ identities: [] }),
          generate: async (k) => {
            const g = await generateKey(k.type, k.options);
            secret = g.secret;
            return g;
          },
        },
      );
      await applyToWorkdir(dir, change.files);
    });
    canary.register(secret, 'rotation material');
    // GitHub's test merge: parents [base, head], what actions/checkout checks out.
    git(work, 'checkout', '-q', '--detach', main);
    git(work, 'merge', '-q', '--no-ff', '-m', 'Merge pull request #7', head);
    const merge = git(work, 'rev-parse', 'HEAD');
    git(work, 'checkout', '-q', '-f', main);

    emu.clearLog();
    const r = await runAction(head, { sha: merge });
    expect(errorLines(r.stdout)).toEqual([]);
    expect(parseOutputs(r.outputs)).toEqual({
      kind: 'rotation',
      violations: '0',
      scope: 'manifest',
      'pipeline-code': 'false',
    });
    expect(r.summary).toContain('## rekey verify: passed');
    expect(r.summary).toContain('the merge of the pull request into its base');
    expect(r.summary).toContain(merge.slice(0, 12));
    expect(r.summary).toContain('v3 new → active, v2 active → deactivated');
    expect(r.code).toBe(0);
    expect(emu.calls()).toBe(0); // nothing is destroyed: no status is read
    canary.assertAbsent(r.stdout, 'verify stdout');
    canary.assertAbsent(r.summary, 'verify summary');
  }, 60_000);

  it('annotates a hand-edited change at file and line and fails once', async () => {
    const head = await branch('illegal', (dir) =>
      edit(dir, SSH, (t) =>
        t.replace('version: 2, state: deactivated', 'version: 2, state: active'),
      ),
    );
    const line =
      readFileSync(join(root, SSH), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('version: 2,')) + 1;
    const r = await runAction(head);
    const errors = errorLines(r.stdout);
    expect(errors).toContainEqual(
      expect.stringMatching(
        new RegExp(`^::error title=lifecycle/resurrection,file=${SSH},line=${line},col=\\d+::`),
      ),
    );
    const outputs = parseOutputs(r.outputs);
    const n = Number(outputs.violations);
    expect(n).toBeGreaterThanOrEqual(2);
    // One annotation per violation, plus the one failure message of setFailed.
    expect(errors.filter((l) => l.includes('file='))).toHaveLength(n);
    expect(errors.filter((l) => !l.includes('file='))).toEqual([
      expect.stringMatching(
        /^::error::rekey verify: \d+ violations, each annotated at its file and line \(change classified as \w+\)$/,
      ),
    ]);
    expect(r.summary).toContain(`| ${SSH}:${line} | \`lifecycle/resurrection\` |`);
    expect(r.code).toBe(1);
  }, 60_000);

  it('finds a private key pasted in clear without printing it', async () => {
    const leaked = (await generateKey('ed25519')).secret;
    canary.register(leaked, 'pasted private key');
    const head = await branch('leak', (dir) =>
      edit(
        dir,
        SSH,
        (t) =>
          `${t}${leaked
            .split('\n')
            .map((l) => `# ${l}`)
            .join('\n')}\n`,
      ),
    );
    const r = await runAction(head);
    expect(errorLines(r.stdout)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^::error title=verify/plaintext-private-key,file=${SSH},line=\\d+`),
      ),
    );
    expect(r.code).toBe(1);
    canary.assertAbsent(r.stdout, 'verify stdout');
    canary.assertAbsent(r.summary, 'verify summary');
    canary.assertAbsent(r.outputs, 'verify outputs');
  }, 60_000);

  describe('a revocation reads rekey/distribution statuses, once', () => {
    let head: string;
    beforeAll(async () => {
      head = await branch('revoke', async (dir) =>
        applyToWorkdir(
          dir,
          prepareRevocation(await readWorkingTree(dir), 'infra/deploy-ssh', 2).files,
        ),
      );
    });

    const run = async (token?: string) => {
      emu.clearLog();
      const r = await runAction(head, token === undefined ? {} : { token });
      return { ...r, calls: emu.calls(STATUSES), rules: errorLines(r.stdout) };
    };

    it('without a status the gate is closed', async () => {
      const r = await run();
      expect(r.calls).toBe(1);
      expect(r.rules).toContainEqual(
        expect.stringMatching(/^::error title=lifecycle\/revocation-gate-closed,file=/),
      );
      expect(parseOutputs(r.outputs).kind).toBe('revocation');
      expect(r.code).toBe(1);
    }, 60_000);

    it('without a token it is unchecked, and no request is made', async () => {
      const r = await run('');
      expect(r.calls).toBe(0);
      expect(emu.calls()).toBe(0);
      expect(r.rules).toContainEqual(
        expect.stringMatching(/^::error title=lifecycle\/revocation-gate-unchecked,file=/),
      );
      expect(r.summary).toContain('**unchecked**');
      expect(r.code).toBe(1);
    }, 60_000);

    it('with a token GitHub refuses it is unchecked (fail closed)', async () => {
      const noStatuses = emu.addToken({
        kind: 'github-actions',
        permissions: { contents: 'read' },
      });
      const r = await run(noStatuses);
      expect(r.calls).toBe(1);
      expect(r.rules).toContainEqual(
        expect.stringMatching(/^::error title=lifecycle\/revocation-gate-unchecked,file=/),
      );
      expect(r.summary).toMatch(/\*\*unchecked\*\*: .*403/);
      // The token is masked (the runner reads `::add-mask::`) and printed nowhere else.
      const lines = r.stdout.split('\n');
      expect(lines).toContain(`::add-mask::${noStatuses}`);
      expect(lines.filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(
        noStatuses,
      );
      expect(r.code).toBe(1);
    }, 60_000);

    it('a success older than grace opens it (the younger case: test/commands/verify-pull.test.ts)', async () => {
      clock = new Date(Date.now() - 8 * 86_400_000);
      try {
        const res = await fetch(`${emu.apiUrl}/repos/${REPO}/statuses/${main}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${writerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'success', context: 'rekey/distribution' }),
        });
        expect(res.status).toBe(201);
      } finally {
        clock = new Date();
      }
      const r = await run();
      expect(r.calls).toBe(1);
      expect(errorLines(r.stdout)).toEqual([]);
      expect(parseOutputs(r.outputs)).toEqual({
        kind: 'revocation',
        violations: '0',
        scope: 'manifest',
        'pipeline-code': 'false',
      });
      expect(r.summary).toContain('read 1 commit status list (rekey/distribution)');
      expect(r.summary).toContain(
        `- infra/deploy-ssh v2: open: v3 proven distributed at ${main.slice(0, 12)}`,
      );
      expect(r.code).toBe(0);
    }, 60_000);
  });

  it('fails, without a summary of success, when the head commit is not in the checkout', async () => {
    const r = await runAction('f'.repeat(40));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error::the head commit f{40} is not in the checkout; .*fetch-depth: 0/m,
    );
    expect(r.outputs).toBe('');
  }, 60_000);

  it('made no request GitHub would refuse', () => {
    emu.assertNoInvalidRequests();
  });
});
