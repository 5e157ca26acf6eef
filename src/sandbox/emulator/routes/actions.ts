// Actions workflows and their runs, read-only, as `rekey doctor` reads them. The workflows are
// the `.github/workflows/*.yml|yaml` files on the default branch (real git, like everything
// else); their state (enabled, disabled) and their runs are set by a test through
// `setWorkflowState` and `addWorkflowRun`, since the emulator runs no workflows.
import { ApiError, type Ctx, notFound, ok, paginate, route, type Route } from '../http.ts';
import type { RepoState } from '../state.ts';

export type WorkflowState =
  'active' | 'deleted' | 'disabled_fork' | 'disabled_inactivity' | 'disabled_manually';

export interface WorkflowRunSpec {
  /** schedule, workflow_dispatch, push, ... */
  event: string;
  /** ISO 8601 */
  createdAt: string;
  /** Default `completed`. */
  status?: 'queued' | 'in_progress' | 'completed';
  /** Default `success` when completed, else null. */
  conclusion?: 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | null;
}

interface Run extends Required<Omit<WorkflowRunSpec, 'conclusion'>> {
  id: number;
  path: string;
  conclusion: string | null;
  number: number;
}

interface ActionsState {
  ids: Map<string, number>;
  states: Map<string, WorkflowState>;
  runs: Run[];
}

const byRepo = new WeakMap<RepoState, ActionsState>();
let nextId = 161_335; // GitHub's ids are large; any stable number does

function stateOf(repo: RepoState): ActionsState {
  let s = byRepo.get(repo);
  if (!s) byRepo.set(repo, (s = { ids: new Map(), states: new Map(), runs: [] }));
  return s;
}

function idOf(s: ActionsState, path: string): number {
  let id = s.ids.get(path);
  if (id === undefined) s.ids.set(path, (id = nextId++));
  return id;
}

/** Enables or disables a workflow as Settings or `gh workflow disable` would. */
export function setWorkflowState(repo: RepoState, path: string, state: WorkflowState): void {
  stateOf(repo).states.set(path, state);
}

/** Records a run of the workflow at `path` (its file need not exist yet); returns the run id. */
export function addWorkflowRun(repo: RepoState, path: string, spec: WorkflowRunSpec): number {
  const s = stateOf(repo);
  idOf(s, path);
  const status = spec.status ?? 'completed';
  const run: Run = {
    id: nextId++,
    path,
    event: spec.event,
    createdAt: spec.createdAt,
    status,
    conclusion:
      spec.conclusion !== undefined ? spec.conclusion : status === 'completed' ? 'success' : null,
    number: s.runs.filter((r) => r.path === path).length + 1,
  };
  s.runs.push(run);
  return run.id;
}

interface Workflow {
  id: number;
  path: string;
  name: string;
  state: WorkflowState;
}

