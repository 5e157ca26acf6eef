/**
 * What happens to a rekey PR after the rotate or revoke command opened it, as on GitHub:
 * the verify workflow runs the `verify-pull` command on it and records its result as the
 * required check `rekey/verify` (a commit status: the emulator has no check runs); people
 * other than the author approve it (as many as the policy asks); one of them merges it with
 * a merge commit, which the branch rules allow only now.
 */
import { firstParentCommits } from '../../adapters/git/commits.ts';
import { buildHistoryIndex } from '../../adapters/git/history.ts';
import { isGitHubError } from '../../adapters/github/index.ts';
import type { ChangeAction } from '../../commands/changes.ts';
import { verifyPull, type VerifyPullResult } from '../../commands/verify-pull.ts';
import { formatDiagnostic } from '../../core/diagnostics.ts';
import type { PolicyDocument } from '../../core/formats/index.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { KEYS_REPO, PEOPLE, type Sandbox } from './sandbox.ts';

export const VERIFY_CONTEXT = 'rekey/verify';

export interface OpenedPull {
  readonly keyId: string;
  readonly action: ChangeAction;
  readonly branch: string;
  readonly number: number;
}

export type PullEnd =
  | { readonly merged: true; readonly sha: string; readonly verify: VerifyPullResult }
  | { readonly merged: false; readonly reason: string; readonly verify?: VerifyPullResult };

const [owner, repo] = KEYS_REPO.split('/') as [string, string];

/** Verify, approve, merge. `base` is the default branch the PR was opened on. */
export async function reviewAndMerge(
  sb: Sandbox,
  pull: OpenedPull,
  base: { sha: string; tree: FileTree },
  policy: PolicyDocument,
  say: (line: string) => void,
  opts: { showRefusedMerge?: boolean } = {},
): Promise<PullEnd> {
  const head = await sb.readBranch(pull.branch);
  const result = await verifyPull(
    { base, head, now: sb.now() },
    {
      history: (sha) => buildHistoryIndex(sb.clone, sha),
      firstParent: (sha) => firstParentCommits(sb.clone, sha),
      statuses: sb.rekey.statuses,
    },
  );
  const passed = result.diagnostics.length === 0;
  await sb.rekey.statuses.createStatus(head.sha, {
    state: passed ? 'success' : 'failure',
    context: VERIFY_CONTEXT,
    description: passed
      ? `${result.kind}: 0 violations`
      : `${result.diagnostics.length} violations`,
  });
  for (const v of result.gate?.verdicts ?? [])
    say(
      `    verify-pull re-checks the gate for ${v.keyId} v${v.version}: ${v.open ? 'open' : 'closed'}`,
    );
  say(
    `    verify-pull: ${result.kind}, ${result.diagnostics.length} violations -> check ${VERIFY_CONTEXT} = ${passed ? 'success' : 'failure'}`,
  );
  if (!passed) {
    for (const d of result.diagnostics) say(`      ${formatDiagnostic(d)}`);
    return { merged: false, reason: 'verify failed', verify: result };
  }

  const merger = sb.person(PEOPLE[0]);
  const merge = () =>
    merger.octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      owner,
      repo,
      pull_number: pull.number,
      merge_method: 'merge',
      sha: head.sha,
    });
  if (opts.showRefusedMerge) {
    try {
      await merge();
      return {
        merged: false,
        reason: 'merged without an approval: the branch rules are not applied',
      };
    } catch (e) {
      if (!isGitHubError(e) || e.status !== 405) throw e;
      say(
        `    ${PEOPLE[0]} tries to merge before anyone approved: refused by the branch rules (405)`,
      );
    }
  }

  const needed =
    pull.action === 'emergency'
      ? (policy.emergency?.approvals ?? policy.approvals)
      : policy.approvals;
  const approvers = PEOPLE.slice(0, Math.max(1, needed));
  for (const login of approvers)
    await sb
      .person(login)
      .octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
        owner,
        repo,
        pull_number: pull.number,
        commit_id: head.sha,
        event: 'APPROVE',
      });
  const opened = await sb
    .person(PEOPLE[0]!)
    .octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner,
      repo,
      pull_number: pull.number,
    });
  say(
    `    approved by ${approvers.join(' and ')} (policy ${policy.name}: ${needed} approval${needed === 1 ? '' : 's'}; the author ${opened.data.user.login} cannot approve its own PR)`,
  );
  const merged = await merge();
  say(`    merged by ${PEOPLE[0]}: main is now ${merged.data.sha.slice(0, 12)}`);
  return { merged: true, sha: merged.data.sha, verify: result };
}
