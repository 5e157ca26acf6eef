// Reviews, requested reviewers, protection on merge, merge methods and conflicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, commitVia, harness, type Harness, REPO, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
let h: Harness;
beforeAll(async () => {
  h = await harness();
  h.emu.addUser('bob');
  await openPull('rekey/rotate/a', { 'keys/a.yaml': 'v: 2\n' });
  await openPull('rekey/rotate/b', { 'keys/b.yaml': 'v: 1\n' });
  await openPull('rekey/rotate/c', { 'keys/c.yaml': 'v: 1\n' });
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

  it('refuses team reviewers without the members permission, and then requests nobody', async () => {
    const { pr } = await openPull('rekey/rotate/teams', { 'keys/t.yaml': 'v: 1\n' });
    const noMembers = client(
      h.emu,
      h.emu.addToken({ kind: 'app', login: 'rekey', permissions: { pull_requests: 'write' } }),
    );
    const ask = (c: typeof noMembers) =>
      c.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        ...o,
        pull_number: pr.number,
        reviewers: ['alice'],
        team_reviewers: ['security'],
      });
    await expect(ask(noMembers)).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [expect.stringMatching(/^Could not resolve to a node with the global id of '/)],
        },
      },
    });
    const none = await h.app.request(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { ...o, pull_number: pr.number },
    );
    expect(none.data).toMatchObject({ users: [], teams: [] });
    // Users alone need no organization permission; members read opens teams.
    const users = await noMembers.request(
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { ...o, pull_number: pr.number, reviewers: ['alice'] },
    );
    expect(users.status).toBe(201);
    const withMembers = client(
      h.emu,
      h.emu.addToken({
        kind: 'app',
        login: 'rekey',
        permissions: { pull_requests: 'write', members: 'read' },
      }),
    );
    expect((await ask(withMembers)).status).toBe(201);
  });

  it("refuses the author as reviewer with GitHub's message, requesting nobody", async () => {
    const { pr } = await openPull('rekey/rotate/author', { 'keys/u.yaml': 'v: 1\n' });
    await expect(
      h.app.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        ...o,
        pull_number: pr.number,
        reviewers: ['alice', 'rekey[bot]'],
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Review cannot be requested from pull request author.' } },
    });
    const none = await h.app.request(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      { ...o, pull_number: pr.number },
    );
    expect(none.data.users).toEqual([]);
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
