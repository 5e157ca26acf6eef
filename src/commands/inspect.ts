/**
 * `validate` and `plan` as use cases: files (and history) in, findings and steps out. The
 * default branch's manifest must be valid before anything is planned from it; an invalid one
 * yields its diagnostics and no plan (DESIGN "Flows: rotate").
 */
import { sortDiagnostics, type Diagnostic } from '../core/diagnostics.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import { loadSnapshot } from '../core/load-snapshot.ts';
import { plan } from '../core/plan/plan.ts';
import type { OpenPull, Plan } from '../core/plan/steps.ts';
import type { FileTree, ManifestSnapshot } from '../core/snapshot.ts';
import { checkSnapshot } from '../core/verify/index.ts';

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
  const v = validateTree(input.tree, input.now);
  if (v.diagnostics.length > 0) return { kind: 'invalid', diagnostics: v.diagnostics };
  return {
    kind: 'planned',
    plan: plan({
      snapshot: v.snapshot,
      ...(input.history ? { history: input.history } : {}),
      openPulls: input.openPulls ?? [],
      halted: input.halted ?? [],
      now: input.now,
    }),
  };
}
