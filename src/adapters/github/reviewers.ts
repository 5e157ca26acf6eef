/**
 * ReviewerLookupPort over the REST API: the organization's teams (members: read) and a
 * person's role on the repository (metadata: read), what `rekey doctor` asks of each owner
 * and reviewer.
 */
import { isGitHubError } from '../../core/ports/github.ts';
import type { BaseRole, ReviewerLookupPort } from '../../core/ports/reviewers.ts';
import type { GitHubClient } from './client.ts';
import { allPages, PER_PAGE, type RepoCoordinates } from './paginate.ts';

export function createReviewerLookupAdapter(
  client: GitHubClient,
  at: RepoCoordinates,
): ReviewerLookupPort {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    owner,

    async teams(org) {
      const teams = await allPages(`teams of ${org}`, (page) =>
        octokit.request('GET /orgs/{org}/teams', { org, page, per_page: PER_PAGE }),
      );
      return teams.map((t) => t.slug.toLowerCase());
    },

    async userRole(login): Promise<BaseRole | null> {
      try {
        const r = await octokit.request(
          'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
          { owner, repo, username: login },
        );
        const p = r.data.permission;
        return p === 'admin' || p === 'write' || p === 'read' ? p : 'none';
      } catch (e) {
        if (isGitHubError(e, 'not-found')) return null;
        throw e;
      }
    },
  };
}
