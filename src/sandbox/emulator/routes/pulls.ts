// Pull requests: create, get, list, update, files and commits. A pull request's head follows
// its head branch while open (as on GitHub), and its issue half carries labels and comments.
import {
  ApiError,
  bodyOf,
  created,
  type Ctx,
  intParam,
  notFound,
  ok,
  paginate,
  route,
  type Route,
  str,
} from '../http.ts';
import { assertMergeAllowed } from '../protection.ts';
import { renderPull } from '../render.ts';
import type { Issue, Pull } from '../state.ts';
import { commitSummary, files } from './repos.ts';

export interface LoadedPull {
  pull: Pull;
  issue: Issue;
}

/** The pull request of the route's `pull_number`, its head refreshed from its branch. */
export async function loadPull(ctx: Ctx): Promise<LoadedPull> {
  const n = intParam(ctx, 'pull_number');
  const pull = ctx.repo.pulls.get(n);
  const issue = ctx.repo.issues.get(n);
  if (!pull || !issue) throw notFound();
  await refresh(ctx, pull, issue);
  return { pull, issue };
}

async function refresh(ctx: Ctx, pull: Pull, issue: Issue): Promise<void> {
  if (issue.state !== 'open') return;
  const head = await ctx.repo.git.readRef(`refs/heads/${pull.headRef}`);
  if (head) {
    pull.headSha = head;
  } else {
    // GitHub closes a pull request whose head branch was deleted.
    issue.state = 'closed';
    issue.closed_at = ctx.now.toISOString();
  }
}

export async function pullJson(ctx: Ctx, { pull, issue }: LoadedPull, withMergeable = true) {
  const baseSha = (await ctx.repo.git.readRef(`refs/heads/${pull.baseRef}`)) ?? '';
  let mergeable: boolean | null = null;
  let blocked = false;
  if (withMergeable && issue.state === 'open' && baseSha) {
    mergeable = (await ctx.repo.git.mergeTree(baseSha, pull.headSha)) !== null;
    blocked = await assertMergeAllowed(ctx.repo, pull, issue.user, baseSha).then(
      () => false,
      () => true,
    );
  }
  return renderPull(pull, issue, ctx.repo, { baseSha, mergeable, blocked }, ctx.urls);
}

function validationFailed(errors: Record<string, unknown>[]): ApiError {
  return new ApiError(
    422,
    'Validation Failed',
    errors.map((e) => ({ resource: 'PullRequest', ...e })),
  );
}

/** `owner:branch` or `branch` to a branch of this repository (forks are not modelled). */
function headBranch(ctx: Ctx, head: string): string {
  const i = head.indexOf(':');
  if (i === -1) return head;
  if (head.slice(0, i).toLowerCase() !== ctx.repo.owner.login.toLowerCase()) return '';
  return head.slice(i + 1);
}

async function createPull(ctx: Ctx) {
  if (ctx.identity.kind === 'github-actions' && !ctx.repo.actionsCanCreatePullRequests)
    throw new ApiError(403, 'GitHub Actions is not permitted to create or approve pull requests.');
  const body = bodyOf(ctx);
  const headRef = headBranch(ctx, str(body['head']) ?? '');
  const baseRef = str(body['base']) ?? '';
  const title = str(body['title']);
  const git = ctx.repo.git;
  const baseSha = await git.readRef(`refs/heads/${baseRef}`);
  const headSha = headRef ? await git.readRef(`refs/heads/${headRef}`) : null;
  const errors: Record<string, unknown>[] = [];
  if (!title) errors.push({ field: 'title', code: 'missing_field' });
  if (!baseSha) errors.push({ field: 'base', code: 'invalid' });
  if (!headSha) errors.push({ field: 'head', code: 'invalid' });
  if (errors.length > 0) throw validationFailed(errors);
  const open = [...ctx.repo.pulls.values()].find(
    (p) =>
      p.headRef === headRef &&
      p.baseRef === baseRef &&
      ctx.repo.issues.get(p.number)?.state === 'open',
  );
  if (open)
    throw validationFailed([
      {
        code: 'custom',
        message: `A pull request already exists for ${ctx.repo.owner.login}:${headRef}.`,
      },
    ]);
  if (baseSha && headSha && (await git.isAncestor(headSha, baseSha)))
    throw validationFailed([
      { code: 'custom', message: `No commits between ${baseRef} and ${headRef}` },
    ]);
  const number = ctx.repo.nextNumber();
  const now = ctx.now.toISOString();
  const issue: Issue = {
    id: ctx.state.id(),
    number,
    title: title ?? '',
    body: str(body['body']) ?? null,
    state: 'open',
    state_reason: null,
    labels: [],
    assignees: [],
    user: ctx.identity.user,
    created_at: now,
    updated_at: now,
    closed_at: null,
    comments: [],
    isPull: true,
  };
  const pull: Pull = {
    id: ctx.state.id(),
    number,
    headRef,
    headSha: headSha ?? '',
    baseRef,
    draft: body['draft'] === true,
    maintainer_can_modify: body['maintainer_can_modify'] !== false,
    merged_at: null,
    merged_by: null,
    merge_commit_sha: null,
    requested_reviewers: [],
    requested_teams: [],
    reviews: [],
  };
  ctx.repo.issues.set(number, issue);
  ctx.repo.pulls.set(number, pull);
  // Like GitHub, mergeability is computed later: a new pull request says `mergeable: null`.
  return created(await pullJson(ctx, { pull, issue }, false));
}

async function getPull(ctx: Ctx) {
  return ok(await pullJson(ctx, await loadPull(ctx)));
}

