/**
 * What the CLI and the verify action call: two trees in, every finding out. Both sides go
 * through `loadSnapshot`; the head's load findings are reported with the rule violations.
 * The base is read only to compare against: a broken default branch is the rotate flow's
 * problem, not this change's, and its findings are not repeated on every PR.
 *
 * Proportional to the change: the head is loaded with the base's parse cache, so every file
 * the change leaves alone (the same bytes at the same path) is parsed and validated once;
 * only the files that differ are read again. The rules that need every key (one active
 * version, one owner per target, folder nesting) then run on the whole head, over
 * documents already in memory.
 */
import { sortDiagnostics } from '../diagnostics.ts';
import { loadSnapshot, type LoadCache } from '../load-snapshot.ts';
import type { FileTree } from '../snapshot.ts';
import { verifyChange, type VerifyOptions, type VerifyResult } from './verify-change.ts';

export function verifyTrees(
  baseTree: FileTree,
  headTree: FileTree,
  opts: VerifyOptions,
): VerifyResult {
  const cache: LoadCache = new Map();
  const base = loadSnapshot(baseTree, { cache });
  const head = loadSnapshot(headTree, { cache });
  const result = verifyChange({
    base: { snapshot: base.snapshot, tree: baseTree },
    head: { snapshot: head.snapshot, tree: headTree },
    ...opts,
  });
  return { ...result, diagnostics: sortDiagnostics([...head.diagnostics, ...result.diagnostics]) };
}
