// Issues, their comments and labels, and repository labels. As on GitHub, pull requests are
// issues too: the issue list includes them (with a `pull_request` key) and labels and comments
// on a pull request go through these routes.
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
import { renderComment, renderIssue, renderLabel } from '../render.ts';
import type { Issue, Label } from '../state.ts';

function loadIssue(ctx: Ctx): Issue {
  const issue = ctx.repo.issues.get(intParam(ctx, 'issue_number'));
  if (!issue) throw notFound();
  return issue;
}

/** Label names from `["a"]` or `[{name: "a"}]`; missing labels are created, as GitHub does. */
function ensureLabels(ctx: Ctx, raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [];
  return list.flatMap((v: unknown) => {
    const name = typeof v === 'string' ? v : str((v as { name?: unknown } | null)?.name);
    if (!name) return [];
    return [ensureLabel(ctx, name).name];
  });
}

function ensureLabel(
  ctx: Ctx,
  name: string,
  color = 'ededed',
  description: string | null = null,
): Label {
  const existing = ctx.repo.label(name);
  if (existing) return existing;
  const label: Label = { id: ctx.state.id(), name, color, description };
  ctx.repo.labels.set(name.toLowerCase(), label);
  return label;
}

function labelList(ctx: Ctx, issue: Issue) {
  return issue.labels.flatMap((n) => {
    const l = ctx.repo.label(n);
    return l ? [renderLabel(l, ctx.repo, ctx.urls)] : [];
  });
}

async function createIssue(ctx: Ctx) {
  const body = bodyOf(ctx);
  const now = ctx.now.toISOString();
  const title = body['title'];
  if (typeof title !== 'string' && typeof title !== 'number')
    throw new ApiError(422, 'Validation Failed', [
      { resource: 'Issue', field: 'title', code: 'missing_field' },
    ]);
  const issue: Issue = {
    id: ctx.state.id(),
    number: ctx.repo.nextNumber(),
    title: String(title),
    body: str(body['body']) ?? null,
    state: 'open',
    state_reason: null,
    labels: ensureLabels(ctx, body['labels']),
    assignees: [],
    user: ctx.identity.user,
    created_at: now,
    updated_at: now,
    closed_at: null,
    comments: [],
    isPull: false,
  };
  ctx.repo.issues.set(issue.number, issue);
  return created(renderIssue(issue, ctx.repo, ctx.urls));
}

async function getIssue(ctx: Ctx) {
  return ok(renderIssue(loadIssue(ctx), ctx.repo, ctx.urls));
}

async function listIssues(ctx: Ctx) {
  const state = ctx.query.get('state') ?? 'open';
  const wanted = (ctx.query.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const creator = ctx.query.get('creator')?.toLowerCase();
  const asc = ctx.query.get('direction') === 'asc';
  const issues = [...ctx.repo.issues.values()]
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
    .filter((i) => !creator || i.user.login.toLowerCase() === creator)
    .sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
  const page = paginate(ctx, issues);
  return ok(
    page.items.map((i) => renderIssue(i, ctx.repo, ctx.urls)),
    page.headers,
  );
}

async function updateIssue(ctx: Ctx) {
  const issue = loadIssue(ctx);
  const body = bodyOf(ctx);
  if (typeof body['title'] === 'string') issue.title = body['title'];
  if (typeof body['body'] === 'string' || body['body'] === null) issue.body = body['body'];
  if (body['labels'] !== undefined) issue.labels = ensureLabels(ctx, body['labels']);
  const state = str(body['state']);
  if (state === 'closed' && issue.state === 'open') {
    if (issue.isPull)
      throw new ApiError(422, 'Close pull requests through the pulls API in the emulator');
    issue.state = 'closed';
    issue.closed_at = ctx.now.toISOString();
    issue.state_reason = str(body['state_reason']) ?? 'completed';
  } else if (state === 'open' && issue.state === 'closed') {
    issue.state = 'open';
    issue.closed_at = null;
    issue.state_reason = 'reopened';
  }
  issue.updated_at = ctx.now.toISOString();
  return ok(renderIssue(issue, ctx.repo, ctx.urls));
}

async function createComment(ctx: Ctx) {
  const issue = loadIssue(ctx);
  const now = ctx.now.toISOString();
  const comment = {
    id: ctx.state.id(),
    body: str(bodyOf(ctx)['body']) ?? '',
    user: ctx.identity.user,
    created_at: now,
    updated_at: now,
  };
  issue.comments.push(comment);
  issue.updated_at = now;
  return created(renderComment(comment, ctx.repo, issue.number, ctx.urls));
}

async function listComments(ctx: Ctx) {
  const issue = loadIssue(ctx);
  const page = paginate(ctx, issue.comments);
  return ok(
    page.items.map((c) => renderComment(c, ctx.repo, issue.number, ctx.urls)),
    page.headers,
  );
}

async function addLabels(ctx: Ctx) {
  const issue = loadIssue(ctx);
  const raw = Array.isArray(ctx.body) ? ctx.body : bodyOf(ctx)['labels'];
  for (const name of ensureLabels(ctx, raw))
    if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) issue.labels.push(name);
  return ok(labelList(ctx, issue));
}

