/**
 * What a change does to one key, as verify reports it, and the revocation gate it consults.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { KeyState } from '../formats/index.ts';

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
