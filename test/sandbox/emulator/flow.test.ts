// The whole rekey life cycle, driven through the emulator the way rekey drives GitHub: it
// proves the test bed supports the flow end to end and that call budgets can be measured.
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { Octokit } from '@octokit/core';
import sodium from 'libsodium-wrappers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitVia, harness, type Harness, REPO } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
const BRANCH = 'rekey/rotate/payments/webhook';
let h: Harness;
beforeAll(async () => {
  await sodium.ready;
  h = await harness({ 'keys-manifest/payments/webhook/key.yaml': 'versions: [1]\n' });
  h.emu.addUser('security-lead');
  h.emu.setBranchRules(REPO, 'main', [
    { type: 'pull_request', parameters: { required_approving_review_count: 1 } },
    {
      type: 'required_status_checks',
      parameters: { required_status_checks: [{ context: 'rekey/verify' }] },
    },
  ]);
});
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

describe('a rotation through the emulator', () => {
  it('opens the rotation PR in 8 calls, merges after approval, distributes, records evidence', async () => {
    h.emu.clearLog();
    const { sha } = await commitVia(
      h.app,
      'main',
      {
        'keys-manifest/payments/webhook/key.yaml': 'versions: [2, 1]\n',
        'keys-manifest/payments/webhook/v2.sops.yaml': 'secret: ENC[...]\n',
      },
      'rekey: rotate payments/webhook to v2\n\nRekey-Key: payments/webhook\nRekey-Version: 2',
    );
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: `refs/heads/${BRANCH}`,
      sha,
    });
    const pr = await h.app.request('POST /repos/{owner}/{repo}/pulls', {
      ...o,
      head: BRANCH,
      base: 'main',
      title: 'rekey: rotate payments/webhook to v2',
      body: '<!-- rekey:v1 {} -->',
    });
    await h.app.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...o,
      issue_number: pr.data.number,
      labels: ['rekey', 'rekey:rotation'],
    });
    await h.app.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
      ...o,
      pull_number: pr.data.number,
      reviewers: ['security-lead'],
    });
    expect(h.emu.calls()).toBe(8);
    expect(h.emu.calls('POST /repos/{owner}/{repo}/git/refs')).toBe(1);

    // verify reports, a second identity approves, the app merges.
    await h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha,
      state: 'success',
      context: 'rekey/verify',
    });
    await h.alice.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...o,
      pull_number: pr.data.number,
      event: 'APPROVE',
      commit_id: sha,
    });
    const merged = await h.app.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      ...o,
      pull_number: pr.data.number,
      merge_method: 'squash',
      sha,
    });
    const git = h.emu.repo(REPO).git;
    const firstParent = (await git.run(['log', '--first-parent', '--format=%s', 'main']))
      .toString()
      .trim()
      .split('\n');
    expect(firstParent[0]).toBe(`rekey: rotate payments/webhook to v2 (#${pr.data.number})`);
    const squashed = await git.readCommit(merged.data.sha);
    expect(squashed.message).toContain('Rekey-Key: payments/webhook\nRekey-Version: 2');

    // distribution: seal for the target's key, write, record the status on the merge commit.
    const key = await h.app.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', o);
    const sealed = sodium.crypto_box_seal(
      sodium.from_string('v2-material'),
      sodium.from_base64(key.data.key, sodium.base64_variants.ORIGINAL),
    );
    await h.app.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
      ...o,
      secret_name: 'WEBHOOK_SIGNING_KEY',
      key_id: key.data.key_id,
      encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL),
    });
    await h.app.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      ...o,
      sha: merged.data.sha,
      state: 'success',
      context: 'rekey/distribution',
    });
    expect(h.emu.openSecret({ repository: REPO }, 'WEBHOOK_SIGNING_KEY')).toBe('v2-material');
    const evidence = await h.app.request('GET /repos/{owner}/{repo}/commits/{ref}/status', {
      ...o,
      ref: 'main',
    });
    expect(evidence.data.statuses.map((s) => [s.context, s.state])).toEqual([
      ['rekey/distribution', 'success'],
    ]);
    const origin = await h.app.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      ...o,
      commit_sha: merged.data.sha,
    });
    expect(origin.data.map((p) => p.user?.login)).toEqual(['rekey[bot]']);
  });

  it('follows Link headers with Octokit pagination', async () => {
    for (let i = 0; i < 5; i++)
      await h.app.request('POST /repos/{owner}/{repo}/issues', {
        ...o,
        title: `issue ${i}`,
        labels: ['rekey:halted'],
      });
    const Paginating = Octokit.plugin(paginateRest);
    const token = h.emu.addToken({ kind: 'app', permissions: { issues: 'read' } });
    const octokit = new Paginating({
      auth: token,
      baseUrl: h.emu.apiUrl,
      request: { fetch: globalThis.fetch },
    });
    h.emu.clearLog();
    const all = await octokit.paginate('GET /repos/{owner}/{repo}/issues', {
      ...o,
      labels: 'rekey:halted',
      per_page: 2,
    });
    expect(all.map((i) => i.title)).toEqual([
      'issue 4',
      'issue 3',
      'issue 2',
      'issue 1',
      'issue 0',
    ]);
    expect(h.emu.calls('GET /repos/{owner}/{repo}/issues')).toBe(3);
  });
});
