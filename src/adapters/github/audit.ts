/**
 * AuditPullsPort over the REST API: the pull request that merged a commit
 * (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`), who merged it, and its reviews.
 */
import type { AuditPullsPort, MergedPull, PullReview } from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { isGitHubError } from './errors.ts';
import { allPages, PER_PAGE, type RepoCoordinates } from './paginate.ts';

interface Login {
  login: string;
  type?: string;
}
interface PullItem {
  number: number;
  title: string;
  user: Login | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged_by?: Login | null;
  head: { sha: string };
  base: { ref: string };
  labels: { name?: string }[];
}

export function createAuditPullsAdapter(client: GitHubClient, at: RepoCoordinates): AuditPullsPort {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    async mergedPullForCommit(sha, base) {
      let items: PullItem[];
      try {
        const r = await octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
          owner,
          repo,
          commit_sha: sha,
          per_page: PER_PAGE,
        });
        items = r.data as unknown as PullItem[];
      } catch (e) {
        // 422: GitHub does not know the commit (history pushed elsewhere): no pull request.
        if (isGitHubError(e, 'unprocessable')) return { pull: null, calls: 1 };
        throw e;
      }
      const merged = items.filter((p) => p.merged_at !== null && p.base.ref === base);
      const found = merged.find((p) => p.merge_commit_sha === sha) ?? merged[0];
      if (!found) return { pull: null, calls: 1 };
      let calls = 1;
      let mergedBy = found.merged_by;
      if (mergedBy === undefined) {
        const full = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
          owner,
          repo,
          pull_number: found.number,
        });
        calls++;
        mergedBy = full.data.merged_by;
      }
      const pull: MergedPull = {
        number: found.number,
        url: client.htmlUrl(owner, repo, 'pull', found.number),
        title: found.title,
        author: found.user?.login ?? '',
        authorType: found.user?.type ?? 'User',
        mergedBy: mergedBy?.login ?? null,
        mergedAt: found.merged_at!,
        mergeCommitSha: found.merge_commit_sha,
        headSha: found.head.sha,
        baseRef: found.base.ref,
        labels: found.labels.flatMap((l) => (l.name ? [l.name] : [])),
      };
      return { pull, calls };
    },

    async listReviews(pull) {
      let calls = 0;
      const all = await allPages(`reviews of #${pull}`, (page) => {
        calls++;
        return octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
          owner,
          repo,
          pull_number: pull,
          per_page: PER_PAGE,
          page,
        });
      });
      const reviews: PullReview[] = all.map((r) => ({
        login: r.user?.login ?? '',
        userType: r.user?.type ?? 'User',
        state: r.state as PullReview['state'],
        commitId: r.commit_id,
        submittedAt: r.submitted_at ?? null,
      }));
      return { reviews, calls };
    },
  };
}
