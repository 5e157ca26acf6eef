import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, commitVia, harness, type Harness, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
let h: Harness;
beforeAll(async () => {
  h = await harness();
  h.emu.addUser('bob');
});
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

/** A branch from main with one commit through the Git Data API, and a pull request for it. */
async function openPull(
  branch: string,
  files: Record<string, string | null>,
  title = `change ${branch}`,
) {
  const { sha, parent } = await commitVia(h.app, 'main', files, `rekey: ${branch}`);
  await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
    ...o,
    ref: `refs/heads/${branch}`,
    sha,
  });
  const pr = await h.app.request('POST /repos/{owner}/{repo}/pulls', {
    ...o,
    head: branch,
    base: 'main',
    title,
    body: 'why',
  });
  return { pr: pr.data, sha, parent };
}

describe('pull requests', () => {
  it('creates a pull request (mergeable unknown at first) and reads it back', async () => {
    const { pr, sha } = await openPull('rekey/rotate/a', { 'keys/a.yaml': 'v: 2\n' });
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      mergeable: null,
      head: { ref: 'rekey/rotate/a', sha },
      base: { ref: 'main' },
    });
    expect(pr.user?.login).toBe('rekey[bot]');
    const got = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 1,
    });
    expect(got.data.mergeable).toBe(true);
  });

  it('refuses a duplicate, an empty pull request and unknown branches with 422', async () => {
    const dup = h.app.request('POST /repos/{owner}/{repo}/pulls', {
      ...o,
      head: 'rekey/rotate/a',
      base: 'main',
      title: 'again',
    });
    await expect(dup).rejects.toMatchObject({
      status: 422,
      response: {
        data: { errors: [{ message: 'A pull request already exists for acme:rekey/rotate/a.' }] },
      },
    });
    const main = await h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      ...o,
      ref: 'heads/main',
    });
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/empty',
      sha: main.data.object.sha,
    });
    expect(
      await statusOf(
        h.app.request('POST /repos/{owner}/{repo}/pulls', {
          ...o,
          head: 'empty',
          base: 'main',
          title: 't',
        }),
      ),
    ).toBe(422);
    expect(
      await statusOf(
        h.app.request('POST /repos/{owner}/{repo}/pulls', {
          ...o,
          head: 'nope',
          base: 'main',
          title: 't',
        }),
      ),
    ).toBe(422);
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...o, pull_number: 999 }),
      ),
    ).toBe(404);
  });

  it('refuses GITHUB_TOKEN pull requests unless the repository allows them', async () => {
    const actions = client(
      h.emu,
      h.emu.addToken({
        kind: 'github-actions',
        permissions: { contents: 'write', pull_requests: 'write' },
      }),
    );
    const res = actions.request('POST /repos/{owner}/{repo}/pulls', {
      ...o,
      head: 'empty',
      base: 'main',
      title: 't',
    });
    await expect(res).rejects.toMatchObject({
      status: 403,
      response: {
        data: { message: 'GitHub Actions is not permitted to create or approve pull requests.' },
      },
    });
  });

  it('lists with state, head and base filters and paginates with Link headers', async () => {
    await openPull('rekey/rotate/b', { 'keys/b.yaml': 'v: 1\n' });
    await openPull('rekey/rotate/c', { 'keys/c.yaml': 'v: 1\n' });
    const open = await h.app.request('GET /repos/{owner}/{repo}/pulls', { ...o, state: 'open' });
    expect(open.data.map((p) => p.number)).toEqual([3, 2, 1]);
    const byHead = await h.app.request('GET /repos/{owner}/{repo}/pulls', {
      ...o,
      head: 'acme:rekey/rotate/b',
    });
    expect(byHead.data.map((p) => p.head.ref)).toEqual(['rekey/rotate/b']);
    const bareHead = await h.app.request('GET /repos/{owner}/{repo}/pulls', {
      ...o,
      head: 'rekey/rotate/b',
    });
    expect(bareHead.data).toHaveLength(3);
    const byBase = await h.app.request('GET /repos/{owner}/{repo}/pulls', { ...o, base: 'other' });
    expect(byBase.data).toEqual([]);
    const page1 = await h.app.request('GET /repos/{owner}/{repo}/pulls', { ...o, per_page: 2 });
    expect(page1.data).toHaveLength(2);
    expect(page1.headers.link).toContain('rel="next"');
    const page2 = await h.app.request('GET /repos/{owner}/{repo}/pulls', {
      ...o,
      per_page: 2,
      page: 2,
    });
    expect(page2.data.map((p) => p.number)).toEqual([1]);
    expect(page2.headers.link).toContain('rel="prev"');
    expect(page2.headers.link).not.toContain('rel="next"');
  });

  it('updates title, body and state', async () => {
    const up = await h.app.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 3,
      title: 'new',
      body: 'b2',
      state: 'closed',
    });
    expect(up.data).toMatchObject({ title: 'new', body: 'b2', state: 'closed' });
    const closed = await h.app.request('GET /repos/{owner}/{repo}/pulls', {
      ...o,
      state: 'closed',
    });
    expect(closed.data.map((p) => p.number)).toEqual([3]);
    const reopened = await h.app.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 3,
      state: 'open',
    });
    expect(reopened.data.state).toBe('open');
  });

  it('lists its commits', async () => {
    const pr = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 2,
    });
    const commits = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', {
      ...o,
      pull_number: 2,
    });
    expect(commits.data.map((c) => [c.sha, c.commit.message])).toEqual([
      [pr.data.head.sha, 'rekey: rekey/rotate/b'],
    ]);
  });

  it('lists the changed files', async () => {
    const files = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...o,
      pull_number: 1,
    });
    expect(files.data.map((f) => [f.status, f.filename])).toEqual([['modified', 'keys/a.yaml']]);
  });
});

describe('repository merge settings', () => {
  it('deletes the head branch on merge when the repository says so', async () => {
    await h.emu.addRepo({ fullName: 'acme/tidy', deleteBranchOnMerge: true });
    const t = { owner: 'acme', repo: 'tidy' };
    const main = await h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      ...t,
      ref: 'heads/main',
    });
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...t,
      ref: 'refs/heads/topic',
      sha: main.data.object.sha,
    });
    await h.emu.commitFiles('acme/tidy', 'topic', { 'a.txt': 'a\n' }, 'first\n\nbody one');
    await h.emu.commitFiles('acme/tidy', 'topic', { 'b.txt': 'b\n' }, 'second');
    const pr = await h.app.request('POST /repos/{owner}/{repo}/pulls', {
      ...t,
      head: 'topic',
      base: 'main',
      title: 'Topic',
    });
    const merged = await h.app.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      ...t,
      pull_number: pr.data.number,
      merge_method: 'squash',
    });
    const git = h.emu.repo('acme/tidy').git;
    expect(await git.readRef('refs/heads/topic')).toBeNull();
    // Several commits: the PR title, and the commit messages as a list.
    expect((await git.readCommit(merged.data.sha)).message).toBe(
      'Topic (#1)\n\n* first\n\nbody one\n\n* second\n',
    );
    const after = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...t,
      pull_number: pr.data.number,
    });
    expect(after.data).toMatchObject({ merged: true, state: 'closed' });
  });
});
