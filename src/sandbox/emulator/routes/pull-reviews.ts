// Merging, reviews and requested reviewers. A merge writes a real merge (two parents) or squash
// (one parent) commit with `git merge-tree --write-tree` and moves the base branch with an
// old-value check, so a base that moved meanwhile makes the merge fail instead of losing work.
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
import { holds } from '../auth.ts';
import { assertMergeAllowed } from '../protection.ts';
import { renderReview, renderUser } from '../render.ts';
import type { Review } from '../state.ts';
import { loadPull, pullJson } from './pulls.ts';

const GITHUB = { name: 'GitHub', email: 'noreply@github.com' };

function split(message: string): { subject: string; body: string } {
  const i = message.indexOf('\n');
  return i === -1
    ? { subject: message, body: '' }
    : { subject: message.slice(0, i), body: message.slice(i + 1).replace(/^\n+/, '') };
}

async function mergePull(ctx: Ctx) {
  const { pull, issue } = await loadPull(ctx);
  const body = bodyOf(ctx);
  if (issue.state !== 'open' || pull.merged_at)
    throw new ApiError(405, 'Pull Request is not mergeable');
  const sha = str(body['sha']);
  if (sha && sha !== pull.headSha)
    throw new ApiError(409, 'Head branch was modified. Review and try the merge again.');
  const method = str(body['merge_method']) ?? 'merge';
  if (method === 'rebase')
    throw new ApiError(405, 'Rebase merges are not allowed on this repository.');
  if (pull.draft) throw new ApiError(405, 'Pull Request is still a draft');
  const git = ctx.repo.git;
  const baseRef = `refs/heads/${pull.baseRef}`;
  const baseSha = await git.readRef(baseRef);
  if (!baseSha) throw new ApiError(405, 'Pull Request is not mergeable');
  await assertMergeAllowed(ctx.repo, pull, issue.user, baseSha);
  const tree = await git.mergeTree(baseSha, pull.headSha);
  if (!tree) throw new ApiError(405, 'Pull Request is not mergeable');
  const now = ctx.now.toISOString();
  const merger = ctx.identity.user;
  const mergerPerson = {
    name: merger.login,
    email: `${merger.id}+${merger.login}@users.noreply.github.com`,
    date: now,
  };
  let message: string;
  let parents: string[];
  let author = mergerPerson;
  if (method === 'squash') {
    // GitHub's defaults (COMMIT_OR_PR_TITLE, COMMIT_MESSAGES): one commit keeps its own
    // subject and body (trailers survive); several get the PR title and a list of the commits.
    const messages = await Promise.all(
      (await git.revList(baseSha, pull.headSha)).map(async (c) =>
        (await git.readCommit(c)).message.trimEnd(),
      ),
    );
    const only = messages.length === 1 ? split(messages[0] ?? '') : null;
    const title =
      str(body['commit_title']) ?? `${only ? only.subject : issue.title} (#${pull.number})`;
    const text =
      str(body['commit_message']) ??
      (only ? only.body : messages.map((m) => `* ${m}`).join('\n\n'));
    message = text ? `${title}\n\n${text}\n` : `${title}\n`;
    parents = [baseSha];
    author = {
      name: issue.user.login,
      email: `${issue.user.id}+${issue.user.login}@users.noreply.github.com`,
      date: now,
    };
  } else {
    const title =
      str(body['commit_title']) ??
      `Merge pull request #${pull.number} from ${ctx.repo.owner.login}/${pull.headRef}`;
    message = `${title}\n\n${str(body['commit_message']) ?? issue.title}\n`;
    parents = [baseSha, pull.headSha];
  }
  const commit = await git.writeCommit({
    tree,
    parents,
    author,
    committer: { ...GITHUB, date: now },
    message,
  });
  if (!(await git.updateRef(baseRef, commit, baseSha)))
    throw new ApiError(409, 'Base branch was modified. Review and try the merge again.');
  pull.merged_at = now;
  pull.merged_by = merger;
  pull.merge_commit_sha = commit;
  issue.state = 'closed';
  issue.closed_at = now;
  issue.updated_at = now;
  if (ctx.repo.deleteBranchOnMerge) await git.deleteRef(`refs/heads/${pull.headRef}`, pull.headSha);
  return ok({ sha: commit, merged: true, message: 'Pull Request successfully merged' });
}

const EVENTS: Record<string, Review['state']> = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

