/**
 * The one place rekey builds an Octokit: `@octokit/core` with retries and throttling, pointed at the API URL the entrypoint passes in (GITHUB_API_URL; GitHub
 * Enterprise Server is `https://<host>/api/v3`). Nothing here reads the environment.
 *
 * - Retries (`@octokit/plugin-retry`): 5xx, 429 and requests that got no answer, with a growing
 *   pause; never 400/401/403/404/410/422/451. Writes that are not idempotent opt out per
 *   request (see issues.ts).
 * - Throttling (`@octokit/plugin-throttling`): waits out primary and secondary rate limits a
 *   bounded number of times, and spaces mutating requests (GitHub asks integrators to leave
 *   about a second between them; 3 s for those that notify people, such as opening a PR).
 * - Every error leaves the client as a `GitHubError` (errors.ts), typed by status.
 * - Lists are paged by page number in paginate.ts, not with `@octokit/plugin-paginate-rest`:
 *   that plugin follows `Link` URLs, so its failures would carry expanded paths, not routes.
 * - Logs name the route and the wait, never the token.
 *
 * Proxies: in production the client fetches through undici with the proxy dispatcher from
 * `@actions/http-client` (it honours `https_proxy` / `no_proxy`, as the runner sets them),
 * like `@actions/github` does. `fetch` is injectable for tests only: a custom `fetch` replaces
 * that dispatcher, so an entrypoint must never pass one.
 */
import { HttpClient } from '@actions/http-client';
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { fetch as undiciFetch } from 'undici';
import { redactCredentials, toGitHubError } from './errors.ts';

const RekeyOctokit = Octokit.plugin(retry, throttling);
export type RekeyOctokit = InstanceType<typeof RekeyOctokit>;

export interface GitHubLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ThrottleSettings {
  /** Off in unit tests; on in production. */
  readonly enabled: boolean;
  /** Pause between mutating requests (default 1000 ms). */
  readonly writeSpacingMs?: number;
  /** Pause between requests that notify people: PRs, reviewers, issues (default 3000 ms). */
  readonly notificationSpacingMs?: number;
  /** Rate-limited requests are retried at most this often (default 2). */
  readonly maxRetries?: number;
  /** A rate limit that asks for a longer wait than this fails instead (default 120 s). */
  readonly maxWaitSeconds?: number;
  /** Milliseconds waited per second of `retry-after` (default 1000; a virtual clock passes 0). */
  readonly msPerRetryAfterSecond?: number;
}

export interface RetrySettings {
  readonly enabled?: boolean;
  /** Retries per request (default 3). */
  readonly retries?: number;
  /** The pause before retry n is n² × this (default 1000 ms). */
  readonly baseDelayMs?: number;
}

export interface GitHubClientOptions {
  readonly token: string;
  /** GITHUB_API_URL: `https://api.github.com`, or `https://<host>/api/v3` for GHES. */
  readonly apiUrl: string;
  /** GITHUB_SERVER_URL, for links people open; derived from `apiUrl` when omitted. */
  readonly serverUrl?: string;
  readonly userAgent?: string;
  /** Tests only: replaces the proxy-aware default (see the module comment). */
  readonly fetch?: typeof globalThis.fetch;
  readonly throttle?: ThrottleSettings;
  readonly retry?: RetrySettings;
  readonly log?: GitHubLog;
}

export interface GitHubClient {
  readonly octokit: RekeyOctokit;
  readonly apiUrl: string;
  readonly serverUrl: string;
  /** `${serverUrl}/${owner}/${repo}/${parts...}`: a link a person can open (GHES-aware). */
  htmlUrl(owner: string, repo: string, ...parts: (string | number)[]): string;
}

