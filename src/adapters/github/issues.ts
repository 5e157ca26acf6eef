/**
 * IssuesPort: one open issue per deterministic marker (a failed key, the dashboard), created,
 * updated or left alone (`ensure*`). Issues are listed by one label, so the list stays short.
 */
import type { IssueSpec, IssuesPort, TrackedIssue } from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { isGitHubError } from './errors.ts';
import { allPages, PER_PAGE, type RepoCoordinates } from './paginate.ts';

function withMarker(body: string, marker: string): string {
  return body.includes(marker) ? body : `${body.replace(/\s+$/, '')}\n\n${marker}\n`;
}

export function createIssuesAdapter(client: GitHubClient, at: RepoCoordinates): IssuesPort {
  const { octokit } = client;
  const { owner, repo } = at;

  const listIssues = async (label: string): Promise<TrackedIssue[]> => {
    const issues = await allPages(`open issues labelled ${label}`, (page) =>
      octokit.request('GET /repos/{owner}/{repo}/issues', {
        page,
        owner,
        repo,
        state: 'open',
        labels: label,
        direction: 'asc',
        per_page: PER_PAGE,
      }),
    );
    return issues
      .filter((i) => !i.pull_request)
      .map((hit) => ({
        number: hit.number,
        url: client.htmlUrl(owner, repo, 'issues', hit.number),
        title: hit.title,
        body: hit.body ?? '',
        labels: hit.labels.flatMap((l) => {
          const name = typeof l === 'string' ? l : l.name;
          return name ? [name] : [];
        }),
      }));
  };

  const findIssue = async (marker: string, label: string): Promise<TrackedIssue | null> => {
    if (marker === '') throw new Error('findIssue: the marker must not be empty');
    // The oldest one wins, should a person have copied the marker into another issue.
    return (await listIssues(label)).find((i) => i.body.includes(marker)) ?? null;
  };

  return {
    findIssue,
    listIssues,

    async commentIssue(issue: number, body: string): Promise<void> {
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: issue,
        body,
        request: { retries: 0 },
      });
    },

    async removeLabel(issue: number, label: string): Promise<'removed' | 'absent'> {
      try {
        await octokit.request('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', {
          owner,
          repo,
          issue_number: issue,
          name: label,
        });
        return 'removed';
      } catch (e) {
        // GitHub answers 404 "Label does not exist" when the issue does not carry it.
        if (isGitHubError(e, 'not-found')) return 'absent';
        throw e;
      }
    },

    async ensureIssue(spec: IssueSpec) {
      const body = withMarker(spec.body, spec.marker);
      const found = await findIssue(spec.marker, spec.labels[0]);
      if (!found) {
        const r = await octokit.request('POST /repos/{owner}/{repo}/issues', {
          owner,
          repo,
          title: spec.title,
          body,
          labels: [...spec.labels],
          // Not idempotent: a retry after a lost answer would open a second issue.
          request: { retries: 0 },
        });
        const number = r.data.number;
        return { number, url: client.htmlUrl(owner, repo, 'issues', number), result: 'created' };
      }
      const have = new Set(found.labels.map((l) => l.toLowerCase()));
      const missing = spec.labels.filter((l) => !have.has(l.toLowerCase()));
      const changed = found.title !== spec.title || found.body !== body || missing.length > 0;
      if (changed) {
        await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
          owner,
          repo,
          issue_number: found.number,
          title: spec.title,
          body,
          // PATCH replaces the label set: keep the ones people added.
          ...(missing.length > 0 ? { labels: [...found.labels, ...missing] } : {}),
        });
      }
      return {
        number: found.number,
        url: found.url,
        result: changed ? 'updated' : 'unchanged',
      };
    },

    async closeIssue(marker: string, label: string): Promise<'closed' | 'absent'> {
      const found = await findIssue(marker, label);
      if (!found) return 'absent';
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: found.number,
        state: 'closed',
        state_reason: 'completed',
      });
      return 'closed';
    },
  };
}
