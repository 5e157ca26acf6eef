/**
 * What the CLI and the verify action call: two trees in, every finding out. Load errors of
 * the head are reported with the rule violations; the base is read only to compare against
 * (a broken default branch is the rotate flow's problem, not this change's).
 */
import { sortDiagnostics } from '../diagnostics.ts';
import type { FileTree } from '../snapshot.ts';
import { loadSide } from './load-side.ts';
import { compareSides, type VerifyOptions, type VerifyResult } from './verify-change.ts';

export function verifyTrees(
  baseTree: FileTree,
  headTree: FileTree,
  opts: VerifyOptions,
): VerifyResult {
  const base = loadSide(baseTree);
  const head = loadSide(headTree);
  const result = compareSides(base.side, head.side, opts);
  return {
    ...result,
    diagnostics: sortDiagnostics([...head.diagnostics, ...result.diagnostics]),
  };
}
