import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitVia, harness, type Harness, REPO, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

async function head(branch: string): Promise<string> {
  const r = await h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
    ...o,
    ref: `heads/${branch}`,
  });
  return r.data.object.sha;
}

describe('refs', () => {
  it('creates a ref once: 201, then 422 "Reference already exists"', async () => {
    const sha = await head('main');
    const first = await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/rekey/rotate/a',
      sha,
    });
    expect(first.status).toBe(201);
    expect(first.data).toMatchObject({
      ref: 'refs/heads/rekey/rotate/a',
      object: { sha, type: 'commit' },
    });
    const again = h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/rekey/rotate/a',
      sha,
    });
    await expect(again).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Reference already exists' } },
    });
  });

  it('of 10 concurrent creations of one ref exactly one wins', async () => {
    const sha = await head('main');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        h.app.request('POST /repos/{owner}/{repo}/git/refs', {
          ...o,
          ref: 'refs/heads/rekey/rotate/race',
          sha,
        }),
      ),
    );
    const statuses = results.map((r) =>
      r.status === 'fulfilled' ? r.value.status : (r.reason as { status: number }).status,
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(9);
  });

  it.each([
    ['heads/no-refs-prefix', 422],
    ['refs/one-slash', 422],
    ['refs/heads/bad..name', 422],
  ])('rejects the ref name %s', async (ref, status) => {
    const sha = await head('main');
    expect(
      await statusOf(h.app.request('POST /repos/{owner}/{repo}/git/refs', { ...o, ref, sha })),
    ).toBe(status);
  });

  it('rejects a ref to an object that does not exist', async () => {
    const sha = 'f'.repeat(40);
    expect(
      await statusOf(
        h.app.request('POST /repos/{owner}/{repo}/git/refs', { ...o, ref: 'refs/heads/x', sha }),
      ),
    ).toBe(422);
  });

  it('answers 404 for a missing ref and lists matching refs by string prefix', async () => {
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...o, ref: 'heads/nope' }),
      ),
    ).toBe(404);
    const list = await h.app.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', {
      ...o,
      ref: 'heads/rekey/rotate/r',
    });
    expect(list.data.map((r) => r.ref)).toEqual(['refs/heads/rekey/rotate/race']);
    const none = await h.app.request('GET /repos/{owner}/{repo}/git/matching-refs/{ref}', {
      ...o,
      ref: 'heads/zzz',
    });
    expect(none.data).toEqual([]);
  });

  it('PATCH fast-forwards, refuses a non fast-forward with 422 unless forced', async () => {
    const base = await head('main');
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/ff',
      sha: base,
    });
    const next = await commitVia(h.app, 'ff', { 'x.txt': 'x\n' }, 'x');
    const ff = await h.app.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      ...o,
      ref: 'heads/ff',
      sha: next.sha,
    });
    expect(ff.data.object.sha).toBe(next.sha);
    const back = h.app.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      ...o,
      ref: 'heads/ff',
      sha: base,
    });
    await expect(back).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    const forced = await h.app.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      ...o,
      ref: 'heads/ff',
      sha: base,
      force: true,
    });
    expect(forced.data.object.sha).toBe(base);
  });

  it('DELETE removes a ref (204) and answers 422 when it does not exist', async () => {
    const sha = await head('main');
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/gone',
      sha,
    });
    const del = await h.app.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', {
      ...o,
      ref: 'heads/gone',
    });
    expect(del.status).toBe(204);
    expect(await h.emu.repo(REPO).git.readRef('refs/heads/gone')).toBeNull();
    expect(
      await statusOf(
        h.app.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', { ...o, ref: 'heads/gone' }),
      ),
    ).toBe(422);
  });

  it('refuses direct pushes to a branch whose rules require pull requests', async () => {
    h.emu.setBranchRules(REPO, 'protected-*', [
      { type: 'pull_request', parameters: { required_approving_review_count: 1 } },
    ]);
    const sha = await head('main');
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/protected-1',
      sha,
    });
    const next = await commitVia(h.app, 'protected-1', { 'p.txt': 'p\n' }, 'p');
    const push = h.app.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      ...o,
      ref: 'heads/protected-1',
      sha: next.sha,
    });
    expect(await statusOf(push)).toBe(422);
  });
});

