/**
 * `validate` and `plan` as use cases: files (and history) in, findings and steps out. The
 * manifest must be valid before anything is planned from it; an invalid one yields its
 * diagnostics and no plan (DESIGN "Flows: rotate"). `plan` judges only what it reads: key.yaml
 * files, policies, pipeline.yaml and .sops.yaml, never a material file (validate, verify,
 * rotate and distribute check those).
 */
import { sortDiagnostics, type Diagnostic } from '../core/diagnostics.ts';
import type { HistoryIndex } from '../core/history/model.ts';
import { loadSnapshot, type LoadCache } from '../core/load-snapshot.ts';
import { plan } from '../core/plan/plan.ts';
import type { OpenPull, Plan } from '../core/plan/steps.ts';
import { MANIFEST_DIR, parseKeyFilePath, parseMaterialPath } from '../core/formats/index.ts';
import { fileTree, type FileTree, type ManifestSnapshot } from '../core/snapshot.ts';
import { checkKeyInvariants, checkManifestInvariants } from '../core/lifecycle/invariants.ts';
import { checkTargetOwnership } from '../core/targets/ownership.ts';
import { checkPublicForm, checkRecipients, checkSnapshot } from '../core/verify/index.ts';
import { isScannedPath, scanForPrivateKeys } from '../core/verify/plaintext.ts';
import { manifestFactsOf, sopsConfigOf } from '../core/verify/snapshot-side.ts';

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

/** Key folders whose material files {@link validateInBatches} loads at a time. */
export const VALIDATE_BATCH_KEYS = 500;

/**
 * {@link validateTree}'s findings and counts, computed without holding every material file's
 * parsed form at once (`rekey validate` at 10,000 keys, 20,000 material files). First the
 * tree without its material files: every file but those, the rules across keys (folder
 * nesting, unknown policies, one owner per target). Then the key folders in batches: each
 * batch's key.yaml (from the first load's cache, not parsed again), its material files, the
 * policies and `.sops.yaml`, loaded, checked per key (lifecycle invariants, public form,
 * recipients) and dropped. Each rule sees what it sees in the whole tree: a material file's
 * findings are its own or its folder's (orphan, mismatch), a key's invariants read only that
 * key and its materials. test/commands/validate-batches.test.ts holds it to validateTree's
 * exact findings.
 */
export function validateInBatches(
  tree: FileTree,
  now: Date,
  batchKeys = VALIDATE_BATCH_KEYS,
): Pick<Validation, 'diagnostics' | 'counts'> {
  const folderOf = (path: string) => parseKeyFilePath(path) ?? parseMaterialPath(path)?.id;
  const skeleton: [string, Uint8Array][] = [];
  const common: [string, Uint8Array][] = [];
  const folders = new Map<string, string[]>();
  for (const [path, bytes] of tree) {
    const id = folderOf(path);
    if (id !== undefined) {
      const files = folders.get(id);
      if (files) files.push(path);
      else folders.set(id, [path]);
    }
    if (parseMaterialPath(path) !== undefined) continue;
    skeleton.push([path, bytes]);
    if (!path.startsWith(`${MANIFEST_DIR}/`)) common.push([path, bytes]);
  }
  const cache: LoadCache = new Map();
  const first = loadSnapshot(fileTree(skeleton, tree.irregular ?? []), { cache });
  const loaded = [...first.diagnostics];
  const checked = checkTargetOwnership(first.snapshot.keys.values());
  const config = sopsConfigOf(first.snapshot);
  const ids = [...folders.keys()].sort();
  for (let i = 0; i < ids.length; i += batchKeys) {
    const files: [string, Uint8Array][] = [...common];
    for (const id of ids.slice(i, i + batchKeys))
      for (const path of folders.get(id)!) files.push([path, tree.get(path)!]);
    const batchTree = fileTree(files, []);
    const batch = loadSnapshot(batchTree, { cache });
    // key.yaml, policy and .sops.yaml findings are the first load's; a material file's are here.
    for (const d of batch.diagnostics) if (parseMaterialPath(d.file) !== undefined) loaded.push(d);
    for (const key of manifestFactsOf({
      snapshot: batch.snapshot,
      tree: batchTree,
    }).keys.values()) {
      checked.push(...checkKeyInvariants(key, now));
      for (const mat of key.materials.values())
        if (mat.loaded)
          checked.push(
            ...checkPublicForm(mat, key.doc.value.type),
            ...checkRecipients(mat, config),
          );
    }
    for (const [path] of files) if (parseMaterialPath(path) !== undefined) cache.delete(path);
  }
  const decoder = new TextDecoder();
  for (const [path, bytes] of tree)
    if (isScannedPath(path)) checked.push(...scanForPrivateKeys(path, decoder.decode(bytes)));
  let versions = 0;
  for (const k of first.snapshot.keys.values()) versions += k.value.versions.length;
  const { keys, policies } = first.snapshot;
  return {
    diagnostics: sortDiagnostics([...sortDiagnostics(loaded), ...sortDiagnostics(checked)]),
    counts: { keys: keys.size, versions, policies: policies.size },
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
