// Where the CLI's GitHub is: the repository and the API of the clone's origin remote, so that
// a clone of a GitHub Enterprise Server repository talks to that server, not to github.com.
// GITHUB_API_URL and GITHUB_SERVER_URL (set by the Actions runner, or by hand) always win.
import { simpleGit } from 'simple-git';

/** The origin remote's URL of `dir`, or '' when there is none. */
export async function originUrl(dir: string): Promise<string> {
  return simpleGit({ baseDir: dir })
    .remote(['get-url', 'origin'])
    .then(
      (r) => (r || '').trim(),
      () => '',
    );
}

const REMOTE =
  /^(?:https?:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/|ssh:\/\/[^@/]+@([^/:]+)(?::\d+)?\/|[^@/\s]+@([^:/\s]+):)([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/;

/** `owner/name` of a GitHub remote URL (https, ssh:// or scp-like), or undefined. */
export function repositoryFromRemote(url: string): string | undefined {
  return REMOTE.exec(url.trim())?.[4];
}

/** The host of a remote URL, lower-cased, or undefined. */
export function hostOfRemote(url: string): string | undefined {
  const m = REMOTE.exec(url.trim());
  return (m?.[1] ?? m?.[2] ?? m?.[3])?.toLowerCase();
}

export interface GitHubEndpoints {
  readonly apiUrl: string;
  readonly serverUrl: string;
}

/**
 * The API and web URLs for a remote: github.com (and its ssh host) is api.github.com; a
 * GHE.com subdomain `<name>.ghe.com` serves its API at `api.<name>.ghe.com`; any other host is
 * taken as GitHub Enterprise Server, whose REST API lives at `https://<host>/api/v3`
 * (GitHub's documented GHES base URL).
 */
export function githubEndpoints(
  env: Readonly<Record<string, string | undefined>>,
  remote: string,
): GitHubEndpoints {
  const host = hostOfRemote(remote);
  const fromRemote: GitHubEndpoints =
    host === undefined || host === 'github.com' || host === 'ssh.github.com'
      ? { apiUrl: 'https://api.github.com', serverUrl: 'https://github.com' }
      : host.endsWith('.ghe.com')
        ? { apiUrl: `https://api.${host}`, serverUrl: `https://${host}` }
        : { apiUrl: `https://${host}/api/v3`, serverUrl: `https://${host}` };
  return {
    apiUrl: env.GITHUB_API_URL || fromRemote.apiUrl,
    serverUrl: env.GITHUB_SERVER_URL || fromRemote.serverUrl,
  };
}
