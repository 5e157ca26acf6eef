/**
 * Names of things on GitHub, as key.yaml targets write them, checked against GitHub's own
 * rules (docs/formats.md "Names" quotes the sources). A name GitHub would never accept is a
 * typo at best; at worst it is a path (`acme/..`, `../..`) that an API client would turn into
 * another URL, or a newline that forges a line in a log or a summary. Where GitHub documents
 * no character set (environments, deploy-key titles), rekey accepts a narrower, printable one.
 *
 * Comparisons: owners, repositories, environments and secret names are case-insensitive on
 * GitHub (secret names are stored upper-cased), so targets/ownership.ts compares their
 * {@link canonicalName}.
 */
import { z } from 'zod';

/**
 * User and organization logins: letters, digits and single hyphens, not first or last, at
 * most 39 characters.
 */
const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}';
export const OWNER_PATTERN = new RegExp(`^${OWNER}$`);

/** `owner/name`, the name of ASCII letters, digits, `.`, `-` and `_`, at most 100 characters. */
const REPOSITORY_PATTERN = new RegExp(`^${OWNER}/[A-Za-z0-9._-]{1,100}$`);

export const owner = z
  .string()
  .regex(
    OWNER_PATTERN,
    'expected a GitHub user or organization: letters, digits and single hyphens (not first or last), at most 39 characters',
  );

const nameOf = (s: string) => s.slice(s.indexOf('/') + 1);
const GIT_OR_WIKI = /\.(git|wiki)$/i;

/** `owner/name`; `.` and `..` are not repositories, and GitHub strips or refuses `.git`/`.wiki`. */
export const repository = z
  .string()
  .regex(REPOSITORY_PATTERN, {
    message:
      'expected owner/name: the owner letters, digits and single hyphens (at most 39), the name letters, digits, ".", "-" and "_" (at most 100)',
    abort: true,
  })
  .refine((s) => nameOf(s) !== '.' && nameOf(s) !== '..', {
    message: '"." and ".." are not repository names',
    abort: true,
  })
  .refine(
    (s) => !GIT_OR_WIKI.test(nameOf(s)),
    'a repository name never ends in .git or .wiki on GitHub (.git names the same repository without it)',
  );

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GITHUB_PREFIX = /^GITHUB_/i;

/** Letters, digits and `_`, not starting with a digit, not `GITHUB_...` (any case). */
export const secretName = z
  .string()
  .max(200)
  .regex(SECRET_NAME, 'secret names are letters, digits and _, not starting with a digit')
  .refine((s) => !GITHUB_PREFIX.test(s), 'secret names may not start with GITHUB_');

/**
 * Characters that are never part of a name rekey writes: controls (newlines, NUL, escapes),
 * format characters (bidirectional overrides, zero-width), line and paragraph separators,
 * private-use and unassigned code points, and `\`.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\\]/u;

/** A printable, trimmed name: no {@link UNPRINTABLE} character, no space at either end. */
function printable(what: string, max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine(
      (s) => !UNPRINTABLE.test(s),
      `${what} may not contain control, format or invisible characters, or a backslash`,
    )
    .refine((s) => s.trim() === s, `${what} may not start or end with a space`);
}

/** An empty, `.` or `..` segment between `/`s. */
const pathLikeSegment = (s: string) =>
  s.split('/').some((seg) => seg === '' || seg === '.' || seg === '..');

/**
 * Environments: at most 255 characters, unique within the repository, case-insensitive.
 * GitHub documents no character set; rekey refuses unprintable characters and path-like
 * names (a `.` or `..` segment, an empty segment).
 */
export const environmentName = printable('an environment name', 255).refine(
  (s) => !pathLikeSegment(s),
  'an environment name may not be or contain a "." or ".." segment, or start or end with "/"',
);

/** The marker rekey appends to the deploy keys it adds; a title must not imitate it. */
const DEPLOY_KEY_MARKER = /\(rekey /i;

/**
 * Deploy-key titles: rekey writes `<title> (rekey <key-id> v<N>)` (targets/desired.ts), so a
 * title is printable, at most 100 characters, and never contains the `(rekey ` marker.
 */
export const deployKeyTitle = printable('a deploy key title', 100).refine(
  (s) => !DEPLOY_KEY_MARKER.test(s),
  'a deploy key title may not contain "(rekey ": rekey appends that marker itself',
);

/** How GitHub compares a name: case-insensitively (secret names are stored upper-cased). */
export function canonicalName(s: string): string {
  return s.toUpperCase();
}

/*
 * The same rules as plain predicates, for the key.yaml fast path (./key-fast.ts): each is true
 * exactly when its schema above accepts the value (test/core/formats/key-fast.test.ts checks
 * every one against its schema on generated strings). The schemas stay the source of truth.
 */
const isPrintable = (s: string, max: number) =>
  s.length >= 1 && s.length <= max && !UNPRINTABLE.test(s) && s.trim() === s;
export const isOwner = (s: string): boolean => OWNER_PATTERN.test(s);
export const isRepository = (s: string): boolean => {
  if (!REPOSITORY_PATTERN.test(s)) return false;
  const name = nameOf(s);
  return name !== '.' && name !== '..' && !GIT_OR_WIKI.test(name);
};
export const isSecretName = (s: string): boolean =>
  s.length <= 200 && SECRET_NAME.test(s) && !GITHUB_PREFIX.test(s);
export const isEnvironmentName = (s: string): boolean => isPrintable(s, 255) && !pathLikeSegment(s);
export const isDeployKeyTitle = (s: string): boolean =>
  isPrintable(s, 100) && !DEPLOY_KEY_MARKER.test(s);
