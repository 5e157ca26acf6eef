/**
 * sops evaluates `path_regex` and the crypt regexes with Go's RE2 (`regexp.MatchString`,
 * unanchored). rekey evaluates them with JavaScript's RegExp. The two agree on the common
 * subset; this module accepts a pattern only when it is in that subset (after a few exact
 * rewrites), so a rule never matches differently in rekey than in sops.
 *
 * Rejected, because JavaScript would accept them and RE2 would refuse the whole config:
 * lookahead/lookbehind `(?=` `(?!` `(?<=` `(?<!`, backreferences `\1`..`\9` and `\k<name>`.
 * Rejected, because RE2 accepts them and JavaScript would read them differently:
 * `\Q…\E`, POSIX classes `[[:alpha:]]`, `\pL` / `\p{Greek}`, `\C`, `\z` inside classes, inline
 * flags other than a leading `(?i)`/`(?s)`/`(?m)`/`(?U)`, and `(?flags:…)` groups.
 * Rewritten exactly: a leading `(?i)`, `(?s)`, `(?m)` (and combinations) become RegExp flags,
 * `(?P<name>` becomes `(?<name>`, `\A` becomes `^` and `\z` becomes `$` (JavaScript's `$`
 * without the m flag, like RE2's `\z`, matches only at the end of the input).
 * Known, accepted difference: `\s` in JavaScript also matches Unicode spaces; RE2's `\s` is
 * `[\t\n\f\r ]`. Paths and YAML keys with such characters are vanishingly rare.
 */
export type Re2Result = { readonly regex: RegExp } | { readonly problem: string };

export function compileRe2(pattern: string): Re2Result {
  let flags = '';
  let body = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    const f = lead[1] ?? '';
    if (f.includes('U'))
      return { problem: 'the RE2 flag U (ungreedy) has no JavaScript equivalent' };
    flags = [...new Set(f)].join('');
    body = body.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    const next = body[i + 1];
    if (c === '\\') {
      if (next === undefined) return { problem: 'a trailing backslash' };
      if (/[1-9]/.test(next)) return { problem: 'backreferences (\\1) are not supported by RE2' };
      if (next === 'k' && body[i + 2] === '<')
        return { problem: 'named backreferences (\\k<name>) are not supported by RE2' };
      if (next === 'Q' || next === 'E')
        return { problem: '\\Q…\\E quoting means nothing in JavaScript' };
      if (next === 'p' || next === 'P')
        return {
          problem: 'Unicode classes (\\p) are read differently by JavaScript; list the characters',
        };
      if (next === 'C') return { problem: '\\C (any byte) has no JavaScript equivalent' };
      if (!inClass && next === 'A') {
        out += '^';
        i++;
        continue;
      }
      if (!inClass && next === 'z') {
        out += '$';
        i++;
        continue;
      }
      if (inClass && (next === 'A' || next === 'z'))
        return { problem: `\\${next} inside a character class` };
      if (next === 'Z') return { problem: '\\Z is not supported by RE2; use \\z or $' };
      out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && next === ':')
        return { problem: 'POSIX classes ([[:alpha:]]) are not supported by JavaScript' };
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in RE2 and an empty class in JavaScript.
      if (next === ']' || (next === '^' && body[i + 2] === ']'))
        return {
          problem: 'a class starting with ] is read differently by JavaScript; escape it as \\]',
        };
      continue;
    }
    if (c === '(' && next === '?') {
      const rest = body.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith('<') && !rest.startsWith('<=') && !rest.startsWith('<!')) {
        out += c;
        continue;
      }
      if (rest.startsWith(':')) {
        out += c;
        continue;
      }
      if (/^(=|!|<=|<!)/.test(rest))
        return { problem: 'lookahead and lookbehind are not supported by RE2' };
      return { problem: 'inline flags are only supported at the start of the pattern' };
    }
    out += c;
  }
  try {
    return { regex: new RegExp(out, flags) };
  } catch (e) {
    return { problem: `not a valid regular expression (${(e as Error).message})` };
  }
}
