/**
 * The context references inside `${{ ... }}` expressions, found without evaluating anything:
 * string literals are skipped, and each reference is returned as its lower-cased path
 * segments (`github.event.pull_request.title` and `github['event']['pull_request'].title`
 * both give ['github', 'event', 'pull_request', 'title']; `x.*.y` gives a '*' segment).
 * Contexts and property names are case-insensitive in GitHub expressions, hence lower case.
 */

/** The text of every `${{ ... }}` in `text`, in order. An unclosed one runs to the end. */
export function expressionsIn(text: string): string[] {
  const out: string[] = [];
  let at = text.indexOf('${{');
  while (at !== -1) {
    const end = closingBraces(text, at + 3);
    out.push(text.slice(at + 3, end === -1 ? text.length : end));
    if (end === -1) break;
    at = text.indexOf('${{', end + 2);
  }
  return out;
}

/** The offset of the `}}` that closes an expression starting at `from`, skipping strings. */
function closingBraces(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "'") i = stringEnd(text, i);
    else if (c === '}' && text[i + 1] === '}') return i;
  }
  return -1;
}

/** The offset of the quote that ends the string literal opening at `open` ('' is an escape). */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") i++;
    else return i;
  }
  return text.length;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_-]/;

/** Every context reference in one expression's text, as lower-cased path segments. */
export function referencesIn(expression: string): string[][] {
  const refs: string[][] = [];
  let i = 0;
  const n = expression.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(expression[i]!)) i++;
  };
  const ident = (): string => {
    const start = i;
    while (i < n && IDENT.test(expression[i]!)) i++;
    return expression.slice(start, i).toLowerCase();
  };
  while (i < n) {
    const c = expression[i]!;
    if (c === "'") {
      i = stringEnd(expression, i) + 1;
      continue;
    }
    // A number such as 1.5e3 or 0x1F is not a reference.
    if (/[0-9]/.test(c)) {
      while (i < n && /[0-9A-Za-z_.]/.test(expression[i]!)) i++;
      continue;
    }
    if (!IDENT_START.test(c)) {
      i++;
      continue;
    }
    const path = [ident()];
    skipSpace();
    if (expression[i] === '(') continue; // a function call: its arguments are scanned next
    for (;;) {
      skipSpace();
      if (expression[i] === '.') {
        i++;
        skipSpace();
        if (expression[i] === '*') {
          i++;
          path.push('*');
        } else if (i < n && IDENT_START.test(expression[i]!)) path.push(ident());
        else break;
      } else if (expression[i] === '[') {
        const save = i;
        i++;
        skipSpace();
        if (expression[i] === "'") {
          const end = stringEnd(expression, i);
          path.push(
            expression
              .slice(i + 1, end)
              .replaceAll("''", "'")
              .toLowerCase(),
          );
          i = end + 1;
        } else if (expression[i] === '*') {
          i++;
          path.push('*');
        } else {
          // A computed index such as [matrix.i]: the path stops here, the index is
          // scanned as a reference of its own.
          i = save + 1;
          break;
        }
        skipSpace();
        if (expression[i] === ']') i++;
      } else break;
    }
    refs.push(path);
  }
  return refs;
}
