// Deploy keys. The key line is checked the way GitHub does before accepting it: an OpenSSH
// public key whose base64 blob starts with its own type name, not already a deploy key of any
// repository.
import {
  ApiError,
  bodyOf,
  created,
  type Ctx,
  intParam,
  noContent,
  notFound,
  ok,
  paginate,
  route,
  type Route,
  str,
} from '../http.ts';
import type { DeployKey } from '../state.ts';

const TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** `type base64` of a valid OpenSSH public key line (comment dropped), or null. */
export function normalizeSshKey(line: string): string | null {
  const [type = '', b64 = ''] = line.trim().split(/\s+/);
  if (!TYPES.has(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len + 4 > blob.length || blob.subarray(4, 4 + len).toString('latin1') !== type) return null;
  return `${type} ${b64}`;
}

function render(ctx: Ctx, k: DeployKey): Record<string, unknown> {
  return {
    id: k.id,
    key: k.key,
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/keys/${k.id}`,
    title: k.title,
    verified: true,
    created_at: k.created_at,
    read_only: k.read_only,
    added_by: k.added_by,
    last_used: null,
    enabled: true,
  };
}

function invalid(message: string): ApiError {
  return new ApiError(422, 'Validation Failed', [
    { resource: 'PublicKey', code: 'custom', field: 'key', message },
  ]);
}

async function createKey(ctx: Ctx) {
  const body = bodyOf(ctx);
  const key = normalizeSshKey(str(body['key']) ?? '');
  if (!key) throw invalid('key is invalid. You must supply a key in OpenSSH public key format');
  // GitHub refuses a public key that is already a deploy key in ANY repository, not only this
  // one: the same 422 (ansible-collections/community.general#6718 shows the body, #10011 names
  // "the key is already used in another repository"; jcabi/jcabi-github#608).
  const inUse = [...ctx.state.repos.values()].some((r) => r.deployKeys.some((k) => k.key === key));
  if (inUse) throw invalid('key is already in use');
  const deployKey: DeployKey = {
    id: ctx.state.id(),
    key,
    title: str(body['title']) ?? '',
    read_only: body['read_only'] === true,
    created_at: ctx.now.toISOString(),
    added_by: ctx.identity.user.login,
  };
  ctx.repo.deployKeys.push(deployKey);
  return created(render(ctx, deployKey));
}

async function listKeys(ctx: Ctx) {
  const page = paginate(ctx, ctx.repo.deployKeys);
  return ok(
    page.items.map((k) => render(ctx, k)),
    page.headers,
  );
}

function find(ctx: Ctx): DeployKey {
  const id = intParam(ctx, 'key_id');
  const key = ctx.repo.deployKeys.find((k) => k.id === id);
  if (!key) throw notFound();
  return key;
}

async function getKey(ctx: Ctx) {
  return ok(render(ctx, find(ctx)));
}

async function deleteKey(ctx: Ctx) {
  const key = find(ctx);
  ctx.repo.deployKeys.splice(ctx.repo.deployKeys.indexOf(key), 1);
  return noContent();
}

const R = '/repos/{owner}/{repo}/keys';
export const deployKeyRoutes: Route[] = [
  route('GET', R, listKeys),
  route('POST', R, createKey),
  route('GET', `${R}/{key_id}`, getKey),
  route('DELETE', `${R}/{key_id}`, deleteKey),
];
