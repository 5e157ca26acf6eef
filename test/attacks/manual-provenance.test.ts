// Attack: rotate a key by hand. A person opens a rotation PR with material they generated (and
// therefore know), or pushes such material onto the App's own rotation branch. Before, it
// passed verify as an ordinary rotation and the audit did not flag it. Now, when the BASE
// branch's pipeline.yaml pins `pull-authors`, the verify action refuses a new version of an
// existing key whose PR author, or a commit writing its material, is not the App
// (`change/manual-rotation` at the version's line in key.yaml), unless the BASE branch allows
// `manual-rotation: true`; a PR setting that itself does not help. The audit flags such
// versions in history as `audit/material-by-person`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../src/adapters/files/working-tree.ts';
import { applyToWorkdir } from '../../src/adapters/workdir.ts';
import { loadSopsConfig } from '../../src/cli/sops.ts';
import { prepareRotation } from '../../src/commands/changes.ts';
import { generateKey } from '../../src/crypto/keys/index.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { rekey } from '../cli/harness.ts';
import { canary } from '../support/canary.ts';
import { attackRepo, edit, git, verifyActionRunner, type AttackRepo } from './manifest-harness.ts';

const KEY = 'payments/webhook-signing';
const KEY_YAML = `keys-manifest/${KEY}/key.yaml`;
const RULE = 'change/manual-rotation';
const APP = 'rekey-app[bot]';
const APP_ID = { name: APP, email: `41898282+${APP}@users.noreply.github.com` };
const ALICE = { name: 'Alice Example', email: 'alice@example.com' };
const PINNED = `\npull-authors: ['${APP}']\n`;

let repo: AttackRepo;
let action: Awaited<ReturnType<typeof verifyActionRunner>>;
/** main with pull-authors pinned; and with manual rotation allowed too. */
let pinned: string;
let allowing: string;

type Who = { name: string; email: string };

/** git as `who` (author and committer). */
function gitAs(who: Who, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo.dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: repo.dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
    },
  }).trim();
}

/** A commit on `from` (checked out as `name`) with `make` applied, by `who`. */
async function commitOn(
  from: string,
  name: string,
  who: Who,
  make: (dir: string) => Promise<void> | void,
): Promise<string> {
  git(repo.dir, 'checkout', '-q', '-B', name, from);
  try {
    await make(repo.dir);
    git(repo.dir, 'add', '-A');
    gitAs(who, 'commit', '-q', '-m', name);
    return git(repo.dir, 'rev-parse', 'HEAD');
  } finally {
    git(repo.dir, 'checkout', '-q', '-f', repo.main);
    git(repo.dir, 'clean', '-qfdx');
  }
}

/** A rotation of KEY in the working tree, as `rekey rotate` makes it (material registered). */
async function rotateKey(dir: string): Promise<void> {
  const tree = await readWorkingTree(dir);
  const change = await prepareRotation(
    tree,
    KEY,
    { now: new Date('2026-11-20T10:00:00Z'), sopsConfig: loadSopsConfig(tree), prepublish: false },
    {
      codec: new BuiltinSopsCodec({ identities: [] }),
      generate: async (k) => {
        const g = await generateKey(k.type, k.options);
        canary.register(g.secret, 'rotation material');
        return g;
      },
    },
  );
  await applyToWorkdir(dir, change.files);
}

const pipelineWith = (extra: string) => (dir: string) =>
  edit(dir, 'policies/pipeline.yaml', (t) => `${t.trimEnd()}\n${extra}`);

beforeAll(async () => {
  repo = attackRepo();
  action = await verifyActionRunner();
  pinned = await commitOn(repo.main, 'base/pinned', ALICE, pipelineWith(PINNED));
  allowing = await commitOn(
    repo.main,
    'base/allowing',
    ALICE,
    pipelineWith(`${PINNED}manual-rotation: true\n`),
  );
}, 120_000);
afterAll(() => {
  repo?.cleanup();
  action?.close();
});

