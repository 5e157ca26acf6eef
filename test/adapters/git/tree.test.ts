import { symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitReadError } from '../../../src/adapters/git/process.ts';
import { readTreeAtRef, readTreesAtRefs, resolveRef } from '../../../src/adapters/git/tree.ts';
import { countingSpawn, TempRepo } from './repo-fixture.ts';

const text = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : Buffer.from(b).toString('utf8');

describe('readTreeAtRef', () => {
  let repo: TempRepo;
  let first: string;
  const binary = Uint8Array.from([0, 10, 10, 255, 13, 10, 0x30]);

  beforeAll(() => {
    repo = new TempRepo();
    first = repo.commit(
      {
        'keys-manifest/a/key.yaml': 'id: a\n',
        'policies/standard.yaml': 'name: standard\n',
        '.sops.yaml': 'creation_rules: []\n',
        'README.md': 'not selected\n',
      },
      'first',
      '2026-01-01T10:00:00Z',
    );
    repo.write({
      'keys-manifest/a/key.yaml': 'id: a\nversions: []\n',
      'keys-manifest/a/v1.sops.yaml': binary,
      'keys-manifest/big/key.yaml': 'x'.repeat(5000),
      '.sops.yaml.bak': 'also not selected\n',
      'policies-old/x.yaml': 'not selected: prefix is a folder\n',
    });
    symlinkSync('../../README.md', join(repo.dir, 'keys-manifest/a/link.yaml'));
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'second'], '2026-01-02T10:00:00Z');
    // A submodule entry (gitlink) inside the manifest, without a real submodule behind it.
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${first},keys-manifest/sub`]);
    repo.git(['commit', '-q', '-m', 'gitlink'], '2026-01-03T10:00:00Z');
  });
  afterAll(() => repo.remove());

  it('reads exactly the selected files at HEAD, byte for byte, with one cat-file', async () => {
    const { spawn, calls } = countingSpawn();
    const tree = await readTreeAtRef(repo.dir, 'HEAD', undefined, { spawn, maxFileBytes: 4096 });
    expect([...tree.keys()]).toEqual([
      '.sops.yaml',
      'keys-manifest/a/key.yaml',
      'keys-manifest/a/v1.sops.yaml',
      'policies/standard.yaml',
    ]);
    expect(text(tree.get('keys-manifest/a/key.yaml'))).toBe('id: a\nversions: []\n');
    expect([...tree.get('keys-manifest/a/v1.sops.yaml')!]).toEqual([...binary]);
    expect(tree.irregular).toEqual([
      { path: 'keys-manifest/a/link.yaml', reason: 'symlink' },
      { path: 'keys-manifest/big/key.yaml', reason: 'too-large' },
      { path: 'keys-manifest/sub', reason: 'submodule' },
    ]);
    expect(calls).toEqual([['cat-file', '--batch', '--buffer']]);
  });

  it('reads two refs with one cat-file, each shared blob once and as one bytes object', async () => {
    const { spawn, calls } = countingSpawn();
    const [old, head] = await readTreesAtRefs(repo.dir, [first, 'HEAD'], undefined, { spawn });
    const alone = await readTreeAtRef(repo.dir, 'HEAD');
    expect([...head!]).toEqual([...alone]);
    expect(head!.irregular).toEqual(alone.irregular);
    expect([...old!]).toEqual([...(await readTreeAtRef(repo.dir, first))]);
    expect(calls).toEqual([['cat-file', '--batch', '--buffer']]);
    // Unchanged between the commits: the same object; changed: each its own bytes.
    expect(head!.get('.sops.yaml')).toBe(old!.get('.sops.yaml'));
    expect(text(old!.get('keys-manifest/a/key.yaml'))).toBe('id: a\n');
    expect(text(head!.get('keys-manifest/a/key.yaml'))).toBe('id: a\nversions: []\n');
  });

  it('refuses an unknown ref among several', async () => {
    await expect(readTreesAtRefs(repo.dir, ['HEAD', 'no-such-branch'])).rejects.toThrow(
      GitReadError,
    );
  });

  it('reads an older commit by sha', async () => {
    const tree = await readTreeAtRef(repo.dir, first);
    expect(text(tree.get('keys-manifest/a/key.yaml'))).toBe('id: a\n');
    expect(tree.has('keys-manifest/a/v1.sops.yaml')).toBe(false);
    expect(tree.irregular).toBeUndefined();
  });

  it('lists a symlink or submodule standing where a selected folder should be', async () => {
    const other = new TempRepo();
    try {
      const base = other.commit({ 'README.md': 'x\n' }, 'base', '2026-01-01T10:00:00Z');
      other.write({ 'link-target': '../elsewhere' });
      const blob = other.git(['hash-object', '-w', 'link-target']).trim();
      other.git(['update-index', '--add', '--cacheinfo', `120000,${blob},keys-manifest`]);
      other.git(['update-index', '--add', '--cacheinfo', `160000,${base},policies`]);
      other.git(['update-index', '--add', '--cacheinfo', `120000,${blob},.sops.yaml`]);
      other.git(['commit', '-q', '-m', 'links'], '2026-01-02T10:00:00Z');
      const tree = await readTreeAtRef(other.dir, 'HEAD');
      expect(tree.size).toBe(0);
      expect(tree.irregular).toEqual([
        { path: '.sops.yaml', reason: 'symlink' },
        { path: 'keys-manifest', reason: 'symlink' },
        { path: 'policies', reason: 'submodule' },
      ]);
    } finally {
      other.remove();
    }
  });

  it('honours custom prefixes', async () => {
    const tree = await readTreeAtRef(repo.dir, 'main', ['policies/']);
    expect([...tree.keys()]).toEqual(['policies/standard.yaml']);
  });

  it('works from a subdirectory of the repository', async () => {
    const tree = await readTreeAtRef(join(repo.dir, 'keys-manifest'), 'HEAD', ['.sops.yaml']);
    expect([...tree.keys()]).toEqual(['.sops.yaml']);
  });

  it.each([['no-such-branch'], ['--output=/tmp/x'], ['']])(
    'rejects ref %j as unknown-ref',
    async (ref) => {
      const e = await readTreeAtRef(repo.dir, ref).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GitReadError);
      expect((e as GitReadError).code).toBe('unknown-ref');
    },
  );

  it('says so when the directory is not a repository', async () => {
    const e = await resolveRef(tmpdir(), 'HEAD').catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'GitReadError', code: 'unknown-ref' });
    expect((e as Error).message).toMatch(/not a git repository/i);
  });

  it('resolveRef returns the full commit id of a branch', async () => {
    const head = repo.git(['rev-parse', 'HEAD']).trim();
    expect(await resolveRef(repo.dir, 'main')).toBe(head);
    expect(await resolveRef(repo.dir, first.slice(0, 12))).toBe(first);
  });
});
