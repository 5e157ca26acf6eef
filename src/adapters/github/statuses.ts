/** StatusPort over commit statuses (`rekey/distribution` is the evidence the revocation gate reads). */
import type {
  CommitState,
  CommitStatus,
  NewCommitStatus,
  StatusPort,
} from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { allPages, PER_PAGE, type RepoCoordinates } from './paginate.ts';

/** GitHub refuses a description longer than 140 characters. */
const MAX_DESCRIPTION = 140;

export function createStatusAdapter(client: GitHubClient, at: RepoCoordinates): StatusPort {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    async createStatus(sha: string, status: NewCommitStatus): Promise<void> {
      const description =
        status.description === undefined
          ? undefined
          : status.description.length > MAX_DESCRIPTION
            ? `${status.description.slice(0, MAX_DESCRIPTION - 1)}…`
            : status.description;
      await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        owner,
        repo,
        sha,
        state: status.state,
        context: status.context,
        ...(description === undefined ? {} : { description }),
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
      });
    },

    async listStatuses(ref: string, context?: string): Promise<CommitStatus[]> {
      const all = await allPages(`statuses of ${ref}`, (page) =>
        octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/statuses', {
          page,
          owner,
          repo,
          ref,
          per_page: PER_PAGE,
        }),
      );
      return all
        .filter((s) => context === undefined || s.context === context)
        .map((s) => ({
          state: s.state as CommitState,
          context: s.context,
          description: s.description,
          targetUrl: s.target_url,
          createdAt: s.created_at,
          creator: s.creator?.login ?? null,
        }));
    },
  };
}
