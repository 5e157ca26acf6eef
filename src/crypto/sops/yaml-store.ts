/**
 * YAML store: parsed with the `yaml` package (order, comments, every document), scalars
 * resolved as go-yaml v3 resolves them when sops decodes into interface{} (reference §8.1),
 * comments mapped into the tree as sops's YAML store does (head, line and foot comments become
 * comment items of the collection holding them). Written by a small emitter that follows
 * go-yaml's block style, so what sops reads back has the same types.
 *
 * Refused, as DESIGN.md's parsing rules require: aliases, merge keys, tags other than `!!str`,
 * duplicate keys, non-string keys, top-level sequences or scalars.
 *
 * One parser decides what a file says (src/core/yaml/parse-yaml.ts, js-yaml's events): before
 * this store reads a file with the `yaml` package (which it needs for comments and order),
 * the deciding loader must not refuse the file's syntax as a whole. On every file it accepts,
 * the `yaml` package reads the same values (test/core/yaml/differential.test.ts), so the
 * store and the loader that verify, plan and distribute use cannot disagree on what a
 * material file holds. Several documents are the one exception sops itself allows: each is
 * then read by this store alone.
 */
import type { Event } from 'js-yaml';
import type { Node as YNode } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { SourceLocation } from '../../core/diagnostics.ts';
import { parseYaml } from '../../core/yaml/index.ts';
import { MalformedSopsFileError, UnsupportedSopsFeatureError } from '../../core/ports/sops.ts';
import type { EmitOptions, LoadedFile, Store } from './store.ts';
import type { Branch, CommentItem, Leaf, List, Pair, Value } from './tree.ts';
import type { Scalar } from './values.ts';
import { goFormatFloat, resolvePlain } from './values.ts';
import { loadFromEvents } from './yaml-events.ts';

const commentItems = (text: string | null | undefined, inline = false): CommentItem[] =>
  text ? text.split('\n').map((line) => ({ t: 'comment', text: line, inline })) : [];

class Loader {
  readonly locations = new WeakMap<Leaf, SourceLocation>();
  readonly #file: string;
  readonly #lc: LineCounter;
  constructor(file: string, lc: LineCounter) {
    this.#file = file;
    this.#lc = lc;
  }

