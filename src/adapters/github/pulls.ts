/**
 * PullsPort: rekey's PR candidates carry a hidden marker in the body (`<!-- rekey:v1 ... -->`),
 * so a person renaming a PR does not make rekey open another. The marker proves nothing: the
 * author, head repository, branch and labels returned with each PR are what
 * src/core/rekey-pulls.ts judges.
 */
import type {
  CreatedPull,
  NewPull,
  PullsPort,
  PullUpdate,
  RekeyPull,
  ReviewerRequest,
} from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { isGitHubError } from './errors.ts';
import { allPages, PER_PAGE, type RepoCoordinates } from './paginate.ts';

interface PullJson {
  number: number;
  title: string;
  body: string | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
  labels: { name?: string }[];
  user: { login: string } | null;
}

export function createPullsAdapter(client: GitHubClient, at: RepoCoordinates): PullsPort {
  const { octokit } = client;
  const { owner, repo } = at;
  const toPull = (p: PullJson): RekeyPull => ({
    number: p.number,
    url: client.htmlUrl(owner, repo, 'pull', p.number),
    headRef: p.head.ref,
    headSha: p.head.sha,
    baseRef: p.base.ref,
    title: p.title,
    body: p.body ?? '',
    labels: p.labels.flatMap((l) => (l.name ? [l.name] : [])),
    author: p.user?.login ?? '',
    headRepo: p.head.repo?.full_name ?? null,
    baseRepo: p.base.repo.full_name,
  });

  return {
    async listOpenRekeyPulls(marker: string): Promise<RekeyPull[]> {
      if (marker === '') throw new Error('listOpenRekeyPulls: the marker must not be empty');
      const pulls = await allPages('open pull requests', (page) =>
        octokit.request('GET /repos/{owner}/{repo}/pulls', {
          page,
          owner,
          repo,
          state: 'open',
          per_page: PER_PAGE,
        }),
      );
      return pulls.filter((p) => (p.body ?? '').includes(marker)).map(toPull);
    },

    async createPull(pull: NewPull): Promise<CreatedPull> {
      try {
        const r = await octokit.request('POST /repos/{owner}/{repo}/pulls', {
          owner,
          repo,
          head: pull.head,
          base: pull.base,
          title: pull.title,
          body: pull.body,
          ...(pull.draft === undefined ? {} : { draft: pull.draft }),
        });
        const number = r.data.number;
        return {
          number,
          url: client.htmlUrl(owner, repo, 'pull', number),
          result: 'created',
          author: r.data.user?.login ?? '',
          body: r.data.body ?? '',
        };
      } catch (e) {
        // 422 covers "already exists" and "no commits" alike: look for the open PR itself.
        if (!isGitHubError(e, 'unprocessable')) throw e;
        const open = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
          owner,
          repo,
          state: 'open',
          head: `${owner}:${pull.head}`,
          base: pull.base,
          per_page: 1,
        });
        const found = open.data[0];
        if (!found) throw e;
        return {
          number: found.number,
          url: client.htmlUrl(owner, repo, 'pull', found.number),
          result: 'exists',
          author: found.user?.login ?? '',
          body: found.body ?? '',
        };
      }
    },

    async updatePull(number: number, update: PullUpdate): Promise<void> {
      await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner,
        repo,
        pull_number: number,
        ...update,
      });
    },

    async addLabels(number: number, labels: readonly string[]): Promise<void> {
      if (labels.length === 0) return;
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
        owner,
        repo,
        issue_number: number,
        labels: [...labels],
      });
    },

    async requestReviewers(number: number, reviewers: ReviewerRequest): Promise<void> {
      if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
      await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        owner,
        repo,
        pull_number: number,
        reviewers: [...reviewers.users],
        team_reviewers: [...reviewers.teams],
      });
    },
  };
}
