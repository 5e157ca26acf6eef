/**
 * The shapes of the distribute use case (docs/distribute.md; the contract between the flow,
 * the lease and the action). Everything here is secret-free by construction: reports carry
 * describeStep lines, fingerprints, versions and error messages that name routes and paths.
 */
import type { GitDataPort, IssuesPort, StatusPort } from '../../core/ports/github.ts';
import type { SopsCodec } from '../../core/ports/sops.ts';
import type { TargetPorts } from '../../core/ports/targets.ts';
import type { ProbePort } from '../../core/targets/probe.ts';
import type { FileTree } from '../../core/snapshot.ts';
import type { Progress } from '../../core/progress.ts';
import type { Rewrapper } from '../rewrap.ts';
import type { RewrapPull, RewrapPullPorts } from './rewrap.ts';
import type { StateRefPort } from './state.ts';
import type { DistributionEvidenceDocument } from './evidence.ts';

export interface DistributePorts {
  readonly git: Pick<GitDataPort, 'getBranchHead'>;
  readonly statuses: StatusPort;
  readonly issues: IssuesPort;
  readonly state: StateRefPort;
  readonly targets: TargetPorts;
  /** Decrypt only (the built-in codec with the SOPS_AGE_KEY identities). */
  readonly sops: SopsCodec;
  /** HTTPS probes (docs/targets.md "Probes"); absent: a declared probe fails as unconfigured. */
  readonly probes?: ProbePort;
  /**
   * The re-wrap PR (rewrap.ts): the keys repository's branch and pulls, and the codec that
   * re-wraps. Absent: keys whose material needs a re-wrap are held and reported, no PR opened.
   */
  readonly rewrap?: RewrapPullPorts & { readonly codec: Rewrapper };
}

export interface DistributeLog {
  info(m: string): void;
  warn(m: string): void;
}

export interface DistributeInput {
  /** The commit this run distributes (GITHUB_SHA). */
  readonly commit: string;
  /** Its files (readCheckout). */
  readonly tree: FileTree;
  readonly defaultBranch: string;
  /** Who takes the lease: the run URL, or `cli:<user>@<host>:<pid>`. */
  readonly holder: string;
  readonly now: () => Date;
  readonly runUrl?: string;
  /** Keys applied at once, and targets of one key at once (default 4). */
  readonly concurrency?: number;
  /** Preflight and plan; no write, no status, no issue, no lease. */
  readonly dryRun?: boolean;
  /** Key ids to resume (remove `rekey:halted`) before planning. */
  readonly resume?: readonly string[];
  readonly leaseWaitMs?: number;
  /** Called with every decrypted value (and its base64/hex forms) before anything logs. */
  readonly mask: (value: string) => void;
  readonly log?: DistributeLog;
  /** Progress lines while keys are applied (core/progress.ts); names and counts only. */
  readonly progress?: Progress;
  /** For waiting on a held lease (tests pass a virtual one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type DistributeOutcome =
  'converged' | 'failed' | 'superseded' | 'busy' | 'preflight-failed' | 'invalid' | 'dry-run';

export interface TargetReport {
  readonly key: string;
  /** Index in key.yaml's `targets`. */
  readonly target: number;
  readonly kind: string;
  /** Where the target is, for people: `actions:repo:acme/api API_TOKEN`, `deploy keys of acme/api`, a path. */
  readonly where: string;
  readonly outcome: 'unchanged' | 'converged' | 'failed' | 'skipped';
  /** describeStep lines of the steps planned (dry run) or done. */
  readonly steps: readonly string[];
  /** Failed steps and problems, secret-free. */
  readonly errors: readonly string[];
}

/** Material no key claims any more, removed (or not) from a target rekey wrote (removals.ts). */
export interface RemovalReport {
  /** The key that wrote it; null for an old receipt that did not record it. */
  readonly key: string | null;
  readonly kind: 'github-secret' | 'github-deploy-key';
  /** `actions:repo:acme/api API_TOKEN`, `deploy keys of acme/deploy`. */
  readonly where: string;
  readonly version: number | null;
  readonly outcome:
    'planned' | 'removed' | 'absent' | 'unreachable' | 'refused' | 'failed' | 'skipped';
  /** describeRemoval's line. */
  readonly step: string;
  readonly error?: string;
}

export interface KeyReport {
  readonly key: string;
  /** `held`: its material awaits the re-wrap PR (rewrap.ts); nothing written to its targets. */
  readonly outcome: 'unchanged' | 'converged' | 'failed' | 'halted' | 'skipped' | 'held';
  readonly targets: readonly TargetReport[];
  /** Orphaned material of this key (absent when there was none). */
  readonly removals?: readonly RemovalReport[];
  /** The failure issue's URL, when one was created or updated. */
  readonly issue?: string;
}

export interface DistributeResult {
  readonly outcome: DistributeOutcome;
  readonly commit: string;
  readonly keys: readonly KeyReport[];
  /** Preflight / invalid / lease reasons, secret-free. */
  readonly problems: readonly string[];
  /** Every removal of orphaned material, of every key (also in each key's report). */
  readonly removals: readonly RemovalReport[];
  /** The JSON artifact (schema `rekey.distribution/v1`); no secret, fingerprints only. */
  readonly evidence: DistributionEvidenceDocument;
  /** What was written as `rekey/distribution` on `commit`. */
  readonly status?: 'success' | 'failure';
  /** The `rekey/rewrap` PR this run opened, updated or found, when keys are held for it. */
  readonly rewrap?: RewrapPull;
  /**
   * The state ref's head was not vouched for by rekey and its receipts differ from the last
   * vouched ones (docs/distribute-state.md): commits and counts, never a receipt's content.
   */
  readonly tampering?: string;
}
