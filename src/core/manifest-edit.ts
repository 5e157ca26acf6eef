/**
 * Edits of key.yaml as pure `text -> text` functions (the release-please "updater" shape).
 * They splice the original text at the byte ranges the `yaml` parser reports, so comments,
 * order and style survive exactly and a rotation PR's diff shows only the lines that changed.
 * Only when there is no block list to splice into (a new key) does the Document API
 * re-render the file. Callers validate the result like any other input.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import type { KeyState, VersionEntry } from './formats/index.ts';

export class ManifestEditError extends Error {
  override readonly name = 'ManifestEditError';
}

function load(text: string): Document {
  const doc = parseDocument(text, { version: '1.2', merge: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ManifestEditError(`key.yaml does not parse: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new ManifestEditError('key.yaml is not a mapping');
  return doc;
}

/** `{ version: 2, state: active, created: ..., fingerprint: "..." }`, the style DESIGN shows. */
export function renderEntry(v: VersionEntry): string {
  return `{ version: ${v.version}, state: ${v.state}, created: ${v.created}, fingerprint: ${JSON.stringify(v.fingerprint)} }`;
}

function findEntry(doc: Document, version: number): YAMLMap {
  const seq = doc.get('versions', true);
  if (isSeq(seq))
    for (const item of seq.items) if (isMap(item) && item.get('version') === version) return item;
  throw new ManifestEditError(`versions has no entry for v${version}`);
}

/** Insert a new version at the top of `versions` (newest first). */
export function addVersion(text: string, entry: VersionEntry): string {
  const doc = load(text);
  const seq = doc.get('versions', true);
  if (seq !== undefined && seq !== null && !isSeq(seq))
    throw new ManifestEditError('versions is not a list');
  const first = isSeq(seq) && !seq.flow ? seq.items[0] : undefined;
  const start = (first as { range?: [number, number, number] } | undefined)?.range?.[0];
  if (start !== undefined) {
    // Block list: the first item's line is `<indent>- <item>`; insert a sibling line above it.
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const prefix = text.slice(lineStart, start);
    const m = /^(\s*)-\s+$/.exec(prefix);
    if (m)
      return `${text.slice(0, lineStart)}${m[1]}- ${renderEntry(entry)}\n${text.slice(lineStart)}`;
  }
  const line = `  - ${renderEntry(entry)}\n`;
  if (seq === undefined || seq === null) {
    if (doc.has('versions'))
      throw new ManifestEditError('versions is empty; write `versions: []` or a list');
    return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}versions:\n${line}`;
  }
  const range = seq.range;
  if (seq.flow && seq.items.length === 0 && range) {
    // `versions: []` becomes a block list holding the new entry.
    const rest = text.slice(range[1]);
    const eol = rest.includes('\n') ? rest.indexOf('\n') : rest.length;
    return `${text.slice(0, range[0]).trimEnd()}${rest.slice(0, eol)}\n${line}${rest.slice(eol + 1)}`;
  }
  throw new ManifestEditError(
    'versions must be a block list (one `- { ... }` line per version) to be edited',
  );
}

/** Change one version's state, leaving every other byte as written. */
export function setVersionState(text: string, version: number, state: KeyState): string {
  const entry = findEntry(load(text), version);
  const node = entry.get('state', true);
  const range = isScalar(node) ? node.range : undefined;
  if (!range) throw new ManifestEditError(`v${version} has no state to change`);
  return `${text.slice(0, range[0])}${state}${text.slice(range[1])}`;
}

/**
 * A rotation as DESIGN defines it: the new version arrives `active` and the previous `active`
 * becomes `deactivated` in the same change; with prepublish it arrives `pre-activation` and
 * the active version stays.
 */
export function rotate(
  text: string,
  entry: VersionEntry,
  activeVersion: number | undefined,
): string {
  const out =
    entry.state === 'active' && activeVersion !== undefined
      ? setVersionState(text, activeVersion, 'deactivated')
      : text;
  return addVersion(out, entry);
}
