// Refs: creation as an atomic claim, fast-forward rules, deletion, concurrency.
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
