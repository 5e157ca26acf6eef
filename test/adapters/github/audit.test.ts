// AuditPullsPort over the emulator (OpenAPI-validated): the merged pull request of a commit,
// who merged it, reviews; a commit no pull request carries; GitHub's list shape without
// `merged_by` (the emulator sends it; a fetch wrapper strips it) costs one more call.
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPullsAdapter } from '../../../src/adapters/github/audit.ts';
import { createGitHubPorts } from '../../../src/adapters/github/index.ts';
import { AT, type Bed, REPO, startBed } from './harness.ts';

let bed: Bed;
let merge: string;
let direct: string;
let head: string;

beforeAll(async () => {
  bed = await startBed();
  const ports = createGitHubPorts(bed.client(), AT);
  const base = (await ports.git.getBranchHead('main'))!;
  const c = await ports.git.commitFiles({
    base,
    changes: [{ path: 'keys/a.yaml', content: new TextEncoder().encode('v: 2\n') }],
    message: 'change a',
    branch: { name: 'rekey/a', mode: 'create' },
  });
  head = c.commit;
  const pull = await ports.pulls.createPull({
    head: 'rekey/a',
    base: 'main',
    title: 'A',
    body: '',
  });
  const carol = new Octokit({
    auth: bed.emu.addToken({ kind: 'user', login: 'carol', permissions: 'all' }),
    baseUrl: bed.emu.apiUrl,
    request: { fetch: globalThis.fetch },
  });
  const route = { owner: AT.owner, repo: AT.repo, pull_number: pull.number };
  await carol.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    ...route,
    event: 'APPROVE',
  });
  merge = (await carol.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', route)).data
    .sha;
  direct = await bed.emu.commitFiles(REPO, 'main', { 'keys/a.yaml': 'v: 3\n' }, 'direct\n');
});
afterAll(async () => {
  await bed?.emu.close();
});

describe('createAuditPullsAdapter', () => {
  it('finds the merged pull request of a merge commit, and its reviews', async () => {
    const port = createAuditPullsAdapter(bed.client(), AT);
    const { pull, calls } = await port.mergedPullForCommit(merge, 'main');
    expect(calls).toBe(1);
    expect(pull).toMatchObject({
      number: 1,
      author: 'rekey[bot]',
      authorType: 'Bot',
      mergedBy: 'carol',
      mergeCommitSha: merge,
      headSha: head,
      baseRef: 'main',
    });
    expect(pull!.url).toBe(`${bed.emu.serverUrl}/${REPO}/pull/1`);
    const reviews = await port.listReviews(1);
    expect(reviews.calls).toBe(1);
    expect(reviews.reviews).toEqual([
      expect.objectContaining({
        login: 'carol',
        state: 'APPROVED',
        commitId: head,
        userType: 'User',
      }),
    ]);
    bed.emu.assertNoInvalidRequests();
  });

  it('a commit no merged pull request carries is a direct push (null); the wrong base too', async () => {
    const port = createAuditPullsAdapter(bed.client(), AT);
    expect(await port.mergedPullForCommit(direct, 'main')).toEqual({ pull: null, calls: 1 });
    expect((await port.mergedPullForCommit(merge, 'release')).pull).toBeNull();
    expect(await port.mergedPullForCommit('f'.repeat(40), 'main')).toEqual({
      pull: null,
      calls: 1,
    });
  });

  it('reads who merged from the pull request when the list lacks merged_by, as GitHub’s does', async () => {
    const stripping: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!/\/commits\/[0-9a-f]+\/pulls/.test(String(input))) return res;
      const items = (await res.json()) as Record<string, unknown>[];
      for (const i of items) delete i['merged_by'];
      return new Response(JSON.stringify(items), { status: res.status, headers: res.headers });
    };
    bed.emu.clearLog();
    const port = createAuditPullsAdapter(bed.client({ fetch: stripping }), AT);
    const { pull, calls } = await port.mergedPullForCommit(merge, 'main');
    expect(calls).toBe(2);
    expect(pull!.mergedBy).toBe('carol');
    expect(bed.emu.requestLog.map((r) => r.operation)).toEqual([
      'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
    ]);
  });
});
