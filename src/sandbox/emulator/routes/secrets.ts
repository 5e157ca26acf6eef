// Secrets REST routes for the three scopes rekey distributes to (repository, environment,
// organization) and both apps (Actions, Dependabot). Values are checked against the scope's
// current public key; the emulator never returns or logs a value.
import {
  ApiError,
  bodyOf,
  type Ctx,
  noContent,
  notFound,
  ok,
  paginate,
  type Reply,
  route,
  type Route,
  str,
} from '../http.ts';
import { renderRepo } from '../render.ts';
import type { SecretApp, StoredSecret } from '../secret-boxes.ts';

type Kind = 'repo' | 'env' | 'org';

function scopeOf(ctx: Ctx, app: SecretApp, kind: Kind): string {
  if (kind === 'org') {
    const org = ctx.params['org'] ?? '';
    const known = [...ctx.state.repos.values()].some(
      (r) => r.owner.login.toLowerCase() === org.toLowerCase(),
    );
    if (!known) throw notFound();
    return `${app}:org:${org.toLowerCase()}`;
  }
  const repo = ctx.repo.fullName.toLowerCase();
  if (kind === 'repo') return `${app}:repo:${repo}`;
  const env = ctx.params['environment_name'] ?? '';
  if (!ctx.repo.environments.has(env)) throw notFound();
  return `${app}:env:${repo}:${env}`;
}

function render(ctx: Ctx, kind: Kind, s: StoredSecret): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: s.name,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
  if (kind === 'org') {
    out['visibility'] = s.visibility ?? 'private';
    if (s.visibility === 'selected')
      out['selected_repositories_url'] =
        `${ctx.urls.api}/orgs/${ctx.params['org'] ?? ''}/secrets/${s.name}/repositories`;
  }
  return out;
}

function validationFailed(field: string, message: string): ApiError {
  return new ApiError(422, 'Validation Failed', [
    { resource: 'Secret', field, code: 'custom', message },
  ]);
}

function put(app: SecretApp, kind: Kind) {
  return async (ctx: Ctx): Promise<Reply> => {
    const scope = scopeOf(ctx, app, kind);
    const name = ctx.params['secret_name'] ?? '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^GITHUB_/i.test(name))
      throw validationFailed(
        'name',
        'Secret names may only contain letters, digits and _, and may not start with GITHUB_ or a digit',
      );
    const body = bodyOf(ctx);
    const boxes = ctx.state.secrets;
    const existing = boxes.get(scope, name);
    const value = str(body['encrypted_value']);
    let sealed = existing?.sealed;
    let keyPair = existing?.keyPair;
    if (value !== undefined || kind !== 'org') {
      const checked = boxes.check(scope, str(body['key_id']) ?? '', value ?? '');
      if ('problem' in checked) throw validationFailed('encrypted_value', checked.problem);
      sealed = checked.sealed;
      keyPair = boxes.keyPair(scope);
    }
    if (!sealed || !keyPair)
      throw validationFailed('encrypted_value', 'A new secret needs encrypted_value and key_id');
    const visibility =
      kind === 'org' ? (str(body['visibility']) as StoredSecret['visibility']) : undefined;
    const ids = Array.isArray(body['selected_repository_ids'])
      ? (body['selected_repository_ids'] as unknown[])
      : [];
    const selected = ids.map(Number).filter((id) => ctx.state.repoById(id));
    const isNew = boxes.put(scope, {
      name,
      sealed,
      keyPair,
      visibility,
      selectedRepositoryIds: visibility === 'selected' ? selected : [],
      now: ctx.now.toISOString(),
    });
    return isNew ? { status: 201, body: {} } : noContent();
  };
}

function get(app: SecretApp, kind: Kind) {
  return async (ctx: Ctx): Promise<Reply> => {
    const s = ctx.state.secrets.get(scopeOf(ctx, app, kind), ctx.params['secret_name'] ?? '');
    if (!s) throw notFound();
    return ok(render(ctx, kind, s));
  };
}

