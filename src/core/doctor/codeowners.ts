/**
 * CODEOWNERS as GitHub reads it, to answer one question: who must review a change to a path.
 *
 * - Where: GitHub uses the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` that
 *   exists; the others are ignored entirely.
 * - Lines: `pattern owner...`; `#` starts a comment (`\#` escapes it in a pattern); owners are
 *   `@user`, `@org/team` or an e-mail address.
 * - Patterns follow .gitignore with GitHub's exceptions: no `!` negation and no `[...]`
 *   ranges (such lines are skipped, as GitHub skips an invalid line), and `dir/*` matches the
 *   files directly in `dir` but not deeper.
 * - The LAST matching line wins, and a line without owners leaves the path without owners: a
 *   catch-all near the top is undone by a more specific ownerless line further down.
 *
 * Pure: the file's text in, answers out.
 */

/** Where GitHub looks, in the order it looks. */
export const CODEOWNERS_LOCATIONS = [
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'docs/CODEOWNERS',
] as const;

export interface CodeownersRule {
  /** 1-based line in the file. */
  readonly line: number;
  readonly pattern: string;
  readonly owners: readonly string[];
  readonly regex: RegExp;
}

export interface CodeownersProblem {
  readonly line: number;
  readonly message: string;
}

export interface Codeowners {
  readonly file: string;
  readonly rules: readonly CodeownersRule[];
  /** Lines GitHub would skip (unsupported syntax, malformed owners). */
  readonly problems: readonly CodeownersProblem[];
}

/** The file GitHub uses among `present` paths, or undefined when there is none. */
export function codeownersFile(present: (path: string) => boolean): string | undefined {
  return CODEOWNERS_LOCATIONS.find(present);
}

const OWNER = /^(@[A-Za-z0-9](?:[A-Za-z0-9-]*)(?:\/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/;

/** Splits a line at unescaped whitespace and drops an unescaped `#` comment. */
function tokens(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += c + line[i + 1]!;
      i++;
    } else if (c === '#') break;
    else if (c === ' ' || c === '\t') {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

export function parseCodeowners(file: string, text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const problems: CodeownersProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const [pattern, ...owners] = tokens(raw);
    if (pattern === undefined) return;
    if (pattern.startsWith('!')) {
      problems.push({
        line,
        message: `\`${pattern}\`: negation (!) is not supported in CODEOWNERS`,
      });
      return;
    }
    if (/(^|[^\\])\[/.test(pattern)) {
      problems.push({
        line,
        message: `\`${pattern}\`: character ranges ([...]) are not supported in CODEOWNERS`,
      });
      return;
    }
    const bad = owners.filter((o) => !OWNER.test(o));
    if (bad.length > 0) {
      problems.push({
        line,
        message: `\`${pattern}\`: ${bad.map((b) => `\`${b}\``).join(', ')} is not an owner (@user, @org/team or an e-mail address); GitHub skips the line`,
      });
      return;
    }
    rules.push({ line, pattern, owners, regex: patternRegex(pattern) });
  });
  return { file, rules, problems };
}

const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A glob (no leading or trailing slash) as a regex body: `*` and `?` stay within a segment. */
function globBody(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      out += escape(glob[++i]!);
    } else if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
      if (atStart && glob[i + 2] === '/') {
        out += '(?:.*/)?'; // `**/`: any number of folders, including none
        i += 2;
      } else if (atStart && atEnd) {
        out += '.*'; // a trailing `/**`: everything inside
        i += 1;
      } else {
        out += '[^/]*'; // `**` inside a name acts like `*`
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += escape(c);
  }
  return out;
}

/**
 * The regex a pattern matches full repository paths with. A pattern with a slash at its start
 * or in its middle is anchored at the root; otherwise it matches at any depth. A match on a
 * folder covers everything below it, except after a final `/*` (GitHub's rule). A trailing
 * slash matches folders only.
 */
export function patternRegex(pattern: string): RegExp {
  const dirOnly = pattern.endsWith('/') && !pattern.endsWith('\\/');
  let p = dirOnly ? pattern.slice(0, -1) : pattern;
  const anchored = p.startsWith('/') || p.includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  if (p === '') return /^.*$/; // `/` alone: the whole repository
  const shallow = p.endsWith('/*');
  const prefix = anchored || p.startsWith('**/') ? '^' : '^(?:.*/)?';
  const suffix = dirOnly ? '/.*' : shallow ? '' : '(?:/.*)?';
  return new RegExp(`${prefix}${globBody(p)}${suffix}$`);
}

/** The rule that decides `path` (the last match), or undefined when no line matches. */
export function decidingRule(co: Codeowners, path: string): CodeownersRule | undefined {
  for (let i = co.rules.length - 1; i >= 0; i--)
    if (co.rules[i]!.regex.test(path)) return co.rules[i];
  return undefined;
}

/** The owners GitHub requests for `path`: empty when no line matches or the last match has none. */
export function ownersOf(co: Codeowners, path: string): readonly string[] {
  return decidingRule(co, path)?.owners ?? [];
}
