// The Git Data API: refs, trees, commits and blobs, on a real bare repository. Ref writes use
// `git update-ref` with the old value, so "create the branch" is atomic: of N concurrent
// creators exactly one gets 201 and the rest 422 "Reference already exists".
import type { CommitObject, GitPerson, TreeChange } from '../git-store.ts';
import {
  ApiError,
  bodyOf,
  created,
  type Ctx,
  noContent,
  notFound,
  ok,
  route,
  type Route,
  str,
  unprocessable,
} from '../http.ts';
import { assertPushAllowed } from '../protection.ts';
import { renderGitCommit } from '../render.ts';

function renderRef(ctx: Ctx, ref: string, sha: string, type: string): Record<string, unknown> {
  const base = `${ctx.urls.api}/repos/${ctx.repo.fullName}/git`;
  return {
    ref,
    node_id: Buffer.from(`Ref:${ref}`).toString('base64url'),
    url: `${base}/${ref}`,
    object: { type, sha, url: `${base}/${type}s/${sha}` },
  };
}

async function refReply(ctx: Ctx, ref: string, sha: string): Promise<Record<string, unknown>> {
  return renderRef(ctx, ref, sha, (await ctx.repo.git.objectType(sha)) ?? 'commit');
}

async function getRef(ctx: Ctx) {
  const full = `refs/${ctx.params['ref'] ?? ''}`;
  const sha = await ctx.repo.git.readRef(full);
  if (!sha) throw notFound();
  return ok(await refReply(ctx, full, sha));
}

async function matchingRefs(ctx: Ctx) {
  // GitHub matches a string prefix, not whole path components: `heads/a` matches `heads/ab`.
  const prefix = `refs/${ctx.params['ref'] ?? ''}`;
  const refs = (await ctx.repo.git.listRefs('refs/')).filter((r) => r.ref.startsWith(prefix));
  return ok(await Promise.all(refs.map((r) => refReply(ctx, r.ref, r.sha))));
}

async function createRef(ctx: Ctx) {
  const body = bodyOf(ctx);
  const ref = str(body['ref']) ?? '';
  const sha = str(body['sha']) ?? '';
  if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !(await validRefName(ctx, ref)))
    throw unprocessable(`${ref} is not a valid ref name.`);
  const git = ctx.repo.git;
  if ((await git.listRefs('refs/heads/')).length === 0)
    throw new ApiError(409, 'Git Repository is empty.');
  if (!(await git.objectType(sha))) throw unprocessable('Object does not exist');
  if (!(await git.updateRef(ref, sha, null))) throw unprocessable('Reference already exists');
  return created(await refReply(ctx, ref, sha));
}

async function updateRef(ctx: Ctx) {
  const full = `refs/${ctx.params['ref'] ?? ''}`;
  const body = bodyOf(ctx);
  const sha = str(body['sha']) ?? '';
  const force = body['force'] === true;
  const git = ctx.repo.git;
  const current = await git.readRef(full);
  if (!current) throw unprocessable('Reference does not exist');
  if (!(await git.objectType(sha))) throw unprocessable('Object does not exist');
  const fastForward = await git.isAncestor(current, sha);
  if (!force && !fastForward) throw unprocessable('Update is not a fast forward');
  if (full.startsWith('refs/heads/')) assertPushAllowed(ctx.repo, full.slice(11), !fastForward);
  // The old-value check makes a concurrent update lose instead of silently overwriting.
  if (!(await git.updateRef(full, sha, current)))
    throw unprocessable('Reference cannot be updated');
  return ok(await refReply(ctx, full, sha));
}

async function deleteRef(ctx: Ctx) {
  const full = `refs/${ctx.params['ref'] ?? ''}`;
  const current = await ctx.repo.git.readRef(full);
  if (!current) throw unprocessable('Reference does not exist');
  if (full === `refs/heads/${ctx.repo.defaultBranch}`)
    throw unprocessable('Cannot delete the default branch');
  if (full.startsWith('refs/heads/')) assertPushAllowed(ctx.repo, full.slice(11), false, true);
  if (!(await ctx.repo.git.deleteRef(full, current)))
    throw unprocessable('Reference cannot be updated');
  return noContent();
}

async function validRefName(ctx: Ctx, ref: string): Promise<boolean> {
  return (await ctx.repo.git.tryRun(['check-ref-format', ref])) !== null;
}

