import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstParentCommits, parentsOf, readCheckout } from '../../../src/adapters/git/commits.ts';
import { git } from '../../cli/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'rekey-commits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('commit lists from a checkout', () => {
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'a'), '1');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'one');
  const one = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'side');
  writeFileSync(join(dir, 'b'), '2');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'side');
  const side = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'merge', '-q', '--no-ff', '-m', 'merge', 'side');
  const merge = git(dir, 'rev-parse', 'HEAD');

  it('first-parent history skips the merged side commit, oldest first', async () => {
    expect(await firstParentCommits(dir, merge)).toEqual([one, merge]);
  });

  it('parents of a merge commit, in order', async () => {
    expect(await parentsOf(dir, merge)).toEqual([one, side]);
    expect(await parentsOf(dir, one)).toEqual([]);
  });

  it('reads the whole state a scheduled run plans from, and refuses a shallow clone', async () => {
    const state = await readCheckout(dir);
    expect(state.sha).toBe(merge);
    expect(state.firstParent).toEqual([one, merge]);
    const shallow = mkdtempSync(join(tmpdir(), 'rekey-shallow-'));
    try {
      git(shallow, 'clone', '-q', '--depth', '1', `file://${dir}`, 'c');
      await expect(readCheckout(join(shallow, 'c'))).rejects.toThrow(/shallow/);
    } finally {
      rmSync(shallow, { recursive: true, force: true });
    }
  });
});