function list(app: SecretApp, kind: Kind) {
  return async (ctx: Ctx): Promise<Reply> => {
    const all = ctx.state.secrets.list(scopeOf(ctx, app, kind));
    const page = paginate(ctx, all);
    return ok(
      { total_count: all.length, secrets: page.items.map((s) => render(ctx, kind, s)) },
      page.headers,
    );
  };
}

function del(app: SecretApp, kind: Kind) {
  return async (ctx: Ctx): Promise<Reply> => {
    if (!ctx.state.secrets.delete(scopeOf(ctx, app, kind), ctx.params['secret_name'] ?? ''))
      throw notFound();
    return noContent();
  };
}

function publicKey(app: SecretApp, kind: Kind) {
  return async (ctx: Ctx): Promise<Reply> =>
    ok(ctx.state.secrets.publicKeyJson(scopeOf(ctx, app, kind)));
}

function orgSecret(ctx: Ctx, app: SecretApp): StoredSecret {
  const s = ctx.state.secrets.get(scopeOf(ctx, app, 'org'), ctx.params['secret_name'] ?? '');
  if (!s) throw notFound();
  return s;
}

function selectedRepos(app: SecretApp) {
  return async (ctx: Ctx): Promise<Reply> => {
    const s = orgSecret(ctx, app);
    const repos = s.selectedRepositoryIds.flatMap((id) => {
      const r = ctx.state.repoById(id);
      return r ? [renderRepo(r, ctx.urls)] : [];
    });
    return ok({ total_count: repos.length, repositories: repos });
  };
}

function setSelectedRepos(app: SecretApp) {
  return async (ctx: Ctx): Promise<Reply> => {
    const s = orgSecret(ctx, app);
    if (s.visibility !== 'selected')
      throw new ApiError(409, 'The secret visibility is not set to selected');
    const ids = bodyOf(ctx)['selected_repository_ids'];
    s.selectedRepositoryIds = (Array.isArray(ids) ? ids : [])
      .map(Number)
      .filter((id) => ctx.state.repoById(id));
    return noContent();
  };
}

function changeSelectedRepo(app: SecretApp, add: boolean) {
  return async (ctx: Ctx): Promise<Reply> => {
    const s = orgSecret(ctx, app);
    if (s.visibility !== 'selected')
      throw new ApiError(409, 'The secret visibility is not set to selected');
    const id = Number(ctx.params['repository_id']);
    s.selectedRepositoryIds = s.selectedRepositoryIds.filter((x) => x !== id);
    if (add) s.selectedRepositoryIds.push(id);
    return noContent();
  };
}

// Permissions come from ../permissions.ts (GitHub's published data), keyed by route.
function scopeRoutes(app: SecretApp, kind: Kind, base: string): Route[] {
  return [
    route('GET', `${base}/public-key`, publicKey(app, kind)),
    route('GET', base, list(app, kind)),
    route('GET', `${base}/{secret_name}`, get(app, kind)),
    route('PUT', `${base}/{secret_name}`, put(app, kind)),
    route('DELETE', `${base}/{secret_name}`, del(app, kind)),
  ];
}

function orgRoutes(app: SecretApp, base: string): Route[] {
  return [
    ...scopeRoutes(app, 'org', base),
    route('GET', `${base}/{secret_name}/repositories`, selectedRepos(app)),
    route('PUT', `${base}/{secret_name}/repositories`, setSelectedRepos(app)),
    route(
      'PUT',
      `${base}/{secret_name}/repositories/{repository_id}`,
      changeSelectedRepo(app, true),
    ),
    route(
      'DELETE',
      `${base}/{secret_name}/repositories/{repository_id}`,
      changeSelectedRepo(app, false),
    ),
  ];
}

const R = '/repos/{owner}/{repo}';
export const secretRoutes: Route[] = [
  ...scopeRoutes('actions', 'repo', `${R}/actions/secrets`),
  ...scopeRoutes('actions', 'env', `${R}/environments/{environment_name}/secrets`),
  ...scopeRoutes('dependabot', 'repo', `${R}/dependabot/secrets`),
  ...orgRoutes('actions', '/orgs/{org}/actions/secrets'),
  ...orgRoutes('dependabot', '/orgs/{org}/dependabot/secrets'),
];
