/**
 * RepoSettingsPort over the REST API: what `rekey doctor` reads. Classic protection answers
 * 404 both for "not protected" and for a branch that does not exist; doctor asks for the
 * default branch, which exists, so 404 is "none". The workflow list wraps its items in
 * `{ total_count, workflows }`, so it is paged here rather than through `allPages`' item arrays.
 */
import { isGitHubError } from '../../core/ports/github.ts';
import type {
  BranchRule,
  ClassicProtection,
  RepoSettingsPort,
  WorkflowInfo,
  WorkflowRunInfo,
} from '../../core/ports/repo-settings.ts';
import type { GitHubClient } from './client.ts';
import {
  allPages,
  MAX_PAGES,
  PaginationLimitError,
  PER_PAGE,
  type RepoCoordinates,
} from './paginate.ts';

export function createRepoSettingsAdapter(
  client: GitHubClient,
  at: RepoCoordinates,
): RepoSettingsPort {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    async defaultBranch() {
      const r = await octokit.request('GET /repos/{owner}/{repo}', { owner, repo });
      return r.data.default_branch;
    },

    async branchProtection(branch): Promise<ClassicProtection | null> {
      try {
        const r = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}/protection', {
          owner,
          repo,
          branch,
        });
        const checks = r.data.required_status_checks;
        const reviews = r.data.required_pull_request_reviews;
        return {
          requiredChecks: [
            ...new Set([
              ...(checks?.contexts ?? []),
              ...(checks?.checks ?? []).map((c) => c.context),
            ]),
          ],
          requiredApprovals: reviews ? (reviews.required_approving_review_count ?? 1) : 0,
          requireCodeOwnerReviews: reviews?.require_code_owner_reviews === true,
          strict: checks?.strict === true,
        };
      } catch (e) {
        if (isGitHubError(e, 'not-found')) return null;
        throw e;
      }
    },

    async branchRules(branch): Promise<BranchRule[]> {
      const rules = await allPages(`rules of ${branch}`, (page) =>
        octokit.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
          owner,
          repo,
          branch,
          page,
          per_page: PER_PAGE,
        }),
      );
      return rules.map((r) => ({
        type: r.type,
        parameters: ('parameters' in r && r.parameters ? r.parameters : {}) as Record<
          string,
          unknown
        >,
      }));
    },

    async listWorkflows(): Promise<WorkflowInfo[]> {
      const out: WorkflowInfo[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await octokit.request('GET /repos/{owner}/{repo}/actions/workflows', {
          owner,
          repo,
          page,
          per_page: PER_PAGE,
        });
        for (const w of r.data.workflows)
          out.push({ id: w.id, name: w.name, path: w.path, state: w.state, url: w.html_url });
        if (out.length >= r.data.total_count || r.data.workflows.length === 0) return out;
      }
      throw new PaginationLimitError('workflows', MAX_PAGES);
    },

    async recentRuns(workflowFile, limit): Promise<WorkflowRunInfo[]> {
      const r = await octokit.request(
        'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
        { owner, repo, workflow_id: workflowFile, per_page: Math.min(100, Math.max(1, limit)) },
      );
      return r.data.workflow_runs.map((run) => ({
        id: Number(run.id),
        event: run.event,
        status: run.status ?? null,
        conclusion: run.conclusion ?? null,
        createdAt: run.created_at,
        url: run.html_url,
      }));
    },
  };
}