async function setLabels(ctx: Ctx) {
  const issue = loadIssue(ctx);
  issue.labels = ensureLabels(ctx, Array.isArray(ctx.body) ? ctx.body : bodyOf(ctx)['labels']);
  return ok(labelList(ctx, issue));
}

async function removeLabel(ctx: Ctx) {
  const issue = loadIssue(ctx);
  const name = (ctx.params['name'] ?? '').toLowerCase();
  const before = issue.labels.length;
  issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
  if (issue.labels.length === before) throw new ApiError(404, 'Label does not exist');
  return ok(labelList(ctx, issue));
}

async function listIssueLabels(ctx: Ctx) {
  const page = paginate(ctx, labelList(ctx, loadIssue(ctx)));
  return ok(page.items, page.headers);
}

async function createLabel(ctx: Ctx) {
  const body = bodyOf(ctx);
  const name = str(body['name']) ?? '';
  if (ctx.repo.label(name))
    throw new ApiError(422, 'Validation Failed', [
      { resource: 'Label', code: 'already_exists', field: 'name' },
    ]);
  const label = ensureLabel(
    ctx,
    name,
    (str(body['color']) ?? 'ededed').replace(/^#/, ''),
    str(body['description']) ?? null,
  );
  return created(renderLabel(label, ctx.repo, ctx.urls));
}

async function listLabels(ctx: Ctx) {
  const page = paginate(ctx, [...ctx.repo.labels.values()]);
  return ok(
    page.items.map((l) => renderLabel(l, ctx.repo, ctx.urls)),
    page.headers,
  );
}

async function getLabel(ctx: Ctx) {
  const label = ctx.repo.label(ctx.params['name'] ?? '');
  if (!label) throw notFound();
  return ok(renderLabel(label, ctx.repo, ctx.urls));
}

const R = '/repos/{owner}/{repo}';
const I = `${R}/issues/{issue_number}`;
export const issueRoutes: Route[] = [
  route('POST', `${R}/issues`, createIssue),
  route('GET', `${R}/issues`, listIssues),
  route('GET', I, getIssue),
  route('PATCH', I, updateIssue),
  route('POST', `${I}/comments`, createComment),
  route('GET', `${I}/comments`, listComments),
  route('GET', `${I}/labels`, listIssueLabels),
  route('POST', `${I}/labels`, addLabels),
  route('PUT', `${I}/labels`, setLabels),
  route('DELETE', `${I}/labels/{name}`, removeLabel),
  route('POST', `${R}/labels`, createLabel),
  route('GET', `${R}/labels`, listLabels),
  route('GET', `${R}/labels/{name}`, getLabel),
];
