import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, commitVia, harness, type Harness, REPO, statusOf } from './harness.ts';

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

describe('reviews and merging', () => {
  it('requests reviewers, refuses the author and strangers', async () => {
    const res = await h.app.request(
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { ...o, pull_number: 1, reviewers: ['alice', 'bob'], team_reviewers: ['security'] },
    );
    expect(res.status).toBe(201);
    const got = await h.app.request(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { ...o, pull_number: 1 },
    );
    expect(got.data.users.map((u) => u.login)).toEqual(['alice', 'bob']);
    expect(got.data.teams.map((t) => t.slug)).toEqual(['security']);
    expect(
      await statusOf(
        h.app.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
          ...o,
          pull_number: 1,
          reviewers: ['mallory'],
        }),
      ),
    ).toBe(422);
    expect(
      await statusOf(
        h.app.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
          ...o,
          pull_number: 1,
          reviewers: ['rekey[bot]'],
        }),
      ),
    ).toBe(422);
  });

  it('blocks the merge until another identity approves and the required check passes', async () => {
    h.emu.setBranchRules(REPO, 'main', [
      { type: 'pull_request', parameters: { required_approving_review_count: 1 } },
      {
        type: 'required_status_checks',
        parameters: { required_status_checks: [{ context: 'rekey/verify' }] },
      },
    ]);
    const merge = () =>
      h.app.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        ...o,
        pull_number: 1,
        merge_method: 'squash',
      });
    await expect(merge()).rejects.toMatchObject({ status: 405 });
    const state = async () =>
      (
        await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
          ...o,
          pull_number: 1,
        })
      ).data.mergeable_state;
    expect(await state()).toBe('blocked');
    const self = h.app.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...o,
      pull_number: 1,
      event: 'APPROVE',
    });
    expect(await statusOf(self)).toBe(422);
    const pr = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 1,
    });
    const review = await h.alice.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...o,
      pull_number: 1,
      event: 'APPROVE',
    });
    expect(review.data).toMatchObject({
      state: 'APPROVED',
      commit_id: pr.data.head.sha,
      user: { login: 'alice' },
    });
    await expect(merge()).rejects.toMatchObject({
      status: 405,
      response: { data: { message: expect.stringContaining('rekey/verify') } },
    });
    await h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha: pr.data.head.sha,
      state: 'success',
      context: 'rekey/verify',
    });
    expect(await state()).toBe('clean');
    const merged = await merge();
    expect(merged.data.merged).toBe(true);
    const git = h.emu.repo(REPO).git;
    expect(await git.readRef('refs/heads/main')).toBe(merged.data.sha);
    const commit = await git.readCommit(merged.data.sha);
    expect(commit.parents).toEqual([pr.data.base.sha]);
    // One commit: GitHub keeps its subject (and body) and appends the number.
    expect(commit.message).toBe('rekey: rekey/rotate/a (#1)\n');
    const after = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 1,
    });
    expect(after.data).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: merged.data.sha,
      merged_by: { login: 'rekey[bot]' },
    });
    await expect(merge()).rejects.toMatchObject({ status: 405 });
    const reviews = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...o,
      pull_number: 1,
    });
    expect(reviews.data.map((r) => [r.user?.login, r.state])).toEqual([['alice', 'APPROVED']]);
    h.emu.setBranchRules(REPO, 'main', []);
  });

  it('writes a real two-parent merge commit with merge_method merge', async () => {
    const pr = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 2,
    });
    const merged = await h.app.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      ...o,
      pull_number: 2,
      merge_method: 'merge',
    });
    const commit = await h.emu.repo(REPO).git.readCommit(merged.data.sha);
    expect(commit.parents).toEqual([pr.data.base.sha, pr.data.head.sha]);
    expect(commit.message).toMatch(/^Merge pull request #2 from acme\/rekey\/rotate\/b/);
  });

  it('answers 409 when the head moved and 405 when the change conflicts', async () => {
    const stale = h.app.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      ...o,
      pull_number: 3,
      sha: 'a'.repeat(40),
    });
    expect(await statusOf(stale)).toBe(409);
    const { pr } = await openPull('conflict-1', { 'keys/a.yaml': 'v: left\n' });
    await h.emu.commitFiles(REPO, 'main', { 'keys/a.yaml': 'v: right\n' }, 'direct change');
    const got = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: pr.number,
    });
    expect(got.data.mergeable).toBe(false);
    const res = h.app.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      ...o,
      pull_number: pr.number,
    });
    await expect(res).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Pull Request is not mergeable' } },
    });
  });
});

describe('pull requests of a commit', () => {
  it('finds the pull request that merged a commit or carries it, and none for base history', async () => {
    const merged = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: 1,
    });
    const bySquash = await h.app.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      ...o,
      commit_sha: merged.data.merge_commit_sha ?? '',
    });
    expect(bySquash.data.map((p) => p.number)).toEqual([1]);
    const byHead = await h.app.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      ...o,
      commit_sha: merged.data.head.sha,
    });
    expect(byHead.data.map((p) => p.number)).toEqual([1]);
    const root = (await h.emu.repo(REPO).git.run(['rev-list', '--max-parents=0', 'main']))
      .toString()
      .trim();
    const none = await h.app.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      ...o,
      commit_sha: root,
    });
    expect(none.data).toEqual([]);
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
