// What the CLI's GitHub-writing commands (rotate, revoke, distribute) share: the token from the
// environment (REKEY_TOKEN, then GITHUB_TOKEN, then GH_TOKEN, as doctor reads it), the
// repository (--repo, else the origin remote, as audit reads it), the client (GITHUB_API_URL /
// GITHUB_SERVER_URL honoured, else the origin's host: a GHES clone talks to its server), the
// lease holder, and a scrubber for output lines.
import { hostname, userInfo } from 'node:os';
import { readCheckout } from '../adapters/git/commits.ts';
import { createGitHubClient, type GitHubClientOptions } from '../adapters/github/client.ts';
import { createGitHubPorts, parseRepository } from '../adapters/github/index.ts';
import { assertCanOpenPulls, classifyToken, type TokenKind } from '../adapters/github/token.ts';
import { reviewerErrors } from '../commands/open-pull.ts';
import { UsageError, type CliIo } from './args.ts';
import { githubEndpoints, originUrl, repositoryFromRemote } from './remote.ts';

/** Client settings a test may override (the throttle, a fetch); production passes none. */
export type ClientOverrides = Partial<Omit<GitHubClientOptions, 'token' | 'apiUrl'>>;

/** The token, or a UsageError naming the variables to set. */
export function cliToken(io: CliIo, command: string): string {
  const token = io.env.REKEY_TOKEN || io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token)
    throw new UsageError(
      `rekey ${command}: no token: set REKEY_TOKEN (or GITHUB_TOKEN, GH_TOKEN) to a GitHub App installation token`,
    );
  return token;
}

/**
 * The kind of the token. A workflow's GITHUB_TOKEN can only be recognised inside Actions
 * (GITHUB_ACTIONS=true), by comparing with GITHUB_TOKEN; elsewhere the kind comes from the prefix.
 */
export function cliTokenKind(io: CliIo, token: string): TokenKind {
  return classifyToken(token, {
    ...(io.env.GITHUB_ACTIONS === 'true' && io.env.GITHUB_TOKEN
      ? { githubToken: io.env.GITHUB_TOKEN }
      : {}),
  });
}

/** `owner/name` from --repo, else the origin remote of `dir`; a UsageError when neither. */
export async function cliRepository(
  command: string,
  dir: string,
  repo: string | undefined,
): Promise<{ fullName: string; owner: string; repo: string; origin: string }> {
  const origin = await originUrl(dir);
  const fullName = repo ?? repositoryFromRemote(origin);
  if (fullName === undefined)
    throw new UsageError(
      `rekey ${command}: the repository is unknown: pass --repo OWNER/NAME (no GitHub origin remote in ${dir})`,
    );
  return { fullName, ...parseRepository(fullName), origin };
}

/** The client for the origin's GitHub (`origin`: the remote URL, '' for github.com). */
export function cliClient(io: CliIo, token: string, origin: string, over: ClientOverrides = {}) {
  return createGitHubClient({
    token,
    ...githubEndpoints(io.env, origin),
    userAgent: 'rekey-cli',
    ...over,
  });
}

/** Who takes the distribution lease from a laptop: `cli:<user>@<host>:<pid>`. */
export function cliHolder(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `cli:${user}@${hostname()}:${process.pid}`;
}

/**
 * The CLI's `mask`: collects every value the command asks to hide (decrypted material and its
 * encodings) and the token, and scrubs them from each line before it is printed. The commands
 * never log a value; this is the second fence, as `core.setSecret` is in Actions.
 */
export function scrubber(io: CliIo) {
  const hidden = new Set<string>();
  const scrub = (text: string): string => {
    let out = text;
    for (const v of hidden) if (v.length >= 4) out = out.split(v).join('***');
    return out;
  };
  return {
    mask: (v: string) => void hidden.add(v),
    stdout: (text: string) => io.stdout(scrub(text)),
    stderr: (text: string) => io.stderr(scrub(text)),
  };
}

/**
 * What rotate and revoke do before their command, as the actions' `pullOpener` and
 * `readCheckout`: the repository, the token (a recognised GITHUB_TOKEN is refused before any
 * request unless allowed or a dry run), the GitHub ports, a scrubbing output that hides the
 * token, and the checkout of `dir`.
 */
export async function cliPullRun(
  io: CliIo,
  command: string,
  opts: {
    dir: string;
    repo: string | undefined;
    allowGithubToken: boolean;
    dryRun: boolean;
    client?: ClientOverrides;
  },
) {
  const at = await cliRepository(command, opts.dir, opts.repo);
  const token = cliToken(io, command);
  const kind = cliTokenKind(io, token);
  if (!opts.dryRun) assertCanOpenPulls(kind, { allowGithubToken: opts.allowGithubToken });
  const ports = createGitHubPorts(cliClient(io, token, at.origin, opts.client), at);
  const out = scrubber(io);
  out.mask(token);
  return { io: out, ports, checkout: await readCheckout(opts.dir) };
}

/** One line per key, `key: outcome (reason)`, as the actions log them. */
export function printKeyOutcomes(
  io: { readonly stdout: (text: string) => void; readonly stderr: (text: string) => void },
  keys: readonly { keyId: string; outcome: string; reason?: string }[],
): 'ok' | 'no-reviewer' {
  for (const k of keys) io.stdout(`${k.keyId}: ${k.outcome}${k.reason ? ` (${k.reason})` : ''}\n`);
  const errors = reviewerErrors(keys);
  for (const e of errors) io.stderr(`error: ${e}\n`);
  return errors.length > 0 ? 'no-reviewer' : 'ok';
}
