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

describe('issues, comments and labels', () => {
  it('creates repository labels once (422 already_exists)', async () => {
    const l = await h.app.request('POST /repos/{owner}/{repo}/labels', {
      ...o,
      name: 'rekey',
      color: '0e8a16',
      description: 'managed by rekey',
    });
    expect(l.status).toBe(201);
    const dup = h.app.request('POST /repos/{owner}/{repo}/labels', { ...o, name: 'REKEY' });
    await expect(dup).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ code: 'already_exists' }] } },
    });
    const list = await h.app.request('GET /repos/{owner}/{repo}/labels', o);
    expect(list.data.map((x) => x.name)).toEqual(['rekey']);
  });

  it('creates, filters by labels and state, and updates issues', async () => {
    const a = await h.app.request('POST /repos/{owner}/{repo}/issues', {
      ...o,
      title: 'distribution failed: a',
      body: 'x',
      labels: ['rekey', 'rekey:halted'],
    });
    await h.app.request('POST /repos/{owner}/{repo}/issues', {
      ...o,
      title: 'unrelated',
      labels: ['rekey'],
    });
    expect(a.data.labels.map((x) => (typeof x === 'string' ? x : x.name))).toEqual([
      'rekey',
      'rekey:halted',
    ]);
    const halted = await h.app.request('GET /repos/{owner}/{repo}/issues', {
      ...o,
      labels: 'rekey,rekey:halted',
    });
    expect(halted.data.map((i) => i.title)).toEqual(['distribution failed: a']);
    await h.app.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      ...o,
      issue_number: a.data.number,
      state: 'closed',
      body: 'fixed',
    });
    const open = await h.app.request('GET /repos/{owner}/{repo}/issues', { ...o, labels: 'rekey' });
    expect(open.data.map((i) => i.title)).toEqual(['unrelated']);
    const closed = await h.app.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      ...o,
      issue_number: a.data.number,
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      body: 'fixed',
      state_reason: 'completed',
    });
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
          ...o,
          issue_number: 99,
        }),
      ),
    ).toBe(404);
  });

  it('adds, lists and removes labels on an issue; 404 for a label it does not carry', async () => {
    const i = await h.app.request('POST /repos/{owner}/{repo}/issues', { ...o, title: 'labels' });
    const added = await h.app.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...o,
      issue_number: i.data.number,
      labels: ['rekey', 'rekey:rotation'],
    });
    expect(added.data.map((x) => x.name)).toEqual(['rekey', 'rekey:rotation']);
    const removed = await h.app.request(
      'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
      { ...o, issue_number: i.data.number, name: 'rekey' },
    );
    expect(removed.data.map((x) => x.name)).toEqual(['rekey:rotation']);
    const listed = await h.app.request('GET /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...o,
      issue_number: i.data.number,
    });
    expect(listed.data.map((x) => x.name)).toEqual(['rekey:rotation']);
    const missing = h.app.request(
      'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
      { ...o, issue_number: i.data.number, name: 'rekey' },
    );
    expect(await statusOf(missing)).toBe(404);
  });

  it('comments on issues and lists comments in order', async () => {
    await h.app.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...o,
      issue_number: 1,
      body: 'one',
    });
    await h.alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...o,
      issue_number: 1,
      body: 'two',
    });
    const list = await h.app.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...o,
      issue_number: 1,
    });
    expect(list.data.map((c) => [c.user?.login, c.body])).toEqual([
      ['rekey[bot]', 'one'],
      ['alice', 'two'],
    ]);
  });

  it('lists pull requests among issues, with a pull_request key, like GitHub', async () => {
    const { sha } = await commitVia(h.app, 'main', { 'k.txt': '1\n' }, 'k');
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/rekey/rotate/k',
      sha,
    });
    const pr = await h.app.request('POST /repos/{owner}/{repo}/pulls', {
      ...o,
      head: 'rekey/rotate/k',
      base: 'main',
      title: 'pr',
    });
    await h.app.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...o,
      issue_number: pr.data.number,
      labels: ['rekey:rotation'],
    });
    const list = await h.app.request('GET /repos/{owner}/{repo}/issues', {
      ...o,
      labels: 'rekey:rotation',
    });
    const asPull = list.data.find((i) => i.number === pr.data.number);
    expect(asPull?.pull_request).toBeDefined();
    const got = await h.app.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      ...o,
      pull_number: pr.data.number,
    });
    expect(got.data.labels.map((l) => l.name)).toEqual(['rekey:rotation']);
  });
});

describe('commit statuses', () => {
  it('records statuses and combines the latest per context', async () => {
    const main = await h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      ...o,
      ref: 'heads/main',
    });
    const sha = main.data.object.sha;
    const empty = await h.app.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
      ...o,
      ref: sha,
    });
    expect(empty.data).toMatchObject({ state: 'pending', total_count: 0 });
    await h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha,
      state: 'failure',
      context: 'rekey/distribution',
    });
    await h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha,
      state: 'success',
      context: 'rekey/distribution',
      description: 'all targets converged',
    });
    await h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha,
      state: 'success',
      context: 'rekey/verify',
    });
    const combined = await h.app.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
      ...o,
      ref: 'main',
    });
    expect(combined.data).toMatchObject({ state: 'success', sha, total_count: 2 });
    const list = await h.app.request('GET /repos/{owner}/{repo}/commits/{ref}/statuses', {
      ...o,
      ref: sha,
    });
    expect(list.data.map((s) => [s.context, s.state])).toEqual([
      ['rekey/verify', 'success'],
      ['rekey/distribution', 'success'],
      ['rekey/distribution', 'failure'],
    ]);
    const unknown = h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha: 'd'.repeat(40),
      state: 'success',
    });
    expect(await statusOf(unknown)).toBe(422);
  });

  it('refuses a status past GitHub’s limit of 1,000 per sha and context', async () => {
    const main = await h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      ...o,
      ref: 'heads/main',
    });
    const sha = main.data.object.sha;
    const repo = h.emu.repo(REPO);
    const have = repo.statuses.filter((s) => s.sha === sha && s.context === 'cap/test').length;
    const one = repo.statuses[0]!;
    for (let i = have; i < 1000; i++)
      repo.statuses.push({ ...one, id: 1_000_000 + i, sha, context: 'cap/test' });
    const post = (context: string) =>
      h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        ...o,
        sha,
        state: 'success',
        context,
      });
    expect(await statusOf(post('cap/test'))).toBe(422);
    expect((await post('cap/other')).status).toBe(201);
  });
});