async function createReview(ctx: Ctx) {
  const { pull, issue } = await loadPull(ctx);
  const body = bodyOf(ctx);
  const event = str(body['event']);
  const state = event ? EVENTS[event] : 'PENDING';
  if (!state) throw new ApiError(422, 'Unprocessable Entity', [`Unknown event ${event ?? ''}`]);
  const text = str(body['body']) ?? '';
  const me = ctx.identity.user;
  if (issue.state !== 'open')
    throw new ApiError(422, 'Unprocessable Entity', ['Pull request is closed']);
  if (state !== 'COMMENTED' && state !== 'PENDING' && me.login === issue.user.login)
    throw new ApiError(422, 'Unprocessable Entity', [
      `Review Can not ${state === 'APPROVED' ? 'approve' : 'request changes on'} your own pull request`,
    ]);
  if (
    state === 'APPROVED' &&
    ctx.identity.kind === 'github-actions' &&
    !ctx.repo.actionsCanCreatePullRequests
  )
    throw new ApiError(422, 'Unprocessable Entity', [
      'GitHub Actions is not permitted to approve pull requests.',
    ]);
  if ((state === 'CHANGES_REQUESTED' || state === 'COMMENTED') && text === '')
    throw new ApiError(422, 'Unprocessable Entity', [`Review body is required for ${event ?? ''}`]);
  const review: Review = {
    id: ctx.state.id(),
    user: me,
    body: text,
    state,
    commit_id: str(body['commit_id']) ?? pull.headSha,
    submitted_at: ctx.now.toISOString(),
  };
  pull.reviews.push(review);
  // A submitted review satisfies the request for that reviewer, as on GitHub.
  if (state !== 'PENDING')
    pull.requested_reviewers = pull.requested_reviewers.filter((l) => l !== me.login);
  return ok(renderReview(review, ctx.repo, pull.number, ctx.urls));
}

async function listReviews(ctx: Ctx) {
  const { pull } = await loadPull(ctx);
  // Pending reviews are visible to their author only.
  const visible = pull.reviews.filter(
    (r) => r.state !== 'PENDING' || r.user.login === ctx.identity.user.login,
  );
  const page = paginate(ctx, visible);
  return ok(
    page.items.map((r) => renderReview(r, ctx.repo, pull.number, ctx.urls)),
    page.headers,
  );
}

async function requestReviewers(ctx: Ctx) {
  const loaded = await loadPull(ctx);
  const { pull, issue } = loaded;
  const body = bodyOf(ctx);
  const users = Array.isArray(body['reviewers']) ? (body['reviewers'] as string[]) : [];
  const teams = Array.isArray(body['team_reviewers']) ? (body['team_reviewers'] as string[]) : [];
  // The author cannot be asked to review their own PR: 422 for the whole request, the other
  // reviewers included (kerthcet/github-workflow-as-kube#16 shows the HTTP 422,
  // Madrapps/add-reviewers#5: "This also does not add the other reviewers").
  if (users.some((u) => u.toLowerCase() === issue.user.login.toLowerCase()))
    throw new ApiError(422, 'Review cannot be requested from pull request author.');
  const unknown = users.filter((u) => !ctx.state.users.has(u.toLowerCase()));
  if (unknown.length > 0)
    throw new ApiError(
      422,
      `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${ctx.repo.fullName} repository.`,
    );
  // An App (or fine-grained token) needs the organization permission `members: read` to name a
  // team; without it GitHub cannot resolve the team and refuses the whole request with 422, so
  // the users in the same request are not requested either (github/docs#35057,
  // peter-evans/create-pull-request#986, vsoch/pull-request-action#29 shows the body). The
  // data in permissions.ts lists only pull_requests write for this route.
  const members = { name: 'members', access: 'read' } as const;
  if (teams.length > 0 && !holds(ctx.identity, members))
    throw new ApiError(422, 'Validation Failed', [
      `Could not resolve to a node with the global id of '${teamNodeId(teams[0] ?? '')}'.`,
    ]);
  for (const u of users) {
    const login = ctx.state.user(u).login;
    if (!pull.requested_reviewers.includes(login)) pull.requested_reviewers.push(login);
  }
  for (const t of teams) if (!pull.requested_teams.includes(t)) pull.requested_teams.push(t);
  return created(await pullJson(ctx, loaded, false));
}

/** A team's GraphQL node id as GitHub shows it in that error (`04:Team<id>`, base64). */
function teamNodeId(slug: string): string {
  return Buffer.from(`04:Team${slug}`).toString('base64');
}

async function listRequestedReviewers(ctx: Ctx) {
  const { pull } = await loadPull(ctx);
  return ok({
    users: pull.requested_reviewers.map((l) => renderUser(ctx.state.user(l), ctx.urls)),
    teams: pull.requested_teams.map((slug) => ({ id: 0, slug, name: slug })),
  });
}

const R = '/repos/{owner}/{repo}/pulls/{pull_number}';
export const pullReviewRoutes: Route[] = [
  route('PUT', `${R}/merge`, mergePull),
  route('POST', `${R}/reviews`, createReview),
  route('GET', `${R}/reviews`, listReviews),
  route('POST', `${R}/requested_reviewers`, requestReviewers),
  route('GET', `${R}/requested_reviewers`, listRequestedReviewers),
];
