/**
 * The NIST SP 800-57 state machine of one key version, as DESIGN.md "Lifecycle" states it:
 *
 *   pre-activation -> active -> deactivated -> destroyed
 *   compromised from any live state, then destroyed.
 *
 * This module answers one question: what kind of move is `from -> to` for one version?
 * Whether the move is allowed in a given change also depends on the other versions of the
 * key (a successor must arrive, the revocation gate must hold); transitions.ts decides that.
 */
import type { KeyState } from '../formats/index.ts';

export type Edge =
  /** The state did not change. */
  | 'unchanged'
  /** pre-activation -> active. */
  | 'promote'
  /** active -> deactivated: allowed only with a successor in the same change. */
  | 'deactivate'
  /** deactivated | compromised -> destroyed: allowed only when the revocation gate holds. */
  | 'destroy'
  /** any live state -> compromised. */
  | 'compromise'
  /** A forward move that skips a state, e.g. active -> destroyed. */
  | 'skip'
  /** A move back to an earlier state, or out of destroyed. */
  | 'backward';

/** Position on the main line; compromised sits after every live state, before destroyed. */
const ORDER: Record<KeyState, number> = {
  'pre-activation': 0,
  active: 1,
  deactivated: 2,
  compromised: 3,
  destroyed: 4,
};

export function classifyEdge(from: KeyState, to: KeyState): Edge {
  if (from === to) return 'unchanged';
  if (from === 'destroyed') return 'backward';
  if (to === 'compromised') return 'compromise';
  if (from === 'compromised') return to === 'destroyed' ? 'destroy' : 'backward';
  if (ORDER[to] < ORDER[from]) return 'backward';
  if (from === 'pre-activation' && to === 'active') return 'promote';
  if (from === 'active' && to === 'deactivated') return 'deactivate';
  if (from === 'deactivated' && to === 'destroyed') return 'destroy';
  return 'skip';
}

export const isLive = (s: KeyState): boolean => s !== 'destroyed';