describe('trees, commits and blobs', () => {
  it('writes a commit with author, committer and parents that real git reads back', async () => {
    const parent = await head('main');
    const tree = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: 'main',
    });
    const author = { name: 'Rekey', email: 'rekey@example.com', date: '2026-11-20T09:14:03Z' };
    const commit = await h.app.request('POST /repos/{owner}/{repo}/git/commits', {
      ...o,
      message: 'rekey: rotate a to v2\n\nRekey-Key: a',
      tree: tree.data.sha,
      parents: [parent],
      author,
      committer: { name: 'Bot', email: 'bot@example.com', date: '2026-11-20T09:15:00Z' },
    });
    expect(commit.status).toBe(201);
    const git = h.emu.repo(REPO).git;
    const log = (await git.run(['log', '-1', '--format=%an|%ae|%aI|%cn|%P|%s', commit.data.sha]))
      .toString()
      .trim();
    expect(log).toBe(
      `Rekey|rekey@example.com|2026-11-20T09:14:03+00:00|Bot|${parent}|rekey: rotate a to v2`,
    );
    const got = await h.app.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
      ...o,
      commit_sha: commit.data.sha,
    });
    expect(got.data).toMatchObject({
      author,
      parents: [{ sha: parent }],
      tree: { sha: tree.data.sha },
    });
  });

  it('creates trees on a base tree, with content, blob shas and deletions (files and folders)', async () => {
    const blob = await h.app.request('POST /repos/{owner}/{repo}/git/blobs', {
      ...o,
      content: Buffer.from([0, 1, 2, 255]).toString('base64'),
      encoding: 'base64',
    });
    const base = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: 'main',
    });
    const tree = await h.app.request('POST /repos/{owner}/{repo}/git/trees', {
      ...o,
      base_tree: base.data.sha,
      tree: [
        { path: 'deep/dir/new.txt', mode: '100644', type: 'blob', content: 'hello\n' },
        { path: 'bin/data', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'keys', mode: '040000', type: 'tree', sha: null },
        { path: 'README.md', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const all = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: tree.data.sha,
      recursive: '1',
    });
    expect(all.data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      'tree bin',
      'blob bin/data',
      'tree deep',
      'tree deep/dir',
      'blob deep/dir/new.txt',
    ]);
    const bytes = await h.app.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      ...o,
      file_sha: blob.data.sha,
    });
    expect(Buffer.from(bytes.data.content, 'base64')).toEqual(Buffer.from([0, 1, 2, 255]));
    const text = await h.app.request('POST /repos/{owner}/{repo}/git/blobs', {
      ...o,
      content: 'é\n',
    });
    const read = await h.app.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      ...o,
      file_sha: text.data.sha,
    });
    expect(Buffer.from(read.data.content, 'base64').toString()).toBe('é\n');
  });

  it('answers 422 for a missing parent or tree and 404 for unknown objects', async () => {
    const tree = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: 'main',
    });
    const badParent = h.app.request('POST /repos/{owner}/{repo}/git/commits', {
      ...o,
      message: 'm',
      tree: tree.data.sha,
      parents: ['a'.repeat(40)],
    });
    expect(await statusOf(badParent)).toBe(422);
    const badTree = h.app.request('POST /repos/{owner}/{repo}/git/commits', {
      ...o,
      message: 'm',
      tree: 'b'.repeat(40),
    });
    expect(await statusOf(badTree)).toBe(422);
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
          ...o,
          commit_sha: 'c'.repeat(40),
        }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
          ...o,
          file_sha: tree.data.sha,
        }),
      ),
    ).toBe(404);
  });
});

describe('concurrent updates and sub-trees', () => {
  it('of two concurrent fast-forwards from one base exactly one lands', async () => {
    const base = await head('main');
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/race-ff',
      sha: base,
    });
    const a = await commitVia(h.app, 'race-ff', { 'a.txt': 'a\n' }, 'a');
    const b = await commitVia(h.app, 'race-ff', { 'b.txt': 'b\n' }, 'b');
    const results = await Promise.allSettled(
      [a.sha, b.sha].map((sha) =>
        h.app.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
          ...o,
          ref: 'heads/race-ff',
          sha,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r.reason as { status: number }).status),
    ).toEqual([422]);
    expect([a.sha, b.sha]).toContain(await head('race-ff'));
  });

  it('places an existing tree at a path', async () => {
    const main = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: 'main',
    });
    const keys = main.data.tree.find((e) => e.path === 'keys');
    const tree = await h.app.request('POST /repos/{owner}/{repo}/git/trees', {
      ...o,
      base_tree: main.data.sha,
      tree: [{ path: 'copy/of/keys', mode: '040000', type: 'tree', sha: keys?.sha ?? '' }],
    });
    const all = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: tree.data.sha,
      recursive: 'true',
    });
    expect(all.data.tree.filter((e) => e.type === 'blob').map((e) => e.path)).toContain(
      'copy/of/keys/a.yaml',
    );
  });
});
