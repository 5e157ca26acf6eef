/**
 * `verify` (DESIGN.md "Flows: verify"): compare the head of a change with its base branch
 * and report every violation, each located at file and line. Pure: the caller loads both
 * sides, supplies the time and the revocation gate, and publishes the diagnostics.
 *
 * Checks, in order of the design:
 * - the head keeps every snapshot invariant (lifecycle/invariants.ts);
 * - each key moves only as the lifecycle allows (lifecycle/transitions.ts), destroying a
 *   version only when the revocation gate holds;
 * - every added or changed material file holds a public form in `public` and is wrapped to
 *   the recipients of the BASE branch's `.sops.yaml`;
 * - no added or changed file under keys-manifest/ or policies/ carries a private key.
 * Format findings (yaml/*, schema/*, manifest/*) are the loader's; verifyTrees adds them.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { POLICIES_DIR, SOPS_CONFIG_FILE } from '../formats/index.ts';
import { classifyChange, type ChangeKind } from '../lifecycle/classify.ts';
import { checkManifestInvariants } from '../lifecycle/invariants.ts';
import type { KeyFacts, ManifestFacts } from '../lifecycle/model.ts';
import { compareKey, type KeyChange, type RevocationGate } from '../lifecycle/transitions.ts';
import type { SopsConfig } from '../sops-config.ts';
import type { FileTree } from '../snapshot.ts';
import { checkPublicForm } from './material-content.ts';
import { isScannedPath, scanForPrivateKeys } from './plaintext.ts';
import { checkRecipients } from './recipients.ts';
import { checkRewrap } from './rewrap.ts';
import {
  manifestFactsOf,
  sameMaterialBytes,
  sopsConfigOf,
  type ChangeSide,
} from './snapshot-side.ts';

export interface VerifyOptions {
  /** The time of the check; `created` times after it are violations. */
  readonly now: Date;
  /** Absent: every revocation is refused as unchecked (fail closed). */
  readonly gate?: RevocationGate | undefined;
}

export interface VerifyResult {
  readonly kind: ChangeKind;
  /** Per changed key, sorted by key id. */
  readonly keys: readonly KeyChange[];
  /** Changed policy files and .sops.yaml (configuration outside key folders), sorted. */
  readonly configuration: readonly string[];
  /** Every violation, sorted by file, line, column and rule. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Base and head as loaded by `loadSnapshot`, with the trees they were loaded from. */
export function verifyChange(
  input: { readonly base: ChangeSide; readonly head: ChangeSide } & VerifyOptions,
): VerifyResult {
  return compareSides(
    {
      manifest: manifestFactsOf(input.base),
      sopsConfig: sopsConfigOf(input.base.snapshot),
      files: input.base.tree,
    },
    { manifest: manifestFactsOf(input.head), sopsConfig: undefined, files: input.head.tree },
    input,
  );
}

/** One side of the comparison: the manifest as the rules see it, plus the raw files. */
export interface VerifySide {
  readonly manifest: ManifestFacts;
  /** `.sops.yaml` as parsed; only the base side's is ever used, for recipients. */
  readonly sopsConfig: SopsConfig | undefined;
  readonly files: FileTree;
}

export function compareSides(
  base: VerifySide,
  head: VerifySide,
  opts: VerifyOptions,
): VerifyResult {
  const diagnostics: Diagnostic[] = [...checkManifestInvariants(head.manifest, opts.now)];

  const keys: KeyChange[] = [];
  const unreadable = new Set([...base.manifest.unreadableKeys, ...head.manifest.unreadableKeys]);
  const ids = [...new Set([...base.manifest.keys.keys(), ...head.manifest.keys.keys()])].sort();
  for (const id of ids) {
    if (unreadable.has(id)) continue;
    const b = base.manifest.keys.get(id);
    const h = head.manifest.keys.get(id);
    // Proportional to the change: a key whose key.yaml and material files the change leaves
    // alone has nothing to compare (every transition and material rule compares base with
    // head). The head's invariants above still cover every key.
    if (b !== undefined && h !== undefined && unchangedKey(b, h)) continue;
    const { change, diagnostics: ds } = compareKey(b, h, { gate: opts.gate });
    if (change) keys.push(change);
    diagnostics.push(...ds);
    if (h) diagnostics.push(...checkChangedMaterials(b, h, base.sopsConfig));
  }

  for (const [path, bytes] of head.files)
    if (isScannedPath(path) && changed(base.files, head.files, path))
      diagnostics.push(...scanForPrivateKeys(path, new TextDecoder().decode(bytes)));

  const configuration = configFilesChanged(base.files, head.files);
  const paths = [...new Set([...base.files.keys(), ...head.files.keys()])];
  const rewrap = checkRewrap({
    base: base.files,
    head: head.files,
    changedPaths: paths.filter((p) => changed(base.files, head.files, p)),
    kind: classifyChange(keys, configuration),
  });
  return {
    kind: rewrap.kind,
    keys,
    configuration,
    diagnostics: sortDiagnostics([...diagnostics, ...rewrap.diagnostics]),
  };
}

/** The same key.yaml (the one parsed document both loads share) and the same material texts. */
function unchangedKey(b: KeyFacts, h: KeyFacts): boolean {
  if (b.doc !== h.doc || b.materials.size !== h.materials.size) return false;
  for (const [n, m] of h.materials) {
    const bm = b.materials.get(n);
    if (bm === undefined || !sameMaterialBytes(bm, m)) return false;
  }
  return true;
}

/** Content checks on the material files a change adds or rewrites for one key. */
function checkChangedMaterials(
  base: KeyFacts | undefined,
  head: KeyFacts,
  baseConfig: SopsConfig | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [n, mat] of head.materials) {
    const before = base?.materials.get(n);
    if (!mat.loaded || (before !== undefined && sameMaterialBytes(before, mat))) continue;
    out.push(...checkPublicForm(mat, head.doc.value.type), ...checkRecipients(mat, baseConfig));
  }
  return out;
}

function changed(base: FileTree, head: FileTree, path: string): boolean {
  const b = base.get(path);
  const h = head.get(path);
  if (b === undefined || h === undefined) return b !== h;
  return !sameBytes(b, h);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** Policy files and .sops.yaml added, removed or edited. */
export function configFilesChanged(base: FileTree, head: FileTree): string[] {
  const isConfig = (p: string) =>
    p === SOPS_CONFIG_FILE || (p.startsWith(`${POLICIES_DIR}/`) && p.endsWith('.yaml'));
  const paths = new Set([...base.keys(), ...head.keys()].filter(isConfig));
  return [...paths].filter((p) => changed(base, head, p)).sort();
}
