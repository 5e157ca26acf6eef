/**
 * What the CLI and the verify action call: two trees in, every finding out. Both sides go
 * through `loadSnapshot`; the head's load findings are reported with the rule violations.
 * The base is read only to compare against: a broken default branch is the rotate flow's
 * problem, not this change's, and its findings are not repeated on every PR.
 */
import { sortDiagnostics } from '../diagnostics.ts';
import { loadSnapshot } from '../load-snapshot.ts';
import type { FileTree } from '../snapshot.ts';
import { verifyChange, type VerifyOptions, type VerifyResult } from './verify-change.ts';

export function verifyTrees(
  baseTree: FileTree,
  headTree: FileTree,
  opts: VerifyOptions,
): VerifyResult {
  const base = loadSnapshot(baseTree);
  const head = loadSnapshot(headTree);
  const result = verifyChange({
    base: { snapshot: base.snapshot, tree: baseTree },
    head: { snapshot: head.snapshot, tree: headTree },
    ...opts,
  });
  return { ...result, diagnostics: sortDiagnostics([...head.diagnostics, ...result.diagnostics]) };
}
