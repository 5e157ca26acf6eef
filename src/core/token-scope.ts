/**
 * The repositories distribution writes to, for the targets token's `repositories:` input
 * (docs/workflows.md, "The distribute workflow"): every repository a `github-secret` or
 * `github-deploy-key` target names, in the key.yaml files given (the default branch's, and
 * every version of them in its history, so a target taken out of key.yaml stays reachable
 * for the clean-up of what rekey wrote there). Organization secrets need no repository.
 *
 * Files are read leniently (an old key.yaml that no longer passes the schema still names its
 * targets); a malformed entry is skipped: a narrower list can only make a write fail, never
 * widen the token. Pure.
 */
import { parseYaml } from './yaml/index.ts';

type YamlMap = { readonly [key: string]: unknown };
const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/** owner/name of every repository target in one key.yaml. */
export function repositoriesOfKeyFile(file: string, bytes: Uint8Array): string[] {
  const doc = parseYaml(file, bytes).value;
  const targets = isMap(doc) && Array.isArray(doc['targets']) ? doc['targets'] : [];
  const out: string[] = [];
  for (const t of targets) {
    if (!isMap(t) || (t['kind'] !== 'github-secret' && t['kind'] !== 'github-deploy-key')) continue;
    const repo = t['repository'];
    if (typeof repo === 'string' && REPOSITORY.test(repo) && !/^\.\.?$/.test(repo.split('/')[1]!))
      out.push(repo);
  }
  return out;
}

/** GitHub: "Up to 500 repositories can be listed" when creating an installation access token. */
export const MAX_TOKEN_REPOSITORIES = 500;

export class TokenScopeError extends Error {
  override readonly name = 'TokenScopeError';
}

/**
 * The names (without owner) for `repositories:`, sorted and unique (GitHub compares names
 * case-insensitively). A repository of another owner cannot be in one installation token: an
 * error names it. Never empty: an empty `repositories:` mints a token for EVERY repository of
 * the owner, so with no target repository the list is the keys repository alone.
 */
export function tokenRepositories(
  repositories: Iterable<string>,
  keysRepository: string,
): string[] {
  const [owner = '', keysName = ''] = keysRepository.split('/');
  const names = new Map<string, string>();
  const foreign = new Set<string>();
  for (const full of repositories) {
    const [o = '', name = ''] = full.split('/');
    if (o.toLowerCase() !== owner.toLowerCase()) foreign.add(full);
    else if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  if (foreign.size > 0)
    throw new TokenScopeError(
      `${[...foreign].sort().join(', ')} ${foreign.size === 1 ? 'is' : 'are'} not owned by ${owner}: one App installation token reaches one owner's repositories; distribute to another owner from a keys repository there`,
    );
  if (names.size > MAX_TOKEN_REPOSITORIES)
    throw new TokenScopeError(
      `the targets name ${names.size} repositories; one installation token can list at most ${MAX_TOKEN_REPOSITORIES} (GitHub's "Create an installation access token"): split the keys into several keys repositories or distribution jobs`,
    );
  if (names.size === 0) names.set(keysName.toLowerCase(), keysName);
  return [...names.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}
