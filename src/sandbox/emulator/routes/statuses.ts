// Commit statuses: the evidence rekey records (`rekey/distribution`) and the revocation gate
// reads back. The combined status follows GitHub: failure or error wins, then pending (also
// when there is no status at all), else success.
import {
  ApiError,
  bodyOf,
  created,
  type Ctx,
  ok,
  paginate,
  route,
  type Route,
  str,
} from '../http.ts';
import { renderRepo, renderStatus } from '../render.ts';
import type { CommitStatus } from '../state.ts';

const STATES = ['error', 'failure', 'pending', 'success'] as const;

async function createStatus(ctx: Ctx) {
  const sha = ctx.params['sha'] ?? '';
  if ((await ctx.repo.git.objectType(sha)) !== 'commit')
    throw new ApiError(422, `No commit found for SHA: ${sha}`);
  const body = bodyOf(ctx);
  const state = STATES.find((s) => s === body['state']);
  if (!state)
    throw new ApiError(422, 'Validation Failed', [
      { resource: 'Status', field: 'state', code: 'custom' },
    ]);
  const context = str(body['context']) ?? 'default';
  // GitHub's documented limit (REST "Create a commit status"): 1,000 statuses per sha and
  // context in a repository; more is a validation error.
  if (ctx.repo.statuses.filter((s) => s.sha === sha && s.context === context).length >= 1000)
    throw new ApiError(422, 'Validation Failed', [
      {
        resource: 'Status',
        code: 'custom',
        message: 'This SHA and context has reached the maximum number of statuses.',
      },
    ]);
  const status: CommitStatus = {
    id: ctx.state.id(),
    sha,
    state,
    context,
    description: str(body['description']) ?? null,
    target_url: str(body['target_url']) ?? null,
    creator: ctx.identity.user,
    created_at: ctx.now.toISOString(),
  };
  ctx.repo.statuses.push(status);
  return created(renderStatus(status, ctx.urls));
}

async function resolve(ctx: Ctx): Promise<string> {
  const sha = await ctx.repo.git.resolveCommit(ctx.params['ref'] ?? '');
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params['ref'] ?? ''}`);
  return sha;
}

async function listStatuses(ctx: Ctx) {
  const sha = await resolve(ctx);
  const newestFirst = ctx.repo.statuses.filter((s) => s.sha === sha).reverse();
  const page = paginate(ctx, newestFirst);
  return ok(
    page.items.map((s) => renderStatus(s, ctx.urls)),
    page.headers,
  );
}

async function combinedStatus(ctx: Ctx) {
  const sha = await resolve(ctx);
  const latest = new Map<string, CommitStatus>();
  for (const s of ctx.repo.statuses) if (s.sha === sha) latest.set(s.context, s);
  const statuses = [...latest.values()];
  const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
    ? 'failure'
    : statuses.length === 0 || statuses.some((s) => s.state === 'pending')
      ? 'pending'
      : 'success';
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  return ok({
    state,
    statuses: statuses.map((s) => renderStatus(s, ctx.urls)),
    sha,
    total_count: statuses.length,
    repository: renderRepo(ctx.repo, ctx.urls),
    commit_url: `${api}/commits/${sha}`,
    url: `${api}/commits/${sha}/status`,
  });
}

const R = '/repos/{owner}/{repo}';
export const statusRoutes: Route[] = [
  route('POST', `${R}/statuses/{sha}`, createStatus),
  route('GET', `${R}/commits/{ref}/statuses`, listStatuses),
  route('GET', `${R}/commits/{ref}/status`, combinedStatus),
];
