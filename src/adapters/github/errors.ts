/**
 * The boundary between Octokit's errors and rekey's: every failed request becomes one
 * `GitHubError` (defined in core, so commands can branch on it) with a `code` chosen from the
 * HTTP status and GitHub's rate-limit headers. Callers branch on `code` and `errorCodes`, never
 * on message text; reading GitHub's message happens here, once, and only where GitHub offers
 * nothing else (a secondary rate limit is a 403 told apart by its message and `retry-after`).
 *
 * Nothing of the request travels with the error: no headers, no body, no URL query, no
 * `cause`. Messages pass through `redactCredentials`, so a token GitHub (or a proxy) might echo
 * cannot reach a log through an error.
 */
import { GitHubError, type GitHubErrorCode } from '../../core/ports/github.ts';

export { GitHubError, isGitHubError, type GitHubErrorCode } from '../../core/ports/github.ts';

/** Shapes of GitHub token strings (classic, fine-grained, OAuth, user-to-server, installation, refresh). */
const TOKEN_SHAPES = /\b(?:gh[pousr]_[A-Za-z0-9_-]{16,}|github_pat_[A-Za-z0-9_-]{16,})/g;
const AUTH_HEADER = /\b(authorization|bearer|token|basic)(:?\s+)[A-Za-z0-9_\-.=+/]{20,}/gi;
const MAX_DETAIL = 300;

/**
 * Removes `secrets` (the client's token) and anything shaped like a GitHub token or an
 * Authorization value from `text`. Used for every message and log line this adapter writes.
 */
export function redactCredentials(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[REDACTED]');
  return out.replace(TOKEN_SHAPES, '[REDACTED]').replace(AUTH_HEADER, '$1$2[REDACTED]');
}

/** `METHOD /path` with no origin and no query: a route template, or a pagination link's path. */
export function routeOf(method: string | undefined, url: string | undefined): string {
  let path = url ?? '?';
  if (/^https?:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      path = '?';
    }
  }
  path = path.split('?')[0] || '?';
  return `${(method ?? 'GET').toUpperCase()} ${path}`;
}

interface OctokitLikeError {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, unknown>; data?: unknown; status?: unknown };
  request?: { method?: unknown; url?: unknown };
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const v = headers?.[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function codeFor(status: number, limited: boolean): GitHubErrorCode {
  if (limited || status === 429) return 'rate-limited';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 422) return 'unprocessable';
  if (status >= 500) return 'server';
  return 'other';
}

/** GitHub's `errors[]`: objects with `code` / `message`, or plain strings. */
function githubErrors(data: unknown): { codes: string[]; messages: string[] } {
  const list = (data as { errors?: unknown } | null)?.errors;
  const codes: string[] = [];
  const messages: string[] = [];
  if (!Array.isArray(list)) return { codes, messages };
  for (const item of list.slice(0, 20)) {
    if (typeof item === 'string') messages.push(item);
    else if (item && typeof item === 'object') {
      const { code, message } = item as { code?: unknown; message?: unknown };
      if (typeof code === 'string') codes.push(code);
      if (typeof message === 'string') messages.push(message);
    }
  }
  return { codes, messages };
}

export interface BoundaryContext {
  /** The request as Octokit saw it: method and URL (a template, or a pagination link). */
  readonly method?: string;
  readonly url?: string;
  /** The client's token and any other value that must never appear in a message. */
  readonly secrets?: readonly string[];
  /** Clock for turning `x-ratelimit-reset` into seconds; defaults to the system clock. */
  readonly now?: () => number;
}

/** Converts anything a request threw into a `GitHubError`; an existing one is returned as is. */
export function toGitHubError(e: unknown, ctx: BoundaryContext = {}): GitHubError {
  if (e instanceof GitHubError) return e;
  const err = (e && typeof e === 'object' ? e : {}) as OctokitLikeError;
  const method = typeof err.request?.method === 'string' ? err.request.method : ctx.method;
  const url = ctx.url ?? (typeof err.request?.url === 'string' ? err.request.url : undefined);
  const route = redactCredentials(routeOf(method, url), ctx.secrets);
  const clean = (s: string): string => {
    const r = redactCredentials(s, ctx.secrets).replace(/\s+/g, ' ').trim();
    return r.length > MAX_DETAIL ? `${r.slice(0, MAX_DETAIL)}…` : r;
  };
  const rawMessage = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unknown error';

  // Octokit reports a request that got no answer (refused, reset, aborted) as status 500
  // without a response: that is a network failure, not a server error.
  const response = err.response;
  if (!response) {
    return new GitHubError({ status: 0, code: 'network', route, detail: clean(rawMessage) });
  }
  const status = typeof err.status === 'number' ? err.status : Number(response.status) || 0;
  const headers = response.headers;
  const data = response.data;
  const ghMessage =
    data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : typeof data === 'string' && data.length > 0
        ? data
        : `HTTP ${status}`;
  const remaining = header(headers, 'x-ratelimit-remaining');
  const retryAfterHeader = Number(header(headers, 'retry-after'));
  const secondary = /secondary rate limit/i.test(ghMessage);
  const primary = remaining === '0' && (status === 403 || status === 429);
  let retryAfter: number | undefined = Number.isFinite(retryAfterHeader)
    ? retryAfterHeader
    : undefined;
  if (retryAfter === undefined && primary) {
    const reset = Number(header(headers, 'x-ratelimit-reset'));
    const now = (ctx.now ?? Date.now)();
    if (Number.isFinite(reset)) retryAfter = Math.max(0, Math.ceil(reset - now / 1000));
  }
  const limited =
    (status === 403 && (secondary || primary || retryAfter !== undefined)) || status === 429;
  const { codes, messages } = githubErrors(data);
  return new GitHubError({
    status,
    code: codeFor(status, limited),
    route,
    detail: clean(ghMessage),
    requestId: header(headers, 'x-github-request-id'),
    acceptedPermissions: header(headers, 'x-accepted-github-permissions'),
    errorCodes: codes,
    errorMessages: messages.map(clean),
    retryAfter,
  });
}
