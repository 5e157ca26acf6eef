// Routing and reply helpers. Routes are registered under GitHub's own OpenAPI path templates
// (`/repos/{owner}/{repo}/git/refs`) so the request log, the permission table and the OpenAPI
// validator all speak the same names as GitHub's description.
import type { IncomingMessage } from 'node:http';
import type { Identity } from './auth.ts';
import { permissionFor, type RoutePermission } from './permissions.ts';
import type { Urls } from './render.ts';
import type { EmulatorState, RepoState } from './state.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly errors: unknown[] | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    message: string,
    errors?: unknown[],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.errors = errors;
    this.headers = headers;
  }
}

export const notFound = (): ApiError => new ApiError(404, 'Not Found');
export const unprocessable = (message: string, errors?: unknown[]): ApiError =>
  new ApiError(422, message, errors);

export interface Reply {
  status: number;
  body?: unknown;
  /** Raw bytes instead of JSON (e.g. `application/vnd.github.raw`). */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export interface Ctx {
  req: IncomingMessage;
  method: string;
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  identity: Identity;
  state: EmulatorState;
  /** Set for every `/repos/{owner}/{repo}/...` route: the repository exists and is visible. */
  repo: RepoState;
  /** Absolute URLs of the API root and the web root, no trailing slash. */
  urls: Urls;
  now: Date;
}

export interface Route {
  method: string;
  template: string;
  /** GitHub's permission for the route, from the table in permissions.ts. */
  permission: RoutePermission;
  handler: (ctx: Ctx) => Promise<Reply>;
}

/** A route whose permission is GitHub's, looked up in permissions.ts (throws when unlisted). */
export const route = (
  method: string,
  template: string,
  handler: (ctx: Ctx) => Promise<Reply>,
): Route => ({ method, template, permission: permissionFor(method, template), handler });

export interface Match {
  route: Route;
  params: Record<string, string>;
}

const SLASHED = new Set(['{ref}', '{path}', '{branch}', '{basehead}', '{tree_sha}']);

interface Compiled {
  route: Route;
  names: string[];
  strict: RegExp;
  greedy: RegExp | null;
}

export class Router {
  readonly #compiled: Compiled[] = [];

  add(...routes: Route[]): void {
    for (const r of routes) {
      const names: string[] = [];
      const parts = r.template.split(/(\{[^}]+\})/).filter((p) => p !== '');
      const pieces = parts.map((p) => {
        if (p.startsWith('{')) {
          names.push(p.slice(1, -1));
          return '([^/]+)';
        }
        return p.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      });
      const strict = new RegExp(`^${pieces.join('')}$`);
      // A trailing ref, branch or path may also be sent unencoded (`git/ref/heads/a/b`), as
      // GitHub accepts; other parameters never contain a slash.
      const last = parts[parts.length - 1] ?? '';
      const greedy = SLASHED.has(last) ? new RegExp(`^${pieces.slice(0, -1).join('')}(.+)$`) : null;
      this.#compiled.push({ route: r, names, strict, greedy });
    }
  }

  /** Matches a raw (still percent-encoded) path; `pathKnown` when another method serves it. */
  match(method: string, rawPath: string): { match: Match | null; pathKnown: boolean } {
    let pathKnown = false;
    for (const pass of ['strict', 'greedy'] as const) {
      for (const c of this.#compiled) {
        const re = pass === 'strict' ? c.strict : c.greedy;
        const m = re?.exec(rawPath);
        if (!m) continue;
        pathKnown = true;
        if (c.route.method !== method) continue;
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => (params[n] = safeDecode(m[i + 1] ?? '')));
        return { match: { route: c.route, params }, pathKnown };
      }
    }
    return { match: null, pathKnown };
  }

  get routes(): Route[] {
    return this.#compiled.map((c) => c.route);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** GitHub's page/per_page pagination with a Link header. */
export function paginate<T>(
  ctx: Ctx,
  items: readonly T[],
): { items: T[]; headers: Record<string, string> } {
  const perPage = clampInt(ctx.query.get('per_page'), 30, 1, 100);
  const page = clampInt(ctx.query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(ctx.query);
    q.set('per_page', String(perPage));
    q.set('page', String(p));
    return `<${ctx.urls.api}${ctx.req.url?.split('?')[0]?.replace(/^\/api\/v3/, '') ?? ''}?${q}>; rel="${rel}"`;
  };
  const rels: string[] = [];
  if (page < lastPage) rels.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) rels.push(link(1, 'first'), link(page - 1, 'prev'));
  return { items: slice, headers: rels.length > 0 ? { link: rels.join(', ') } : {} };
}

function clampInt(v: string | null, fallback: number, min: number, max: number): number {
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** The JSON body as a record (the OpenAPI validator has already checked its shape in tests). */
export function bodyOf(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return {};
  return b as Record<string, unknown>;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  headers,
});
export const created = (body: unknown): Reply => ({ status: 201, body });
export const noContent = (): Reply => ({ status: 204 });

export function intParam(ctx: Ctx, name: string): number {
  const n = Number(ctx.params[name]);
  if (!Number.isInteger(n) || n < 1) throw notFound();
  return n;
}
