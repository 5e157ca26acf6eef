import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitDataAdapter } from '../../../src/adapters/github/git-data.ts';
import { createPullsAdapter } from '../../../src/adapters/github/pulls.ts';
import {
  type GitDataPort,
  GitHubError,
  type PullsPort,
  reviewerRequest,
} from '../../../src/core/ports/github.ts';
import { AT, type Bed, REPO, rejection, startBed } from './harness.ts';

const MARKER = '<!-- rekey:v1';
let bed: Bed;
let git: GitDataPort;
let pulls: PullsPort;

async function branchWithChange(name: string): Promise<void> {
  const base = (await git.getBranchHead('main'))!;
  const r = await git.commitFiles({
    base,
    changes: [
      {
        path: `keys/${name.replaceAll('/', '-')}.yaml`,
        content: new TextEncoder().encode(`${name}\n`),
      },
    ],
    message: `change ${name}`,
    branch: { name, mode: 'create' },
  });
  expect(r.ref).toBe('created');
}

beforeAll(async () => {
  bed = await startBed();
  bed.emu.addUser('alice');
  git = createGitDataAdapter(bed.client(), AT);
  pulls = createPullsAdapter(bed.client(), AT);
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

describe('reviewerRequest', () => {
  it.each([
    [['@acme/security', '@alice', 'bob', '@acme/security'], ['alice', 'bob'], ['security']],
    [[], [], []],
    [['  @x  ', '@'], ['x'], []],
  ])('%j', (handles, users, teams) => {
    expect(reviewerRequest(handles)).toEqual({ users, teams });
  });
});

describe('PullsPort over the emulator', () => {
  it('opens a rotation PR with labels and reviewers in 3 calls, and finds it by marker', async () => {
    await branchWithChange('rekey/rotate/a');
    bed.emu.clearLog();
    const body = `Rotates a.\n\n${MARKER} {"key":"a"} -->\n`;
    const pr = await pulls.createPull({
      head: 'rekey/rotate/a',
      base: 'main',
      title: 'rekey: rotate a to v2',
      body,
    });
    expect(pr.result).toBe('created');
    expect(pr.url).toBe(`${bed.emu.serverUrl}/${REPO}/pull/${pr.number}`);
    await pulls.addLabels(pr.number, ['rekey', 'rekey:rotation']);
    await pulls.requestReviewers(pr.number, reviewerRequest(['@alice', '@acme/security']));
    await pulls.addLabels(pr.number, []); // nothing to do: no call
    await pulls.requestReviewers(pr.number, { users: [], teams: [] });
    expect(bed.emu.calls()).toBe(3);

    bed.emu.clearLog();
    const open = await pulls.listOpenRekeyPulls(MARKER);
    expect(bed.emu.calls()).toBe(1);
    expect(open).toEqual([
      {
        number: pr.number,
        url: pr.url,
        headRef: 'rekey/rotate/a',
        headSha: (await git.getBranchHead('rekey/rotate/a'))!.commit,
        baseRef: 'main',
        title: 'rekey: rotate a to v2',
        body,
        labels: ['rekey', 'rekey:rotation'],
        author: 'rekey[bot]',
        headRepo: 'acme/infra',
        baseRepo: 'acme/infra',
      },
    ]);
    const requested = await bed
      .client()
      .octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        ...AT,
        pull_number: pr.number,
      });
    expect(requested.data.users.map((u) => u.login)).toEqual(['alice']);
    expect(requested.data.teams.map((t) => t.slug)).toEqual(['security']);
  });

  it('a second createPull for the same head is "exists" with the open PR, not an error', async () => {
    await branchWithChange('rekey/rotate/b');
    const first = await pulls.createPull({
      head: 'rekey/rotate/b',
      base: 'main',
      title: 't',
      body: `${MARKER} -->`,
    });
    bed.emu.clearLog();
    const again = await pulls.createPull({
      head: 'rekey/rotate/b',
      base: 'main',
      title: 't',
      body: `${MARKER} -->`,
    });
    expect(again).toEqual({
      number: first.number,
      url: first.url,
      result: 'exists',
      author: first.author,
      body: `${MARKER} -->`,
    });
    expect(first.author).toMatch(/\[bot\]$/);
    expect(bed.emu.calls()).toBe(2);
  });

  it("a PR without commits is a typed unprocessable error with GitHub's error codes", async () => {
    const base = (await git.getBranchHead('main'))!;
    await git.createBranch('empty', base.commit);
    const err = await rejection(
      pulls.createPull({ head: 'empty', base: 'main', title: 't', body: 'b' }),
    );
    expect(err).toBeInstanceOf(GitHubError);
    expect(err).toMatchObject({ code: 'unprocessable', status: 422, errorCodes: ['custom'] });
    expect((err as GitHubError).errorMessages[0]).toMatch(/No commits between/);
  });

  it('updates title, body and state; closed PRs are no longer listed', async () => {
    await branchWithChange('rekey/rotate/c');
    const pr = await pulls.createPull({
      head: 'rekey/rotate/c',
      base: 'main',
      title: 'old',
      body: `${MARKER} c -->`,
    });
    await pulls.updatePull(pr.number, { title: 'new', body: `${MARKER} c2 -->` });
    let listed = (await pulls.listOpenRekeyPulls(MARKER)).find((p) => p.number === pr.number);
    expect(listed).toMatchObject({ title: 'new', body: `${MARKER} c2 -->` });
    await pulls.updatePull(pr.number, { state: 'closed' });
    listed = (await pulls.listOpenRekeyPulls(MARKER)).find((p) => p.number === pr.number);
    expect(listed).toBeUndefined();
  });

  it('requesting the PR author as reviewer is a typed unprocessable error', async () => {
    await branchWithChange('rekey/rotate/d');
    const pr = await pulls.createPull({
      head: 'rekey/rotate/d',
      base: 'main',
      title: 't',
      body: 'b',
    });
    const err = await rejection(
      pulls.requestReviewers(pr.number, { users: ['rekey[bot]'], teams: [] }),
    );
    expect(err).toMatchObject({ code: 'unprocessable' });
  });

  it('a missing PR is not-found', async () => {
    const err = await rejection(pulls.updatePull(9999, { title: 'x' }));
    expect(err).toMatchObject({
      code: 'not-found',
      status: 404,
      route: 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
    });
  });
});

