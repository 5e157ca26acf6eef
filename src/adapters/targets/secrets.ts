/**
 * SecretsPort over GitHub's Actions and Dependabot secrets, for repository, environment and
 * organization scopes. Values are sealed exactly as GitHub documents ("Encrypting secrets for
 * the REST API"): the scope's base64 public key is decoded, the UTF-8 value is sealed with
 * libsodium's `crypto_box_seal` (an anonymous sealed box: ephemeral key + MAC, 48 bytes more
 * than the value), and the box is sent base64-encoded with the key's `key_id`.
 *
 * Each scope's public key is fetched once per adapter (build one adapter per run) and cached;
 * if GitHub rotated it meanwhile and refuses the PUT with 422, the key is fetched again once.
 * Mutating requests are spaced by the client's throttle (about 1 s apart by default).
 * A write costs its PUT only: GitHub's answer has no body, so `updated_at` is settled later
 * from the scope's list (core/targets/settle.ts).
 */
import sodium from 'libsodium-wrappers';
import {
  type ObservedSecret,
  type OrgAccess,
  type OrgVisibility,
  type SecretPublicKey,
  type SecretScope,
  type SecretsPort,
  scopeId,
} from '../../core/ports/targets.ts';
import type { SecretValue } from '../../core/targets/secret-value.ts';
import { PENDING_UPDATED_AT } from '../../core/targets/settle.ts';
import type { GitHubClient } from '../github/client.ts';
import { isGitHubError } from '../github/errors.ts';
import { allPages, MAX_PAGES, PER_PAGE } from '../github/paginate.ts';

type Params = Record<string, unknown>;
interface Answer {
  status: number;
  data: unknown;
  headers: { link?: string };
}
type Request = (route: string, params: Params) => Promise<Answer>;

function split(fullName: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = fullName.split('/');
  return { owner, repo };
}

/** The route prefix (a template) and its parameters for a scope. */
function base(scope: SecretScope): { path: string; params: Params } {
  switch (scope.kind) {
    case 'repository':
      return {
        path: `/repos/{owner}/{repo}/${scope.app}/secrets`,
        params: split(scope.repository),
      };
    case 'environment':
      return {
        path: '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
        params: { ...split(scope.repository), environment_name: scope.environment },
      };
    case 'organization':
      return { path: `/orgs/{org}/${scope.app}/secrets`, params: { org: scope.organization } };
  }
}

/** Seals `value` for a scope's public key, as GitHub documents. Returns base64. */
export async function sealSecret(value: SecretValue, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  const plain = value.bytes();
  try {
    return sodium.to_base64(sodium.crypto_box_seal(plain, key), sodium.base64_variants.ORIGINAL);
  } finally {
    plain.fill(0);
  }
}

export function createSecretsAdapter(client: GitHubClient): SecretsPort {
  const request = client.octokit.request as unknown as Request;
  const keys = new Map<string, Promise<SecretPublicKey>>();
  const repoIds = new Map<string, Promise<number>>();

  const publicKey = (scope: SecretScope, fresh = false): Promise<SecretPublicKey> => {
    const id = scopeId(scope);
    let p = fresh ? undefined : keys.get(id);
    if (p === undefined) {
      const { path, params } = base(scope);
      p = request(`GET ${path}/public-key`, params).then((r) => {
        const d = r.data as { key_id: string; key: string };
        return { keyId: d.key_id, key: d.key };
      });
      keys.set(id, p);
      p.catch(() => keys.delete(id)); // a failed fetch is not cached
    }
    return p;
  };

  const repositoryId = (fullName: string): Promise<number> => {
    const k = fullName.toLowerCase();
    let p = repoIds.get(k);
    if (p === undefined) {
      p = request('GET /repos/{owner}/{repo}', split(fullName)).then(
        (r) => (r.data as { id: number }).id,
      );
      repoIds.set(k, p);
      p.catch(() => repoIds.delete(k));
    }
    return p;
  };

  const orgBody = async (scope: SecretScope, org: OrgAccess | undefined): Promise<Params> => {
    if (scope.kind !== 'organization') return {};
    const visibility: OrgVisibility = org?.visibility ?? 'private';
    if (visibility !== 'selected') return { visibility };
    const ids = await Promise.all((org?.selectedRepositories ?? []).map(repositoryId));
    return { visibility, selected_repository_ids: ids };
  };

  return {
    publicKey: (scope) => publicKey(scope),

    async listSecrets(scope): Promise<ObservedSecret[]> {
      const { path, params } = base(scope);
      // The list is `{ total_count, secrets }`, not an array: page by hand, bounded.
      const all = await allPages(`secrets of ${scopeId(scope)}`, async (page) => {
        const r = await request(`GET ${path}`, { ...params, per_page: PER_PAGE, page });
        return { data: (r.data as { secrets: RawSecret[] }).secrets, headers: r.headers };
      });
      return all.map((s) => ({
        name: s.name,
        updatedAt: s.updated_at,
        ...(s.visibility === undefined ? {} : { visibility: s.visibility }),
      }));
    },

    async selectedRepositories(scope, name): Promise<string[]> {
      if (scope.kind !== 'organization') return [];
      const { path, params } = base(scope);
      const out: string[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await request(`GET ${path}/{secret_name}/repositories`, {
          ...params,
          secret_name: name,
          per_page: PER_PAGE,
          page,
        });
        const d = r.data as { total_count: number; repositories: { full_name: string }[] };
        out.push(...d.repositories.map((x) => x.full_name));
        if (out.length >= d.total_count || d.repositories.length === 0) return out;
      }
      return out;
    },

    async putSecret(scope, name, value, org) {
      const { path, params } = base(scope);
      const extra = await orgBody(scope, org);
      const put = async (fresh: boolean) => {
        const k = await publicKey(scope, fresh);
        return request(`PUT ${path}/{secret_name}`, {
          ...params,
          secret_name: name,
          encrypted_value: await sealSecret(value, k.key),
          key_id: k.keyId,
          ...extra,
        });
      };
      let r: Answer;
      try {
        r = await put(false);
      } catch (e) {
        // GitHub rotated the scope's key since we fetched it: fetch it again, once.
        if (!isGitHubError(e) || e.code !== 'unprocessable') throw e;
        r = await put(true);
      }
      // 201 or 204, no body: the receipt's updated_at comes from the scope's list, read once
      // after the run's writes (core/targets/settle.ts), not from one GET per secret.
      return { result: r.status === 201 ? 'created' : 'updated', updatedAt: PENDING_UPDATED_AT };
    },

    async deleteSecret(scope, name) {
      const { path, params } = base(scope);
      try {
        await request(`DELETE ${path}/{secret_name}`, { ...params, secret_name: name });
        return 'deleted';
      } catch (e) {
        if (isGitHubError(e) && e.code === 'not-found') return 'absent';
        throw e;
      }
    },
  };
}

interface RawSecret {
  name: string;
  updated_at: string;
  visibility?: OrgVisibility;
}
