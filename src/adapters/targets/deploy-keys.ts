/**
 * DeployKeysPort over `/repos/{owner}/{repo}/keys` (fine-grained permission "Administration").
 * GitHub cannot edit a deploy key: a change of title or read-only is a delete and an add. A key
 * added with an App installation token survives uninstalling the App.
 */
import type { DeployKeysPort, ObservedDeployKey } from '../../core/ports/targets.ts';
import type { GitHubClient } from '../github/client.ts';
import { isGitHubError } from '../github/errors.ts';
import { allPages, PER_PAGE } from '../github/paginate.ts';

function split(fullName: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = fullName.split('/');
  return { owner, repo };
}

interface RawKey {
  id: number;
  title: string;
  key: string;
  read_only: boolean;
}

const observed = (k: RawKey): ObservedDeployKey => ({
  id: k.id,
  title: k.title,
  key: k.key,
  readOnly: k.read_only,
});

export function createDeployKeysAdapter(client: GitHubClient): DeployKeysPort {
  const { octokit } = client;
  return {
    async listDeployKeys(repository) {
      const all = await allPages(`deploy keys of ${repository}`, (page) =>
        octokit.request('GET /repos/{owner}/{repo}/keys', {
          ...split(repository),
          per_page: PER_PAGE,
          page,
        }),
      );
      return all.map(observed);
    },

    async addDeployKey(repository, key) {
      const r = await octokit.request('POST /repos/{owner}/{repo}/keys', {
        ...split(repository),
        title: key.title,
        key: key.key,
        read_only: key.readOnly,
      });
      return observed(r.data);
    },

    async deleteDeployKey(repository, id) {
      try {
        await octokit.request('DELETE /repos/{owner}/{repo}/keys/{key_id}', {
          ...split(repository),
          key_id: id,
        });
        return 'deleted';
      } catch (e) {
        if (isGitHubError(e) && e.code === 'not-found') return 'absent';
        throw e;
      }
    },
  };
}
