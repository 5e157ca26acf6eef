/**
 * IssuesPort: one open issue per deterministic marker (a failed key, the dashboard), created,
 * updated or left alone (`ensure*`). Issues are listed by one label, so the list stays short.
 */
import type { IssueSpec, IssuesPort, TrackedIssue } from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { allPages, PER_PAGE, type RepoCoordinates } from './paginate.ts';

function withMarker(body: string, marker: string): string {
  return body.includes(marker) ? body : `${body.replace(/\s+$/, '')}\n\n${marker}\n`;
}

export function createIssuesAdapter(client: GitHubClient, at: RepoCoordinates): IssuesPort {
  const { octokit } = client;
  const { owner, repo } = at;

  const findIssue = async (marker: string, label: string): Promise<TrackedIssue | null> => {
    if (marker === '') throw new Error('findIssue: the marker must not be empty');
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
    // The oldest one wins, should a person have copied the marker into another issue.
    const hit = issues.find((i) => !i.pull_request && (i.body ?? '').includes(marker));
    if (!hit) return null;
    return {
      number: hit.number,
      url: client.htmlUrl(owner, repo, 'issues', hit.number),
      title: hit.title,
      body: hit.body ?? '',
      labels: hit.labels.flatMap((l) => {
        const name = typeof l === 'string' ? l : l.name;
        return name ? [name] : [];
      }),
    };
  };

  return {
    findIssue,

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
