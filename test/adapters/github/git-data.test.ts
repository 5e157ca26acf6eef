import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitDataAdapter, inlineText } from '../../../src/adapters/github/git-data.ts';
import { GitHubError, type GitDataPort } from '../../../src/core/ports/github.ts';
import { AT, type Bed, REPO, rejection, startBed } from './harness.ts';

const text = (s: string) => new TextEncoder().encode(s);
const BINARY = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x01, 0x80]);

let bed: Bed;
let git: GitDataPort;

beforeAll(async () => {
  bed = await startBed();
  git = createGitDataAdapter(bed.client(), AT);
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

async function fileAt(commit: string, path: string): Promise<Buffer | null> {
  const out = await bed.emu.repo(REPO).git.tryRun(['cat-file', 'blob', `${commit}:${path}`]);
  return out;
}

describe('inlineText', () => {
  it.each([
    ['ascii', text('a: 1\n'), 'a: 1\n'],
    ['utf-8 with a BOM kept', Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), '\ufeffa'],
    ['invalid utf-8', Uint8Array.from([0xc3, 0x28]), null],
    ['a NUL byte', Uint8Array.from([0x61, 0x00, 0x62]), null],
  ])('%s', (_n, bytes, want) => {
    expect(inlineText(bytes)).toBe(want);
  });
});

describe('GitDataPort over the emulator', () => {
  it('reads a branch head (1 call) and null for a missing branch', async () => {
    const head = await git.getBranchHead('main');
    expect(head?.commit).toMatch(/^[0-9a-f]{40}$/);
    const commit = await bed.emu.repo(REPO).git.readCommit(head!.commit);
    expect(head?.tree).toBe(commit.tree);
    expect(bed.emu.calls()).toBe(1);
    expect(await git.getBranchHead('nope')).toBeNull();
  });

  it('commitFiles adds, modifies, deletes and writes binary in one commit on a new branch', async () => {
    const base = (await git.getBranchHead('main'))!;
    bed.emu.clearLog();
    const res = await git.commitFiles({
      base,
      changes: [
        { path: 'keys/b.yaml', content: text('v: 2\n') },
        { path: 'README.md', content: text('# infra, rotated\n') },
        { path: 'keys/a.yaml', content: null },
        { path: 'keys/blob.bin', content: BINARY },
      ],
      message: 'rekey: rotate a to v2\n\nRekey-Key: a\n',
      author: { name: 'rekey', email: 'rekey@example.com', date: '2026-11-20T09:14:03Z' },
      branch: { name: 'rekey/rotate/a', mode: 'create' },
    });
    expect(res.ref).toBe('created');
    // tree + commit + ref, plus one blob for the binary file
    expect(bed.emu.calls()).toBe(4);
    expect(bed.emu.calls('POST /repos/{owner}/{repo}/git/blobs')).toBe(1);
    const repo = bed.emu.repo(REPO).git;
    expect(await repo.readRef('refs/heads/rekey/rotate/a')).toBe(res.commit);
    const c = await repo.readCommit(res.commit);
    expect(c.parents).toEqual([base.commit]);
    expect(c.tree).toBe(res.tree);
    expect(c.author.name).toBe('rekey');
    expect(c.message).toContain('Rekey-Key: a');
    expect((await fileAt(res.commit, 'keys/b.yaml'))?.toString()).toBe('v: 2\n');
    expect((await fileAt(res.commit, 'README.md'))?.toString()).toBe('# infra, rotated\n');
    expect(await fileAt(res.commit, 'keys/a.yaml')).toBeNull();
    expect(Buffer.compare((await fileAt(res.commit, 'keys/blob.bin'))!, Buffer.from(BINARY))).toBe(
      0,
    );
  });

  it('commitFiles of text only is exactly 3 calls: tree, commit, ref', async () => {
    const base = (await git.getBranchHead('main'))!;
    bed.emu.clearLog();
    const res = await git.commitFiles({
      base,
      changes: [{ path: 'keys/c.yaml', content: text('c: 1\n') }],
      message: 'three calls',
      branch: { name: 'rekey/rotate/c', mode: 'create' },
    });
    expect(res.ref).toBe('created');
    expect(bed.emu.requestLog.map((r) => r.operation)).toEqual([
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'POST /repos/{owner}/{repo}/git/refs',
    ]);
  });

  it('a branch that exists is reported as exists with where it points, not thrown', async () => {
    const base = (await git.getBranchHead('main'))!;
    const first = await git.createBranch('rekey/rotate/d', base.commit);
    expect(first).toEqual({ result: 'created' });
    const other = await git.commitFiles({
      base,
      changes: [{ path: 'keys/d.yaml', content: text('d\n') }],
      message: 'second run',
      branch: { name: 'rekey/rotate/d', mode: 'create' },
    });
    expect(other.ref).toBe('exists');
    expect(other.existing).toBe(base.commit);
    expect(await bed.emu.repo(REPO).git.readRef('refs/heads/rekey/rotate/d')).toBe(base.commit);
  });

  it('a lost answer to the ref write, retried, still reports created', async () => {
    const base = (await git.getBranchHead('main'))!;
    bed.emu.inject({ route: 'POST /repos/{owner}/{repo}/git/refs', lost: true });
    const res = await git.commitFiles({
      base,
      changes: [{ path: 'keys/e.yaml', content: text('e\n') }],
      message: 'lost answer',
      branch: { name: 'rekey/rotate/e', mode: 'create' },
    });
    expect(res.ref).toBe('created');
    expect(await bed.emu.repo(REPO).git.readRef('refs/heads/rekey/rotate/e')).toBe(res.commit);
  });

  it('fast-forwards a branch, and a non-fast-forward is a typed unprocessable error', async () => {
    const base = (await git.getBranchHead('main'))!;
    await git.createBranch('work', base.commit);
    const next = await git.commitFiles({
      base,
      changes: [{ path: 'f.txt', content: text('f\n') }],
      message: 'ff',
      branch: { name: 'work', mode: 'fast-forward' },
    });
    expect(next.ref).toBe('updated');
    expect((await git.getBranchHead('work'))?.commit).toBe(next.commit);
    const err = await rejection(git.fastForwardBranch('work', base.commit));
    expect(err).toBeInstanceOf(GitHubError);
    expect(err).toMatchObject({
      code: 'unprocessable',
      status: 422,
      route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
    });
    expect((await git.getBranchHead('work'))?.commit).toBe(next.commit);
  });

  it('a ref for an object that does not exist is an error, not "exists"', async () => {
    const err = await rejection(git.createBranch('bogus', 'f'.repeat(40)));
    expect(err).toMatchObject({ code: 'unprocessable' });
  });

  it('deletes a branch, and reports absent for a missing one', async () => {
    const base = (await git.getBranchHead('main'))!;
    await git.createBranch('to-delete', base.commit);
    expect(await git.deleteBranch('to-delete')).toBe('deleted');
    expect(await git.deleteBranch('to-delete')).toBe('absent');
  });

  it('a repository the token cannot see is not-found', async () => {
    const other = createGitDataAdapter(bed.client(), { owner: 'acme', repo: 'missing' });
    // getBranchHead cannot tell a hidden repository from a missing branch (both 404): null.
    expect(await other.getBranchHead('main')).toBeNull();
    const err = await rejection(other.createBranch('x', 'a'.repeat(40)));
    expect(err).toMatchObject({ code: 'not-found', status: 404 });
  });

  it('refuses an empty or ambiguous change set before any request', async () => {
    const base = (await git.getBranchHead('main'))!;
    bed.emu.clearLog();
    const branch = { name: 'x', mode: 'create' } as const;
    await expect(git.commitFiles({ base, changes: [], message: 'm', branch })).rejects.toThrow(
      /no changes/,
    );
    await expect(
      git.commitFiles({
        base,
        changes: [
          { path: 'a', content: null },
          { path: 'a', content: text('x') },
        ],
        message: 'm',
        branch,
      }),
    ).rejects.toThrow(/more than once/);
    expect(bed.emu.calls()).toBe(0);
  });
});
