/**
 * The moves a change makes to one key, base branch -> head of the change, checked against
 * DESIGN.md "Lifecycle". A change may only:
 * - add version max+1 as active, moving the previous active to deactivated (rotation), or
 *   add it as pre-activation while the active version stays (when the policy prepublishes);
 * - promote pre-activation to active, moving the previous active to deactivated;
 * - move deactivated or compromised to destroyed, deleting its material (revocation, only
 *   when the revocation gate holds);
 * - mark a live version compromised; when it was the active one, a new active version
 *   arrives in the same change (emergency);
 * - add a key (no versions, or v1 active); remove a key whose versions are all destroyed;
 * - edit the rest of key.yaml (description, owner, policy, targets, options): configuration.
 * Everything else is a violation with its own rule id (rules.ts).
 */
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import type { KeyDocument, KeyState, VersionEntry } from '../formats/index.ts';
import type {
  KeyChange,
  KeyChangeKind,
  KeyComparison,
  TransitionOptions,
  VersionMove,
} from './change.ts';
import { newKey, removedKey } from './key-presence.ts';
import { checkGate } from './revocation-gate.ts';
import { compareMaterials } from './material-edits.ts';
import type { KeyFacts } from './model.ts';
import { violation } from './rules.ts';
import { classifyEdge } from './states.ts';

export type {
  GateVerdict,
  KeyChange,
  KeyChangeKind,
  KeyComparison,
  RevocationGate,
  TransitionOptions,
  VersionMove,
} from './change.ts';

export function compareKey(
  base: KeyFacts | undefined,
  head: KeyFacts | undefined,
  opts: TransitionOptions = {},
): KeyComparison {
  if (base === undefined && head === undefined) return { change: undefined, diagnostics: [] };
  if (base === undefined) return newKey(head!);
  if (head === undefined) return removedKey(base);
  return changedKey(base, head, opts);
}

/** What the checks of one changed key share and add to. */
interface Comparison {
  readonly id: string;
  readonly b: KeyDocument;
  readonly h: KeyDocument;
  readonly head: KeyFacts;
  /** Version number -> index of its first entry, per side. */
  readonly bIdx: ReadonlyMap<number, number>;
  readonly hIdx: ReadonlyMap<number, number>;
  readonly out: Diagnostic[];
  readonly kinds: Set<KeyChangeKind>;
  readonly moves: VersionMove[];
  at(i: number, field: keyof VersionEntry): SourceLocation;
}

function changedKey(base: KeyFacts, head: KeyFacts, opts: TransitionOptions): KeyComparison {
  const b = base.doc.value;
  const h = head.doc.value;
  const c: Comparison = {
    id: head.id,
    b,
    h,
    head,
    bIdx: firstIndexByNumber(b.versions),
    hIdx: firstIndexByNumber(h.versions),
    out: [],
    kinds: new Set(),
    moves: [],
    at: (i, field) => head.doc.locate(['versions', i, field]),
  };

  const configuration = CONFIG_FIELDS.filter((f) => JSON.stringify(b[f]) !== JSON.stringify(h[f]));
  if (b.type !== h.type)
    c.out.push(
      violation(
        'lifecycle/type-changed',
        `the key type changed from ${b.type} to ${h.type}; existing versions were generated as ${b.type}. Create a new key instead`,
        head.doc.locate(['type']),
      ),
    );
  checkRemovedVersions(c);
  checkExistingVersions(c, opts);
  checkNewVersions(c);
  checkSuccessor(c);
  const materials = compareMaterials(base, head);
  c.out.push(...materials.diagnostics);

  const { kinds, moves } = c;
  if (configuration.length > 0 || materials.rewrapped) kinds.add('configuration');
  if (kinds.has('emergency')) {
    // The new active version of an emergency is part of it, not a separate rotation.
    kinds.delete('rotation');
    kinds.delete('promotion');
  }
  const change: KeyChange | undefined =
    kinds.size === 0 && moves.length === 0
      ? undefined
      : {
          keyId: c.id,
          kinds: [...kinds].sort(),
          moves: moves.sort((x, y) => y.version - x.version),
          configuration: materials.rewrapped ? [...configuration, 'material'] : configuration,
        };
  return { change, diagnostics: c.out };
}

