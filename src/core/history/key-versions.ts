import { parseYaml } from '../yaml/index.ts';
import type { KeyState } from '../formats/key.ts';
import { KEY_STATES } from '../formats/key.ts';

/** One version entry as history needs it: its number and its state, nothing else. */
export interface VersionState {
  readonly version: number;
  readonly state: KeyState;
}

export type VersionStatesResult =
  | {
      readonly ok: true;
      readonly versions: readonly VersionState[];
      /** Entries that were skipped because they were not understood. */
      readonly skipped: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/** Old files are read leniently, but never without bound: a manifest file is a few KiB. */
export const MAX_HISTORY_FILE_BYTES = 1024 * 1024;

const STATES: ReadonlySet<string> = new Set(KEY_STATES);

/**
 * The `{version, state}` pairs of a key.yaml, as it was at some commit. History may hold
 * files older than today's schema, or files that were never valid: this reads what it can
 * and says what it skipped, and never throws.
 *
 * A line scanner handles the shapes rekey and people write (one flow map per line, or
 * block maps) at a fraction of a YAML parse's cost; anything it is not sure about goes to
 * the full YAML parser. Whenever the YAML parser can read a file, both give the same answer
 * (a property test checks it); the scanner does not validate lines outside the versions
 * list, so on a file that is broken elsewhere it may still read the list, which is what a
 * lenient history reader is for.
 */
export function readVersionStates(text: string, memo?: VersionMemo): VersionStatesResult {
  if (text.length > MAX_HISTORY_FILE_BYTES)
    return { ok: false, reason: `larger than ${MAX_HISTORY_FILE_BYTES} bytes` };
  return scanVersionStates(text, memo) ?? parseVersionStates(text);
}

/**
 * What the scanner read in the recent key.yaml files of one key (entry text -> its version
 * and state): the next file of the same key repeats most of those entries word for word.
 * Holds the entries of the key's latest file (`last`, in file order, and in `items`) and at
 * most as many again (plus a few) from earlier files, so a history reader that keeps one memo
 * per key holds what the keys' latest files list (it grows with versions, not commits), and
 * unlike one shared cache it does not lose a key's entries when thousands of other keys
 * change between two of its rotations.
 */
export interface VersionMemo {
  items: Map<string, VersionState>;
  last?: { readonly items: readonly string[]; readonly states: readonly VersionState[] };
}

/** The full YAML route: slower, exact. Exported so tests can compare it with the scanner. */
export function parseVersionStates(text: string): VersionStatesResult {
  // The deciding loader, as everywhere in rekey: history reads a file as validate did. Its
  // lesser findings (an ambiguous scalar, CRLF) leave a value and history takes it; aliases
  // and everything else that makes the value a guess leave none.
  const parsed = parseYaml('key.yaml', new TextEncoder().encode(text), {
    maxBytes: MAX_HISTORY_FILE_BYTES,
  });
  const doc = parsed.value;
  if (doc === undefined) {
    const rule = parsed.diagnostics[0]?.rule ?? 'yaml/syntax';
    return { ok: false, reason: `not YAML: ${rule}` };
  }
  if (doc === null || doc === undefined) return { ok: true, versions: [], skipped: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, reason: 'not a mapping' };
  const list = (doc as Record<string, unknown>).versions;
  if (list === undefined || list === null) return { ok: true, versions: [], skipped: [] };
  if (!Array.isArray(list)) return { ok: false, reason: 'versions is not a list' };
  const versions: VersionState[] = [];
  const skipped: string[] = [];
  list.forEach((entry: unknown, i) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const { version, state } = e;
    if (
      typeof version === 'number' &&
      Number.isSafeInteger(version) &&
      version >= 1 &&
      typeof state === 'string' &&
      STATES.has(state)
    )
      versions.push({ version, state: state as KeyState });
    else skipped.push(`versions[${i}]: expected a version number >= 1 and a known state`);
  });
  return { ok: true, versions, skipped };
}

