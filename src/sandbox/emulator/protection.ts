// Branch rules and classic branch protection, as configured by a test, and their effect:
// direct pushes, force pushes and deletions through the refs API are refused, and a merge
// waits for the required approvals and status checks, as on GitHub.
import { ApiError, unprocessable } from './http.ts';
import type { Pull, RepoState, User } from './state.ts';

/** Throws 422 when the branch's rules forbid this ref update through the API. */
export function assertPushAllowed(
  repo: RepoState,
  branch: string,
  force: boolean,
  deletion = false,
): void {
  const rules = repo.rulesFor(branch);
  const has = (t: string): boolean => rules.some((r) => r.type === t);
  const violations: string[] = [];
  if (has('pull_request') || has('required_status_checks'))
    violations.push('Changes must be made through a pull request.');
  if (force && has('non_fast_forward')) violations.push('Cannot force-push to this branch');
  if (deletion && has('deletion')) violations.push('Cannot delete this branch');
  if (violations.length > 0)
    throw unprocessable(`Repository rule violations found\n\n${violations.join('\n')}`);
  const classic = repo.protection.get(branch);
  if (
    classic &&
    (classic.required_approving_review_count !== undefined ||
      classic.required_status_checks ||
      force ||
      deletion)
  )
    throw unprocessable(`Protected branch update failed for refs/heads/${branch}.`);
}

export interface MergeRequirements {
  approvals: number;
  contexts: string[];
  strict: boolean;
}

export function requirementsFor(repo: RepoState, branch: string): MergeRequirements {
  const req: MergeRequirements = { approvals: 0, contexts: [], strict: false };
  for (const r of repo.rulesFor(branch)) {
    const p = r.parameters ?? {};
    if (r.type === 'pull_request')
      req.approvals = Math.max(req.approvals, Number(p['required_approving_review_count'] ?? 0));
    if (r.type === 'required_status_checks') {
      const checks = Array.isArray(p['required_status_checks']) ? p['required_status_checks'] : [];
      for (const c of checks as { context?: string }[]) if (c.context) req.contexts.push(c.context);
      req.strict ||= p['strict_required_status_checks_policy'] === true;
    }
  }
  const classic = repo.protection.get(branch);
  if (classic) {
    req.approvals = Math.max(req.approvals, classic.required_approving_review_count ?? 0);
    req.contexts.push(...(classic.required_status_checks ?? []));
    req.strict ||= classic.strict === true;
  }
  return req;
}

/** Latest decisive review state per reviewer; COMMENTED never overrides a decision. */
export function approvers(pull: Pull, author: User): string[] {
  const latest = new Map<string, string>();
  for (const r of pull.reviews) {
    if (r.state === 'COMMENTED' || r.state === 'PENDING') continue;
    latest.set(r.user.login, r.state);
  }
  return [...latest]
    .filter(([login, s]) => s === 'APPROVED' && login !== author.login)
    .map(([l]) => l);
}

/** Throws 405 like GitHub when the base branch's protection does not allow the merge yet. */
export async function assertMergeAllowed(
  repo: RepoState,
  pull: Pull,
  author: User,
  baseSha: string,
): Promise<void> {
  const req = requirementsFor(repo, pull.baseRef);
  const problems: string[] = [];
  const approved = approvers(pull, author).length;
  if (approved < req.approvals)
    problems.push(
      `At least ${req.approvals} approving review${req.approvals === 1 ? ' is' : 's are'} required by reviewers with write access.`,
    );
  for (const context of new Set(req.contexts)) {
    const latest = repo.statuses
      .filter((s) => s.sha === pull.headSha && s.context === context)
      .at(-1);
    if (latest?.state !== 'success')
      problems.push(`Required status check "${context}" is expected.`);
  }
  if (req.strict && !(await repo.git.isAncestor(baseSha, pull.headSha)))
    problems.push('Head branch is not up to date with the base branch.');
  if (problems.length > 0)
    throw new ApiError(405, `Repository rule violations found\n\n${problems.join('\n')}`);
}
