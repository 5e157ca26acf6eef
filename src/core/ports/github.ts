/**
 * The GitHub ports: small interfaces the commands take, one per concern, each bound to one
 * repository when an entrypoint builds it (src/adapters/github). A command asks for the few
 * methods it needs (`Pick<PullsPort, 'listOpenRekeyPulls'>`), never for "a GitHub client".
 *
 * Every method documents how many REST calls it makes, because the issue sets a budget: at
 * most 8 calls for a new rotation PR (branch head 1 + open PRs 1 + commitFiles 3 + createPull
 * 1 + addLabels 1 + requestReviewers 1) and 3 for a run where nothing is due. A reviewer request
 * GitHub refuses costs more (src/commands/open-pull.ts: users and teams apart, then one by one).
 *
 * Failures are `GitHubError`s (below): callers branch on `code`, never on message text.
 * Outcomes that are expected in a convergent pipeline (a ref that already exists, an issue that
 * is already up to date) are results, not exceptions.
 */

/** The branch tip and its tree: what a commit on top of the branch needs. */
export interface BranchHead {
  readonly commit: string;
  readonly tree: string;
}

/** One file to write (`content`) or delete (`null`). Paths are repository-relative, `/`-separated. */
export interface FileChange {
  readonly path: string;
  readonly content: Uint8Array | null;
}

export interface GitPerson {
  readonly name: string;
  readonly email: string;
  /** ISO 8601; omitted: GitHub uses the time of the request. */
  readonly date?: string;
}

export type CreateRefResult =
  | { readonly result: 'created' }
  /** The ref existed already (another run owns it); `sha` is where it points now. */
  | { readonly result: 'exists'; readonly sha: string };

export interface CommitFilesInput {
  /** The commit to build on, and its tree (the new tree is `base.tree` plus `changes`). */
  readonly base: BranchHead;
  readonly changes: readonly FileChange[];
  readonly message: string;
  /** Omitted: the token's identity (an App's `<slug>[bot]`). */
  readonly author?: GitPerson;
  /**
   * Where the commit goes: `create` a new branch atomically (an existing one is reported, not
   * overwritten), or `fast-forward` an existing branch (never forced).
   */
  readonly branch: { readonly name: string; readonly mode: 'create' | 'fast-forward' };
}

export interface CommitFilesResult {
  readonly commit: string;
  readonly tree: string;
  /**
   * `created` / `updated`: the branch now points at `commit`. `exists`: the branch was there
   * already and points at `existing` (our commit is left unreferenced; adopt or stop).
   */
  readonly ref: 'created' | 'updated' | 'exists';
  readonly existing?: string;
}

export interface GitDataPort {
  /**
   * The branch's tip commit and tree, or null when the branch does not exist. 1 call. GitHub
   * answers 404 for a repository the token cannot see too, so check the repository first.
   */
  getBranchHead(branch: string): Promise<BranchHead | null>;
  /** Creates `refs/heads/<branch>` at `sha`, atomically. 1 call; 2 when it already exists. */
  createBranch(branch: string, sha: string): Promise<CreateRefResult>;
  /** Moves a branch to `sha`, fast-forward only (GitHub answers a non-fast-forward with 422: `unprocessable`). 1 call. */
  fastForwardBranch(branch: string, sha: string): Promise<void>;
  /** Deletes a branch; `absent` when there was none. 1 call; 2 when GitHub refuses (422). */
  deleteBranch(branch: string): Promise<'deleted' | 'absent'>;
  /**
   * One commit with these changes on top of `base`, then the branch write. 3 calls (tree,
   * commit, ref) plus 1 per file that is not UTF-8 text (uploaded as a blob), plus 1 when the
   * branch to create exists already.
   */
  commitFiles(input: CommitFilesInput): Promise<CommitFilesResult>;
  /**
   * The full message of commit `sha` (subject, body and trailers), or null when there is no
   * such commit. 1 call. Used to adopt a branch another run created: its trailers say what it
   * carries.
   */
  getCommitMessage(sha: string): Promise<string | null>;
}

