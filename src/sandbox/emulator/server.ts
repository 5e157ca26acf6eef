// The request pipeline: route, validate (when a validator is injected), inject faults,
// authenticate, count the rate limit, authorize, run the handler, log. Everything listens on
// 127.0.0.1 only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, spendRateLimit, type Tokens } from './auth.ts';
import type { Faults } from './faults.ts';
import { isGitHttpPath, serveGitHttp } from './git-http.ts';
import { ApiError, type Ctx, type Reply, Router } from './http.ts';
import type { Urls } from './render.ts';
import { accessRoutes } from './routes/access.ts';
import { actionRoutes } from './routes/actions.ts';
import { gitDataRoutes } from './routes/git-data.ts';
import { deployKeyRoutes } from './routes/deploy-keys.ts';
import { issueRoutes } from './routes/issues.ts';
import { pullReviewRoutes } from './routes/pull-reviews.ts';
import { pullRoutes } from './routes/pulls.ts';
import { repoRoutes } from './routes/repos.ts';
import { secretRoutes } from './routes/secrets.ts';
import { statusRoutes } from './routes/statuses.ts';
import type { EmulatorState, RepoState } from './state.ts';

/** What the OpenAPI validator (test/support/openapi.ts) implements; the emulator needs no ajv. */
export interface RequestValidator {
  validateRequest(req: ValidatedRequest): Promise<string[]>;
  validateResponse?(res: {
    method: string;
    template: string;
    status: number;
    body: unknown;
  }): Promise<string[]>;
}

export interface ValidatedRequest {
  method: string;
  template: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: unknown;
}

export interface LoggedRequest {
  method: string;
  /** The OpenAPI path template, null when no route matched. */
  route: string | null;
  /** `${method} ${route}`, the key tests count calls by. */
  operation: string | null;
  path: string;
  status: number;
  login: string | null;
  fault?: string;
  invalid?: string[];
}

export interface Problem {
  kind: 'invalid-request' | 'invalid-response' | 'server-error';
  operation: string;
  path: string;
  errors: string[];
}

export const API_PREFIX = '/api/v3';

export const router = new Router();
router.add(
  ...repoRoutes,
  ...gitDataRoutes,
  ...pullRoutes,
  ...pullReviewRoutes,
  ...issueRoutes,
  ...statusRoutes,
  ...secretRoutes,
  ...deployKeyRoutes,
  ...actionRoutes,
  ...accessRoutes,
);

export interface Pipeline {
  state: EmulatorState;
  tokens: Tokens;
  faults: Faults;
  log: LoggedRequest[];
  problems: Problem[];
  validator: RequestValidator | undefined;
  onReceived?: ((path: string, body: Buffer) => void) | undefined;
  now: () => Date;
  urls: Urls;
}

export async function listen(p: Pipeline): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(p, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { message: 'emulator failure' } }, {});
      p.problems.push({
        kind: 'server-error',
        operation: '?',
        path: req.url ?? '',
        errors: [String(e)],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function handle(p: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // git clone/fetch over HTTP is not a REST call: it is served, but not logged or counted.
  if (!url.pathname.startsWith(`${API_PREFIX}/`) && isGitHttpPath(url.pathname))
    return serveGitHttp(p.state, p.tokens, req, res, url);
  const entry: LoggedRequest = {
    method,
    route: null,
    operation: null,
    path: url.pathname,
    status: 0,
    login: null,
  };
  p.log.push(entry);
  const raw = await readBody(req);
  p.onReceived?.(url.pathname, raw);
  const finish = (reply: Reply, extra: Record<string, string> = {}): void => {
    entry.status = reply.status;
    send(res, reply, extra);
  };
  const rawPath = url.pathname.startsWith(`${API_PREFIX}/`)
    ? url.pathname.slice(API_PREFIX.length)
    : null;
  const { match } = rawPath ? router.match(method, rawPath) : { match: null };
  if (!match) return finish(errorReply(new ApiError(404, 'Not Found')));
  const template = match.route.template;
  entry.route = template;
  entry.operation = `${method} ${template}`;

  let body: unknown = undefined;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return finish(errorReply(new ApiError(400, 'Problems parsing JSON')));
    }
  }
  if (p.validator) {
    const errors = await p.validator.validateRequest({
      method,
      template,
      params: match.params,
      query: url.searchParams,
      body,
    });
    if (errors.length > 0) {
      entry.invalid = errors;
      p.problems.push({
        kind: 'invalid-request',
        operation: entry.operation,
        path: url.pathname,
        errors,
      });
      return finish(errorReply(new ApiError(422, `Invalid request.\n\n${errors.join('\n')}`)));
    }
  }

  const fault = p.faults.take(method, template, url.pathname, req.headers);
  if (fault) {
    entry.fault = fault.label;
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.kind === 'status')
      return finish({ status: fault.status ?? 500, body: fault.body, headers: fault.headers });
  }

  let rateHeaders: Record<string, string> = {};
  let reply: Reply;
  try {
    const identity = p.tokens.authenticate(req.headers['authorization']);
    entry.login = identity.user.login;
    rateHeaders = spendRateLimit(identity, p.now());
    let repo: RepoState | null = null;
    if (template.startsWith('/repos/{owner}/{repo}')) {
      repo = p.state.repo(match.params['owner'] ?? '', match.params['repo'] ?? '') ?? null;
      if (!repo) throw new ApiError(404, 'Not Found');
    }
    authorize(identity, match.route.permission, repo);
    const ctx: Ctx = {
      req,
      method,
      template,
      params: match.params,
      query: url.searchParams,
      body,
      identity,
      state: p.state,
      repo: repo ?? notARepo(),
      urls: p.urls,
      now: p.now(),
    };
    reply = await match.route.handler(ctx);
  } catch (e) {
    if (!(e instanceof ApiError)) {
      p.problems.push({
        kind: 'server-error',
        operation: entry.operation,
        path: url.pathname,
        errors: [String(e)],
      });
    }
    reply =
      e instanceof ApiError
        ? errorReply(e)
        : { status: 500, body: { message: 'emulator failure' } };
  }
  if (fault?.kind === 'lost') {
    // The change happened; the client never hears about it.
    entry.status = 0;
    req.socket.destroy();
    return;
  }
  if (p.validator?.validateResponse && reply.status < 300 && reply.body !== undefined) {
    const errors = await p.validator.validateResponse({
      method,
      template,
      status: reply.status,
      body: reply.body,
    });
    if (errors.length > 0)
      p.problems.push({
        kind: 'invalid-response',
        operation: entry.operation,
        path: url.pathname,
        errors,
      });
  }
  finish(reply, rateHeaders);
}

/** Org-level routes have no repository; touching `ctx.repo` there is an emulator bug. */
function notARepo(): RepoState {
  return new Proxy({} as RepoState, {
    get() {
      throw new Error('ctx.repo used on a route that is not repository-scoped');
    },
  });
}

function errorReply(e: ApiError): Reply {
  const body: Record<string, unknown> = {
    message: e.message,
    documentation_url: 'https://docs.github.com/rest',
    status: String(e.status),
  };
  if (e.errors) body['errors'] = e.errors;
  return { status: e.status, body, headers: e.headers };
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string>): void {
  const headers: Record<string, string> = {
    'x-github-api-version-selected': '2022-11-28',
    ...extra,
    ...reply.headers,
  };
  if (reply.raw) {
    res.writeHead(reply.status, { 'content-type': 'application/octet-stream', ...headers });
    res.end(reply.raw);
  } else if (reply.body === undefined || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(reply.body));
  }
}
