import { CORE_SCHEMA, EVENT_ID, getScalarValue, NOT_RESOLVED, SCALAR_STYLE } from 'js-yaml';
import type { Event, MappingEvent, ScalarEvent, SequenceEvent } from 'js-yaml';
import { yaml11Reading } from './ambiguity.ts';
import type { Findings } from './findings.ts';
import type { YamlRule } from './rules.ts';
import type { LineIndex } from './text.ts';
import { FORBIDDEN_KEYS, tagKind, VALUE_IS_A_GUESS } from './walk.ts';

type Content = Exclude<Event, { type: typeof EVENT_ID.DOCUMENT | typeof EVENT_ID.POP }>;

/**
 * One pass over js-yaml's flat event stream (the deciding parser, see parse-yaml.ts): builds
 * the plain value and applies the node rules. The events carry offsets, styles and the
 * ranges of anchors and tags, so every rule and every position comes from the same parse
 * that produced the value. Nothing is constructed by js-yaml: aliases are never resolved,
 * tags never applied, `<<` never merged.
 *
 * Recursion is bounded: the parser refuses nesting past the depth it was given (the cap
 * plus one) before any event reaches this walk.
 */
export class EventWalk {
  /** Set when the value is no longer faithful to the text (see VALUE_IS_A_GUESS). */
  guessed = false;
  #i = 0;
  #nodes = 0;
  #deepReported = false;
  readonly #events: readonly Event[];
  readonly #text: string;
  readonly #findings: Findings;
  readonly #lines: LineIndex;
  readonly #maxDepth: number;
  readonly #maxNodes: number;

  constructor(
    events: readonly Event[],
    text: string,
    findings: Findings,
    lines: LineIndex,
    limits: { maxDepth: number; maxNodes: number },
  ) {
    this.#events = events;
    this.#text = text;
    this.#findings = findings;
    this.#lines = lines;
    this.#maxDepth = limits.maxDepth;
    this.#maxNodes = limits.maxNodes;
  }