export interface RekeyPull {
  readonly number: number;
  readonly url: string;
  readonly headRef: string;
  readonly headSha: string;
  readonly baseRef: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly author: string;
  /**
   * `owner/name` of the repository the head branch lives in (a fork's, for a PR from a fork);
   * null when GitHub no longer knows it (a deleted fork).
   */
  readonly headRepo: string | null;
  /** `owner/name` of the repository the PR is opened against. */
  readonly baseRepo: string;
}

export interface NewPull {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly draft?: boolean;
}

export interface PullUpdate {
  readonly title?: string;
  readonly body?: string;
  readonly state?: 'open' | 'closed';
}

/** Users by login, teams by slug (of the repository's organization). */
export interface ReviewerRequest {
  readonly users: readonly string[];
  readonly teams: readonly string[];
}

export interface CreatedPull {
  readonly number: number;
  readonly url: string;
  readonly result: 'created' | 'exists';
  /**
   * The PR's author as GitHub returned it (`user.login`): the token's own login. An
   * installation token cannot read `GET /user`, so this is how a run learns who it is.
   */
  readonly author: string;
  /** The PR's body as GitHub holds it (an existing PR's may differ from the one asked for). */
  readonly body: string;
}

export interface PullsPort {
  /**
   * Open PRs whose body contains `marker`: candidates only. Anyone can write a marker, so
   * callers decide which are rekey's by author, head repository, branch and label
   * (src/core/rekey-pulls.ts). 1 call per 100 open PRs.
   */
  listOpenRekeyPulls(marker: string): Promise<RekeyPull[]>;
  /**
   * Opens a PR. 1 call. An open PR for the same head and base (another run, or our own request
   * whose answer was lost) is `exists` with its number: 1 more call to find it.
   */
  createPull(pull: NewPull): Promise<CreatedPull>;
  /** 1 call. */
  updatePull(number: number, update: PullUpdate): Promise<void>;
  /** Adds labels (kept ones stay). 1 call; 0 when `labels` is empty. */
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  /**
   * 1 call; 0 when both lists are empty. All-or-nothing on GitHub: one handle it refuses (the
   * PR's author, a user without access, any team when the token lacks the organization
   * permission `members: read`) is `unprocessable` and nobody is requested.
   */
  requestReviewers(number: number, reviewers: ReviewerRequest): Promise<void>;
}

export type CommitState = 'error' | 'failure' | 'pending' | 'success';

export interface CommitStatus {
  readonly state: CommitState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly createdAt: string;
  readonly creator: string | null;
}

export interface NewCommitStatus {
  readonly state: CommitState;
  readonly context: string;
  /** GitHub truncates nothing: longer than 140 characters is refused, so keep it short. */
  readonly description?: string;
  readonly targetUrl?: string;
}

export interface StatusPort {
  /** 1 call. */
  createStatus(sha: string, status: NewCommitStatus): Promise<void>;
  /** Statuses of a ref (sha or branch), newest first, optionally of one context. 1 call per 100. */
  listStatuses(ref: string, context?: string): Promise<CommitStatus[]>;
}

export interface IssueSpec {
  /** A deterministic hidden marker (`<!-- rekey:issue payments/webhook -->`); put in the body when absent. */
  readonly marker: string;
  readonly title: string;
  readonly body: string;
  /** At least one; the first is the one listed by (issues lacking it are not found). */
  readonly labels: readonly [string, ...string[]];
}

export interface TrackedIssue {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
}

