import type { CST } from 'yaml';

/**
 * The offset of the first list or map nested `maxDepth` or more levels deep in one CST
 * document, or -1. The `yaml` composer recurses once per level, so a file of a few thousand
 * `[` would exhaust the stack there; this walk is iterative and runs on the concrete syntax
 * tree before composing, so nesting is refused at the cap, at a stable position.
 */
export function firstTooDeep(doc: CST.Document, maxDepth: number): number {
  const stack: [CST.Token, number][] = [];
  if (doc.value) stack.push([doc.value, 0]);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [token, depth] = next;
    if (
      token.type !== 'block-map' &&
      token.type !== 'block-seq' &&
      token.type !== 'flow-collection'
    )
      continue;
    if (depth >= maxDepth) return token.offset;
    // Pushed last-to-first so they pop in source order: the finding is the first in the file.
    const items = token.items as CST.CollectionItem[];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (item.value) stack.push([item.value, depth + 1]);
      if (item.key) stack.push([item.key, depth + 1]);
    }
  }
  return -1;
}
