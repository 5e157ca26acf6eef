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
import type { KeyState, VersionEntry } from '../formats/index.ts';
import type { KeyFacts, MaterialFacts } from './model.ts';
import { violation } from './rules.ts';
import { classifyEdge, type Edge } from './states.ts';

export interface GateVerdict {
  readonly open: boolean;
  /** Why, for the reviewer: evidence found or missing. Never secret. */
  readonly reason: string;
}

/**
 * The revocation gate (DESIGN.md "Flows: revoke"): may `version` of `keyId` be destroyed
 * now? Its evidence (first-parent history, `rekey/distribution` statuses, grace) lives on
 * GitHub, so the caller computes it and passes the predicate in. `state` is the version's
 * state on the base branch: compromised versions need no grace.
 */
export type RevocationGate = (
  keyId: string,
  version: number,
  context: { readonly state: 'deactivated' | 'compromised' },
) => GateVerdict;

export type KeyChangeKind =
  'rotation' | 'promotion' | 'revocation' | 'emergency' | 'new-key' | 'configuration' | 'removal';

/** One version whose state changed; `from` undefined: added; `to` undefined: entry removed. */
export interface VersionMove {
  readonly version: number;
  readonly from: KeyState | undefined;
  readonly to: KeyState | undefined;
}

export interface KeyChange {
  readonly keyId: string;
  /** What the change does to this key, sorted; empty only for a change with no effect. */
  readonly kinds: readonly KeyChangeKind[];
  readonly moves: readonly VersionMove[];
  /** key.yaml fields other than versions that changed; `material` when files were re-wrapped. */
  readonly configuration: readonly string[];
}

