/**
 * `distribute`: the default branch's manifest onto every target, under a lease, with a
 * preflight before the first write and evidence after the last (docs/distribute.md). The
 * order and its reasons are in flow.ts; this module binds the flow to the real lease
 * (lease.ts) and failure issues (failures.ts).
 */
import { failureIssues, recordDistribution, haltedKeys, resumeKey } from './failures.ts';
import { runDistribution } from './flow.ts';
import { acquireLease, readLeaseState, readReceipts, STATE_REF } from './lease.ts';
import type { DistributionState } from './state.ts';
import type { DistributeInput, DistributePorts, DistributeResult } from './types.ts';

export type * from './types.ts';
export type {
  DistributionEvidenceDocument,
  EvidenceKey,
  EvidenceStep,
  EvidenceTarget,
} from './evidence.ts';
export { EVIDENCE_SCHEMA, statusDescription } from './evidence.ts';
export { renderDistributeSummary } from './summary.ts';
export { secretForms } from './mask.ts';

const STATE: DistributionState = {
  acquireLease,
  readLeaseState: (port, opts) => readLeaseState(port, opts, STATE_REF),
  readReceipts: (port, opts) => readReceipts(port, STATE_REF, opts),
  recordDistribution,
  haltedKeys,
  failureIssues,
  resumeKey,
};

export function distribute(
  input: DistributeInput,
  ports: DistributePorts,
): Promise<DistributeResult> {
  return runDistribution(input, ports, STATE);
}
