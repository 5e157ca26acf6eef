import { describe, expect, it } from 'vitest';
import { RequestError } from '@octokit/request-error';
import { redactCredentials, routeOf, toGitHubError } from '../../../src/adapters/github/errors.ts';
import { GitHubError, isGitHubError } from '../../../src/core/ports/github.ts';
import { canary } from '../../support/canary.ts';

const TOKEN = 'ghs_' + 'S3cr3tT0k3nV4lu3'.repeat(2);

function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  return new RequestError('x', status, {
    request: {
      method: 'POST',
      url: 'https://ghe.example.com/api/v3/repos/acme/infra/git/refs?access_token=abc',
      headers: { authorization: `token ${TOKEN}` },
    },
    response: { status, url: '', headers, data },
  });
}

const ROUTE = { method: 'POST', url: '/repos/{owner}/{repo}/git/refs', secrets: [TOKEN] };

describe('toGitHubError', () => {
  it.each([
    [401, {}, {}, 'unauthorized'],
    [403, { message: 'Resource not accessible by integration' }, {}, 'forbidden'],
    [
      403,
      { message: 'API rate limit exceeded' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '100' },
      'rate-limited',
    ],
    [403, { message: 'You have exceeded a secondary rate limit.' }, {}, 'rate-limited'],
    [404, { message: 'Not Found' }, {}, 'not-found'],
    [409, { message: 'Git Repository is empty.' }, {}, 'conflict'],
    [410, { message: 'Gone' }, {}, 'not-found'],
    [422, { message: 'Reference already exists' }, {}, 'unprocessable'],
    [429, { message: 'Too Many Requests' }, {}, 'rate-limited'],
    [500, {}, {}, 'server'],
    [503, 'upstream down', {}, 'server'],
    [418, {}, {}, 'other'],
  ])('%i %j -> %s', (status, data, headers, code) => {
    const e = toGitHubError(httpError(status, data, headers), ROUTE);
    expect(e).toBeInstanceOf(GitHubError);
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(isGitHubError(e, e.code)).toBe(true);
  });

  it('keeps route template, request id, permissions, errors[] and retry-after', () => {
    const e = toGitHubError(
      httpError(
        422,
        {
          message: 'Validation Failed',
          errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }, 'plain'],
        },
        {
          'x-github-request-id': 'AB:CD',
          'x-accepted-github-permissions': 'contents=write',
          'retry-after': '3',
        },
      ),
      ROUTE,
    );
    expect(e).toMatchObject({
      route: 'POST /repos/{owner}/{repo}/git/refs',
      requestId: 'AB:CD',
      acceptedPermissions: 'contents=write',
      errorCodes: ['already_exists'],
      errorMessages: ['plain'],
      retryAfter: 3,
    });
    expect(e.message).toContain('[request AB:CD]');
  });

  it('turns the rate-limit reset into seconds with the given clock', () => {
    const e = toGitHubError(
      httpError(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1100' },
      ),
      { ...ROUTE, now: () => 1_000_000 },
    );
    expect(e.retryAfter).toBe(100);
  });

  it('without the route it uses the path of the request URL, without the query', () => {
    const e = toGitHubError(httpError(404, {}), { secrets: [TOKEN] });
    expect(e.route).toBe('POST /api/v3/repos/acme/infra/git/refs');
  });

  it('a token echoed by the server, in any field, never reaches the message', () => {
    canary.register(TOKEN);
    try {
      const e = toGitHubError(
        httpError(400, {
          message: `bad header Authorization: token ${TOKEN}`,
          errors: [{ message: TOKEN }],
        }),
        ROUTE,
      );
      canary.assertAbsent(e.message, 'message');
      canary.assertAbsent(JSON.stringify(e), 'fields');
      canary.assertAbsent(String(e.stack), 'stack');
      // Even when the caller forgot to pass the secret, its GitHub shape is recognised.
      const e2 = toGitHubError(httpError(400, { message: `echo ${TOKEN}` }), { url: '/x' });
      canary.assertAbsent(e2.message, 'message without secrets');
    } finally {
      canary.clear();
    }
  });

  it('anything without a response is a network error; a GitHubError passes through', () => {
    const net = toGitHubError(
      new RequestError('connect ECONNREFUSED', 500, {
        request: { method: 'GET', url: '/x', headers: {} },
      }),
      ROUTE,
    );
    expect(net).toMatchObject({ code: 'network', status: 0 });
    expect(toGitHubError(new Error('socket hang up'))).toMatchObject({ code: 'network' });
    expect(toGitHubError(net)).toBe(net);
  });
});

describe('redactCredentials and routeOf', () => {
  it.each([
    ['Bearer ' + 'x'.repeat(30), 'Bearer [REDACTED]'],
    ['token ghp_' + 'a'.repeat(36), 'token [REDACTED]'],
    ['github_pat_' + 'b'.repeat(60) + ' end', '[REDACTED] end'],
    ['the token needs contents=write', 'the token needs contents=write'],
  ])('%s', (input, want) => expect(redactCredentials(input)).toBe(want));

  it.each([
    ['get', '/repos/{owner}/{repo}/pulls', 'GET /repos/{owner}/{repo}/pulls'],
    ['GET', 'https://api.github.com/repos/a/b/pulls?page=2&per_page=100', 'GET /repos/a/b/pulls'],
    [undefined, undefined, 'GET ?'],
  ])('%s %s', (m, u, want) => expect(routeOf(m, u)).toBe(want));
});
