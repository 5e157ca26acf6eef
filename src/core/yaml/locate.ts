import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, ParsedNode } from 'yaml';
import type { DocPath } from '../snapshot.ts';

/**
 * The offset where the value at `path` is introduced: the key of a map entry (so a finding
 * about `bytes: 8` points at `bytes`, and one about a nested list at the line that opens it),
 * the item of a list, the document's first node for the empty path. A path that leaves the
 * document stops at its nearest existing ancestor. Only called when a finding needs a place,
 * so valid files never pay for it.
 */
export function locateIn(doc: Document.Parsed, path: DocPath): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const key = String(segment);
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair === undefined) break;
      offset = (pair.key as ParsedNode).range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as ParsedNode | null | undefined;
      if (item === undefined || item === null) break;
      offset = item.range[0];
      node = item;
    } else break;
  }
  return offset;
}