describe('pagination', () => {
  let big: Bed;
  beforeAll(async () => {
    big = await startBed();
  });
  afterAll(async () => {
    big.emu.assertNoInvalidRequests();
    await big.emu.close();
  });

  // Each PR costs the emulator several git processes, so this crosses one page boundary
  // (120 PRs); issues.test.ts walks 250 items over 3 pages.
  it('lists all 120 open PRs over 2 pages and keeps the 60 with the marker', async () => {
    const c = big.client();
    const g = createGitDataAdapter(c, AT);
    const p = createPullsAdapter(c, AT);
    const base = (await g.getBranchHead('main'))!;
    const tip = await g.commitFiles({
      base,
      changes: [{ path: 'x.txt', content: new TextEncoder().encode('x\n') }],
      message: 'x',
      branch: { name: 'feature-0', mode: 'create' },
    });
    const N = 120;
    const marked = new Set<number>();
    for (let from = 0; from < N; from += 10) {
      const batch = Array.from({ length: Math.min(10, N - from) }, (_, k) => from + k);
      await Promise.all(
        batch.map(async (i) => {
          if (i > 0) await g.createBranch(`feature-${i}`, tip.commit);
          const body = i % 2 === 0 ? `PR ${i}\n${MARKER} {"i":${i}} -->` : `PR ${i}`;
          const pr = await p.createPull({
            head: `feature-${i}`,
            base: 'main',
            title: `t${i}`,
            body,
          });
          if (i % 2 === 0) marked.add(pr.number);
        }),
      );
    }
    big.emu.clearLog();
    const open = await p.listOpenRekeyPulls(MARKER);
    expect(big.emu.calls('GET /repos/{owner}/{repo}/pulls')).toBe(2);
    expect(open).toHaveLength(N / 2);
    expect(new Set(open.map((x) => x.number))).toEqual(marked);
  }, 120_000);
});
