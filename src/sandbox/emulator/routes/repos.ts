// Repository-level reads: the repository, branches, contents, commits, compare, and the branch
// rules / protection a test configured.
import type { TreeEntry } from '../git-store.ts';
import { ApiError, type Ctx, notFound, ok, paginate, route, type Route } from '../http.ts';
import { requirementsFor } from '../protection.ts';
import { renderRepo } from '../render.ts';
import { wrap60 } from './git-data.ts';

async function getRepo(ctx: Ctx) {
  return ok(renderRepo(ctx.repo, ctx.urls));
}

export async function commitSummary(ctx: Ctx, sha: string): Promise<Record<string, unknown>> {
  const c = await ctx.repo.git.readCommit(sha);
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const html = `${ctx.urls.server}/${ctx.repo.fullName}`;
  return {
    sha,
    node_id: Buffer.from(`Commit:${sha}`).toString('base64url'),
    url: `${api}/commits/${sha}`,
    html_url: `${html}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message.replace(/\n$/, ''),
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      comment_count: 0,
    },
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${html}/commit/${p}`,
    })),
  };
}

async function getBranch(ctx: Ctx) {
  const branch = ctx.params['branch'] ?? '';
  const sha = await ctx.repo.git.readRef(`refs/heads/${branch}`);
  if (!sha) throw new ApiError(404, 'Branch not found');
  const req = requirementsFor(ctx.repo, branch);
  const isProtected = ctx.repo.protection.has(branch) || ctx.repo.rulesFor(branch).length > 0;
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}/branches/${encodeURIComponent(branch)}`;
  return ok({
    name: branch,
    commit: await commitSummary(ctx, sha),
    _links: { self: api, html: `${ctx.urls.server}/${ctx.repo.fullName}/tree/${branch}` },
    protected: isProtected,
    protection: {
      enabled: isProtected,
      required_status_checks: {
        enforcement_level: req.contexts.length > 0 ? 'non_admins' : 'off',
        contexts: req.contexts,
      },
    },
    protection_url: `${api}/protection`,
  });
}

async function getCommit(ctx: Ctx) {
  const sha = await ctx.repo.git.resolveCommit(ctx.params['ref'] ?? '');
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params['ref'] ?? ''}`);
  const summary = await commitSummary(ctx, sha);
  const parent =
    (summary['parents'] as { sha: string }[])[0]?.sha ?? '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
  return ok({ ...summary, files: await files(ctx, parent, sha) });
}

const STATUS: Record<string, string> = { A: 'added', D: 'removed', M: 'modified', T: 'changed' };