  #add(rule: YamlRule, message: string, offset: number): void {
    if (VALUE_IS_A_GUESS.has(rule)) this.guessed = true;
    this.#findings.add(rule, message, this.#lines.position(offset));
  }

  /** The first document's value (null for an empty one); events[0] is its DOCUMENT event. */
  document(): unknown {
    this.#i = 1;
    const first = this.#events[1];
    if (first === undefined || first.type === EVENT_ID.POP || first.type === EVENT_ID.DOCUMENT)
      return null;
    return this.#build(0);
  }

  #build(depth: number): unknown {
    const ev = this.#events[this.#i] as Content;
    if (++this.#nodes > this.#maxNodes) {
      if (this.#nodes === this.#maxNodes + 1)
        this.#add('yaml/too-many-nodes', `more than ${this.#maxNodes} values`, startOf(ev));
      this.#i = skip(this.#events, this.#i);
      return null;
    }
    if (ev.type === EVENT_ID.ALIAS) {
      this.#i++;
      this.#add('yaml/alias', 'aliases (*name) are not allowed; write the value out', startOf(ev));
      return null;
    }
    this.#properties(ev);
    if (ev.type === EVENT_ID.SCALAR) {
      this.#i++;
      return this.#scalar(ev);
    }
    if (depth >= this.#maxDepth) {
      if (!this.#deepReported)
        this.#add('yaml/too-deep', `nested deeper than ${this.#maxDepth} levels`, ev.start);
      this.#deepReported = true;
      this.#i = skip(this.#events, this.#i);
      return null;
    }
    this.#i++;
    const events = this.#events;
    if (ev.type === EVENT_ID.SEQUENCE) {
      const out: unknown[] = [];
      while (events[this.#i]!.type !== EVENT_ID.POP) out.push(this.#build(depth + 1));
      this.#i++;
      return out;
    }
    const out: Record<string, unknown> = {};
    while (events[this.#i]!.type !== EVENT_ID.POP) {
      const key = this.#key(out);
      const value = this.#build(depth + 1);
      // Only keys that passed #key are assigned: strings, never __proto__ and friends.
      if (key !== undefined) out[key] = value;
    }
    this.#i++;
    return out;
  }

  /** Anchors and tags are refused wherever they appear: keys, values, collections. */
  #properties(ev: ScalarEvent | SequenceEvent | MappingEvent): void {
    if (ev.anchorStart !== -1)
      // The range excludes the `&`.
      this.#add('yaml/anchor', 'anchors (&name) are not allowed', ev.anchorStart - 1);
    if (ev.tagStart !== -1)
      this.#add(
        'yaml/tag',
        `explicit tags (${tagKind(tagName(this.#text.slice(ev.tagStart, ev.tagEnd)))}) are not allowed; remove it`,
        ev.tagStart,
      );
  }

  /** The YAML 1.2 core-schema value of a scalar (its text `source`), as the `yaml` package composes it. */
  #resolve(ev: ScalarEvent, source: string): unknown {
    if (ev.tagStart !== -1) {
      const name = tagName(this.#text.slice(ev.tagStart, ev.tagEnd));
      // `!` (non-specific) and unknown tags leave the text a string; core tags resolve it.
      const tag = name === '!' ? undefined : CORE_SCHEMA.lookupScalarTag(name);
      if (tag === undefined) return source;
      const value: unknown = tag.resolve(source, true, name);
      if (value === NOT_RESOLVED) {
        this.guessed = true;
        return null;
      }
      return value;
    }
    if (ev.style !== SCALAR_STYLE.PLAIN || isPlainString(source)) return source;
    return CORE_SCHEMA.resolveImplicitScalarTag(source).value;
  }

  #scalar(ev: ScalarEvent): unknown {
    const source = getScalarValue(this.#text, ev);
    const value = this.#resolve(ev, source);
    if (ev.style === SCALAR_STYLE.PLAIN && ev.tagStart === -1) {
      const reading = yaml11Reading(source, value);
      if (reading !== undefined)
        this.#add(
          'yaml/ambiguous-scalar',
          `YAML 1.1 readers take this plain value as ${reading}; quote it ("...") if you mean text, or write a plain decimal number`,
          startOf(ev),
        );
    }
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) {
          this.#add(
            'yaml/non-finite-number',
            'infinite and NaN numbers are not allowed',
            startOf(ev),
          );
          return null;
        }
        if (Number.isInteger(value) && !Number.isSafeInteger(value))
          this.#add(
            'yaml/unsafe-integer',
            'integer is too large to be read exactly; quote it if it is an identifier',
            startOf(ev),
          );
        return value;
      default:
        // null, or what a tag produced (already reported): nothing non-JSON gets through.
        if (value !== null) this.guessed = true;
        return null;
    }
  }

  /** Consumes the key's events; the key as a string, or undefined (after a finding). */
  #key(seen: Record<string, unknown>): string | undefined {
    const ev = this.#events[this.#i] as Content;
    if (ev.type === EVENT_ID.ALIAS) {
      this.#i++;
      this.#add('yaml/alias', 'aliases (*name) are not allowed; write the key out', startOf(ev));
      return undefined;
    }
    if (ev.type !== EVENT_ID.SCALAR) {
      this.#add('yaml/non-string-key', 'map keys must be strings, not lists or maps', ev.start);
      // Counted like any node, but not walked: the old loader reported nothing inside a key.
      this.#nodes++;
      this.#i = skip(this.#events, this.#i);
      return undefined;
    }
    this.#i++;
    this.#properties(ev);
    const source = getScalarValue(this.#text, ev);
    const key = this.#resolve(ev, source);
    if (typeof key !== 'string') {
      this.#add(
        'yaml/non-string-key',
        ev.valueStart === -1
          ? 'map keys must be strings; this entry has no key'
          : `map keys must be strings; quote this ${key === null ? 'null' : typeof key} key`,
        this.#keyAt(ev),
      );
      return undefined;
    }
    if (ev.style === SCALAR_STYLE.PLAIN && ev.tagStart === -1) {
      const reading = yaml11Reading(source, key);
      if (reading !== undefined)
        this.#add(
          'yaml/ambiguous-scalar',
          `YAML 1.1 readers take this plain key as ${reading}; quote it`,
          this.#keyAt(ev),
        );
    }
    if (key === '<<') {
      this.#add(
        'yaml/merge-key',
        'merge keys (<<) are not allowed; write the entries out',
        this.#keyAt(ev),
      );
      return undefined;
    }
    if (FORBIDDEN_KEYS.has(key)) {
      this.#add('yaml/forbidden-key', `key "${key}" is not allowed`, this.#keyAt(ev));
      return undefined;
    }
    if (Object.hasOwn(seen, key)) {
      this.#add(
        'yaml/duplicate-key',
        'duplicate key; each key may appear once in a map',
        this.#keyAt(ev),
      );
      return undefined;
    }
    return key;
  }

  /** Where a key's findings point: its start, or the `:` of an entry without a key. */
  #keyAt(ev: ScalarEvent): number {
    return ev.valueStart === -1 ? this.#emptyKeyAt() : startOf(ev);
  }

  /** An empty key has no range: it is the `:` before the value that follows it. */
  #emptyKeyAt(): number {
    const next = this.#events[this.#i];
    const valueAt =
      next === undefined || next.type === EVENT_ID.POP ? -1 : startOf(next as Content);
    const from = valueAt === -1 ? this.#text.length : valueAt;
    return Math.max(0, this.#text.lastIndexOf(':', from));
  }
}

