/**
 * What the flow needs from the state kept on GitHub (the lease with its receipts, and the
 * failure issues), as one seam: `distribute` passes the real lease (lease.ts) and failures
 * (failures.ts) modules; the flow only ever calls these seven functions.
 */
import type { IssuesPort, StateRefPort, TrackedIssue } from '../../core/ports/github.ts';
import type { Receipt } from '../../core/targets/index.ts';
import type { FailureRecord, RecordInput } from './failures.ts';
import type { AcquireOptions, LeaseOutcome, LeaseState } from './lease.ts';

export type { FailureRecord, KeyFailure } from './failures.ts';
export type { StateRefPort };

export interface DistributionState {
  acquireLease(port: StateRefPort, opts: AcquireOptions): Promise<LeaseOutcome>;
  /**
   * The state ref, read without taking the lease (null: there is none yet), authenticated
   * when its lease is free (lease.ts readLeaseState).
   */
  readLeaseState(
    port: StateRefPort,
    opts: { readonly trusted?: readonly string[]; readonly now: () => Date },
  ): Promise<LeaseState | null>;
  /**
   * The receipts on the state ref a run may trust (of the newest commit rekey vouched for,
   * state-auth.ts), read without taking the lease (dry runs).
   */
  readReceipts(
    port: StateRefPort,
    opts?: { readonly trusted?: readonly string[] },
  ): Promise<readonly Receipt[]>;
  recordDistribution(issues: IssuesPort, input: RecordInput): Promise<FailureRecord[]>;
  haltedKeys(
    issues: IssuesPort,
  ): Promise<Map<string, { issue: number; url: string; reason: string }>>;
  /** The open failure issues and the halted keys among them, from one list. */
  failureIssues(issues: IssuesPort): Promise<{
    readonly halted: Map<string, { issue: number; url: string; reason: string }>;
    readonly open: readonly TrackedIssue[];
  }>;
  resumeKey(issues: IssuesPort, key: string, by?: string): Promise<'resumed' | 'not-halted'>;
}