const VERSIONS_LINE = /^versions[ \t]*:[ \t]*(?:#.*)?$/;
const VERSIONS_WORD = /^versions\b/;
// `key: value` needs a space after the colon in YAML (`version:3` is one plain scalar).
const VERSION_FIELD = /(?:^|[\s{,])version[ \t]*:[ \t]+([1-9][0-9]{0,15})[ \t]*(?=[,}\n]|$)/g;
const STATE_FIELD = /(?:^|[\s{,])state[ \t]*:[ \t]+([a-z-]+)[ \t]*(?=[,}\n]|$)/g;
/** Entry text -> what it says; bounded (cleared when full), so memory stays flat. */
const ITEM_CACHE = new Map<string, VersionState>();
const ITEM_CACHE_MAX = 20_000;
/** Entries a key's memo may hold beyond twice what its latest file lists. */
const MEMO_SLACK = 16;
const NONE_SKIPPED: readonly string[] = Object.freeze([]);
const QUOTED = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'/g;
const SPACE = 32;
const HASH = 35;

/**
 * The fast route, one pass over the lines. Returns undefined (meaning "ask the YAML parser")
 * on anything unusual: quotes or anchors in an entry, a field seen twice, an unknown state,
 * tabs in the list, a second `versions` key, a second document.
 */
export function scanVersionStates(
  text: string,
  memo?: VersionMemo,
): VersionStatesResult | undefined {
  // Tabs: YAML forbids them in indentation, the commonest way a hand-edited file breaks.
  if (text.includes('\r') || text.includes('\t')) return undefined;
  const items: string[] = [];
  let seen = false; // the top-level versions key
  let inList = false;
  let indent = -1; // of the list's `- ` items
  for (let pos = 0; pos < text.length;) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line === '') continue;
    if (line.charCodeAt(0) !== SPACE) {
      // Column 0: a document marker or directive, the versions key, another key, a comment,
      // or (YAML allows it) a list item of the versions list.
      if (line.startsWith('---') || line.startsWith('...') || line.startsWith('%'))
        return undefined;
      if (VERSIONS_WORD.test(line)) {
        if (seen || !VERSIONS_LINE.test(line)) return undefined;
        seen = inList = true;
        continue;
      }
      if (!inList || line.charCodeAt(0) === HASH) continue;
      if (line === '-' || line.startsWith('- ')) {
        if (indent > 0) return undefined;
        indent = 0;
        items.push(line.slice(1));
        continue;
      }
      inList = false; // the next top-level key ends the list
      continue;
    }
    if (!inList) continue;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.charCodeAt(0) === HASH) continue;
    const lead = line.length - trimmed.length;
    const isItem = trimmed === '-' || trimmed.startsWith('- ');
    if (indent === -1) {
      if (!isItem) return undefined;
      indent = lead;
    }
    if (lead === indent && isItem) items.push(trimmed.slice(1));
    else if (lead > indent && items.length > 0) items[items.length - 1] += `\n${trimmed}`;
    else return undefined;
  }
  if (!seen) return undefined;
  const versions: VersionState[] = [];
  const cache = memo?.items ?? ITEM_CACHE;
  // The key's previous file, entry by entry: rekey's changes keep entries in place and add
  // new versions at the top, so most entries are found at the same index or shifted by the
  // number added, compared as strings (the map below is for the rest).
  const prev = memo?.last;
  const shift = prev ? items.length - prev.items.length : 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let known: VersionState | undefined;
    if (prev) {
      const j = i - shift;
      if (j >= 0 && j < prev.items.length && prev.items[j] === item) known = prev.states[j];
      else if (i < prev.items.length && prev.items[i] === item) known = prev.states[i];
    }
    // Successive key.yaml files of a key repeat most entries word for word: read each once.
    known ??= cache.get(item);
    if (known !== undefined) {
      versions.push(known);
      continue;
    }
    // Quoted values (fingerprints usually are) become empty strings, so a `state:` inside
    // one cannot be mistaken for a field; comments go next, then anything YAML-special.
    // (Each replace is skipped when its text is absent: the same result, one pass less.)
    const unquoted = item.includes('"') || item.includes("'") ? item.replace(QUOTED, '""') : item;
    const body = unquoted.includes('#') ? unquoted.replace(/(^|\s)#.*$/gm, '$1') : unquoted;
    if (/['"&*!|>?%@`]/.test(body.includes('"') ? body.replace(/""/g, '') : body)) return undefined;
    const v = [...body.matchAll(VERSION_FIELD)];
    const s = [...body.matchAll(STATE_FIELD)];
    if (v.length !== 1 || s.length !== 1) return undefined;
    const state = s[0]![1]!;
    const version = Number(v[0]![1]);
    if (!STATES.has(state) || !Number.isSafeInteger(version)) return undefined;
    const entry: VersionState = Object.freeze({ version, state: state as KeyState });
    if (!memo && ITEM_CACHE.size >= ITEM_CACHE_MAX) ITEM_CACHE.clear();
    cache.set(item, entry);
    versions.push(entry);
  }
  if (memo) {
    memo.last = { items, states: versions };
    // Entries the key no longer lists are dropped once they are as many as it lists: the
    // memo stays bounded by the key's versions, and no map is built per file.
    if (memo.items.size > 2 * items.length + MEMO_SLACK)
      memo.items = new Map(items.map((item, i) => [item, versions[i]!]));
  }
  return { ok: true, versions, skipped: NONE_SKIPPED };
}
