/**
 * The audit's data: what one pass over first-parent history yields (the history index plus,
 * per manifest commit, the material files and `.sops.yaml` it touched), what GitHub adds when
 * a token is given, and the typed report every renderer reads. Nothing here reads anything.
 */
import type { KeyState } from '../formats/key.ts';
import type { CommitRef, HistoryIndex } from '../history/model.ts';

/** A `keys-manifest/<id>/v<N>.sops.yaml` written or deleted by a commit (first-parent diff). */
export interface MaterialChange {
  readonly keyId: string;
  readonly version: number;
  readonly file: string;
  readonly kind: 'written' | 'deleted';
}

/** `.sops.yaml` before and after a commit that changed it; absent side: the file was not there. */
export interface SopsConfigChange {
  readonly before?: Uint8Array;
  readonly after?: Uint8Array;
}

/** One first-parent commit that touched the manifest (key.yaml, material or `.sops.yaml`). */
export interface AuditCommit {
  readonly commit: CommitRef;
  readonly parents: readonly string[];
  /** The commit subject (first line of the message), for people; never parsed. */
  readonly subject: string;
  /** Key ids whose key.yaml this commit wrote or deleted. */
  readonly keys: readonly string[];
  readonly materials: readonly MaterialChange[];
  /** `policies/*.yaml` files this commit wrote or deleted. */
  readonly policies?: readonly string[];
  readonly sopsConfig?: SopsConfigChange;
}

export interface AuditHistory {
  readonly index: HistoryIndex;
  /** Every manifest commit, oldest first. */
  readonly commits: readonly AuditCommit[];
  /**
   * Every key.yaml and `policies/*.yaml` as the audited ref has it (the last first-parent
   * commit that wrote it), read in the same pass so the tree need not be read again.
   */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

/** What a key's policy says, as far as the audit needs it (from the audited ref's tree). */
export interface AuditPolicy {
  readonly name: string;
  readonly cryptoperiod: string;
  readonly grace: string;
  readonly approvals: number;
  readonly emergencyApprovals?: number;
}

/** One review that counts toward a PR's approvals: the latest per person, APPROVED, at the merged head. */
export interface Approval {
  readonly login: string;
  readonly bot: boolean;
  readonly at: string;
}

/** The pull request that merged a manifest commit, as GitHub reports it. */
export interface PullEvidence {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly author: string;
  readonly authorBot: boolean;
  readonly mergedBy: string | null;
  readonly mergedAt: string | null;
  readonly headSha: string;
  readonly labels: readonly string[];
  readonly approvals: readonly Approval[];
  /** People whose latest APPROVED review was at an older head (not counted). */
  readonly staleApprovals: readonly string[];
}

/**
 * What GitHub said about a manifest commit: the PR that merged it, `null` when no merged PR
 * carries it (a direct push). A commit missing from the map was not asked about.
 */
export type PullsByCommit = ReadonlyMap<string, PullEvidence | null>;

/** The distribution proof for a destroyed version's successor, as read from commit statuses. */
export type DistributionProof =
  | { readonly result: 'proven'; readonly sha: string; readonly at: string }
  | { readonly result: 'unproven' }
  | { readonly result: 'unchecked'; readonly reason: string };

export interface GitHubEvidence {
  readonly pulls: PullsByCommit;
  /** Subject `${keyId}@v${version}` (see {@link destructionSubject}) -> proof. */
  readonly distribution: ReadonlyMap<string, DistributionProof>;
  /** REST calls made, and the budget they were made under. */
  readonly calls: number;
  readonly budget: number;
  /** Sentences about what could not be read (budget spent, a failure). */
  readonly notes: readonly string[];
}

export const destructionSubject = (keyId: string, version: number): string =>
  `${keyId}@v${version}`;

export const AUDIT_RULES = {
  'audit/cryptoperiod-exceeded': 'A version was active longer than its policy’s cryptoperiod.',
  'audit/grace-exceeded':
    'A deactivated version stayed on its targets longer than its grace plus the tolerance.',
  'audit/destroyed-unproven':
    'A version was destroyed before its successor was proven distributed.',
  'audit/destroyed-within-grace':
    'A deactivated version was destroyed before its grace had passed since the proof.',
  'audit/approval-missing':
    'Fewer approvals than the policy asks, by people other than the author.',
  'audit/approval-by-author': 'The PR author’s own approval.',
  'audit/approval-by-bot': 'An approval by a bot account.',
  'audit/direct-push': 'A manifest change that landed without a merged pull request.',
  'audit/material-not-removed': 'A destroyed version whose material file stayed in the tree.',
  'audit/recipients-changed': 'The `.sops.yaml` recipients changed.',
  'audit/material-by-person':
    'A new version of an existing key added by someone other than rekey’s App (`pull-authors`).',
} as const;
export type AuditRule = keyof typeof AUDIT_RULES | `history/${string}`;

export type Severity = 'high' | 'medium' | 'review';

export interface FindingCommit {
  readonly sha: string;
  readonly time: string;
  readonly url?: string;
}

export interface Finding {
  readonly rule: AuditRule;
  readonly severity: Severity;
  readonly key?: string;
  readonly version?: number;
  readonly commits: readonly FindingCommit[];
  readonly pull?: { readonly number: number; readonly url: string };
  /** A plain sentence: what happened, with times and amounts. */
  readonly message: string;
  /** True while the condition lasts (a version still past its cryptoperiod or grace). */
  readonly ongoing?: boolean;
}

export type TimelineEventKind = KeyState | 'material-written' | 'material-deleted';

export interface TimelineEvent {
  readonly kind: TimelineEventKind;
  readonly commit: FindingCommit;
  readonly pull?: {
    readonly number: number;
    readonly url: string;
    readonly title: string;
    readonly author: string;
    readonly mergedBy: string | null;
    /** Approvals counted at the merged head (bots and the author included; findings say which). */
    readonly approvedBy: readonly string[];
  };
}

export interface VersionReport {
  readonly version: number;
  readonly state: KeyState;
  readonly events: readonly TimelineEvent[];
  /** When the version was active: from, and until (absent while still active). */
  readonly active?: { readonly from: string; readonly until?: string };
}

export interface KeyReport {
  readonly key: string;
  readonly policy?: AuditPolicy;
  /** Set when key.yaml was deleted. */
  readonly removed?: FindingCommit;
  readonly versions: readonly VersionReport[];
}

export interface AuditReport {
  readonly schema: 'rekey.audit/v1';
  readonly generatedAt: string;
  readonly repository?: string;
  readonly ref: string;
  readonly head?: string;
  readonly since?: string;
  readonly manifestCommits: number;
  readonly github: {
    readonly enriched: boolean;
    readonly calls: number;
    readonly budget: number;
    /** Checks that could not be made, and why. */
    readonly notChecked: readonly string[];
  };
  readonly keys: readonly KeyReport[];
  readonly findings: readonly Finding[];
}