export async function files(
  ctx: Ctx,
  from: string,
  to: string,
): Promise<Record<string, unknown>[]> {
  const changed = await ctx.repo.git.diffNames(from, to);
  return Promise.all(
    changed.map(async (f) => {
      const entry = f.status === 'D' ? null : await lsPath(ctx, to, f.path);
      return {
        sha: entry?.sha ?? null,
        filename: f.path,
        status: STATUS[f.status[0] ?? 'M'] ?? 'modified',
        additions: 0,
        deletions: 0,
        changes: 0,
        blob_url: `${ctx.urls.server}/${ctx.repo.fullName}/blob/${to}/${f.path}`,
        raw_url: `${ctx.urls.server}/${ctx.repo.fullName}/raw/${to}/${f.path}`,
        contents_url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/contents/${encodeURIComponent(f.path)}?ref=${to}`,
      };
    }),
  );
}

async function lsPath(ctx: Ctx, commit: string, path: string): Promise<TreeEntry | null> {
  const out = await ctx.repo.git.tryRun(['ls-tree', '-z', '-l', commit, '--', path]);
  const line = out?.toString().split('\0')[0];
  if (!line) return null;
  const tab = line.indexOf('\t');
  const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, tab).split(/ +/);
  const entry: TreeEntry = {
    mode,
    type: type as TreeEntry['type'],
    sha,
    path: line.slice(tab + 1),
  };
  if (size !== '-') entry.size = Number(size);
  return entry;
}

function contentItem(ctx: Ctx, e: TreeEntry, ref: string): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const type =
    e.type === 'tree'
      ? 'dir'
      : e.type === 'commit'
        ? 'submodule'
        : e.mode === '120000'
          ? 'symlink'
          : 'file';
  const url = `${api}/contents/${e.path.split('/').map(encodeURIComponent).join('/')}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${api}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`;
  const htmlUrl = `${ctx.urls.server}/${ctx.repo.fullName}/blob/${ref}/${e.path}`;
  return {
    type,
    name: e.path.split('/').at(-1) ?? e.path,
    path: e.path,
    sha: e.sha,
    size: e.size ?? 0,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url:
      type === 'file' ? `${ctx.urls.server}/${ctx.repo.fullName}/raw/${ref}/${e.path}` : null,
    _links: { self: url, git: gitUrl, html: htmlUrl },
  };
}

async function getContent(ctx: Ctx) {
  const ref = ctx.query.get('ref') ?? ctx.repo.defaultBranch;
  const commit = await ctx.repo.git.resolveCommit(ref);
  if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`);
  const path = (ctx.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
  const entry = await lsPath(ctx, commit, path);
  if (!entry || entry.path !== path) throw notFound();
  if (entry.type === 'tree') {
    const children = await ctx.repo.git.readTree(`${commit}:${path}`, false);
    return ok(children.map((c) => contentItem(ctx, { ...c, path: `${path}/${c.path}` }, ref)));
  }
  const bytes = await ctx.repo.git.readBlob(entry.sha);
  if (/\.raw\b/.test(String(ctx.req.headers['accept'] ?? '')))
    return { status: 200, raw: bytes, headers: { 'content-type': 'application/vnd.github.raw' } };
  return ok({
    ...contentItem(ctx, entry, ref),
    content: wrap60(bytes.toString('base64')),
    encoding: 'base64',
  });
}

async function compare(ctx: Ctx) {
  const [baseRev = '', headRev = ''] = (ctx.params['basehead'] ?? '').split('...');
  const git = ctx.repo.git;
  const base = await git.resolveCommit(baseRev);
  const head = await git.resolveCommit(headRev);
  if (!base || !head) throw notFound();
  const mb = await git.mergeBase(base, head);
  if (!mb) throw notFound();
  const ahead = await git.revList(mb, head);
  const behind = await git.revList(mb, base);
  const status =
    ahead.length === 0 && behind.length === 0
      ? 'identical'
      : behind.length === 0
        ? 'ahead'
        : ahead.length === 0
          ? 'behind'
          : 'diverged';
  return ok({
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/compare/${baseRev}...${headRev}`,
    status,
    ahead_by: ahead.length,
    behind_by: behind.length,
    total_commits: ahead.length,
    base_commit: await commitSummary(ctx, base),
    merge_base_commit: await commitSummary(ctx, mb),
    commits: await Promise.all(ahead.slice(0, 250).map((sha) => commitSummary(ctx, sha))),
    files: await files(ctx, mb, head),
  });
}

async function branchRules(ctx: Ctx) {
  const rules = ctx.repo.rulesFor(ctx.params['branch'] ?? '').map((r) => ({
    ...r,
    ruleset_source_type: 'Repository',
    ruleset_source: ctx.repo.fullName,
    ruleset_id: 1,
  }));
  const page = paginate(ctx, rules);
  return ok(page.items, page.headers);
}

async function branchProtection(ctx: Ctx) {
  const branch = ctx.params['branch'] ?? '';
  const p = ctx.repo.protection.get(branch);
  if (!(await ctx.repo.git.readRef(`refs/heads/${branch}`)))
    throw new ApiError(404, 'Branch not found');
  if (!p) throw new ApiError(404, 'Branch not protected');
  const url = `${ctx.urls.api}/repos/${ctx.repo.fullName}/branches/${encodeURIComponent(branch)}/protection`;
  const out: Record<string, unknown> = {
    url,
    enforce_admins: { url: `${url}/enforce_admins`, enabled: p.enforce_admins === true },
  };
  if (p.required_status_checks)
    out['required_status_checks'] = {
      url: `${url}/required_status_checks`,
      strict: p.strict === true,
      contexts: p.required_status_checks,
      checks: p.required_status_checks.map((context) => ({ context, app_id: null })),
    };
  if (p.required_approving_review_count !== undefined)
    out['required_pull_request_reviews'] = {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: false,
      require_code_owner_reviews: p.require_code_owner_reviews === true,
      required_approving_review_count: p.required_approving_review_count,
    };
  return ok(out);
}

async function getEnvironment(ctx: Ctx) {
  const name = ctx.params['environment_name'] ?? '';
  if (!ctx.repo.environments.has(name)) throw notFound();
  const id = [...ctx.repo.environments].indexOf(name) + 1;
  return ok({
    id,
    node_id: Buffer.from(`Environment:${ctx.repo.id}:${id}`).toString('base64url'),
    name,
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/environments/${encodeURIComponent(name)}`,
    html_url: `${ctx.urls.server}/${ctx.repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    protection_rules: [],
    deployment_branch_policy: null,
  });
}

const R = '/repos/{owner}/{repo}';
export const repoRoutes: Route[] = [
  route('GET', R, getRepo),
  route('GET', `${R}/branches/{branch}`, getBranch),
  route('GET', `${R}/commits/{ref}`, getCommit),
  route('GET', `${R}/contents/{path}`, getContent),
  route('GET', `${R}/compare/{basehead}`, compare),
  route('GET', `${R}/rules/branches/{branch}`, branchRules),
  route('GET', `${R}/branches/{branch}/protection`, branchProtection),
  route('GET', `${R}/environments/{environment_name}`, getEnvironment),
];
