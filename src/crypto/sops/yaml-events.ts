/**
 * The YAML store's fast path: the tree built from the deciding parser's own events (js-yaml
 * `parseEvents`, as src/core/yaml/parse-yaml.ts runs it), with no second YAML library. It is
 * taken only for the files it reads exactly as the `yaml`-package path does (yaml-store.ts),
 * which are the files rekey writes: one document, no comments, and none of the constructs the
 * deciding loader reports (anchors, tags, aliases, merge or duplicate keys...). For any other
 * file it returns undefined and the store takes its comment-preserving path, which also gives
 * every refusal its usual error.
 *
 * Values: the text of each scalar is js-yaml's (`getScalarValue` over the same events), typed
 * as go-yaml v3 types it (values.ts `resolvePlain`); the metadata is the deciding loader's own
 * value of `sops`. So what the MAC covers is what the deciding parser read.
 */
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import type { SourceLocation } from '../../core/diagnostics.ts';
import { DEFAULT_YAML_LIMITS } from '../../core/yaml/index.ts';
import type { LeafLocations, LoadedFile } from './store.ts';
import type { Branch, Leaf, List, NullValue, Pair, Value } from './tree.ts';
import type { Scalar } from './values.ts';
import { resolvePlain } from './values.ts';

/** Keys longer than this (in source characters) are not on the fast path. */
const LONG_KEY = 1000;

/** Signals "not on the fast path" from deep inside the walk. */
const NOT_FAST = Symbol('not-fast');

/**
 * Leaf locations computed when asked for (an error), from the offsets recorded while
 * building: a file that decrypts never pays for a line index. A plain Map (it lives as long
 * as the tree it describes), not a WeakMap, which costs the garbage collector more.
 */
class OffsetLocations implements LeafLocations {
  readonly #offsets = new Map<Leaf, number>();
  readonly #file: string;
  readonly #text: string;
  constructor(file: string, text: string) {
    this.#file = file;
    this.#text = text;
  }
  at(leaf: Leaf, offset: number): void {
    this.#offsets.set(leaf, offset);
  }
  get(leaf: Leaf): SourceLocation | undefined {
    const offset = this.#offsets.get(leaf);
    if (offset === undefined) return undefined;
    // As the `yaml` package's LineCounter counts: line and column from 1.
    const before = this.#text.slice(0, offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    let line = 1;
    for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
    return { file: this.#file, line, column: offset - lineStart + 1 };
  }
}

class EventTree {
  #i = 0;
  readonly #events: readonly Event[];
  readonly #text: string;
  readonly locations: OffsetLocations;
  constructor(file: string, text: string, events: readonly Event[]) {
    this.#events = events;
    this.#text = text;
    this.locations = new OffsetLocations(file, text);
  }

  /** The document's root map (events[0] is the DOCUMENT event), or an empty one. */
  document(): Branch {
    this.#i = 1;
    const ev = this.#events[1];
    if (ev === undefined || ev.type === EVENT_ID.POP) return { t: 'map', items: [] };
    if (ev.type !== EVENT_ID.MAPPING) {
      // An empty document (one empty scalar) is an empty tree; anything else is refused there.
      if (ev.type === EVENT_ID.SCALAR && ev.valueStart === -1) return { t: 'map', items: [] };
      throw NOT_FAST;
    }
    return this.#map();
  }