export interface IssuesPort {
  /** The open issue carrying `marker` and `label`, or null. 1 call per 100 open issues with the label. */
  findIssue(marker: string, label: string): Promise<TrackedIssue | null>;
  /**
   * Creates the issue, or brings the open one to `spec` (title, body, missing labels; labels
   * others added stay). find + 0 or 1 call. A create is never retried: a lost answer must not
   * make two issues; the next run finds the one that was made.
   */
  ensureIssue(
    spec: IssueSpec,
  ): Promise<{ number: number; url: string; result: 'created' | 'updated' | 'unchanged' }>;
  /** Closes the open issue carrying `marker`; find + 0 or 1 call. */
  closeIssue(marker: string, label: string): Promise<'closed' | 'absent'>;
  /** Open issues (not pull requests) with `label`, oldest first. 1 call per 100. */
  listIssues(label: string): Promise<TrackedIssue[]>;
  /**
   * Adds a comment. 1 call, never retried: a lost answer must not post it twice (a comment a
   * retry could not find would be duplicated).
   */
  commentIssue(issue: number, body: string): Promise<void>;
  /** Removes one label from an issue; `absent` when it did not carry it. 1 call. */
  removeLabel(issue: number, label: string): Promise<'removed' | 'absent'>;
}

/** The files of a state ref's commit (UTF-8 text by path), and that commit. */
export interface StateRefSnapshot {
  readonly commit: string;
  readonly files: ReadonlyMap<string, string>;
}

export type StateRefWrite =
  | { readonly result: 'written'; readonly commit: string }
  /** The ref moved since `parent` was read (or exists, when creating it): another run won. */
  | { readonly result: 'conflict' };

/**
 * A ref outside `refs/heads` (`refs/rekey/distribution`) whose commit holds a few small JSON
 * files: state that runs share (the distribution lease and its receipts). It is not a branch,
 * so it triggers no workflow and no branch rule. Every write is a compare-and-swap: a new
 * commit on `parent`, and the ref moves only as a fast-forward from `parent`.
 */
export interface StateRefPort {
  /**
   * The ref's commit and its top-level files, or null when the ref does not exist. 2 calls
   * (ref, tree) plus 1 per file whose content this port has not read before (blobs are
   * cached by their sha, which is their content's hash).
   */
  read(ref: string): Promise<StateRefSnapshot | null>;
  /**
   * A new commit holding exactly `files` (the whole tree) with `parent` as its parent, then
   * the ref write: create it when `parent` is null, else fast-forward it from `parent` (never
   * forced). `conflict` when the ref moved meanwhile or, creating, exists. 3 calls (tree with
   * inline content, commit, ref), plus 1 to tell a lost answer to our own write from a
   * conflict when GitHub answers 422.
   */
  write(
    ref: string,
    parent: string | null,
    files: ReadonlyMap<string, string>,
    message: string,
  ): Promise<StateRefWrite>;
  /**
   * The top-level files of commit `sha` of the ref's history (as `read` gives the head's).
   * 1 call (tree) plus 1 per file not read before.
   */
  readCommit(sha: string): Promise<StateRefSnapshot>;
  /** The parents of commit `sha`, first parent first. 1 call. */
  parents(sha: string): Promise<readonly string[]>;
  /**
   * Who vouched for commit `sha`: the creators (GitHub's `creator.login`, which a client cannot
   * choose) of the `success` statuses of `context` on it, newest first. 1 call per 100 statuses.
   */
  vouchers(sha: string, context: string): Promise<readonly string[]>;
  /** Vouches for commit `sha`: a `success` status of `context` on it. 1 call. */
  vouch(sha: string, context: string, description: string): Promise<void>;
}

export type GitHubErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'other';

export interface GitHubErrorInit {
  readonly status: number;
  readonly code: GitHubErrorCode;
  /** `METHOD /route/{template}`; never query values, never a token. */
  readonly route: string;
  /** GitHub's `message` (what went wrong), already free of credentials. */
  readonly detail: string;
  readonly requestId?: string;
  /** From `x-accepted-github-permissions`, e.g. `contents=write`. */
  readonly acceptedPermissions?: string;
  /** GitHub's `errors[].code` (422 `already_exists`, `missing_field`, `custom`, ...). */
  readonly errorCodes?: readonly string[];
  /** GitHub's `errors[].message` where given (422 "A pull request already exists for ..."). */
  readonly errorMessages?: readonly string[];
  /** Seconds to wait, from `retry-after` or the rate-limit reset, when GitHub said so. */
  readonly retryAfter?: number;
}

