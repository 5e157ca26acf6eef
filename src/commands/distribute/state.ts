/**
 * What the flow needs from the state kept on GitHub (the lease with its receipts, and the
 * failure issues), as one seam: `distribute` passes the real lease and failures modules; the
 * flow only ever calls these five functions, with the contract's signatures (section A).
 */
import type { IssuesPort, StateRefPort } from '../../core/ports/github.ts';
import type { SecretReceipt } from '../../core/targets/index.ts';
import type { AcquireOptions, LeaseOutcome } from './lease.ts';

export type { StateRefPort };

export interface KeyFailure {
  readonly key: string;
  /** One line per failed step/problem, already free of secrets. */
  readonly details: readonly string[];
}

export interface FailureRecord {
  readonly key: string;
  readonly issue: number;
  readonly url: string;
  readonly attempts: number;
  readonly halted: boolean;
  readonly result: 'created' | 'updated' | 'unchanged';
}

export interface DistributionState {
  acquireLease(port: StateRefPort, opts: AcquireOptions): Promise<LeaseOutcome>;
  /** The receipts stored on the state ref, read without taking the lease (dry runs). */
  readReceipts(port: StateRefPort): Promise<readonly SecretReceipt[]>;
  recordDistribution(
    issues: IssuesPort,
    input: {
      failed: readonly KeyFailure[];
      converged: readonly string[];
      budget: number;
      commit: string;
      runUrl?: string;
      now?: Date;
    },
  ): Promise<FailureRecord[]>;
  haltedKeys(
    issues: IssuesPort,
  ): Promise<Map<string, { issue: number; url: string; reason: string }>>;
  resumeKey(issues: IssuesPort, key: string, by?: string): Promise<'resumed' | 'not-halted'>;
}