  #value(): Value {
    const ev = this.#events[this.#i]!;
    switch (ev.type) {
      case EVENT_ID.MAPPING:
        return this.#map();
      case EVENT_ID.SEQUENCE:
        return this.#list();
      case EVENT_ID.SCALAR: {
        this.#i++;
        const s = this.#scalar(ev);
        if (s.t !== 'null') this.locations.at(s, startOf(this.#text, ev));
        return s;
      }
      default:
        throw NOT_FAST;
    }
  }

  #scalar(ev: ScalarEvent): Scalar | NullValue {
    if (ev.tagStart !== -1 || ev.anchorStart !== -1) throw NOT_FAST;
    const source = getScalarValue(this.#text, ev);
    if (ev.style !== SCALAR_STYLE.PLAIN) return { t: 'str', v: source };
    const r = resolvePlain(source);
    if (r.t === 'uint64') throw NOT_FAST;
    return r;
  }

  #map(): Branch {
    const open = this.#events[this.#i]!;
    if (open.type !== EVENT_ID.MAPPING || open.tagStart !== -1 || open.anchorStart !== -1)
      throw NOT_FAST;
    this.#i++;
    const items: Pair[] = [];
    const seen = new Set<string>();
    for (let ev = this.#events[this.#i]!; ev.type !== EVENT_ID.POP; ev = this.#events[this.#i]!) {
      // YAML caps implicit keys at 1024 characters; the `yaml` package (and go-yaml) refuse
      // longer ones, js-yaml does not: such a file is left to the slow path's refusal.
      if (ev.type !== EVENT_ID.SCALAR || ev.valueEnd - ev.valueStart > LONG_KEY) throw NOT_FAST;
      this.#i++;
      const key = this.#scalar(ev);
      if (key.t !== 'str' || seen.has(key.v)) throw NOT_FAST;
      seen.add(key.v);
      items.push({ t: 'pair', key: key.v, value: this.#value() });
    }
    this.#i++;
    return { t: 'map', items };
  }

  #list(): List {
    const open = this.#events[this.#i]!;
    if (open.type !== EVENT_ID.SEQUENCE || open.tagStart !== -1 || open.anchorStart !== -1)
      throw NOT_FAST;
    this.#i++;
    const items: Value[] = [];
    while (this.#events[this.#i]!.type !== EVENT_ID.POP) items.push(this.#value());
    this.#i++;
    return { t: 'list', items };
  }
}

/**
 * Where a scalar starts as the `yaml` package's ranges put it: a quoted one at its quote, a
 * block scalar at its `|` or `>` (js-yaml's range starts at the line after that header).
 */
function startOf(text: string, ev: ScalarEvent): number {
  switch (ev.style) {
    case SCALAR_STYLE.SINGLE_QUOTED:
    case SCALAR_STYLE.DOUBLE_QUOTED:
      return ev.valueStart - 1;
    case SCALAR_STYLE.LITERAL_BLOCK:
    case SCALAR_STYLE.FOLDED_BLOCK: {
      // Back over the header's newline, trailing blanks and indicators (no comment is there).
      let i = ev.valueStart - 2;
      while (i > 0 && (text[i] === ' ' || text[i] === '\t')) i--;
      while (i > 0 && /[-+1-9]/.test(text[i]!)) i--;
      if (text[i] !== '|' && text[i] !== '>') throw NOT_FAST;
      return i;
    }
    default:
      return ev.valueStart;
  }
}

/** A `...` document end marker: parsers disagree on what follows it; the slow path decides. */
const DOCUMENT_END = /^\.\.\.(?=[ \t\r\n]|$)/m;

/**
 * The tree of a file the deciding loader accepted without a single finding (`metadata` is its
 * value of `sops`), or undefined when the file is not on the fast path.
 */
export function loadFromEvents(
  file: string,
  text: string,
  decided: Record<string, unknown>,
  decidedEvents?: readonly Event[],
): LoadedFile | undefined {
  if (text.charCodeAt(0) === 0xfeff || DOCUMENT_END.test(text)) return undefined;
  // The deciding loader's own events over this text (parseYaml's keepEvents), or the same
  // parse it made (same text, same depth cap), so the same events.
  const events = decidedEvents ?? parseEvents(text, { maxDepth: DEFAULT_YAML_LIMITS.maxDepth + 2 });
  if (events.length === 0 || countDocuments(events) !== 1) return undefined;
  if (hasComment(text, events)) return undefined;
  const tree = new EventTree(file, text, events);
  let root: Branch;
  try {
    root = tree.document();
  } catch (e) {
    if (e === NOT_FAST) return undefined;
    throw e;
  }
  const reserved = Object.hasOwn(decided, 'sops');
  const items = reserved
    ? root.items.filter((p) => p.t !== 'pair' || p.key !== 'sops')
    : root.items;
  return {
    branches: [{ t: 'map', items }],
    metadata: reserved ? decided['sops'] : undefined,
    reserved,
    locations: tree.locations,
  };
}

function countDocuments(events: readonly Event[]): number {
  let n = 0;
  for (const ev of events) if (ev.type === EVENT_ID.DOCUMENT) n++;
  return n;
}

/**
 * Whether the text holds a comment: a `#` outside every scalar's text (quoted or not, a `#`
 * inside a value is part of it). Scalars come in source order, keys included.
 */
function hasComment(text: string, events: readonly Event[]): boolean {
  let at = text.indexOf('#');
  if (at === -1) return false;
  let e = 0;
  for (; at !== -1; at = text.indexOf('#', at + 1)) {
    let inside = false;
    for (; e < events.length; e++) {
      const ev = events[e]!;
      if (ev.type !== EVENT_ID.SCALAR || ev.valueStart === -1 || ev.valueEnd <= at) continue;
      inside = ev.valueStart <= at;
      break;
    }
    if (!inside) return true;
  }
  return false;
}