/**
 * A failed GitHub request, typed at the adapter boundary. It lives in core so that commands can
 * branch on it without importing an adapter. It carries no request or response object: nothing
 * that could hold an Authorization header travels with it.
 */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly status: number;
  readonly code: GitHubErrorCode;
  readonly route: string;
  readonly requestId: string | undefined;
  readonly acceptedPermissions: string | undefined;
  readonly errorCodes: readonly string[];
  readonly errorMessages: readonly string[];
  readonly retryAfter: number | undefined;
  constructor(init: GitHubErrorInit) {
    const what =
      init.status === 0 ? `no response (${init.detail})` : `${init.status} ${init.detail}`;
    const parts = [`GitHub ${init.route} failed: ${what}`];
    if (init.errorMessages?.length) parts.push(`(${init.errorMessages.join('; ')})`);
    if (init.acceptedPermissions)
      parts.push(`; the token needs the permission ${init.acceptedPermissions}`);
    if (init.requestId) parts.push(`[request ${init.requestId}]`);
    super(parts.join(' '));
    this.status = init.status;
    this.code = init.code;
    this.route = init.route;
    this.requestId = init.requestId;
    this.acceptedPermissions = init.acceptedPermissions;
    this.errorCodes = init.errorCodes ?? [];
    this.errorMessages = init.errorMessages ?? [];
    this.retryAfter = init.retryAfter;
  }
}

export function isGitHubError(e: unknown, code?: GitHubErrorCode): e is GitHubError {
  return e instanceof GitHubError && (code === undefined || e.code === code);
}

/**
 * Splits reviewer handles as written in key.yaml and policies (`@acme/security` is a team of
 * the organization `acme`, `@alice` a user) into a reviewer request. Duplicates collapse.
 */
export function reviewerRequest(handles: readonly string[]): ReviewerRequest {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const h of handles) {
    const name = h.trim().replace(/^@/, '');
    if (name === '') continue;
    const slash = name.indexOf('/');
    if (slash >= 0) teams.add(name.slice(slash + 1));
    else users.add(name);
  }
  return { users: [...users], teams: [...teams] };
}

/** A merged pull request as the audit reads it (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
export interface MergedPull {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly author: string;
  /** The author account's type (`User`, `Bot`, `Organization`). */
  readonly authorType: string;
  readonly mergedBy: string | null;
  readonly mergedAt: string;
  readonly mergeCommitSha: string | null;
  readonly headSha: string;
  readonly baseRef: string;
  readonly labels: readonly string[];
}

export interface PullReview {
  readonly login: string;
  /** The reviewer account's type (`User`, `Bot`). */
  readonly userType: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  /** The head commit the review was made at. */
  readonly commitId: string | null;
  readonly submittedAt: string | null;
}

/**
 * What the audit asks GitHub about a manifest commit on the default branch: which pull request
 * merged it, and that pull request's reviews. Read-only (`pull_requests: read`).
 */
export interface AuditPullsPort {
  /**
   * The merged pull request into `base` that brought `sha` onto it (its merge commit, or for a
   * rebase merge one of its commits), or null: no merged pull request carries it (a direct
   * push). 1 call; 2 when the list answer lacks `merged_by` (GitHub's list items do), to read
   * who merged it. `calls` says how many were made.
   */
  mergedPullForCommit(
    sha: string,
    base: string,
  ): Promise<{ readonly pull: MergedPull | null; readonly calls: number }>;
  /** Every review of a pull request, oldest first. 1 call per 100 reviews. */
  listReviews(pull: number): Promise<{ readonly reviews: PullReview[]; readonly calls: number }>;
}
