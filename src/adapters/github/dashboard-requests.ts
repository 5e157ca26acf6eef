/**
 * DashboardRequestsPort over the REST API: the dashboard issue read and edited by number, a
 * comment on it, and "Get repository permissions for a user" for whoever ticked a box.
 */
import type {
  DashboardIssue,
  DashboardRequestsPort,
  RepoPermission,
} from '../../core/dashboard/requests-port.ts';
import type { GitHubClient } from './client.ts';
import { isGitHubError } from './errors.ts';
import type { RepoCoordinates } from './paginate.ts';

export function createDashboardRequestsAdapter(
  client: GitHubClient,
  at: RepoCoordinates,
): DashboardRequestsPort {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    async getIssue(issue: number): Promise<DashboardIssue | null> {
      try {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
          owner,
          repo,
          issue_number: issue,
        });
        return {
          number: data.number,
          url: client.htmlUrl(owner, repo, 'issues', data.number),
          author: data.user?.login ?? '',
          body: data.body ?? '',
          labels: data.labels.flatMap((l) => {
            const name = typeof l === 'string' ? l : l.name;
            return name ? [name] : [];
          }),
          open: data.state === 'open',
          pullRequest: data.pull_request !== undefined && data.pull_request !== null,
        };
      } catch (e) {
        if (isGitHubError(e, 'not-found')) return null;
        throw e;
      }
    },

    async setBody(issue: number, body: string): Promise<void> {
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: issue,
        body,
      });
    },

    async comment(issue: number, body: string): Promise<void> {
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: issue,
        body,
        request: { retries: 0 },
      });
    },

    async permission(login: string): Promise<RepoPermission | null> {
      try {
        const { data } = await octokit.request(
          'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
          { owner, repo, username: login },
        );
        return { permission: data.permission, role: data.role_name };
      } catch (e) {
        if (isGitHubError(e, 'not-found')) return null;
        throw e;
      }
    },
  };
}
