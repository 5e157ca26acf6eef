// Tokens and what they may do. Each token has a kind (a GitHub App installation token, the
// workflow's GITHUB_TOKEN, or a user's token) and fine-grained permissions; the emulator
// answers 401/403/404 the way GitHub does, with `x-accepted-github-permissions` and the
// `x-ratelimit-*` headers, so rekey's error handling meets the real shapes.
import { randomBytes } from 'node:crypto';
import { ApiError } from './http.ts';
import { acceptedHeader, type Grant, type RoutePermission } from './permissions.ts';
import type { EmulatorState, RepoState, User } from './state.ts';

export type TokenKind = 'app' | 'github-actions' | 'user';
export type Level = 'read' | 'write' | 'admin';

export interface TokenSpec {
  kind: TokenKind;
  /** The token string; generated with GitHub's prefix for the kind when omitted. */
  token?: string;
  /** Who acts: an App's slug for `app` (the login becomes `<slug>[bot]`), a user's login. */
  login?: string;
  /** Fine-grained permissions, e.g. `{ contents: 'write', pull_requests: 'write' }`. */
  permissions: Readonly<Record<string, Level>> | 'all';
  /** `owner/name` of the repositories an installation or fine-grained token can see. */
  repositories?: readonly string[];
  /** Requests per hour (GitHub: 5,000 for Apps and users, 1,000 for GITHUB_TOKEN). */
  rateLimit?: number;
}

export interface Identity {
  token: string;
  kind: TokenKind;
  user: User;
  permissions: Readonly<Record<string, Level>> | 'all';
  repositories: readonly string[] | null;
  limit: number;
  used: number;
  resetAt: number;
}

/** Permissions GitHub can never grant to GITHUB_TOKEN (workflow `permissions:` has no such key). */
const NOT_FOR_GITHUB_TOKEN = [
  'secrets',
  'administration',
  'environments',
  'dependabot_secrets',
  'organization_secrets',
  'organization_dependabot_secrets',
  // The workflow `permissions:` key has no members either, so GITHUB_TOKEN cannot name a team
  // as reviewer (peter-evans/create-pull-request documents a PAT or App token for that).
  'members',
];
const RANK: Record<Level, number> = { read: 1, write: 2, admin: 3 };

export class Tokens {
  readonly #byToken = new Map<string, Identity>();

  add(state: EmulatorState, spec: TokenSpec): Identity {
    if (spec.kind === 'github-actions' && spec.permissions !== 'all') {
      const bad = Object.keys(spec.permissions).filter((p) => NOT_FOR_GITHUB_TOKEN.includes(p));
      if (bad.length > 0)
        throw new Error(`GITHUB_TOKEN cannot be granted ${bad.join(', ')}; use an app token`);
    }
    const prefix = spec.kind === 'user' ? 'ghp_' : 'ghs_';
    const token = spec.token ?? `${prefix}${randomBytes(18).toString('base64url')}`;
    const login =
      spec.kind === 'github-actions'
        ? 'github-actions[bot]'
        : spec.kind === 'app'
          ? `${spec.login ?? 'rekey-app'}[bot]`
          : (spec.login ?? 'octocat');
    const identity: Identity = {
      token,
      kind: spec.kind,
      user: state.user(login, spec.kind === 'user' ? 'User' : 'Bot'),
      permissions: spec.permissions,
      repositories: spec.repositories ? spec.repositories.map((r) => r.toLowerCase()) : null,
      limit: spec.rateLimit ?? (spec.kind === 'github-actions' ? 1000 : 5000),
      used: 0,
      resetAt: 0,
    };
    this.#byToken.set(token, identity);
    return identity;
  }

  /** The identity behind an Authorization header; 401 like GitHub otherwise. */
  authenticate(header: string | undefined): Identity {
    if (!header) throw new ApiError(401, 'Requires authentication');
    const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(header);
    const identity = m?.[1] ? this.#byToken.get(m[1]) : undefined;
    if (!identity) throw new ApiError(401, 'Bad credentials');
    return identity;
  }

  revoke(token: string): void {
    this.#byToken.delete(token);
  }
}

/** Counts the request against the primary rate limit and returns GitHub's headers. */
export function spendRateLimit(identity: Identity, now: Date): Record<string, string> {
  const nowSec = Math.floor(now.getTime() / 1000);
  if (identity.resetAt <= nowSec) {
    identity.resetAt = nowSec + 3600;
    identity.used = 0;
  }
  const exhausted = identity.used >= identity.limit;
  if (!exhausted) identity.used++;
  const headers = {
    'x-ratelimit-limit': String(identity.limit),
    'x-ratelimit-remaining': String(identity.limit - identity.used),
    'x-ratelimit-used': String(identity.used),
    'x-ratelimit-reset': String(identity.resetAt),
    'x-ratelimit-resource': 'core',
  };
  if (exhausted)
    throw new ApiError(
      403,
      `API rate limit exceeded for ${identity.user.login}.`,
      undefined,
      headers,
    );
  return headers;
}

/** Whether the token holds `grant` (every repository permission implies metadata read). */
export function holds(identity: Identity, grant: Grant): boolean {
  if (identity.permissions === 'all') return true;
  if (grant.name === 'metadata' && grant.access === 'read')
    return Object.keys(identity.permissions).length > 0;
  const granted = identity.permissions[grant.name];
  return granted !== undefined && RANK[granted] >= RANK[grant.access];
}

/** GitHub's 403 for a token without the permission, naming what would have been accepted. */
export function forbidden(identity: Identity, accepted: string): ApiError {
  const who = identity.kind === 'user' ? 'personal access token' : 'integration';
  return new ApiError(403, `Resource not accessible by ${who}`, undefined, {
    'x-accepted-github-permissions': accepted,
  });
}

/** 404 when the token cannot see the repository, 403 when it lacks the permission. */
export function authorize(
  identity: Identity,
  permission: Pick<RoutePermission, 'anyOf'>,
  repo: RepoState | null,
): void {
  if (repo && identity.repositories && !identity.repositories.includes(repo.fullName.toLowerCase()))
    throw new ApiError(404, 'Not Found');
  if (permission.anyOf.some((set) => set.every((grant) => holds(identity, grant)))) return;
  // Without read access GitHub hides a private repository entirely.
  const metadataOnly = permission.anyOf.every((set) => set.every((x) => x.name === 'metadata'));
  if (repo && repo.private && metadataOnly) throw new ApiError(404, 'Not Found');
  throw forbidden(identity, acceptedHeader(permission));
}
