/**
 * What the CLI and the verify action call: two trees in, every finding out. Both sides go
 * through `loadSnapshot`; the head's load findings are reported with the rule violations.
 * The base is read only to compare against: a broken default branch is the rotate flow's
 * problem, not this change's, and its findings are not repeated on every PR.
 *
 * Proportional to the change (issue #13): the base is loaded with the head's parse cache, so
 * every file the change leaves alone (the same bytes at the same path) is parsed and
 * validated once, and the base's unchanged material files not at all. Only the documents of
 * changed material files are held; lifecycle and material rules compare the keys whose files
 * differ. The rules that need every key (one active version, material for every live
 * version, one owner per target, folder nesting) run on the whole head, over the key
 * documents in memory and the list of material files.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { loadSnapshot, type LoadCache } from '../load-snapshot.ts';
import { parseMaterialPath } from '../formats/index.ts';
import { fileTree, type FileTree } from '../snapshot.ts';
import type { ChangeSide } from './snapshot-side.ts';
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
 * Loads both trees, each file once, holding the documents of the material files the change
 * touches only. The head is loaded whole (its findings are the change's), each material
 * file it leaves alone checked and let go at once; the base is loaded without those files:
 * they are the head's, byte for byte, so the head's load already said whether they are
 * valid. Nothing else of the base's load is reported.
 */
export function loadSides(baseTree: FileTree, headTree: FileTree): LoadedSides {
  const touched = (path: string) => !sameFile(baseTree.get(path), headTree.get(path));
  const cache: LoadCache = new Map();
  const head = loadSnapshot(headTree, { cache, keepMaterial: touched });
  const untouchedMaterial = (path: string) =>
    parseMaterialPath(path) !== undefined && !touched(path);
  const base = loadSnapshot(without(baseTree, untouchedMaterial), { cache });
  const released = head.released ?? new Set<string>();
  return {
    base: { snapshot: base.snapshot, tree: baseTree, released },
    head: { snapshot: head.snapshot, tree: headTree, released },
    diagnostics: head.diagnostics,
  };
}

/** `tree` without the files `drop` names (the entries its reader refused stay). */
function without(tree: FileTree, drop: (path: string) => boolean): FileTree {
  return fileTree(
    [...tree].filter(([path]) => !drop(path)),
    tree.irregular ?? [],
  );
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
