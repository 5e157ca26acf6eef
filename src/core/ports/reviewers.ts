/**
 * What `rekey doctor` asks GitHub about the people and teams named as owners and reviewers:
 * whether a review request naming them would be accepted. Read-only; each method says what it
 * costs. Failures are `GitHubError`s (ports/github.ts).
 */

/** A person's base role on a repository, as `GET collaborators/{username}/permission` says it. */
export type BaseRole = 'admin' | 'write' | 'read' | 'none';

export interface ReviewerLookupPort {
  /** The account that owns the repository (a team reviewer must belong to it). */
  readonly owner: string;
  /**
   * The slugs of the teams of `org` the token can see. 1 call per 100. Needs the organization
   * permission `members: read` (GitHub answers 403 without it, 404 for a user account).
   */
  teams(org: string): Promise<string[]>;
  /**
   * `login`'s base role on the repository (maintain counts as write, triage as read), or null
   * when GitHub knows no such user. 1 call.
   */
  userRole(login: string): Promise<BaseRole | null>;
}
