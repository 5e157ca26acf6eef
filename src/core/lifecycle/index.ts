export { LIFECYCLE_RULES, LIFECYCLE_RULE_IDS, violation } from './rules.ts';
export type { LifecycleRuleId } from './rules.ts';
export { classifyEdge, isLive } from './states.ts';
export type { Edge } from './states.ts';
export { checkKeyInvariants, checkManifestInvariants } from './invariants.ts';
export { compareKey } from './transitions.ts';
export type {
  GateVerdict,
  KeyChange,
  KeyChangeKind,
  KeyComparison,
  RevocationGate,
  TransitionOptions,
  VersionMove,
} from './transitions.ts';
export { classifyChange } from './classify.ts';
export type { ChangeKind } from './classify.ts';
export { materialFacts } from './facts.ts';
export type { KeyFacts, ManifestFacts, MaterialFacts } from './model.ts';
export { gateEvidence, revocationGate } from './revocation-gate.ts';
export type { DistributionRecord, GateEvidence, GateSnapshot } from './revocation-gate.ts';