/** The key.yaml line of the new version's entry (`- version: 3` or `- { version: 3 ...`). */
function versionLine(head: string): number {
  const text = git(repo.dir, 'show', `${head}:${KEY_YAML}`);
  const i = text.split('\n').findIndex((l) => /^\s*-\s*\{?\s*version:\s*3\b/.test(l));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

const refusals = (errors: string[]) => errors.filter((e) => e.includes(`title=${RULE}`));

describe('a rotation made by a person', () => {
  it('is refused at the new version in key.yaml when a person opened the PR', async () => {
    const head = await commitOn(pinned, 'pr/by-alice', ALICE, rotateKey);
    const ran = await action.run(repo.dir, pinned, head, { author: 'alice' });
    expect(ran.code).not.toBe(0);
    const found = refusals(ran.errors);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`file=${KEY_YAML}`);
    expect(found[0]).toContain(`line=${versionLine(head)}`);
    expect(found[0]).toContain('opened by alice');
    expect(ran.summary).toContain(RULE);
    canary.scan({ summary: ran.summary, annotations: ran.errors.join('\n') });
  });

  it('passes when the App opened the PR and wrote the material', async () => {
    const head = await commitOn(pinned, 'pr/by-app', APP_ID, rotateKey);
    const ran = await action.run(repo.dir, pinned, head, { author: APP });
    expect(ran.errors).toEqual([]);
    expect(ran.code).toBe(0);
    expect(ran.outputs['kind']).toBe('rotation');
  });

  it("is refused when a person's commit wrote the material on the App's PR", async () => {
    const head = await commitOn(pinned, 'pr/pushed-onto-app', ALICE, rotateKey);
    const ran = await action.run(repo.dir, pinned, head, { author: APP });
    const found = refusals(ran.errors);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('authored by Alice Example');
  });

  it("passes when the BASE branch's pipeline.yaml allows manual rotation", async () => {
    const head = await commitOn(allowing, 'pr/allowed', ALICE, rotateKey);
    const ran = await action.run(repo.dir, allowing, head, { author: 'alice' });
    expect(ran.errors).toEqual([]);
    expect(ran.code).toBe(0);
  });

  it('is still refused when the PR itself sets manual-rotation: true or adds its author', async () => {
    const head = await commitOn(pinned, 'pr/self-allowed', ALICE, async (dir) => {
      pipelineWith('manual-rotation: true\n')(dir);
      edit(dir, 'policies/pipeline.yaml', (t) => t.replace(`['${APP}']`, `['${APP}', 'alice']`));
      await rotateKey(dir);
    });
    expect(git(repo.dir, 'show', `${head}:policies/pipeline.yaml`)).toContain('alice');
    const ran = await action.run(repo.dir, pinned, head, { author: 'alice' });
    expect(refusals(ran.errors)).toHaveLength(1);
    expect(ran.code).not.toBe(0);
  });

  it('is not checked while pull-authors is unset (doctor warns), as before', async () => {
    const head = await commitOn(repo.main, 'pr/unpinned', ALICE, rotateKey);
    const ran = await action.run(repo.dir, repo.main, head, { author: 'alice' });
    expect(refusals(ran.errors)).toEqual([]);
  });
});

describe('the audit', () => {
  it('flags a version a person added (audit/material-by-person), not the one the App added', async () => {
    // History: the pin, then a rotation Alice committed, then one the App committed on top.
    const byAlice = await commitOn(pinned, 'history', ALICE, rotateKey);
    const byApp = await commitOn(byAlice, 'history', APP_ID, rotateKey);
    const out = join(repo.dir, '.audit-out');
    const r = await rekey(repo.dir, [
      'audit',
      '--ref',
      byApp,
      '--format',
      'json',
      '--out',
      out,
      '--now',
      '2026-11-21T00:00:00Z',
    ]);
    const report = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8')) as {
      findings: { rule: string; key?: string; version?: number; commits: { sha: string }[] }[];
    };
    const flagged = report.findings.filter((f) => f.rule === 'audit/material-by-person');
    expect(flagged.map((f) => [f.key, f.version, f.commits[0]!.sha])).toEqual([[KEY, 3, byAlice]]);
    expect(r.stdout).toContain('audit/material-by-person');
    expect(r.stdout).toContain('Alice Example');
    canary.scan({ stdout: r.stdout, report: readFileSync(join(out, 'audit.json'), 'utf8') });
  });
});