const silent: GitHubLog = { debug() {}, info() {}, warn() {}, error() {} };

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** github.com's API is api.github.com; GHES serves it under `<server>/api/v3`. */
export function serverUrlFor(apiUrl: string): string {
  const u = new URL(trimSlash(apiUrl));
  if (u.hostname === 'api.github.com') return 'https://github.com';
  if (u.hostname.startsWith('api.') && u.hostname.endsWith('.ghe.com'))
    return `${u.protocol}//${u.hostname.slice(4)}`;
  if (/\/api\/v3$/.test(u.pathname)) return `${u.origin}${u.pathname.replace(/\/api\/v3$/, '')}`;
  throw new Error(
    `cannot derive the server URL from the API URL ${u.origin}${u.pathname}; pass serverUrl (GITHUB_SERVER_URL)`,
  );
}

function proxyAwareFetch(apiUrl: string): typeof globalThis.fetch | undefined {
  const dispatcher = new HttpClient().getAgentDispatcher(apiUrl);
  if (!dispatcher) return undefined; // no proxy configured: Node's own fetch
  const viaProxy = (url: string | URL | Request, init?: RequestInit) =>
    undiciFetch(url as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return viaProxy as unknown as typeof globalThis.fetch;
}

export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  if (!opts.token) throw new Error('a GitHub token is required');
  const apiUrl = trimSlash(opts.apiUrl);
  const serverUrl = trimSlash(opts.serverUrl ?? serverUrlFor(apiUrl));
  const secrets = [opts.token];
  const raw = opts.log ?? silent;
  // Octokit's plugins sometimes log objects (an Error); everything becomes redacted text.
  const say = (level: keyof GitHubLog) => (message: unknown) =>
    raw[level](redactCredentials(typeof message === 'string' ? message : String(message), secrets));
  const log: GitHubLog = {
    debug: say('debug'),
    info: say('info'),
    warn: say('warn'),
    error: say('error'),
  };

  const t = opts.throttle ?? { enabled: true };
  const maxRetries = t.maxRetries ?? 2;
  const maxWait = t.maxWaitSeconds ?? 120;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, count: number) => {
      const route = `${options.method} ${options.url.split('?')[0] ?? ''}`;
      if (count < maxRetries && retryAfter <= maxWait) {
        log.warn(`${kind} rate limit on ${route}; retry ${count + 1} in ${retryAfter}s`);
        return true;
      }
      log.error(
        `${kind} rate limit on ${route}; giving up (wait ${retryAfter}s, try ${count + 1})`,
      );
      return false;
    };
  const spacing = (minTime: number) => new Bottleneck.Group({ maxConcurrent: 1, minTime });

  const fetch = opts.fetch ?? proxyAwareFetch(apiUrl);
  const octokit = new RekeyOctokit({
    auth: opts.token,
    baseUrl: apiUrl,
    userAgent: opts.userAgent ?? 'rekey',
    ...(fetch ? { request: { fetch } } : {}),
    log: {
      debug: log.debug,
      info: log.info,
      warn: log.warn,
      error: log.error,
    },
    retry: {
      enabled: opts.retry?.enabled ?? true,
      retries: opts.retry?.retries ?? 3,
      retryAfterBaseValue: opts.retry?.baseDelayMs ?? 1000,
    },
    throttle: t.enabled
      ? {
          enabled: true,
          retryAfterBaseValue: t.msPerRetryAfterSecond ?? 1000,
          // Per-client groups: the plugin's defaults are shared by every client in the process.
          write: spacing(t.writeSpacingMs ?? 1000),
          notifications: spacing(t.notificationSpacingMs ?? 3000),
          onRateLimit: onLimit('primary'),
          onSecondaryRateLimit: onLimit('secondary'),
        }
      : { enabled: false },
  });
  // Registered after the plugins, so it wraps them: what leaves is the error after retries.
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (e) {
      const err = toGitHubError(e, { method: options.method, url: options.url, secrets });
      log.debug(err.message);
      throw err;
    }
  });

  return {
    octokit,
    apiUrl,
    serverUrl,
    htmlUrl: (owner, repo, ...parts) => [serverUrl, owner, repo, ...parts.map(String)].join('/'),
  };
}
