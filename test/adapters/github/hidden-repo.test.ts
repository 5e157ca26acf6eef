// Every port method, pointed at a repository the token cannot see, fails with a typed
// not-found error naming the route (getBranchHead excepted: a 404 there reads as "no branch").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubPorts, type GitHubPorts } from '../../../src/adapters/github/index.ts';
import { GitHubError } from '../../../src/core/ports/github.ts';
import { type Bed, rejection, startBed } from './harness.ts';

let bed: Bed;
let gh: GitHubPorts;
const SHA = 'a'.repeat(40);
const base = { commit: SHA, tree: SHA };

beforeAll(async () => {
  bed = await startBed();
  gh = createGitHubPorts(bed.client(), { owner: 'acme', repo: 'secret-repo' });
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});

describe('a repository out of reach', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    ['createBranch', () => gh.git.createBranch('b', SHA), 'POST /repos/{owner}/{repo}/git/refs'],
    [
      'fastForwardBranch',
      () => gh.git.fastForwardBranch('b', SHA),
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
    ],
    ['deleteBranch', () => gh.git.deleteBranch('b'), 'DELETE /repos/{owner}/{repo}/git/refs/{ref}'],
    [
      'commitFiles',
      () =>
        gh.git.commitFiles({
          base,
          changes: [{ path: 'a', content: null }],
          message: 'm',
          branch: { name: 'b', mode: 'create' },
        }),
      'POST /repos/{owner}/{repo}/git/trees',
    ],
    [
      'listOpenRekeyPulls',
      () => gh.pulls.listOpenRekeyPulls('<!-- m -->'),
      'GET /repos/{owner}/{repo}/pulls',
    ],
    [
      'createPull',
      () => gh.pulls.createPull({ head: 'h', base: 'main', title: 't', body: 'b' }),
      'POST /repos/{owner}/{repo}/pulls',
    ],
    [
      'updatePull',
      () => gh.pulls.updatePull(1, { title: 't' }),
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
    ],
    [
      'addLabels',
      () => gh.pulls.addLabels(1, ['rekey']),
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
    ],
    [
      'requestReviewers',
      () => gh.pulls.requestReviewers(1, { users: ['alice'], teams: [] }),
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    ],
    [
      'createStatus',
      () => gh.statuses.createStatus(SHA, { state: 'success', context: 'c' }),
      'POST /repos/{owner}/{repo}/statuses/{sha}',
    ],
    [
      'listStatuses',
      () => gh.statuses.listStatuses(SHA),
      'GET /repos/{owner}/{repo}/commits/{ref}/statuses',
    ],
    [
      'findIssue',
      () => gh.issues.findIssue('<!-- m -->', 'rekey'),
      'GET /repos/{owner}/{repo}/issues',
    ],
    [
      'ensureIssue',
      () =>
        gh.issues.ensureIssue({ marker: '<!-- m -->', title: 't', body: 'b', labels: ['rekey'] }),
      'GET /repos/{owner}/{repo}/issues',
    ],
    [
      'closeIssue',
      () => gh.issues.closeIssue('<!-- m -->', 'rekey'),
      'GET /repos/{owner}/{repo}/issues',
    ],
  ];

  it.each(cases)('%s is not-found', async (_name, call, route) => {
    const err = await rejection(call());
    expect(err).toBeInstanceOf(GitHubError);
    expect(err).toMatchObject({ code: 'not-found', status: 404, route });
  });

  it('getBranchHead reads as no branch', async () => {
    expect(await gh.git.getBranchHead('main')).toBeNull();
  });
});
