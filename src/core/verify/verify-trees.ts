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
import { sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { loadSnapshot, type LoadCache } from '../load-snapshot.ts';
import type { FileTree } from '../snapshot.ts';
import { releaseMaterials, type ChangeSide } from './snapshot-side.ts';
import { verifyChange, type VerifyOptions, type VerifyResult } from './verify-change.ts';

export function verifyTrees(
  baseTree: FileTree,
  headTree: FileTree,
  opts: VerifyOptions,
): VerifyResult {
  return verifySides(loadSides(baseTree, headTree), opts);
}

/** Both sides of a change as verify reads them, and the head's load findings. */
export interface LoadedSides {
  readonly base: ChangeSide;
  readonly head: ChangeSide;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Loads both trees, each unchanged file once, and keeps the documents of the material files
 * the change touches only: a material file with the same bytes on both sides is neither
 * compared nor content-checked, so its document is let go (read again if a rule asks).
 */
export function loadSides(baseTree: FileTree, headTree: FileTree): LoadedSides {
  const cache: LoadCache = new Map();
  const base = loadSnapshot(baseTree, { cache });
  const head = loadSnapshot(headTree, { cache });
  const touched = (path: string) => !sameFile(baseTree.get(path), headTree.get(path));
  return {
    base: releaseMaterials({ snapshot: base.snapshot, tree: baseTree }, touched),
    head: releaseMaterials({ snapshot: head.snapshot, tree: headTree }, touched),
    diagnostics: head.diagnostics,
  };
}

/** verify over sides from {@link loadSides}; the head's load findings come with the rest. */
export function verifySides(sides: LoadedSides, opts: VerifyOptions): VerifyResult {
  const result = verifyChange({ base: sides.base, head: sides.head, ...opts });
  return {
    ...result,
    diagnostics: sortDiagnostics([...sides.diagnostics, ...result.diagnostics]),
  };
}

function sameFile(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