  at(node: { range?: readonly number[] | null } | null | undefined): SourceLocation {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file: this.#file, line: 0, column: 0 };
    const p = this.#lc.linePos(offset);
    return { file: this.#file, line: p.line, column: p.col };
  }

  unsupported(node: YNode | null | undefined, what: string): never {
    const at = this.at(node);
    throw new UnsupportedSopsFeatureError(this.#file, `line ${at.line}: ${what}`);
  }

  scalar(node: YNode): Scalar | { t: 'null' } {
    if (!isScalar(node)) return this.unsupported(node, 'expected a scalar');
    if (node.tag && node.tag !== 'tag:yaml.org,2002:str' && node.tag !== '!')
      this.unsupported(node, `the tag ${node.tag} is not supported; remove it`);
    const source = typeof node.source === 'string' ? node.source : String(node.value ?? '');
    if (node.tag || node.type !== 'PLAIN') return { t: 'str', v: source };
    const r = resolvePlain(source);
    if (r.t === 'uint64')
      return this.unsupported(node, 'an integer beyond int64 (sops cannot walk uint64)');
    return r;
  }

  value(node: YNode | null | undefined): Value {
    if (node === null || node === undefined) return { t: 'null' };
    if (isAlias(node)) return this.unsupported(node, 'YAML aliases are refused');
    if (isMap(node)) return this.branch(node as YNode & { items: unknown[] });
    if (isSeq(node)) {
      const items: (Value | CommentItem)[] = [...commentItems(node.commentBefore)];
      for (const item of node.items as (YNode | null)[]) {
        const n = item as
          (YNode & { commentBefore?: string | null; comment?: string | null }) | null;
        const leaf = n && isScalar(n);
        if (leaf) items.push(...commentItems(n.commentBefore), ...commentItems(n.comment, true));
        const v = this.value(n);
        if (v.t !== 'null' && v.t !== 'map' && v.t !== 'list') this.locations.set(v, this.at(n));
        items.push(v);
      }
      items.push(...commentItems(node.comment));
      return { t: 'list', items };
    }
    const s = this.scalar(node);
    if (s.t !== 'null') this.locations.set(s, this.at(node));
    return s;
  }

  branch(node: YNode): Branch {
    if (!isMap(node)) return this.unsupported(node, 'expected a map');
    const items: (Pair | CommentItem)[] = [...commentItems(node.commentBefore)];
    for (const pair of node.items) {
      const k = pair.key as YNode | null;
      if (!k || !isScalar(k)) return this.unsupported(k, 'map keys must be strings');
      const key = this.scalar(k);
      if (key.t !== 'str')
        return this.unsupported(k, 'map keys must be strings (sops refuses other keys)');
      if (key.v === '<<' && k.type === 'PLAIN') this.unsupported(k, 'YAML merge keys are refused');
      items.push(...commentItems(k.commentBefore), ...commentItems(k.comment, true));
      const v = pair.value as
        (YNode & { commentBefore?: string | null; comment?: string | null }) | null;
      const leafValue = !v || isScalar(v);
      if (v && leafValue)
        items.push(...commentItems(v.commentBefore), ...commentItems(v.comment, true));
      items.push({ t: 'pair', key: key.v, value: this.value(v) });
    }
    items.push(...commentItems(node.comment));
    return { t: 'map', items };
  }
}

export const yamlStore: Store = {
  name: 'yaml',
  load(file: string, text: string): LoadedFile {
    const decided = refuseWhatTheLoaderRefuses(file, text);
    return (
      (decided && loadFromEvents(file, text, decided.value, decided.events)) ??
      loadWithYamlPackage(file, text)
    );
  },
  emit(branches, metadata, options: EmitOptions): string {
    const indent = options.indent ?? 4;
    const docs = branches.map((b) => {
      const withMeta = metadata
        ? {
            t: 'map' as const,
            items: [...b.items, { t: 'pair' as const, key: 'sops', value: fromPlain(metadata) }],
          }
        : b;
      return emitBranch(withMeta, 0, indent)
        .map((l) => l + '\n')
        .join('');
    });
    return docs.join('---\n');
  },
};

/**
 * The comment-preserving path (every file the event path does not take): the `yaml`
 * package's documents, after the deciding loader has accepted the syntax. Exported for the
 * tests that hold the two paths to the same tree.
 */
export function loadWithYamlPackage(file: string, text: string): LoadedFile {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, strict: true });
  const loader = new Loader(file, lc);
  if (!Array.isArray(docs))
    return { branches: [], metadata: undefined, reserved: false, locations: loader.locations };
  const branches: Branch[] = [];
  let metadata: unknown;
  let reserved = false;
  docs.forEach((doc, i) => {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      const p = lc.linePos(problem.pos[0]);
      // The parser's message may quote source text, which may be plaintext: keep the code only.
      throw new MalformedSopsFileError(
        { file, line: p.line, column: p.col },
        `invalid YAML (${problem.code})`,
      );
    }
    const contents = doc.contents as YNode | null;
    if (contents && isSeq(contents))
      loader.unsupported(contents, 'YAML documents that are sequences are not supported');
    if (contents && isScalar(contents) && contents.value !== null)
      loader.unsupported(contents, 'YAML documents that are values are not supported');
    const b =
      contents && isMap(contents) ? loader.branch(contents) : { t: 'map' as const, items: [] };
    const top: (Pair | CommentItem)[] = [...commentItems(doc.commentBefore)];
    for (const item of b.items) {
      if (item.t === 'pair' && item.key === 'sops') {
        reserved = true;
        // Only the first document's metadata counts; later ones are stripped (metadata.go:106-131).
        if (i === 0 && contents && isMap(contents))
          metadata = (contents.get('sops', true) as YNode | undefined)?.toJSON();
        continue;
      }
      top.push(item);
    }
    top.push(...commentItems(doc.comment));
    branches.push({ t: 'map', items: top });
  });
  return { branches, metadata, reserved, locations: loader.locations };
}