async function getTree(ctx: Ctx) {
  const rev = ctx.params['tree_sha'] ?? '';
  const git = ctx.repo.git;
  const out = rev.startsWith('-')
    ? null
    : await git.tryRun(['rev-parse', '-q', '--verify', `${rev}^{tree}`]);
  if (!out) throw notFound();
  const sha = out.toString().trim();
  const recursive = ['1', 'true'].includes(ctx.query.get('recursive') ?? '');
  const base = `${ctx.urls.api}/repos/${ctx.repo.fullName}/git`;
  const tree = (await git.readTree(sha, recursive)).map((e) => ({
    ...e,
    url: `${base}/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
  }));
  return ok({ sha, url: `${base}/trees/${sha}`, tree, truncated: false });
}

async function createTree(ctx: Ctx) {
  const body = bodyOf(ctx);
  const git = ctx.repo.git;
  let base: string | null = null;
  if (body['base_tree'] !== undefined) {
    const out = await git.tryRun([
      'rev-parse',
      '-q',
      '--verify',
      `${str(body['base_tree']) ?? ''}^{tree}`,
    ]);
    if (!out) throw unprocessable('Invalid tree info');
    base = out.toString().trim();
  }
  const entries = Array.isArray(body['tree']) ? (body['tree'] as Record<string, unknown>[]) : [];
  const changes: TreeChange[] = [];
  for (const e of entries) {
    const path = str(e['path']) ?? '';
    const mode = str(e['mode']) ?? '100644';
    if (
      path === '' ||
      path.startsWith('/') ||
      path.split('/').some((s) => s === '' || s === '.' || s === '..')
    )
      throw unprocessable(`Invalid tree info: path ${JSON.stringify(path)}`);
    if (typeof e['content'] === 'string') {
      changes.push({ path, mode, sha: await git.writeBlob(Buffer.from(e['content'], 'utf8')) });
    } else if (e['sha'] === null) {
      // GitHub refuses to delete a path the base tree does not have (422 GitRPC::BadObjectState,
      // as reported in google/go-github#2418); a lenient emulator would hide a caller that
      // deletes what is already gone.
      if (base === null || (await git.tryRun(['cat-file', '-e', `${base}:${path}`])) === null)
        throw unprocessable('GitRPC::BadObjectState');
      changes.push({ path, mode, sha: null });
    } else {
      const sha = str(e['sha']) ?? '';
      const type = await git.objectType(sha);
      if (type !== (e['type'] ?? 'blob')) throw unprocessable('GitRPC::BadObjectState');
      changes.push({ path, mode, sha, type: type === 'tree' ? 'tree' : 'blob' });
    }
  }
  const sha = await git.writeTree(base, changes);
  const tree = await git.readTree(sha, false);
  return created({
    sha,
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/trees/${sha}`,
    tree,
    truncated: false,
  });
}

function person(ctx: Ctx, v: unknown, fallback?: GitPerson): GitPerson {
  const o = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  const u = ctx.identity.user;
  return {
    name: str(o['name']) ?? fallback?.name ?? u.login,
    email: str(o['email']) ?? fallback?.email ?? `${u.id}+${u.login}@users.noreply.github.com`,
    date: str(o['date']) ?? fallback?.date ?? ctx.now.toISOString(),
  };
}

async function createCommit(ctx: Ctx) {
  const body = bodyOf(ctx);
  const git = ctx.repo.git;
  const tree = str(body['tree']) ?? '';
  if ((await git.objectType(tree)) !== 'tree') throw unprocessable('Tree SHA does not exist');
  const parents = Array.isArray(body['parents']) ? (body['parents'] as string[]) : [];
  for (const p of parents)
    if ((await git.objectType(p)) !== 'commit')
      throw unprocessable('Parent SHA does not exist or is not a commit object');
  const author = person(ctx, body['author']);
  const committer = person(ctx, body['committer'], author);
  const commit: Omit<CommitObject, 'sha'> = {
    tree,
    parents,
    author,
    committer,
    message: str(body['message']) ?? '',
  };
  const sha = await git.writeCommit(commit);
  return created(renderGitCommit(await git.readCommit(sha), ctx.repo, ctx.urls));
}

async function getCommit(ctx: Ctx) {
  const sha = ctx.params['commit_sha'] ?? '';
  if ((await ctx.repo.git.objectType(sha)) !== 'commit') throw notFound();
  return ok(renderGitCommit(await ctx.repo.git.readCommit(sha), ctx.repo, ctx.urls));
}

async function getBlob(ctx: Ctx) {
  const sha = ctx.params['file_sha'] ?? '';
  if ((await ctx.repo.git.objectType(sha)) !== 'blob') throw notFound();
  const content = await ctx.repo.git.readBlob(sha);
  return ok({
    sha,
    node_id: Buffer.from(`Blob:${sha}`).toString('base64url'),
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/blobs/${sha}`,
    size: content.length,
    content: wrap60(content.toString('base64')),
    encoding: 'base64',
  });
}

async function createBlob(ctx: Ctx) {
  const body = bodyOf(ctx);
  const content = str(body['content']) ?? '';
  const encoding = str(body['encoding']) ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'base64')
    throw unprocessable(`Invalid encoding: ${encoding}`);
  const bytes =
    encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  const sha = await ctx.repo.git.writeBlob(bytes);
  return created({ sha, url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/blobs/${sha}` });
}

/** GitHub wraps base64 content at 60 characters. */
export function wrap60(b64: string): string {
  return (b64.match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');
}

const R = '/repos/{owner}/{repo}/git';
export const gitDataRoutes: Route[] = [
  route('GET', `${R}/ref/{ref}`, getRef),
  route('GET', `${R}/matching-refs/{ref}`, matchingRefs),
  route('POST', `${R}/refs`, createRef),
  route('PATCH', `${R}/refs/{ref}`, updateRef),
  route('DELETE', `${R}/refs/{ref}`, deleteRef),
  route('GET', `${R}/trees/{tree_sha}`, getTree),
  route('POST', `${R}/trees`, createTree),
  route('GET', `${R}/commits/{commit_sha}`, getCommit),
  route('POST', `${R}/commits`, createCommit),
  route('GET', `${R}/blobs/{file_sha}`, getBlob),
  route('POST', `${R}/blobs`, createBlob),
];
