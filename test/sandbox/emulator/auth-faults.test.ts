import { retry } from '@octokit/plugin-retry';
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, harness, type Harness, REPO, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
const CREATE_REF = 'POST /repos/{owner}/{repo}/git/refs';
let h: Harness;
let main: string;
beforeAll(async () => {
  h = await harness();
  main = (await h.emu.repo(REPO).git.readRef('refs/heads/main')) ?? '';
});
beforeEach(() => h.emu.clearLog());
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

describe('authentication and authorization', () => {
  it('answers 401 without a token or with an unknown one', async () => {
    const anon = new Octokit({ baseUrl: h.emu.apiUrl, request: { fetch: globalThis.fetch } });
    await expect(anon.request('GET /repos/{owner}/{repo}', o)).rejects.toMatchObject({
      status: 401,
      response: { data: { message: 'Requires authentication' } },
    });
    const bad = client(h.emu, 'ghs_unknown');
    await expect(bad.request('GET /repos/{owner}/{repo}', o)).rejects.toMatchObject({
      status: 401,
      response: { data: { message: 'Bad credentials' } },
    });
    const revoked = h.emu.addToken({ kind: 'app', permissions: 'all' });
    h.emu.revokeToken(revoked);
    expect(await statusOf(client(h.emu, revoked).request('GET /repos/{owner}/{repo}', o))).toBe(
      401,
    );
  });

  it('hides repositories outside an installation (404) and names the missing permission (403)', async () => {
    await h.emu.addRepo({ fullName: 'acme/other' });
    const scoped = client(
      h.emu,
      h.emu.addToken({
        kind: 'app',
        permissions: { contents: 'read' },
        repositories: ['acme/other'],
      }),
    );
    expect(await statusOf(scoped.request('GET /repos/{owner}/{repo}', o))).toBe(404);
    const repo = await scoped.request('GET /repos/{owner}/{repo}', {
      owner: 'acme',
      repo: 'other',
    });
    expect(repo.data.default_branch).toBe('main');
    const write = scoped.request(CREATE_REF, {
      owner: 'acme',
      repo: 'other',
      ref: 'refs/heads/x',
      sha: main,
    });
    await expect(write).rejects.toMatchObject({
      status: 403,
      response: { headers: { 'x-accepted-github-permissions': 'contents=write' } },
    });
    const labels = scoped.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      owner: 'acme',
      repo: 'other',
      issue_number: 1,
      labels: ['x'],
    });
    await expect(labels).rejects.toMatchObject({
      response: {
        headers: { 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
      },
    });
  });

  it('sends x-ratelimit headers and answers 403 with remaining 0 when the budget is spent', async () => {
    const limited = client(
      h.emu,
      h.emu.addToken({ kind: 'github-actions', permissions: { contents: 'read' }, rateLimit: 2 }),
    );
    const first = await limited.request('GET /repos/{owner}/{repo}', o);
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    await limited.request('GET /repos/{owner}/{repo}', o);
    await expect(limited.request('GET /repos/{owner}/{repo}', o)).rejects.toMatchObject({
      status: 403,
      response: { headers: { 'x-ratelimit-remaining': '0' } },
    });
  });
});

describe('fault injection', () => {
  it('fails the next request with 500, then succeeds (a retrying client converges)', async () => {
    h.emu.inject({ route: CREATE_REF, status: 500 });
    const retrying = new (Octokit.plugin(retry))({
      auth: h.emu.addToken({ kind: 'app', permissions: { contents: 'write' } }),
      baseUrl: h.emu.apiUrl,
      request: { fetch: globalThis.fetch },
      retry: { retryAfterBaseValue: 1 },
    });
    const res = await retrying.request(CREATE_REF, {
      ...o,
      ref: 'refs/heads/after-500',
      sha: main,
    });
    expect(res.status).toBe(201);
    expect(h.emu.requestLog.filter((e) => e.operation === CREATE_REF).map((e) => e.status)).toEqual(
      [500, 201],
    );
  });

  it('loses the response after applying the change: the client errs, the ref exists', async () => {
    h.emu.inject({ route: CREATE_REF, lost: true });
    const lost = h.app.request(CREATE_REF, { ...o, ref: 'refs/heads/lost', sha: main });
    await expect(lost).rejects.toBeDefined();
    expect(await h.emu.repo(REPO).git.readRef('refs/heads/lost')).toBe(main);
    // The retry that follows sees the change that did happen.
    expect(
      await statusOf(h.app.request(CREATE_REF, { ...o, ref: 'refs/heads/lost', sha: main })),
    ).toBe(422);
  });

  it('models 429 with retry-after, secondary rate limits and delays', async () => {
    h.emu.inject({ method: 'GET', path: /\/pulls$/, status: 429, retryAfter: 7 });
    await expect(h.app.request('GET /repos/{owner}/{repo}/pulls', o)).rejects.toMatchObject({
      status: 429,
      response: { headers: { 'retry-after': '7' } },
    });
    h.emu.inject({ route: 'GET /repos/{owner}/{repo}/pulls', secondaryRateLimit: true, times: 2 });
    for (let i = 0; i < 2; i++)
      await expect(h.app.request('GET /repos/{owner}/{repo}/pulls', o)).rejects.toMatchObject({
        status: 403,
        response: {
          data: { message: expect.stringContaining('secondary rate limit') },
          headers: { 'retry-after': '1' },
        },
      });
    h.emu.inject({ route: 'GET /repos/{owner}/{repo}/pulls', delayMs: 150 });
    const start = performance.now();
    const ok = await h.app.request('GET /repos/{owner}/{repo}/pulls', o);
    expect(ok.status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
  });
});

describe('request log', () => {
  it('records method, route template and status so tests can count calls', async () => {
    await h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...o, ref: 'heads/main' });
    await statusOf(
      h.app.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...o, ref: 'heads/none' }),
    );
    await h.app.request('GET /repos/{owner}/{repo}', o);
    expect(h.emu.calls()).toBe(3);
    expect(h.emu.calls('GET /repos/{owner}/{repo}/git/ref/{ref}')).toBe(2);
    expect(h.emu.requestLog.map((e) => [e.route, e.status, e.login])).toEqual([
      ['/repos/{owner}/{repo}/git/ref/{ref}', 200, 'rekey[bot]'],
      ['/repos/{owner}/{repo}/git/ref/{ref}', 404, 'rekey[bot]'],
      ['/repos/{owner}/{repo}', 200, 'rekey[bot]'],
    ]);
  });
});

describe('routing', () => {
  it('answers 404 for endpoints it does not serve, and accepts unencoded refs', async () => {
    const res = await fetch(`${h.emu.apiUrl}/repos/acme/infra/not/served`, {
      headers: { authorization: 'token x' },
    });
    expect(res.status).toBe(404);
    expect(h.emu.requestLog.at(-1)?.route).toBeNull();
    const token = h.emu.addToken({ kind: 'app', permissions: { contents: 'read' } });
    const ref = await fetch(`${h.emu.apiUrl}/repos/acme/infra/git/ref/heads/main`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ref.status).toBe(200);
    expect(h.emu.requestLog.at(-1)?.route).toBe('/repos/{owner}/{repo}/git/ref/{ref}');
  });
});
