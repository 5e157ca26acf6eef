import type { KeyDocument, PipelineDocument, PolicyDocument } from '../formats/index.ts';
import type { HistoryIndex } from '../history/model.ts';
import type { Located } from '../snapshot.ts';

/** What the planner reads of a loaded manifest (a `ManifestSnapshot` satisfies it). */
export interface PlanSnapshot {
  readonly keys: ReadonlyMap<string, Located<KeyDocument>>;
  readonly policies: ReadonlyMap<string, Located<PolicyDocument>>;
  readonly pipeline: PipelineDocument;
}

export type PullKind = 'rotate' | 'promote' | 'revoke' | 'emergency';

/** An open rekey pull request, as recognised by its hidden marker. */
export interface OpenPull {
  readonly keyId: string;
  readonly kind: PullKind;
  readonly number: number;
}

export interface PlanInput {
  readonly snapshot: PlanSnapshot;
  /** First-parent history of the default branch; without it ages fall back to `created`. */
  readonly history?: HistoryIndex;
  readonly openPulls: readonly OpenPull[];
  /** Key ids labelled `rekey:halted`: automation leaves them alone until a person resumes. */
  readonly halted: readonly string[];
  readonly now: Date;
}

interface StepBase {
  readonly keyId: string;
  readonly policy: string;
  /** One sentence a reviewer can check against the manifest, history and policy. */
  readonly reason: string;
  /** Caveats, such as an age taken from `created` because history did not have it. */
  readonly notes: readonly string[];
}

/** Open a rotation PR adding `version`. */
export interface RotateStep extends StepBase {
  readonly kind: 'rotate';
  readonly version: number;
  /** `pre-activation` when the policy prepublishes and an active version stays in use. */
  readonly state: 'active' | 'pre-activation';
  /** The active version this one replaces (deactivated now, or at promotion). */
  readonly replaces?: number;
  readonly due: string;
  readonly overdue: boolean;
}

/** Something the command must check before acting; the plan cannot see it. */
export interface DistributionProven {
  readonly kind: 'distribution-proven';
  /** This version must be on every target: `rekey/distribution` = success on a commit at
   * or after the one where it entered pre-activation. */
  readonly version: number;
  /** That commit, when history knows it. */
  readonly since?: string;
}

/** Open a promotion PR: `version` goes from pre-activation to active. */
export interface PromoteStep extends StepBase {
  readonly kind: 'promote';
  readonly version: number;
  readonly replaces?: number;
  readonly due: string;
  readonly overdue: boolean;
  readonly preconditions: readonly DistributionProven[];
}

export type SkipCause = 'halted' | 'open-pull' | 'outside-window' | 'budget';

/** Something is due but this run will not do it; `reason` says why, in words. */
export interface SkipStep extends StepBase {
  readonly kind: 'skip';
  readonly wanted: 'rotate' | 'promote';
  readonly cause: SkipCause;
  readonly due: string;
  readonly overdue: boolean;
  /** The open PR that holds the key (cause `open-pull`). */
  readonly pull?: number;
  /** When the policy window next opens (cause `outside-window`). */
  readonly nextWindow?: string;
}

/** Nothing to do; `nextDue` is when something will be. */
export interface OkStep extends StepBase {
  readonly kind: 'ok';
  readonly nextDue: string;
  readonly overdue: boolean;
}

export type PlanStep = RotateStep | PromoteStep | SkipStep | OkStep;

export interface Plan {
  readonly now: string;
  /** One step per key, ordered by key id. */
  readonly steps: readonly PlanStep[];
  /** Keys whose active version is past its cryptoperiod, ordered by key id. */
  readonly overdue: readonly string[];
  readonly budget: {
    readonly max: number;
    /** Rekey PRs already open, of any kind. */
    readonly open: number;
    /** PRs this plan would open. */
    readonly planned: number;
  };
}