async function workflows(ctx: Ctx): Promise<Workflow[]> {
  const s = stateOf(ctx.repo);
  const head = await ctx.repo.git.readRef(`refs/heads/${ctx.repo.defaultBranch}`);
  const entries = head
    ? ((await ctx.repo.git.tryRun(['ls-tree', '-z', `${head}:.github/workflows`])) ??
      Buffer.alloc(0))
    : Buffer.alloc(0);
  const out: Workflow[] = [];
  for (const line of entries.toString().split('\0')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [, type = '', sha = ''] = line.slice(0, tab).split(' ');
    const file = line.slice(tab + 1);
    if (type !== 'blob' || !/\.ya?ml$/.test(file)) continue;
    const path = `.github/workflows/${file}`;
    const text = (await ctx.repo.git.readBlob(sha)).toString('utf8');
    const name = /^name:\s*['"]?(.+?)['"]?\s*$/m.exec(text)?.[1] ?? path;
    out.push({ id: idOf(s, path), path, name, state: s.states.get(path) ?? 'active' });
  }
  // A workflow whose file is gone stays listed as deleted, as on GitHub, once it has run.
  for (const [path, id] of s.ids)
    if (!out.some((w) => w.path === path) && s.runs.some((r) => r.path === path))
      out.push({ id, path, name: path, state: 'deleted' });
  return out.sort((a, b) => a.id - b.id);
}

function renderWorkflow(ctx: Ctx, w: Workflow) {
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const html = `${ctx.urls.server}/${ctx.repo.fullName}`;
  return {
    id: w.id,
    node_id: Buffer.from(`Workflow:${w.id}`).toString('base64url'),
    name: w.name,
    path: w.path,
    state: w.state,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    url: `${api}/actions/workflows/${w.id}`,
    html_url: `${html}/blob/${ctx.repo.defaultBranch}/${w.path}`,
    badge_url: `${html}/workflows/${encodeURIComponent(w.name)}/badge.svg`,
  };
}

async function findWorkflow(ctx: Ctx): Promise<Workflow> {
  const key = ctx.params['workflow_id'] ?? '';
  const all = await workflows(ctx);
  // The id, or the file name (`rotate.yml`), as GitHub accepts both.
  const w = /^\d+$/.test(key)
    ? all.find((x) => x.id === Number(key))
    : all.find((x) => x.path === `.github/workflows/${key}`);
  if (!w) throw notFound();
  return w;
}

async function listWorkflows(ctx: Ctx) {
  const all = await workflows(ctx);
  const page = paginate(ctx, all);
  return ok(
    { total_count: all.length, workflows: page.items.map((w) => renderWorkflow(ctx, w)) },
    page.headers,
  );
}

async function getWorkflow(ctx: Ctx) {
  return ok(renderWorkflow(ctx, await findWorkflow(ctx)));
}

async function listRuns(ctx: Ctx) {
  const w = await findWorkflow(ctx);
  const event = ctx.query.get('event');
  const status = ctx.query.get('status');
  if (ctx.query.get('branch') !== null || ctx.query.get('created') !== null)
    throw new ApiError(422, 'The emulator does not filter runs by branch or created');
  const runs = stateOf(ctx.repo)
    .runs.filter(
      (r) =>
        r.path === w.path &&
        (event === null || r.event === event) &&
        (status === null || r.status === status || r.conclusion === status),
    )
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
  const page = paginate(ctx, runs);
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const html = `${ctx.urls.server}/${ctx.repo.fullName}`;
  return ok(
    {
      total_count: runs.length,
      workflow_runs: page.items.map((r) => ({
        id: r.id,
        node_id: Buffer.from(`WorkflowRun:${r.id}`).toString('base64url'),
        name: w.name,
        display_title: w.name,
        path: w.path,
        workflow_id: w.id,
        run_number: r.number,
        run_attempt: 1,
        event: r.event,
        status: r.status,
        conclusion: r.conclusion,
        head_branch: ctx.repo.defaultBranch,
        created_at: r.createdAt,
        updated_at: r.createdAt,
        run_started_at: r.createdAt,
        url: `${api}/actions/runs/${r.id}`,
        html_url: `${html}/actions/runs/${r.id}`,
        jobs_url: `${api}/actions/runs/${r.id}/jobs`,
        logs_url: `${api}/actions/runs/${r.id}/logs`,
        check_suite_url: `${api}/check-suites/${r.id}`,
        artifacts_url: `${api}/actions/runs/${r.id}/artifacts`,
        cancel_url: `${api}/actions/runs/${r.id}/cancel`,
        rerun_url: `${api}/actions/runs/${r.id}/rerun`,
        workflow_url: `${api}/actions/workflows/${w.id}`,
        pull_requests: [],
      })),
    },
    page.headers,
  );
}

const R = '/repos/{owner}/{repo}/actions/workflows';
export const actionRoutes: Route[] = [
  route('GET', R, listWorkflows),
  route('GET', `${R}/{workflow_id}`, getWorkflow),
  route('GET', `${R}/{workflow_id}/runs`, listRuns),
];
