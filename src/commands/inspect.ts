/**
 * `validate` and `plan` as use cases: files (and history) in, findings and steps out. The
 * manifest must be valid before anything is planned from it; an invalid one yields its
 * diagnostics and no plan (DESIGN "Flows: rotate"). `plan` judges only what it reads: key.yaml
 * files, policies, pipeline.yaml and .sops.yaml, never a material file (validate, verify,
 * rotate and distribute check those).
 */
import { sortDiagnostics, type Diagnostic } from '../core/diagnostics.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import { loadSnapshot } from '../core/load-snapshot.ts';
import { plan } from '../core/plan/plan.ts';
import type { OpenPull, Plan } from '../core/plan/steps.ts';
import { parseMaterialPath } from '../core/formats/index.ts';
import { fileTree, type FileTree, type ManifestSnapshot } from '../core/snapshot.ts';
import { checkManifestInvariants } from '../core/lifecycle/invariants.ts';
import { checkSnapshot } from '../core/verify/index.ts';
import { isScannedPath, scanForPrivateKeys } from '../core/verify/plaintext.ts';
import { manifestFactsOf } from '../core/verify/snapshot-side.ts';

export interface Validation {
  readonly snapshot: ManifestSnapshot;
  readonly diagnostics: readonly Diagnostic[];
  readonly counts: { readonly keys: number; readonly versions: number; readonly policies: number };
}

/**
 * Every check that one tree can be put to: formats and cross-file structure (the loader),
 * lifecycle invariants, the public part and recipients of every material file against the
 * tree's own `.sops.yaml`, and a private-key scan of every manifest and policy file.
 */
export function validateTree(tree: FileTree, now: Date): Validation {
  const { snapshot, diagnostics } = loadSnapshot(tree);
  let versions = 0;
  for (const k of snapshot.keys.values()) versions += k.value.versions.length;
  return {
    snapshot,
    diagnostics: sortDiagnostics([...diagnostics, ...checkSnapshot({ snapshot, tree }, now)]),
    counts: { keys: snapshot.keys.size, versions, policies: snapshot.policies.size },
  };
}

export type PlanOutcome =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'planned'; readonly plan: Plan };

export function planTree(input: {
  tree: FileTree;
  now: Date;
  history?: HistoryIndex | undefined;
  openPulls?: readonly OpenPull[];
  halted?: readonly string[];
}): PlanOutcome {
  const tree = withoutMaterial(input.tree);
  const { snapshot, diagnostics: loaded } = loadSnapshot(tree);
  // Every rule validate applies to what plan reads; the rules about material files need the
  // files, and plan has not read them.
  const diagnostics = sortDiagnostics([
    ...loaded,
    ...checkManifestInvariants(manifestFactsOf({ snapshot, tree }), input.now, {
      material: false,
    }),
    ...scanTree(tree),
  ]);
  if (diagnostics.length > 0) return { kind: 'invalid', diagnostics };
  return {
    kind: 'planned',
    plan: plan({
      snapshot,
      ...(input.history ? { history: input.history } : {}),
      openPulls: input.openPulls ?? [],
      halted: input.halted ?? [],
      now: input.now,
    }),
  };
}

/** The private-key scan of checkSnapshot, over the files of `tree`. */
function scanTree(tree: FileTree): Diagnostic[] {
  const decoder = new TextDecoder();
  const out: Diagnostic[] = [];
  for (const [path, bytes] of tree)
    if (isScannedPath(path)) out.push(...scanForPrivateKeys(path, decoder.decode(bytes)));
  return out;
}

/**
 * `tree` without its material files (keys-manifest/<id>/v<N>.sops.yaml), listed or refused:
 * their bytes are never read, so a plan is the same whether the reader left them out
 * (readTree's `material: false`) or not.
 */
export function withoutMaterial(tree: FileTree): FileTree {
  const files: [string, Uint8Array][] = [];
  for (const path of tree.keys()) if (!parseMaterialPath(path)) files.push([path, tree.get(path)!]);
  return fileTree(
    files,
    (tree.irregular ?? []).filter((e) => !parseMaterialPath(e.path)),
  );
}
