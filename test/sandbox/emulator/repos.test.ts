import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitVia, harness, type Harness, REPO, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
let h: Harness;
beforeAll(async () => {
  h = await harness({
    'README.md': '# infra\n',
    'keys-manifest/payments/webhook/key.yaml': 'id: payments/webhook\n',
  });
});
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

describe('repository reads', () => {
  it('serves the repository with its default branch', async () => {
    const repo = await h.app.request('GET /repos/{owner}/{repo}', o);
    expect(repo.data).toMatchObject({ full_name: REPO, default_branch: 'main', private: true });
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'missing' }),
      ),
    ).toBe(404);
  });

  it('serves branches with their head commit, 404 for a missing one', async () => {
    const head = await h.emu.repo(REPO).git.readRef('refs/heads/main');
    const branch = await h.app.request('GET /repos/{owner}/{repo}/branches/{branch}', {
      ...o,
      branch: 'main',
    });
    expect(branch.data).toMatchObject({ name: 'main', protected: false, commit: { sha: head } });
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...o, branch: 'nope' }),
      ),
    ).toBe(404);
  });

  it('serves file contents (base64 and raw), folders, and 404s', async () => {
    const path = 'keys-manifest/payments/webhook/key.yaml';
    const file = await h.app.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...o,
      path,
      ref: 'main',
    });
    if (Array.isArray(file.data) || file.data.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(file.data.content, 'base64').toString()).toBe('id: payments/webhook\n');
    const raw = await h.app.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...o,
      path,
      mediaType: { format: 'raw' },
    });
    expect(Buffer.from(raw.data as unknown as ArrayBuffer).toString()).toBe(
      'id: payments/webhook\n',
    );
    const dir = await h.app.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...o,
      path: 'keys-manifest/payments',
    });
    expect(Array.isArray(dir.data) && dir.data.map((e) => [e.type, e.path])).toEqual([
      ['dir', 'keys-manifest/payments/webhook'],
    ]);
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/contents/{path}', { ...o, path: 'nope.txt' }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        h.app.request('GET /repos/{owner}/{repo}/contents/{path}', {
          ...o,
          path: 'README.md',
          ref: 'no-such-ref',
        }),
      ),
    ).toBe(404);
  });

  it('compares two refs and reads a commit with its files', async () => {
    const { sha } = await commitVia(
      h.app,
      'main',
      { 'keys-manifest/payments/webhook/v2.sops.yaml': 'x\n', 'README.md': null },
      'rotate',
    );
    await h.app.request('POST /repos/{owner}/{repo}/git/refs', {
      ...o,
      ref: 'refs/heads/rekey/rotate/payments/webhook',
      sha,
    });
    const cmp = await h.app.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      ...o,
      basehead: 'main...rekey/rotate/payments/webhook',
    });
    expect(cmp.data).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0 });
    expect(cmp.data.files?.map((f) => [f.status, f.filename])).toEqual([
      ['removed', 'README.md'],
      ['added', 'keys-manifest/payments/webhook/v2.sops.yaml'],
    ]);
    const commit = await h.app.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      ...o,
      ref: sha,
    });
    expect(commit.data.commit.message).toBe('rotate');
    expect(commit.data.files?.length).toBe(2);
  });
});

describe('branch rules and protection', () => {
  it('returns the configured rules for matching branches only', async () => {
    h.emu.setBranchRules(REPO, 'main', [
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          dismiss_stale_reviews_on_push: false,
          require_code_owner_review: false,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
        },
      },
      { type: 'deletion' },
    ]);
    const rules = await h.app.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
      ...o,
      branch: 'main',
    });
    expect(rules.data.map((r) => r.type)).toEqual(['pull_request', 'deletion']);
    const none = await h.app.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
      ...o,
      branch: 'feature',
    });
    expect(none.data).toEqual([]);
    const branch = await h.app.request('GET /repos/{owner}/{repo}/branches/{branch}', {
      ...o,
      branch: 'main',
    });
    expect(branch.data.protected).toBe(true);
  });

  it('serves classic protection, 404 "Branch not protected" without it', async () => {
    const missing = h.app.request('GET /repos/{owner}/{repo}/branches/{branch}/protection', {
      ...o,
      branch: 'main',
    });
    await expect(missing).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Branch not protected' } },
    });
    h.emu.setBranchProtection(REPO, 'main', {
      required_approving_review_count: 2,
      required_status_checks: ['rekey/verify'],
      strict: true,
    });
    const p = await h.app.request('GET /repos/{owner}/{repo}/branches/{branch}/protection', {
      ...o,
      branch: 'main',
    });
    expect(p.data.required_pull_request_reviews?.required_approving_review_count).toBe(2);
    expect(p.data.required_status_checks?.contexts).toEqual(['rekey/verify']);
  });
});