export interface KeyComparison {
  /** Undefined when the key is the same in base and head. */
  readonly change: KeyChange | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export interface TransitionOptions {
  readonly gate?: RevocationGate | undefined;
}

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

function newKey(head: KeyFacts): KeyComparison {
  const versions = head.doc.value.versions;
  const diagnostics: Diagnostic[] = [];
  versions.forEach((v, i) => {
    if (i === 0 && v.version === 1 && v.state === 'active') return;
    diagnostics.push(
      violation(
        'lifecycle/new-key-versions',
        i === 0
          ? `a new key starts with v1 active (or no versions), not v${v.version} ${v.state}`
          : `a new key starts with a single version, v1 active; v${v.version} must come in a later change`,
        head.doc.locate(['versions', i, i === 0 && v.version === 1 ? 'state' : 'version']),
      ),
    );
  });
  return {
    change: {
      keyId: head.id,
      kinds: ['new-key'],
      moves: versions.map((v) => ({ version: v.version, from: undefined, to: v.state })),
      configuration: [],
    },
    diagnostics,
  };
}

function removedKey(base: KeyFacts): KeyComparison {
  const versions = base.doc.value.versions;
  const live = versions.flatMap((v, i) => (v.state === 'destroyed' ? [] : [i]));
  const diagnostics = live
    .slice(0, 1)
    .map((i) =>
      violation(
        'lifecycle/key-removed',
        `key ${base.id} was removed while ${live.map((j) => `v${versions[j]!.version} (${versions[j]!.state})`).join(', ')} ${live.length === 1 ? 'is' : 'are'} live; ` +
          'destroy every version through revocation first, so its targets are cleaned up and the audit trail is complete',
        base.doc.locate(['versions', i, 'state']),
      ),
    );
  return {
    change: {
      keyId: base.id,
      kinds: ['removal'],
      moves: versions.map((v) => ({ version: v.version, from: v.state, to: undefined })),
      configuration: [],
    },
    diagnostics,
  };
}

function changedKey(base: KeyFacts, head: KeyFacts, opts: TransitionOptions): KeyComparison {
  const out: Diagnostic[] = [];
  const kinds = new Set<KeyChangeKind>();
  const moves: VersionMove[] = [];
  const id = head.id;
  const b = base.doc.value;
  const h = head.doc.value;
  const hLoc = (i: number, field: keyof VersionEntry) => head.doc.locate(['versions', i, field]);

  const configuration = CONFIG_FIELDS.filter((f) => !sameValue(b[f], h[f]));
  if (b.type !== h.type)
    out.push(
      violation(
        'lifecycle/type-changed',
        `the key type changed from ${b.type} to ${h.type}; existing versions were generated as ${b.type}. Create a new key instead`,
        head.doc.locate(['type']),
      ),
    );

  const bIdx = firstIndexByNumber(b.versions);
  const hIdx = firstIndexByNumber(h.versions);

  for (const [n, bi] of bIdx)
    if (!hIdx.has(n)) {
      const state = b.versions[bi]!.state;
      moves.push({ version: n, from: state, to: undefined });
      out.push(
        violation(
          'lifecycle/version-removed',
          `v${n} (${state} on the base branch) was removed from versions; entries are never removed, destroyed versions stay listed as the audit record`,
          head.doc.locate(['versions']),
        ),
      );
    }

  const edges = new Map<number, Edge>();
  const added: number[] = [];
  for (const [n, hi] of hIdx) {
    const hv = h.versions[hi]!;
    const bi = bIdx.get(n);
    if (bi === undefined) {
      added.push(n);
      continue;
    }
    const bv = b.versions[bi]!;
    if (bv.fingerprint !== hv.fingerprint)
      out.push(
        violation(
          'lifecycle/fingerprint-changed',
          `v${n}'s fingerprint changed from ${bv.fingerprint} to ${hv.fingerprint}; a version number names one piece of material forever. Add a new version instead`,
          hLoc(hi, 'fingerprint'),
        ),
      );
    if (bv.created !== hv.created)
      out.push(
        violation(
          'lifecycle/created-changed',
          `v${n}'s created time changed from ${bv.created} to ${hv.created}; it records when the material was generated and never changes`,
          hLoc(hi, 'created'),
        ),
      );
    const edge = classifyEdge(bv.state, hv.state);
    edges.set(n, edge);
    if (edge === 'unchanged') continue;
    moves.push({ version: n, from: bv.state, to: hv.state });
    if (edge === 'skip')
      out.push(
        violation('lifecycle/skipped-state', skipMessage(n, bv.state, hv.state), hLoc(hi, 'state')),
      );
    else if (edge === 'backward')
      out.push(
        violation(
          'lifecycle/resurrection',
          bv.state === 'destroyed'
            ? `v${n} went from destroyed to ${hv.state}; destroyed material is gone for good. Add a new version instead`
            : `v${n} went from ${bv.state} back to ${hv.state}; versions only move forward. Add a new version instead`,
          hLoc(hi, 'state'),
        ),
      );
    else if (edge === 'promote') kinds.add('promotion');
    else if (edge === 'compromise') kinds.add('emergency');
    else if (edge === 'destroy') {
      kinds.add('revocation');
      out.push(
        ...checkGate(id, n, bv.state as 'deactivated' | 'compromised', hLoc(hi, 'state'), opts),
      );
    }
  }

  // New versions: one per change, numbered max+1, starting active or pre-activation.
  const baseMax = Math.max(0, ...bIdx.keys());
  const baseNewest = b.versions.reduce((m, v) => (v.created > m ? v.created : m), '');
  added.sort((x, y) => x - y);
  added.forEach((n, k) => {
    const hi = hIdx.get(n)!;
    const hv = h.versions[hi]!;
    moves.push({ version: n, from: undefined, to: hv.state });
    if (k > 0 || n !== baseMax + 1)
      out.push(
        violation(
          'lifecycle/new-version-number',
          k > 0
            ? `v${n} is a second new version in one change; add one version per change`
            : n <= baseMax
              ? `v${n} is new but numbers up to v${baseMax} are taken; version numbers are never reused. Use v${baseMax + 1}`
              : `v${n} skips ${rangeText(baseMax + 1, n - 1)}; the next version is v${baseMax + 1}`,
          hLoc(hi, 'version'),
        ),
      );
    if (hv.state === 'active') kinds.add('rotation');
    else if (hv.state === 'pre-activation') {
      kinds.add('rotation');
      if (!(head.prepublishMs !== undefined && head.prepublishMs > 0))
        out.push(
          violation(
            'lifecycle/prepublish-disabled',
            `v${n} was added as pre-activation, but policy ${h.policy} has no prepublish period; add it as active and deactivate the current active version`,
            hLoc(hi, 'state'),
          ),
        );
    } else
      out.push(
        violation(
          'lifecycle/new-version-state',
          `v${n} was added as ${hv.state}; a new version starts active (or pre-activation when the policy prepublishes)`,
          hLoc(hi, 'state'),
        ),
      );
    if (baseNewest !== '' && hv.created < baseNewest)
      out.push(
        violation(
          'lifecycle/created-before-newest',
          `v${n} was created ${hv.created}, before the newest existing version (${baseNewest}); a new version is generated after every existing one`,
          hLoc(hi, 'created'),
        ),
      );
  });

  // The active version may leave active only when another one takes over in this change.
  const newlyActive = [...hIdx].some(
    ([n, hi]) =>
      h.versions[hi]!.state === 'active' && b.versions[bIdx.get(n) ?? -1]?.state !== 'active',
  );
  for (const [n, bi] of bIdx) {
    const hi = hIdx.get(n);
    if (b.versions[bi]!.state !== 'active' || hi === undefined || newlyActive) continue;
    const to = h.versions[hi]!.state;
    if (to === 'deactivated')
      out.push(
        violation(
          'lifecycle/active-without-successor',
          `v${n} went from active to deactivated but no version becomes active in this change, so the key would have none; add v${baseMax + 1} as active or promote the pre-activation version in the same change`,
          hLoc(hi, 'state'),
        ),
      );
    else if (to === 'compromised')
      out.push(
        violation(
          'lifecycle/active-without-successor',
          `v${n} was active and is now compromised, but no new active version arrives in this change; an emergency adds v${baseMax + 1} as active together with the compromise`,
          hLoc(hi, 'state'),
        ),
      );
  }

  // Material of versions present on both sides: only the age stanzas may change.
  let rewrapped = false;
  for (const [n, bm] of base.materials) {
    const hm = head.materials.get(n);
    if (hm === undefined || hm.text === bm.text) continue;
    const edited = MATERIAL_FIELDS.filter((f) => !sameValue(f.get(bm), f.get(hm)));
    if (edited.length === 0) rewrapped = true;
    else
      out.push(
        violation(
          'lifecycle/material-edited',
          `${hm.file}: ${edited.map((f) => f.name).join(', ')} changed for existing v${n}; material is never edited in place (only re-wrapping the data key for new recipients is). Add a new version instead`,
          hm.locate(edited[0]!.path),
        ),
      );
  }

  if (configuration.length > 0 || rewrapped) kinds.add('configuration');
  if (kinds.has('emergency')) {
    // The new active version of an emergency is part of it, not a separate rotation.
    kinds.delete('rotation');
    kinds.delete('promotion');
  }
  const change: KeyChange | undefined =
    kinds.size === 0 && moves.length === 0
      ? undefined
      : {
          keyId: id,
          kinds: [...kinds].sort(),
          moves: moves.sort((x, y) => y.version - x.version),
          configuration: rewrapped ? [...configuration, 'material'] : configuration,
        };
  return { change, diagnostics: out };
}

function checkGate(
  id: string,
  n: number,
  state: 'deactivated' | 'compromised',
  at: SourceLocation,
  opts: TransitionOptions,
): Diagnostic[] {
  if (opts.gate === undefined)
    return [
      violation(
        'lifecycle/revocation-gate-unchecked',
        `v${n} goes from ${state} to destroyed, but the revocation gate could not be checked (no distribution evidence was available), so destroying it is refused`,
        at,
      ),
    ];
  const verdict = opts.gate(id, n, { state });
  return verdict.open
    ? []
    : [
        violation(
          'lifecycle/revocation-gate-closed',
          `v${n} cannot be destroyed yet: ${verdict.reason}`,
          at,
        ),
      ];
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

/** The clear parts of a material file that bind it to one version; see DESIGN.md "Formats". */
const MATERIAL_FIELDS: readonly {
  name: string;
  path: readonly string[];
  get: (m: MaterialFacts) => unknown;
}[] = [
  { name: 'secret', path: ['secret'], get: (m) => m.secret },
  { name: 'id', path: ['id'], get: (m) => m.id },
  { name: 'version', path: ['version'], get: (m) => m.version },
  { name: 'public', path: ['public'], get: (m) => m.public },
  { name: 'sops.mac', path: ['sops', 'mac'], get: (m) => m.mac },
  { name: 'sops.lastmodified', path: ['sops', 'lastmodified'], get: (m) => m.lastmodified },
];

function firstIndexByNumber(versions: readonly VersionEntry[]): Map<number, number> {
  const m = new Map<number, number>();
  versions.forEach((v, i) => {
    if (!m.has(v.version)) m.set(v.version, i);
  });
  return m;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function rangeText(from: number, to: number): string {
  return from === to ? `v${from}` : `v${from}-v${to}`;
}
