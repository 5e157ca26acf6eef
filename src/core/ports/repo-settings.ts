/**
 * The repository settings `rekey doctor` reads on GitHub: the default branch, its classic
 * protection and the ruleset rules that apply to it, and the Actions workflows with their
 * recent runs. Read-only; each method says what it costs. Failures are `GitHubError`s
 * (ports/github.ts): a token without `administration: read` gets `forbidden` from the classic
 * protection read, one without `actions: read` from the workflow reads.
 */

/** The parts of classic branch protection doctor checks. */
export interface ClassicProtection {
  /** Required status check contexts (`contexts`, and `checks[].context`). */
  readonly requiredChecks: readonly string[];
  /** 0 when pull request reviews are not required. */
  readonly requiredApprovals: number;
  readonly requireCodeOwnerReviews: boolean;
  /** "Require branches to be up to date before merging" (`required_status_checks.strict`). */
  readonly strict: boolean;
}

/** A rule from `GET rules/branches/{branch}`: every active rule, from any ruleset level. */
export interface BranchRule {
  readonly type: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export type WorkflowState =
  'active' | 'deleted' | 'disabled_fork' | 'disabled_inactivity' | 'disabled_manually';

export interface WorkflowInfo {
  readonly id: number;
  readonly name: string;
  /** `.github/workflows/rotate.yml` */
  readonly path: string;
  readonly state: WorkflowState | (string & {});
  readonly url: string;
}

export interface WorkflowRunInfo {
  readonly id: number;
  readonly event: string;
  /** queued, in_progress, completed, ... */
  readonly status: string | null;
  /** success, failure, cancelled, ... (null until completed) */
  readonly conclusion: string | null;
  readonly createdAt: string;
  readonly url: string;
}

export interface RepoSettingsPort {
  /** The repository's default branch. 1 call. */
  defaultBranch(): Promise<string>;
  /** Classic protection of `branch`, or null when it has none. 1 call. */
  branchProtection(branch: string): Promise<ClassicProtection | null>;
  /** The active ruleset rules for `branch` (repository and organization rulesets). 1 call per 100. */
  branchRules(branch: string): Promise<BranchRule[]>;
  /** Every workflow GitHub knows for the repository. 1 call per 100. */
  listWorkflows(): Promise<WorkflowInfo[]>;
  /**
   * The newest runs of one workflow, newest first, at most `limit` (<= 100). 1 call. The
   * workflow is named by its file name (`rotate.yml`), which GitHub accepts in place of the id.
   */
  recentRuns(workflowFile: string, limit: number): Promise<WorkflowRunInfo[]>;
}
