// Attack: hide a file from rekey's rules by making it something the tree readers skip. A
// symlink standing for a destroyed version's material, a file too large to read, a symlinked
// .sops.yaml, a submodule in the manifest: each used to be left out with a warning on stderr
// (that the action never showed), so it passed the unexpected-file, destroyed-has-no-material
// and plaintext rules. Each must now be a violation with its path and rule, in `rekey
// validate`, `rekey verify`, verifyPull and the verify action's annotations.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { distribute } from '../../src/commands/distribute/index.ts';
import { simpleKeys, simpleRepos, startDistBed } from '../commands/distribute/bed.ts';
import {
  attackRepo,
  cliValidate,
  cliVerify,
  git,
  pullVerdict,
  stageGitlink,
  verifyActionRunner,
  type AttackRepo,
} from './manifest-harness.ts';

let repo: AttackRepo;
let action: Awaited<ReturnType<typeof verifyActionRunner>>;

beforeAll(async () => {
  repo = attackRepo();
  action = await verifyActionRunner();
}, 120_000);
afterAll(() => {
  repo?.cleanup();
  action?.close();
});

const NOT_REGULAR = 'manifest/not-a-regular-file';
const TOO_LARGE = 'manifest/file-too-large';

const cases: [string, string, string, (dir: string) => void, ((dir: string) => void)?][] = [
  [
    "a symlink as a destroyed version's material",
    'keys-manifest/infra/deploy-ssh/v1.sops.yaml',
    NOT_REGULAR,
    (dir) => symlinkSync('v2.sops.yaml', join(dir, 'keys-manifest/infra/deploy-ssh/v1.sops.yaml')),
  ],
  [
    'a symlink to a file outside the manifest',
    'keys-manifest/infra/deploy-ssh/notes.yaml',
    NOT_REGULAR,
    (dir) =>
      symlinkSync('../../../README.md', join(dir, 'keys-manifest/infra/deploy-ssh/notes.yaml')),
  ],
  [
    'an oversized file',
    'keys-manifest/infra/dump.bin',
    TOO_LARGE,
    (dir) =>
      writeFileSync(join(dir, 'keys-manifest/infra/dump.bin'), Buffer.alloc(5 * 1024 * 1024, 65)),
  ],
  [
    'a symlinked .sops.yaml',
    '.sops.yaml',
    NOT_REGULAR,
    (dir) => {
      writeFileSync(join(dir, 'sops-elsewhere.yaml'), 'creation_rules: []\n');
      git(dir, 'rm', '-q', '.sops.yaml');
      symlinkSync('sops-elsewhere.yaml', join(dir, '.sops.yaml'));
    },
  ],
  [
    'a symlinked policy',
    'policies/lax.yaml',
    NOT_REGULAR,
    (dir) => symlinkSync('standard.yaml', join(dir, 'policies/lax.yaml')),
  ],
  [
    'a submodule inside the manifest',
    'keys-manifest/vendor',
    NOT_REGULAR,
    () => {},
    (dir) => stageGitlink(dir, 'keys-manifest/vendor', git(dir, 'rev-parse', 'HEAD')),
  ],
];

describe('an entry the readers will not read is a violation, with its path and rule', () => {
  it.each(cases)('%s', async (name, path, rule, make, stage) => {
    const head = repo.branch(name.replace(/\W+/g, '-'), make, stage);
    const at = (fs: readonly { rule: string; file: string }[]) =>
      fs.filter((f) => f.file === path).map((f) => f.rule);

    const validated = await cliValidate(repo.dir, head);
    expect(validated.run.code, validated.run.stdout).toBe(1);
    expect(at(validated.findings)).toEqual([rule]);
    expect(validated.run.stderr).toBe('');

    const verified = await cliVerify(repo.dir, repo.main, head);
    expect(verified.run.code).toBe(1);
    expect(at(verified.findings)).toEqual([rule]);

    const pull = await pullVerdict(repo.dir, repo.main, head);
    expect(at(pull.diagnostics)).toEqual([rule]);

    const ran = await action.run(repo.dir, repo.main, head);
    expect(ran.code).not.toBe(0);
    const annotation = ran.errors.find((l) => l.includes(`file=${path}`));
    expect(annotation, ran.errors.join('\n')).toContain(`title=${rule}`);
  });

  it('in the working tree too (`rekey validate` without --ref)', async () => {
    git(repo.dir, 'checkout', '-q', '-b', 'worktree-link', repo.main);
    try {
      symlinkSync('v2.sops.yaml', join(repo.dir, 'keys-manifest/infra/deploy-ssh/v1.sops.yaml'));
      const { run, findings } = await cliValidate(repo.dir);
      expect(run.code).toBe(1);
      expect(findings).toContainEqual(
        expect.objectContaining({
          rule: NOT_REGULAR,
          file: 'keys-manifest/infra/deploy-ssh/v1.sops.yaml',
        }),
      );
    } finally {
      git(repo.dir, 'checkout', '-q', '-f', repo.main);
      git(repo.dir, 'clean', '-qfdx');
    }
  });

  it('the untouched template passes, so the findings above are the attack', async () => {
    const { run } = await cliValidate(repo.dir, repo.main);
    expect(run.code, run.stdout).toBe(0);
  });
});

describe('a default branch with a symlink in the manifest', () => {
  it('is not distributed: outcome invalid with the path and rule, nothing written', async () => {
    const bed = await startDistBed({ keys: simpleKeys(1), repos: simpleRepos(1) });
    try {
      const c = await bed.checkout();
      const link = 'keys-manifest/svc/key-1/v2.sops.yaml';
      symlinkSync('v1.sops.yaml', join(c.work, link));
      git(c.work, 'add', '-A');
      git(c.work, 'commit', '-q', '-m', 'a link');
      const tree = await readTreeAtRef(c.work, 'HEAD');
      bed.emu.clearLog();
      const result = await distribute({ ...bed.input(), tree }, bed.ports());
      expect(result.outcome).toBe('invalid');
      expect(result.problems).toContainEqual(
        expect.stringMatching(new RegExp(`^${link}: .*\\[${NOT_REGULAR}\\]$`)),
      );
      expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(bed.emu.secretNames({ repository: 'acme/r1' })).toEqual([]);
    } finally {
      await bed.close();
    }
  }, 120_000);
});