/** Findings of the deciding loader that refuse a file's syntax as a whole. */
const SYNTAX_REFUSALS: ReadonlySet<string> = new Set([
  'yaml/encoding',
  'yaml/syntax',
  'yaml/ambiguous-syntax',
  'yaml/warning',
  'yaml/directive',
  'yaml/too-deep',
]);
const encoder = new TextEncoder();

/**
 * Throws when the deciding loader refuses the file's syntax. Returns its value when it read
 * the file without any finding (the fast path may then build the tree from its events), and
 * its events when they index this very text (so the fast path does not parse again).
 */
function refuseWhatTheLoaderRefuses(
  file: string,
  text: string,
): { value: Record<string, unknown>; events: readonly Event[] | undefined } | undefined {
  const bytes = encoder.encode(text);
  // The size cap is the callers' (sops files may be larger than a manifest); syntax is not.
  const parsed = parseYaml(file, bytes, { maxBytes: bytes.length }, { keepEvents: true });
  const refused = parsed.diagnostics.find((d) => SYNTAX_REFUSALS.has(d.rule));
  if (refused)
    throw new MalformedSopsFileError(
      { file, line: refused.line, column: refused.column },
      `invalid YAML (${refused.rule})`,
    );
  if (parsed.diagnostics.length > 0) return undefined;
  const v = parsed.value;
  const events = parsed.text === text ? parsed.events : undefined;
  if (v === null) return { value: {}, events };
  return typeof v === 'object' && !Array.isArray(v)
    ? { value: v as Record<string, unknown>, events }
    : undefined;
}

/** Plain metadata objects to a tree (strings, numbers as ints, booleans, lists, maps). */
function fromPlain(v: unknown): Value {
  if (Array.isArray(v)) return { t: 'list', items: v.map(fromPlain) };
  if (v !== null && typeof v === 'object')
    return {
      t: 'map',
      items: Object.entries(v).map(([key, x]) => ({ t: 'pair', key, value: fromPlain(x) })),
    };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return { t: 'int', v: BigInt(v) };
  if (v === null || v === undefined) return { t: 'null' };
  return { t: 'str', v: String(v) };
}

const sp = (n: number) => ' '.repeat(n);

/**
 * `blockIndent` is where a literal block's content goes: `col + indent` for a plain map, two
 * past the key for a map inside a list item (where go-yaml puts it: `- enc: |` then the
 * armored stanza two columns right of `enc`).
 */
function emitBranch(b: Branch, col: number, indent: number, blockIndent = col + indent): string[] {
  const lines: string[] = [];
  for (const item of b.items) {
    if (item.t === 'comment') {
      lines.push(`${sp(col)}#${item.text}`);
      continue;
    }
    const head = `${sp(col)}${plainOrQuoted(item.key)}:`;
    lines.push(...emitValueAfter(head, item.value, col, col + indent, indent, blockIndent));
  }
  return lines;
}

function emitList(l: List, col: number, indent: number): string[] {
  const lines: string[] = [];
  for (const item of l.items) {
    if (item.t === 'comment') {
      lines.push(`${sp(col)}#${item.text}`);
      continue;
    }
    if ((item.t === 'map' || item.t === 'list') && item.items.length > 0) {
      const inner =
        item.t === 'map'
          ? emitBranch(item, col + 2, indent, col + 4)
          : emitList(item, col + 2, indent);
      const first = inner[0] ?? '';
      if (first.trimStart().startsWith('#')) lines.push(`${sp(col)}-`, ...inner);
      else lines.push(`${sp(col)}- ${first.slice(col + 2)}`, ...inner.slice(1));
      continue;
    }
    lines.push(...emitValueAfter(`${sp(col)}-`, item, col, col + 2, indent));
  }
  return lines;
}

