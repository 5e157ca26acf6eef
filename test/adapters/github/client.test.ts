import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, serverUrlFor } from '../../../src/adapters/github/client.ts';
import { createGitDataAdapter } from '../../../src/adapters/github/git-data.ts';
import { createGitHubPorts, parseRepository } from '../../../src/adapters/github/index.ts';
import { GitHubError } from '../../../src/core/ports/github.ts';
import { canary } from '../../support/canary.ts';
import { AT, type Bed, rejection, startBed } from './harness.ts';

let bed: Bed;
const BRANCH = 'GET /repos/{owner}/{repo}/branches/{branch}';

beforeAll(async () => {
  bed = await startBed();
  canary.register(bed.token, 'app installation token');
});
afterAll(async () => {
  canary.clear();
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

describe('retries', () => {
  it('a 500 then success is one retry and a result', async () => {
    bed.emu.inject({ route: BRANCH, status: 500 });
    const head = await createGitDataAdapter(bed.client(), AT).getBranchHead('main');
    expect(head?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(bed.emu.calls(BRANCH)).toBe(2);
  });

  it('gives up after the configured retries with a typed server error', async () => {
    bed.emu.inject({ route: BRANCH, status: 502, times: 3 });
    const git = createGitDataAdapter(bed.client({ retry: { retries: 2, baseDelayMs: 5 } }), AT);
    const err = await rejection(git.getBranchHead('main'));
    expect(err).toMatchObject({
      code: 'server',
      status: 502,
      route: `GET /repos/{owner}/{repo}/branches/{branch}`,
    });
    expect(bed.emu.calls(BRANCH)).toBe(3);
  });

  it('a 429 with retry-after is retried and succeeds', async () => {
    bed.emu.inject({ route: BRANCH, status: 429, retryAfter: 1 });
    const head = await createGitDataAdapter(bed.client(), AT).getBranchHead('main');
    expect(head).not.toBeNull();
    expect(bed.emu.calls(BRANCH)).toBe(2);
  });

  it('with throttling on, a secondary rate limit waits retry-after (1 s) and succeeds', async () => {
    bed.emu.inject({ route: BRANCH, secondaryRateLimit: true, retryAfter: 1 });
    const client = bed.client({ throttle: { enabled: true, writeSpacingMs: 0 } });
    const t0 = performance.now();
    const head = await createGitDataAdapter(client, AT).getBranchHead('main');
    const ms = performance.now() - t0;
    expect(head).not.toBeNull();
    expect(bed.emu.calls(BRANCH)).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(10_000);
    expect(bed.logs.some((l) => l.startsWith('warn secondary rate limit on GET'))).toBe(true);
  });

  it('with throttling off, a secondary rate limit is a typed rate-limited error', async () => {
    bed.emu.inject({ route: BRANCH, secondaryRateLimit: true, retryAfter: 7 });
    const err = await rejection(createGitDataAdapter(bed.client(), AT).getBranchHead('main'));
    expect(err).toMatchObject({ code: 'rate-limited', status: 403, retryAfter: 7 });
  });

  it('a rate limit asking for longer than maxWaitSeconds fails instead of waiting', async () => {
    bed.emu.inject({ route: BRANCH, secondaryRateLimit: true, retryAfter: 30 });
    const client = bed.client({ throttle: { enabled: true, maxWaitSeconds: 5 } });
    const t0 = performance.now();
    const err = await rejection(createGitDataAdapter(client, AT).getBranchHead('main'));
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(err).toMatchObject({ code: 'rate-limited', retryAfter: 30 });
  });

  it('spaces mutating requests when throttling is on', async () => {
    const client = bed.client({ throttle: { enabled: true, writeSpacingMs: 400 } });
    const git = createGitDataAdapter(client, AT);
    const base = (await git.getBranchHead('main'))!;
    const t0 = performance.now();
    await Promise.all([
      git.createBranch('spaced-1', base.commit),
      git.createBranch('spaced-2', base.commit),
    ]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(380);
  });
});

describe('typed errors at the boundary', () => {
  it('a bad token is unauthorized, and neither it nor the real one is in the message', async () => {
    const fake = 'ghs_' + 'C4n4ryT0k3n'.repeat(3);
    canary.register(fake, 'bad token');
    const client = createGitHubClient({
      token: fake,
      apiUrl: bed.emu.apiUrl,
      fetch: globalThis.fetch,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    const err = await rejection(createGitDataAdapter(client, AT).getBranchHead('main'));
    expect(err).toBeInstanceOf(GitHubError);
    expect(err).toMatchObject({ code: 'unauthorized', status: 401 });
    canary.assertAbsent(String(err), 'error message');
    canary.assertAbsent(JSON.stringify(err), 'serialised error');
    canary.assertAbsent(String((err as Error).stack), 'stack');
  });

  it('a missing permission is forbidden and names the permission GitHub accepts', async () => {
    const token = bed.emu.addToken({
      kind: 'app',
      login: 'reader',
      permissions: { contents: 'read' },
    });
    canary.register(token);
    const client = bed.client({ token });
    const err = await rejection(
      createGitHubPorts(client, AT).statuses.createStatus('a'.repeat(40), {
        state: 'success',
        context: 'c',
      }),
    );
    expect(err).toMatchObject({ code: 'forbidden', status: 403 });
    expect((err as GitHubError).acceptedPermissions).toMatch(/statuses=write/);
    expect((err as Error).message).toContain('statuses=write');
    canary.assertAbsent((err as Error).message, 'error message');
  });

  it("carries GitHub's errors[] codes (422 already_exists)", async () => {
    const o = bed.client().octokit;
    await o.request('POST /repos/{owner}/{repo}/labels', { ...AT, name: 'dup' });
    const err = await rejection(
      o.request('POST /repos/{owner}/{repo}/labels', { ...AT, name: 'dup' }),
    );
    expect(err).toMatchObject({
      code: 'unprocessable',
      errorCodes: ['already_exists'],
      route: 'POST /repos/{owner}/{repo}/labels',
    });
  });

  it('a request that gets no answer is a network error with status 0', async () => {
    const dead = createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    try {
      const client = createGitHubClient({
        token: bed.token,
        apiUrl: `http://127.0.0.1:${port}/api/v3`,
        fetch: globalThis.fetch,
        throttle: { enabled: false },
        retry: { retries: 1, baseDelayMs: 5 },
      });
      const err = await rejection(createGitDataAdapter(client, AT).getBranchHead('main'));
      expect(err).toMatchObject({
        code: 'network',
        status: 0,
        route: 'GET /repos/{owner}/{repo}/branches/{branch}',
      });
      canary.assertAbsent(String(err), 'network error');
    } finally {
      dead.closeAllConnections();
      await new Promise((r) => dead.close(r));
    }
  });

  it('what Octokit logs, even an Error carrying the token, is redacted text', () => {
    const client = bed.client();
    (client.octokit.log.warn as (m: unknown) => void)(new Error(`handler saw ${bed.token}`));
    client.octokit.log.info(`Authorization: token ${bed.token}`);
    expect(bed.logs.at(-2)).toBe('warn Error: handler saw [REDACTED]');
    expect(bed.logs.at(-1)).toBe('info Authorization: token [REDACTED]');
  });

  it('no log line written during these tests carries a token', () => {
    expect(bed.logs.length).toBeGreaterThan(0);
    canary.assertAbsent(bed.logs.join('\n'), 'client log');
  });
});

describe('GHES and server URLs', () => {
  it.each([
    ['https://api.github.com', 'https://github.com'],
    ['https://api.github.com/', 'https://github.com'],
    ['https://ghe.example.com/api/v3', 'https://ghe.example.com'],
    ['https://ghe.example.com/api/v3/', 'https://ghe.example.com'],
    ['https://api.acme.ghe.com', 'https://acme.ghe.com'],
  ])('%s -> %s', (api, server) => {
    expect(serverUrlFor(api)).toBe(server);
  });

  it('refuses to guess a server URL it cannot derive', () => {
    expect(() => serverUrlFor('https://proxy.example.com/github')).toThrow(/pass serverUrl/);
  });

  it('talks to an API under /api/v3 and links to the server URL', async () => {
    const client = bed.client({ serverUrl: undefined });
    expect(client.apiUrl).toBe(`${bed.emu.url}/api/v3`);
    expect(client.serverUrl).toBe(bed.emu.url);
    expect(client.htmlUrl('acme', 'infra', 'pull', 7)).toBe(`${bed.emu.url}/acme/infra/pull/7`);
    expect(await createGitDataAdapter(client, AT).getBranchHead('main')).not.toBeNull();
    const ghes = createGitHubClient({
      token: 'ghs_x',
      apiUrl: 'https://ghe.example.com/api/v3',
      fetch: globalThis.fetch,
    });
    expect(ghes.htmlUrl('acme', 'infra', 'issues', 3)).toBe(
      'https://ghe.example.com/acme/infra/issues/3',
    );
    expect(ghes.octokit.request.endpoint.DEFAULTS.baseUrl).toBe('https://ghe.example.com/api/v3');
  });

  it.each([
    ['acme/infra', { owner: 'acme', repo: 'infra' }],
    ['a-b/c.d_e', { owner: 'a-b', repo: 'c.d_e' }],
  ])('parses %s', (s, want) => expect(parseRepository(s)).toEqual(want));

  it.each(['acme', 'acme/infra/x', '/infra', 'acme/..', '-a/b'])('refuses %s', (s) => {
    expect(() => parseRepository(s)).toThrow(/owner\/name/);
  });
});