function checkRemovedVersions(c: Comparison): void {
  for (const [n, bi] of c.bIdx) {
    if (c.hIdx.has(n)) continue;
    const state = c.b.versions[bi]!.state;
    c.moves.push({ version: n, from: state, to: undefined });
    c.out.push(
      violation(
        'lifecycle/version-removed',
        `v${n} (${state} on the base branch) was removed from versions; entries are never removed, destroyed versions stay listed as the audit record`,
        c.head.doc.locate(['versions']),
      ),
    );
  }
}

/** Versions on both sides: identity unchanged, state moved one allowed step at most. */
function checkExistingVersions(c: Comparison, opts: TransitionOptions): void {
  for (const [n, hi] of c.hIdx) {
    const bi = c.bIdx.get(n);
    if (bi === undefined) continue;
    const bv = c.b.versions[bi]!;
    const hv = c.h.versions[hi]!;
    if (bv.fingerprint !== hv.fingerprint)
      c.out.push(
        violation(
          'lifecycle/fingerprint-changed',
          `v${n}'s fingerprint changed from ${bv.fingerprint} to ${hv.fingerprint}; a version number names one piece of material forever. Add a new version instead`,
          c.at(hi, 'fingerprint'),
        ),
      );
    if (bv.created !== hv.created)
      c.out.push(
        violation(
          'lifecycle/created-changed',
          `v${n}'s created time changed from ${bv.created} to ${hv.created}; it records when the material was generated and never changes`,
          c.at(hi, 'created'),
        ),
      );
    const edge = classifyEdge(bv.state, hv.state);
    if (edge === 'unchanged') continue;
    c.moves.push({ version: n, from: bv.state, to: hv.state });
    const at = c.at(hi, 'state');
    if (edge === 'skip')
      c.out.push(violation('lifecycle/skipped-state', skipMessage(n, bv.state, hv.state), at));
    else if (edge === 'backward')
      c.out.push(
        violation(
          'lifecycle/resurrection',
          bv.state === 'destroyed'
            ? `v${n} went from destroyed to ${hv.state}; destroyed material is gone for good. Add a new version instead`
            : `v${n} went from ${bv.state} back to ${hv.state}; versions only move forward. Add a new version instead`,
          at,
        ),
      );
    else if (edge === 'promote') c.kinds.add('promotion');
    else if (edge === 'compromise') c.kinds.add('emergency');
    else if (edge === 'destroy') {
      c.kinds.add('revocation');
      c.out.push(...checkGate(c.id, n, bv.state as 'deactivated' | 'compromised', at, opts));
    }
  }
}

