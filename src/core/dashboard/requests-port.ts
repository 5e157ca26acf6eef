/**
 * What the dashboard's request handler asks of GitHub (src/commands/dashboard-actions.ts):
 * the issue as the API has it now, its body written back, a comment, and a person's role on
 * the repository. Four calls; the handler trusts nothing else about who ticked what.
 */

/** An issue as `GET /repos/{o}/{r}/issues/{n}` returns it, in the handler's terms. */
export interface DashboardIssue {
  readonly number: number;
  readonly url: string;
  /** `user.login` of whoever created it. */
  readonly author: string;
  readonly body: string;
  readonly labels: readonly string[];
  readonly open: boolean;
  /** Pull requests are issues too; a pull request is never the dashboard. */
  readonly pullRequest: boolean;
}

/** `GET /repos/{o}/{r}/collaborators/{username}/permission`: the legacy base role and the role. */
export interface RepoPermission {
  /** admin, write, read or none (maintain reads as write, triage as read). */
  readonly permission: string;
  /** The role itself, custom roles included (`maintain`, `triage`, ...). */
  readonly role: string;
}

export interface DashboardRequestsPort {
  /** The issue, or null when there is none with that number. 1 call. */
  getIssue(issue: number): Promise<DashboardIssue | null>;
  /** Replaces the issue's body. 1 call. */
  setBody(issue: number, body: string): Promise<void>;
  /** Adds a comment. 1 call, never retried (a lost answer must not post it twice). */
  comment(issue: number, body: string): Promise<void>;
  /** The person's role here, or null when GitHub knows no such user (404). 1 call. */
  permission(login: string): Promise<RepoPermission | null>;
}
