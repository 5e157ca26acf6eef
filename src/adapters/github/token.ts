/**
 * Token preflight: what kind of token rekey was given, decided before the first write.
 *
 * GitHub prefixes every token it issues (`ghs_` installation, `ghp_` classic PAT,
 * `github_pat_` fine-grained PAT, `gho_` OAuth, `ghu_` App user-to-server, `ghr_` refresh).
 * Actions' GITHUB_TOKEN is an installation token too (`ghs_`), so the prefix cannot tell it
 * apart: the entrypoint passes the runner's GITHUB_TOKEN value and we compare.
 *
 * Why it matters: events caused by GITHUB_TOKEN start no workflow runs (except
 * workflow_dispatch and repository_dispatch); since 2026-06-11, PRs opened by
 * github-actions[bot] get `pull_request` runs that wait for approval by someone with write
 * access. Either way a rotation PR's required `verify` check would not run on its own. And
 * GITHUB_TOKEN can never be granted `secrets`, `administration` or `environments`, so it
 * cannot distribute. A GitHub App installation token (actions/create-github-app-token) can.
 *
 * Nothing here returns, logs or throws the token or any part of it beyond its public prefix.
 */
import { timingSafeEqual } from 'node:crypto';

export type TokenKind =
  | 'github-actions'
  | 'app-installation'
  | 'personal-access-token'
  | 'fine-grained-pat'
  | 'oauth'
  | 'app-user'
  | 'refresh'
  | 'unknown';

const PREFIXES: readonly (readonly [string, TokenKind])[] = [
  ['github_pat_', 'fine-grained-pat'],
  ['ghs_', 'app-installation'],
  ['ghp_', 'personal-access-token'],
  ['gho_', 'oauth'],
  ['ghu_', 'app-user'],
  ['ghr_', 'refresh'],
];

const DESCRIPTIONS: Readonly<Record<TokenKind, string>> = {
  'github-actions': "the workflow's GITHUB_TOKEN",
  'app-installation': 'a GitHub App installation token',
  'personal-access-token': 'a classic personal access token',
  'fine-grained-pat': 'a fine-grained personal access token',
  oauth: 'an OAuth app token',
  'app-user': 'a GitHub App user-to-server token',
  refresh: 'a refresh token (not usable for API calls)',
  unknown: 'a token without a GitHub prefix (an old-style token, or not a GitHub token)',
};

export function describeTokenKind(kind: TokenKind): string {
  return DESCRIPTIONS[kind];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The kind of `token`. `githubToken` is the runner's GITHUB_TOKEN (the entrypoint reads it
 * from the environment or the `github-token` input); when `token` equals it, the kind is
 * `github-actions` whatever the prefix.
 */
export function classifyToken(token: string, opts: { githubToken?: string } = {}): TokenKind {
  if (opts.githubToken && sameSecret(token, opts.githubToken)) return 'github-actions';
  for (const [prefix, kind] of PREFIXES) if (token.startsWith(prefix)) return kind;
  return 'unknown';
}

export type TokenRefusalCode =
  'token/github-token-pulls' | 'token/github-token-distribute' | 'token/refresh';

/** A token that cannot do what was asked; `code` is stable, the message says how to fix it. */
export class TokenPolicyError extends Error {
  override readonly name = 'TokenPolicyError';
  readonly code: TokenRefusalCode;
  readonly kind: TokenKind;
  constructor(code: TokenRefusalCode, kind: TokenKind, message: string) {
    super(message);
    this.code = code;
    this.kind = kind;
  }
}

const APP_TOKEN_HOWTO =
  'Create a GitHub App, install it on this repository, and mint a token in the job with ' +
  'actions/create-github-app-token (inputs client-id and private-key); pass it as the token input.';

/**
 * Refuses GITHUB_TOKEN for opening or updating PRs unless `allowGithubToken` (the
 * `allow-github-token` input) says a person accepts the consequence.
 */
export function assertCanOpenPulls(kind: TokenKind, opts: { allowGithubToken: boolean }): void {
  if (kind === 'refresh')
    throw new TokenPolicyError('token/refresh', kind, `rekey was given ${DESCRIPTIONS.refresh}.`);
  if (kind !== 'github-actions' || opts.allowGithubToken) return;
  throw new TokenPolicyError(
    'token/github-token-pulls',
    kind,
    "Refusing to open pull requests with the workflow's GITHUB_TOKEN: events it causes start " +
      'no workflow runs, and since June 2026 the pull_request runs of PRs opened by ' +
      'github-actions[bot] wait for approval, so the required rekey verify check would never ' +
      `run by itself and the PR could not merge as intended. ${APP_TOKEN_HOWTO} ` +
      'To use GITHUB_TOKEN anyway, set allow-github-token: true (then approve each verify run by hand).',
  );
}

/** Distribution writes secrets and deploy keys, which GITHUB_TOKEN can never be granted. */
export function assertCanDistribute(kind: TokenKind): void {
  if (kind === 'refresh')
    throw new TokenPolicyError('token/refresh', kind, `rekey was given ${DESCRIPTIONS.refresh}.`);
  if (kind !== 'github-actions') return;
  throw new TokenPolicyError(
    'token/github-token-distribute',
    kind,
    "Distribution cannot use the workflow's GITHUB_TOKEN: it can never be granted the secrets, " +
      `administration or environments permissions that writing secrets and deploy keys needs. ${APP_TOKEN_HOWTO}`,
  );
}