/** New versions: one per change, numbered max+1, starting active or pre-activation. */
function checkNewVersions(c: Comparison): void {
  const baseMax = Math.max(0, ...c.bIdx.keys());
  const baseNewest = c.b.versions.reduce((m, v) => (v.created > m ? v.created : m), '');
  const byFingerprint = new Map(c.b.versions.map((v) => [v.fingerprint, v.version] as const));
  const added = [...c.hIdx.keys()].filter((n) => !c.bIdx.has(n)).sort((x, y) => x - y);
  added.forEach((n, k) => {
    const hi = c.hIdx.get(n)!;
    const hv = c.h.versions[hi]!;
    c.moves.push({ version: n, from: undefined, to: hv.state });
    if (k > 0 || n !== baseMax + 1)
      c.out.push(
        violation(
          'lifecycle/new-version-number',
          k > 0
            ? `v${n} is a second new version in one change; add one version per change`
            : n <= baseMax
              ? `v${n} is new but numbers up to v${baseMax} are taken; version numbers are never reused. Use v${baseMax + 1}`
              : `v${n} skips ${rangeText(baseMax + 1, n - 1)}; the next version is v${baseMax + 1}`,
          c.at(hi, 'version'),
        ),
      );
    const prepublishMs = c.head.prepublishMs;
    if (hv.state === 'active') c.kinds.add('rotation');
    else if (hv.state === 'pre-activation') {
      c.kinds.add('rotation');
      if (!(prepublishMs !== undefined && prepublishMs > 0))
        c.out.push(
          violation(
            'lifecycle/prepublish-disabled',
            `v${n} was added as pre-activation, but policy ${c.h.policy} ${prepublishMs === undefined ? 'is unknown' : 'has no prepublish period'}; add it as active and deactivate the current active version`,
            c.at(hi, 'state'),
          ),
        );
    } else
      c.out.push(
        violation(
          'lifecycle/new-version-state',
          `v${n} was added as ${hv.state}; a new version starts active (or pre-activation when the policy prepublishes)`,
          c.at(hi, 'state'),
        ),
      );
    const same = byFingerprint.get(hv.fingerprint);
    if (same !== undefined)
      c.out.push(
        violation(
          'lifecycle/fingerprint-reused',
          `v${n} has the fingerprint of v${same} (${hv.fingerprint}): it is the same material, so this rotation would change nothing. Generate new material`,
          c.at(hi, 'fingerprint'),
        ),
      );
    if (baseNewest !== '' && hv.created < baseNewest)
      c.out.push(
        violation(
          'lifecycle/created-before-newest',
          `v${n} was created ${hv.created}, before the newest existing version (${baseNewest}); a new version is generated after every existing one`,
          c.at(hi, 'created'),
        ),
      );
  });
}

/** The active version may leave active only when another one takes over in this change. */
function checkSuccessor(c: Comparison): void {
  const newlyActive = [...c.hIdx].some(
    ([n, hi]) =>
      c.h.versions[hi]!.state === 'active' && c.b.versions[c.bIdx.get(n) ?? -1]?.state !== 'active',
  );
  if (newlyActive) return;
  const next = Math.max(0, ...c.bIdx.keys()) + 1;
  for (const [n, bi] of c.bIdx) {
    const hi = c.hIdx.get(n);
    if (c.b.versions[bi]!.state !== 'active' || hi === undefined) continue;
    const to = c.h.versions[hi]!.state;
    if (to === 'deactivated')
      c.out.push(
        violation(
          'lifecycle/active-without-successor',
          `v${n} went from active to deactivated but no version becomes active in this change, so the key would have none; add v${next} as active or promote the pre-activation version in the same change`,
          c.at(hi, 'state'),
        ),
      );
    else if (to === 'compromised')
      c.out.push(
        violation(
          'lifecycle/active-without-successor',
          `v${n} was active and is now compromised, but no new active version arrives in this change; an emergency adds v${next} as active together with the compromise`,
          c.at(hi, 'state'),
        ),
      );
  }
}

function skipMessage(n: number, from: KeyState, to: KeyState): string {
  const via =
    from === 'pre-activation' && to === 'deactivated'
      ? 'it must be active first'
      : from === 'pre-activation'
        ? 'it must be active and then deactivated first, or compromised'
        : 'it must be deactivated first';
  return `v${n} went from ${from} to ${to}; ${via}`;
}

/** key.yaml fields whose edits are configuration (versions are the lifecycle). */
const CONFIG_FIELDS = [
  'id',
  'description',
  'owner',
  'policy',
  'type',
  'options',
  'targets',
] as const;

function firstIndexByNumber(versions: readonly VersionEntry[]): Map<number, number> {
  const m = new Map<number, number>();
  versions.forEach((v, i) => {
    if (!m.has(v.version)) m.set(v.version, i);
  });
  return m;
}

function rangeText(from: number, to: number): string {
  return from === to ? `v${from}` : `v${from}-v${to}`;
}
