/**
 * The GitHub adapter: a client factory, typed errors, token rules and the four ports bound to
 * one repository. Entrypoints build these and hand each command only the ports it needs.
 */
import type {
  GitDataPort,
  IssuesPort,
  PullsPort,
  StateRefPort,
  StatusPort,
} from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { createGitDataAdapter } from './git-data.ts';
import { createIssuesAdapter } from './issues.ts';
import type { RepoCoordinates } from './paginate.ts';
import { createPullsAdapter } from './pulls.ts';
import { createStateRefAdapter } from './refs.ts';
import { createStatusAdapter } from './statuses.ts';

export { createGitHubClient, serverUrlFor } from './client.ts';
export type { GitHubClient, GitHubClientOptions, GitHubLog } from './client.ts';
export { GitHubError, isGitHubError, redactCredentials, toGitHubError } from './errors.ts';
export { PaginationLimitError, type RepoCoordinates } from './paginate.ts';
export * from './token.ts';
export { createAuditPullsAdapter } from './audit.ts';
export { createGitDataAdapter, createIssuesAdapter, createPullsAdapter, createStatusAdapter };
export { createStateRefAdapter };

export interface GitHubPorts {
  readonly git: GitDataPort;
  readonly pulls: PullsPort;
  readonly statuses: StatusPort;
  readonly issues: IssuesPort;
  /** The state ref (`refs/rekey/distribution`): the distribution lease and its receipts. */
  readonly state: StateRefPort;
}

/** `owner/name` (GITHUB_REPOSITORY) to coordinates; throws on anything else. */
export function parseRepository(fullName: string): RepoCoordinates {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(fullName);
  if (!m?.[1] || !m[2] || m[2] === '.' || m[2] === '..')
    throw new Error(`repository must be owner/name, got ${JSON.stringify(fullName)}`);
  return { owner: m[1], repo: m[2] };
}

export function createGitHubPorts(client: GitHubClient, at: RepoCoordinates): GitHubPorts {
  return {
    git: createGitDataAdapter(client, at),
    pulls: createPullsAdapter(client, at),
    statuses: createStatusAdapter(client, at),
    issues: createIssuesAdapter(client, at),
    state: createStateRefAdapter(client, at),
  };
}