/**
 * The first characters with which the core schema's implicit resolvers (null, bool, int,
 * float) may match a plain scalar, read from js-yaml's own tag definitions; undefined when
 * some resolver declares none (then every plain scalar goes through the resolvers).
 */
const IMPLICIT_FIRST_CHARS: ReadonlySet<string> | undefined = (() => {
  const firsts = new Set<string>();
  for (const tag of CORE_SCHEMA.implicitScalarTags) {
    if (!tag.implicitFirstChars) return undefined;
    for (const c of tag.implicitFirstChars) firsts.add(c);
  }
  return firsts;
})();

/**
 * Whether a plain scalar is a string without asking the resolvers: it is not empty and no
 * resolver can match its first character, so js-yaml would fall back to its default `!!str`
 * (test/core/yaml/event-walk.test.ts checks the shortcut against resolveImplicitScalarTag).
 */
export function isPlainString(source: string): boolean {
  if (IMPLICIT_FIRST_CHARS === undefined || source === '') return false;
  const c = source.charCodeAt(0);
  return c < 128 ? ASCII_STRING_START[c] === 1 : !IMPLICIT_FIRST_CHARS.has(source[0]!);
}
/** IMPLICIT_FIRST_CHARS as a table over ASCII: 1 where no resolver can match. */
const ASCII_STRING_START = Uint8Array.from({ length: 128 }, (_, c) =>
  IMPLICIT_FIRST_CHARS?.has(String.fromCharCode(c)) === false ? 1 : 0,
);

/** The index after the node that starts at `i` (a scalar, an alias or a whole collection). */
export function skip(events: readonly Event[], i: number): number {
  const t = events[i]!.type;
  if (t !== EVENT_ID.SEQUENCE && t !== EVENT_ID.MAPPING) return i + 1;
  let open = 0;
  do {
    const u = events[i++]!.type;
    if (u === EVENT_ID.SEQUENCE || u === EVENT_ID.MAPPING) open++;
    else if (u === EVENT_ID.POP) open--;
  } while (open > 0);
  return i;
}

/**
 * Where a node starts, as the `yaml` package's ranges put it (so positions did not move when
 * the deciding parser changed): a quoted scalar at its opening quote, an alias at its `*`,
 * a collection at its first token. An empty scalar has no range (-1).
 */
export function startOf(ev: Content): number {
  switch (ev.type) {
    case EVENT_ID.ALIAS:
      return ev.anchorStart - 1;
    case EVENT_ID.SCALAR:
      if (ev.valueStart === -1) return -1;
      return ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED
        ? ev.valueStart - 1
        : ev.valueStart;
    default:
      return ev.start;
  }
}

/** The full name of a tag as written (`!!str` -> tag:yaml.org,2002:str); %TAG is refused. */
export function tagName(raw: string): string {
  if (raw.startsWith('!<') && raw.endsWith('>')) return raw.slice(2, -1);
  if (raw.startsWith('!!')) return `tag:yaml.org,2002:${raw.slice(2)}`;
  return raw;
}
