// Trees, commits and blobs written and read through the Git Data API, checked with git.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness, REPO, statusOf } from './harness.ts';

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

  it('refuses, as GitHub does, to delete a path the base tree does not have', async () => {
    const base = await h.app.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...o,
      tree_sha: 'main',
    });
    const del = (path: string, base_tree?: string) =>
      h.app.request('POST /repos/{owner}/{repo}/git/trees', {
        ...o,
        ...(base_tree && { base_tree }),
        tree: [{ path, mode: '100644', type: 'blob', sha: null }],
      });
    expect(await statusOf(del('no/such/file.txt', base.data.sha))).toBe(422);
    expect(await statusOf(del('README.md'))).toBe(422); // no base tree: nothing to delete
    expect((await del('README.md', base.data.sha)).status).toBe(201);
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