/** Lines for `head` (a `key:` or `-`) followed by value `v`; nested content goes at `inner`. */
function emitValueAfter(
  head: string,
  v: Value,
  col: number,
  inner: number,
  indent: number,
  blockIndent = inner,
): string[] {
  switch (v.t) {
    case 'map':
      return v.items.length === 0 ? [`${head} {}`] : [head, ...emitBranch(v, inner, indent)];
    case 'list':
      // go-yaml indents a sequence under a key by the indent, like a map.
      return v.items.length === 0 ? [`${head} []`] : [head, ...emitList(v, col + indent, indent)];
    case 'null':
      return [`${head} null`];
    case 'str': {
      const block = literalBlock(v.v, blockIndent);
      return block ? [`${head} ${block[0]}`, ...block.slice(1)] : [`${head} ${plainOrQuoted(v.v)}`];
    }
    default:
      return [`${head} ${scalarYaml(v)}`];
  }
}

function scalarYaml(s: Scalar): string {
  switch (s.t) {
    case 'str':
      return plainOrQuoted(s.v);
    case 'int':
      return s.v.toString();
    case 'bool':
      return s.v ? 'true' : 'false';
    case 'time':
      return s.v;
    case 'float': {
      if (Number.isNaN(s.v)) return '.nan';
      if (s.v === Infinity) return '.inf';
      if (s.v === -Infinity) return '-.inf';
      // Unlike go-yaml (which writes 5.0 as `5`, read back as an int), keep it a float.
      const t = goFormatFloat(s.v);
      return /[.eE]/.test(t) ? t : `${t}.0`;
    }
  }
}

// Printable and safe for a plain scalar in block context; the rest is checked below.
const PLAIN_SAFE = /^[^\s\-?:,[\]{}#&*!|>'"%@`][^\n\r\t]*$/u;
const NON_PRINTABLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/u;

/**
 * Text that is always written plain, checked first because nearly every value rekey writes is
 * such text (ENC strings, base64, ids): a letter, then letters, digits and `+/=_.,-[]`, with
 * `:` allowed only before one of those (never `: `, never at the end). Of these, only the
 * null and boolean words resolve to something else; they are at most five letters long.
 */
const ALWAYS_PLAIN = /^[A-Za-z](?:[A-Za-z0-9+/=_.,[\]-]|:(?=[A-Za-z0-9+/=_.,[\]-]))*$/;

function plainOrQuoted(s: string): string {
  if (s.length > 5 && ALWAYS_PLAIN.test(s)) return s;
  const plain =
    PLAIN_SAFE.test(s) &&
    !NON_PRINTABLE.test(s) &&
    !/\s$/.test(s) &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !s.endsWith(':') &&
    !s.startsWith('---') &&
    !s.startsWith('...') &&
    s !== '<<' &&
    resolvePlain(s).t === 'str';
  return plain ? s : doubleQuoted(s);
}

const NON_PRINTABLE_ALL = new RegExp(NON_PRINTABLE.source, 'gu');

function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(
    NON_PRINTABLE_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A literal block (`|`, `|-`, `|+`) for multi-line text, or undefined when quoting is safer. */
function literalBlock(s: string, col: number): string[] | undefined {
  if (!s.includes('\n') || NON_PRINTABLE.test(s) || s.includes('\r') || /^[ \t]/.test(s))
    return undefined;
  const body = s.replace(/\n+$/, '');
  if (body === '' || body.startsWith('\n')) return undefined;
  const trailing = s.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const lines = body.split('\n').map((l) => (l === '' ? '' : sp(col) + l));
  const extra = trailing > 1 ? Array.from({ length: trailing - 1 }, () => '') : [];
  return [`|${chomp}`, ...lines, ...extra];
}
