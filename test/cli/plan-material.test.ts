// `rekey plan` needs key.yaml, the policies and pipeline.yaml only: it reads no material file
// (issue #13). Proved two ways: the use case never asks the tree for a material file's bytes,
// and the CLI gives the same plan when every material file is garbage, a symlink, or gone,
// while `rekey validate` still reports them.
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { readWorkingTree } from '../../src/adapters/files/working-tree.ts';
import { planTree } from '../../src/commands/inspect.ts';
import { parseMaterialPath } from '../../src/core/formats/index.ts';
import { fileTree, type FileTree } from '../../src/core/snapshot.ts';
import { readTree } from '../../src/cli/repo.ts';
import { git, rekey, templateRepo } from './harness.ts';

const NOW = ['--now', '2026-12-10T10:00:00Z'];
const materials = [
  'keys-manifest/identity/token-signing/v1.sops.yaml',
  'keys-manifest/infra/deploy-ssh/v2.sops.yaml',
  'keys-manifest/infra/deploy-ssh/v3.sops.yaml',
  'keys-manifest/payments/webhook-signing/v1.sops.yaml',
  'keys-manifest/payments/webhook-signing/v2.sops.yaml',
];

let repo: ReturnType<typeof templateRepo>;
beforeEach(() => {
  repo = templateRepo();
});
afterEach(() => repo.cleanup());

/** A tree that records every path whose bytes were asked for. */
function counting(tree: FileTree): { tree: FileTree; read: string[] } {
  const read: string[] = [];
  const files = new (class extends Map<string, Uint8Array> {
    override get(path: string) {
      read.push(path);
      return super.get(path);
    }
  })([...tree]);
  return { tree: files, read };
}

describe('plan reads no material file', () => {
  it('the use case never asks for a material file, and plans the same without them', async () => {
    const full = await readTree(repo.dir, 'HEAD');
    expect(materials.every((m) => full.has(m))).toBe(true);
    const { tree, read } = counting(full);
    const now = new Date('2026-12-10T10:00:00Z');
    const withMaterial = planTree({ tree, now });
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((p) => parseMaterialPath(p) !== undefined)).toEqual([]);
    const bare = fileTree(
      [...full].filter(([p]) => parseMaterialPath(p) === undefined),
      [],
    );
    expect(withMaterial.kind).toBe('planned');
    expect(planTree({ tree: bare, now })).toEqual(withMaterial);
  });

  it('the tree readers leave material out when asked, at a ref and in the working tree', async () => {
    for (const tree of [
      await readTree(repo.dir, 'HEAD', { material: false }),
      await readTree(repo.dir, undefined, { material: false }),
    ]) {
      expect([...tree.keys()].filter((p) => parseMaterialPath(p) !== undefined)).toEqual([]);
      expect(tree.has('keys-manifest/infra/deploy-ssh/key.yaml')).toBe(true);
      expect(tree.irregular ?? []).toEqual([]);
    }
    // Without the option both readers still read every file.
    expect((await readTreeAtRef(repo.dir, 'HEAD')).has(materials[0]!)).toBe(true);
    expect((await readWorkingTree(repo.dir)).has(materials[0]!)).toBe(true);
  });

  it('the CLI plans the same over broken material; validate still reports it', async () => {
    const before = await rekey(repo.dir, ['plan', ...NOW, '--json']);
    expect(before.code).toBe(0);
    expect(before.stderr).toContain('plan reads no material file');
    // Garbage, a symlink and a missing file: each a validate finding.
    writeFileSync(join(repo.dir, materials[0]!), 'not: [valid yaml\n');
    rmSync(join(repo.dir, materials[1]!));
    symlinkSync('/etc/passwd', join(repo.dir, materials[1]!));
    rmSync(join(repo.dir, materials[2]!));
    writeFileSync(
      join(repo.dir, materials[3]!),
      readFileSync(join(repo.dir, materials[4]!), 'utf8'),
    );
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-q', '-m', 'break the material');
    const after = await rekey(repo.dir, ['plan', ...NOW, '--json']);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    const validate = await rekey(repo.dir, ['validate', '--json']);
    expect(validate.code).toBe(1);
    const rules = (JSON.parse(validate.stdout) as { diagnostics: { rule: string }[] }).diagnostics
      .map((d) => d.rule)
      .sort();
    expect(rules).toEqual(
      expect.arrayContaining([
        'lifecycle/material-missing',
        'manifest/material-mismatch',
        'manifest/not-a-regular-file',
      ]),
    );
  });

  it('plan still refuses a manifest whose key files are invalid', async () => {
    const path = join(repo.dir, 'keys-manifest/infra/deploy-ssh/key.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('policy: ', 'policy: no-such-'));
    git(repo.dir, 'commit', '-qam', 'unknown policy');
    const r = await rekey(repo.dir, ['plan', ...NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('policy/unknown');
  });
});
