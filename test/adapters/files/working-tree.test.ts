import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../../src/adapters/files/working-tree.ts';

describe('readWorkingTree', () => {
  let dir: string;
  let outside: string;
  let hasFifo = false;

  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rekey-wt-'));
    outside = mkdtempSync(join(tmpdir(), 'rekey-wt-outside-'));
    writeFileSync(join(outside, 'secret.yaml'), 'not for rekey\n');
    write('keys-manifest/a/key.yaml', 'id: a\n');
    write('keys-manifest/a/v1.sops.yaml', Uint8Array.from([0, 1, 10, 255]));
    write('keys-manifest/b/c/key.yaml', 'id: b/c\n');
    write('keys-manifest/big/key.yaml', 'x'.repeat(3000));
    write('policies/standard.yaml', 'name: standard\n');
    write('.sops.yaml.bak', 'not selected\n');
    write('README.md', 'not selected\n');
    symlinkSync(join(outside, 'secret.yaml'), join(dir, 'keys-manifest/a/link.yaml'));
    symlinkSync(outside, join(dir, 'keys-manifest/linked-dir'));
    // The exact-file prefix is itself a link: refused, not followed.
    symlinkSync(join(outside, 'secret.yaml'), join(dir, '.sops.yaml'));
    try {
      execFileSync('mkfifo', [join(dir, 'policies/pipe.yaml')]);
      hasFifo = true;
    } catch {
      console.log('mkfifo unavailable: the special-file case is not exercised');
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('reads selected regular files and reports every link it refused', async () => {
    const tree = await readWorkingTree(dir, undefined, { maxFileBytes: 2048 });
    const skipped = tree.irregular ?? [];
    expect([...tree.keys()]).toEqual([
      'keys-manifest/a/key.yaml',
      'keys-manifest/a/v1.sops.yaml',
      'keys-manifest/b/c/key.yaml',
      'policies/standard.yaml',
    ]);
    expect([...tree.get('keys-manifest/a/v1.sops.yaml')!]).toEqual([0, 1, 10, 255]);
    expect(Buffer.from(tree.get('keys-manifest/b/c/key.yaml')!).toString()).toBe('id: b/c\n');
    expect(skipped).toEqual(
      expect.arrayContaining([
        { path: 'keys-manifest/a/link.yaml', reason: 'symlink' },
        { path: 'keys-manifest/linked-dir', reason: 'symlink' },
        { path: '.sops.yaml', reason: 'symlink' },
        { path: 'keys-manifest/big/key.yaml', reason: 'too-large' },
        ...(hasFifo ? [{ path: 'policies/pipe.yaml', reason: 'special-file' }] : []),
      ]),
    );
    expect(skipped).toHaveLength(hasFifo ? 5 : 4);
  });

  it('refuses a selected folder that is a link', async () => {
    const other = mkdtempSync(join(tmpdir(), 'rekey-wt2-'));
    try {
      symlinkSync(join(dir, 'keys-manifest'), join(other, 'keys-manifest'));
      const tree = await readWorkingTree(other, ['keys-manifest/']);
      expect(tree.size).toBe(0);
      expect(tree.irregular).toEqual([{ path: 'keys-manifest', reason: 'symlink' }]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('treats missing prefixes as empty', async () => {
    const tree = await readWorkingTree(dir, ['nothing-here/', 'nor-here.yaml']);
    expect(tree.size).toBe(0);
  });

  it('refuses a directory that does not exist', async () => {
    await expect(readWorkingTree(join(dir, 'no-such-dir'))).rejects.toThrow(/not a directory/);
  });

  it.each([['../x/'], ['/'], ['a/./b']])('rejects prefix %j', async (p) => {
    await expect(readWorkingTree(dir, [p])).rejects.toThrow(RangeError);
  });
});