async function listPulls(ctx: Ctx) {
  const state = ctx.query.get('state') ?? 'open';
  // GitHub ignores a `head` filter without the `owner:` part (a common trap): so does the emulator.
  const head = ctx.query.get('head')?.includes(':') ? ctx.query.get('head') : null;
  const base = ctx.query.get('base');
  const direction = ctx.query.get('direction') ?? 'desc';
  const all: { pull: Pull; issue: Issue }[] = [];
  for (const pull of ctx.repo.pulls.values()) {
    const issue = ctx.repo.issues.get(pull.number);
    if (!issue) continue;
    await refresh(ctx, pull, issue);
    if (state !== 'all' && issue.state !== state) continue;
    if (head && `${ctx.repo.owner.login}:${pull.headRef}`.toLowerCase() !== head.toLowerCase())
      continue;
    if (base && pull.baseRef !== base) continue;
    all.push({ pull, issue });
  }
  all.sort((a, b) =>
    direction === 'asc' ? a.pull.number - b.pull.number : b.pull.number - a.pull.number,
  );
  const page = paginate(ctx, all);
  return ok(await Promise.all(page.items.map((p) => pullJson(ctx, p, false))), page.headers);
}

async function updatePull(ctx: Ctx) {
  const loaded = await loadPull(ctx);
  const { pull, issue } = loaded;
  const body = bodyOf(ctx);
  if (typeof body['title'] === 'string') issue.title = body['title'];
  if (typeof body['body'] === 'string') issue.body = body['body'];
  if (typeof body['base'] === 'string') {
    if (!(await ctx.repo.git.readRef(`refs/heads/${body['base']}`)))
      throw validationFailed([{ field: 'base', code: 'invalid' }]);
    pull.baseRef = body['base'];
  }
  const state = str(body['state']);
  if (state === 'closed' && issue.state === 'open') {
    issue.state = 'closed';
    issue.closed_at = ctx.now.toISOString();
  } else if (state === 'open' && issue.state === 'closed') {
    if (pull.merged_at)
      throw validationFailed([{ code: 'custom', message: 'Cannot reopen a merged pull request' }]);
    if (!(await ctx.repo.git.readRef(`refs/heads/${pull.headRef}`)))
      throw validationFailed([
        { code: 'custom', message: 'Cannot reopen: the head branch was deleted' },
      ]);
    issue.state = 'open';
    issue.closed_at = null;
    await refresh(ctx, pull, issue);
  }
  issue.updated_at = ctx.now.toISOString();
  return ok(await pullJson(ctx, loaded));
}

async function pullFiles(ctx: Ctx) {
  const { pull } = await loadPull(ctx);
  const baseSha = (await ctx.repo.git.readRef(`refs/heads/${pull.baseRef}`)) ?? pull.headSha;
  const from = (await ctx.repo.git.mergeBase(baseSha, pull.headSha)) ?? baseSha;
  const page = paginate(ctx, await files(ctx, from, pull.headSha));
  return ok(page.items, page.headers);
}

/** Pull requests that merged `commit_sha`, have it as head, or carry it among their commits. */
/** A merged pull request's own commits never change: computed once (3 git calls) per pull. */
const mergedCommits = new WeakMap<Pull, readonly string[]>();

/**
 * The pull request's own commits: reachable from its head, not from its base (for a merged
 * one, the base as it was: the merge commit's first parent).
 */
async function pullOwnCommits(ctx: Ctx, pull: Pull): Promise<readonly string[]> {
  const cached = pull.merge_commit_sha ? mergedCommits.get(pull) : undefined;
  if (cached) return cached;
  const git = ctx.repo.git;
  const base = pull.merge_commit_sha
    ? (await git.readCommit(pull.merge_commit_sha)).parents[0]
    : await git.readRef(`refs/heads/${pull.baseRef}`);
  const from = base ? await git.mergeBase(base, pull.headSha) : null;
  const commits = from === null ? [] : await git.revList(from, pull.headSha);
  if (pull.merge_commit_sha) mergedCommits.set(pull, commits);
  return commits;
}

async function pullsForCommit(ctx: Ctx) {
  const sha = await ctx.repo.git.resolveCommit(ctx.params['commit_sha'] ?? '');
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params['commit_sha'] ?? ''}`);
  const found: LoadedPull[] = [];
  for (const pull of ctx.repo.pulls.values()) {
    const issue = ctx.repo.issues.get(pull.number);
    if (!issue) continue;
    await refresh(ctx, pull, issue);
    const hit =
      pull.merge_commit_sha === sha ||
      pull.headSha === sha ||
      (await pullOwnCommits(ctx, pull)).includes(sha);
    if (hit) found.push({ pull, issue });
  }
  const page = paginate(ctx, found);
  return ok(await Promise.all(page.items.map((p) => pullJson(ctx, p, false))), page.headers);
}

async function pullCommits(ctx: Ctx) {
  const { pull } = await loadPull(ctx);
  const git = ctx.repo.git;
  const base = pull.merge_commit_sha
    ? (await git.readCommit(pull.merge_commit_sha)).parents[0]
    : await git.readRef(`refs/heads/${pull.baseRef}`);
  const from = base ? await git.mergeBase(base, pull.headSha) : null;
  const shas = from ? await git.revList(from, pull.headSha) : [pull.headSha];
  const page = paginate(ctx, shas);
  return ok(await Promise.all(page.items.map((sha) => commitSummary(ctx, sha))), page.headers);
}

const R = '/repos/{owner}/{repo}/pulls';
export const pullRoutes: Route[] = [
  route('POST', R, createPull),
  route('GET', R, listPulls),
  route('GET', `${R}/{pull_number}`, getPull),
  route('PATCH', `${R}/{pull_number}`, updatePull),
  route('GET', `${R}/{pull_number}/files`, pullFiles),
  route('GET', `${R}/{pull_number}/commits`, pullCommits),
  route('GET', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', pullsForCommit),
];
