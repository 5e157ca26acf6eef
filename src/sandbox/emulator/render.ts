// JSON shapes of GitHub's REST responses, as far as the emulator models them. Field names and
// types follow the OpenAPI description; tests validate the fields present against it.
import type { CommitObject } from './git-store.ts';
import type {
  Comment,
  CommitStatus,
  Issue,
  Label,
  Pull,
  RepoState,
  Review,
  User,
} from './state.ts';

export interface Urls {
  api: string;
  server: string;
}

const nodeId = (kind: string, id: number | string): string =>
  Buffer.from(`${kind}:${id}`).toString('base64url');

export function renderUser(u: User, urls: Urls): Record<string, unknown> {
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId('User', u.id),
    avatar_url: `${urls.server}/avatars/${u.id}`,
    gravatar_id: '',
    url: `${urls.api}/users/${encodeURIComponent(u.login)}`,
    html_url: `${urls.server}/${encodeURIComponent(u.login)}`,
    type: u.type,
    site_admin: false,
  };
}

export function renderRepo(r: RepoState, urls: Urls): Record<string, unknown> {
  return {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: r.fullName,
    owner: renderUser(r.owner, urls),
    private: r.private,
    visibility: r.private ? 'private' : 'public',
    html_url: `${urls.server}/${r.fullName}`,
    url: `${urls.api}/repos/${r.fullName}`,
    clone_url: `${urls.server}/${r.fullName}.git`,
    default_branch: r.defaultBranch,
    archived: false,
    disabled: false,
    fork: false,
  };
}

export function renderLabel(l: Label, r: RepoState, urls: Urls): Record<string, unknown> {
  return {
    id: l.id,
    node_id: nodeId('Label', l.id),
    url: `${urls.api}/repos/${r.fullName}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: false,
  };
}

export function renderIssue(i: Issue, r: RepoState, urls: Urls): Record<string, unknown> {
  const base = `${urls.api}/repos/${r.fullName}/issues/${i.number}`;
  const out: Record<string, unknown> = {
    id: i.id,
    node_id: nodeId('Issue', i.id),
    url: base,
    repository_url: `${urls.api}/repos/${r.fullName}`,
    labels_url: `${base}/labels{/name}`,
    comments_url: `${base}/comments`,
    html_url: `${urls.server}/${r.fullName}/${i.isPull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    user: renderUser(i.user, urls),
    labels: i.labels.flatMap((n) => {
      const l = r.label(n);
      return l ? [renderLabel(l, r, urls)] : [];
    }),
    assignees: [],
    locked: false,
    comments: i.comments.length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    author_association: 'MEMBER',
  };
  if (i.isPull) {
    const pullUrl = `${urls.api}/repos/${r.fullName}/pulls/${i.number}`;
    out['pull_request'] = {
      url: pullUrl,
      html_url: out['html_url'],
      diff_url: null,
      patch_url: null,
    };
  }
  return out;
}

export function renderComment(
  c: Comment,
  r: RepoState,
  issue: number,
  urls: Urls,
): Record<string, unknown> {
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${urls.api}/repos/${r.fullName}/issues/comments/${c.id}`,
    html_url: `${urls.server}/${r.fullName}/issues/${issue}#issuecomment-${c.id}`,
    issue_url: `${urls.api}/repos/${r.fullName}/issues/${issue}`,
    body: c.body,
    user: renderUser(c.user, urls),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'MEMBER',
  };
}

export interface PullLive {
  baseSha: string;
  mergeable: boolean | null;
  /** Branch rules or protection do not allow the merge yet. */
  blocked?: boolean;
}

export function renderPull(
  p: Pull,
  i: Issue,
  r: RepoState,
  live: PullLive,
  urls: Urls,
): Record<string, unknown> {
  const url = `${urls.api}/repos/${r.fullName}/pulls/${p.number}`;
  const repo = renderRepo(r, urls);
  const branch = (ref: string, sha: string): Record<string, unknown> => ({
    label: `${r.owner.login}:${ref}`,
    ref,
    sha,
    user: renderUser(r.owner, urls),
    repo,
  });
  const head = (): Record<string, unknown> => {
    if (p.headRepo === undefined) return branch(p.headRef, p.headSha);
    const [owner = '', name = ''] = p.headRepo.split('/');
    const user = renderUser({ ...r.owner, login: owner, type: 'User' }, urls);
    return {
      label: `${owner}:${p.headRef}`,
      ref: p.headRef,
      sha: p.headSha,
      user,
      repo: {
        ...repo,
        name,
        full_name: p.headRepo,
        owner: user,
        html_url: `${urls.server}/${p.headRepo}`,
        url: `${urls.api}/repos/${p.headRepo}`,
        clone_url: `${urls.server}/${p.headRepo}.git`,
        fork: true,
      },
    };
  };
  return {
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    url,
    html_url: `${urls.server}/${r.fullName}/pull/${p.number}`,
    issue_url: `${urls.api}/repos/${r.fullName}/issues/${p.number}`,
    number: p.number,
    state: i.state,
    locked: false,
    title: i.title,
    body: i.body,
    user: renderUser(i.user, urls),
    labels: (renderIssue(i, r, urls)['labels'] as unknown[]) ?? [],
    draft: p.draft,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    merged_at: p.merged_at,
    merged: p.merged_at !== null,
    merged_by: p.merged_by ? renderUser(p.merged_by, urls) : null,
    merge_commit_sha: p.merge_commit_sha,
    mergeable: live.mergeable,
    mergeable_state:
      live.mergeable === false
        ? 'dirty'
        : live.mergeable === null
          ? 'unknown'
          : live.blocked
            ? 'blocked'
            : 'clean',
    maintainer_can_modify: p.maintainer_can_modify,
    requested_reviewers: p.requested_reviewers.map((login) => ({ login })),
    requested_teams: p.requested_teams.map((slug) => ({ slug, name: slug })),
    assignees: [],
    head: head(),
    base: branch(p.baseRef, live.baseSha),
    author_association: 'MEMBER',
  };
}

export function renderReview(
  v: Review,
  r: RepoState,
  pull: number,
  urls: Urls,
): Record<string, unknown> {
  return {
    id: v.id,
    node_id: nodeId('PullRequestReview', v.id),
    user: renderUser(v.user, urls),
    body: v.body,
    state: v.state,
    html_url: `${urls.server}/${r.fullName}/pull/${pull}#pullrequestreview-${v.id}`,
    pull_request_url: `${urls.api}/repos/${r.fullName}/pulls/${pull}`,
    commit_id: v.commit_id,
    submitted_at: v.submitted_at,
    author_association: 'MEMBER',
    _links: { html: { href: '' }, pull_request: { href: '' } },
  };
}

export function renderGitCommit(
  c: CommitObject,
  r: RepoState,
  urls: Urls,
): Record<string, unknown> {
  const base = `${urls.api}/repos/${r.fullName}/git`;
  return {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    url: `${base}/commits/${c.sha}`,
    html_url: `${urls.server}/${r.fullName}/commit/${c.sha}`,
    author: c.author,
    committer: c.committer,
    message: c.message.replace(/\n$/, ''),
    tree: { sha: c.tree, url: `${base}/trees/${c.tree}` },
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${base}/commits/${p}`,
      html_url: `${urls.server}/${r.fullName}/commit/${p}`,
    })),
    verification: {
      verified: false,
      reason: 'unsigned',
      signature: null,
      payload: null,
      verified_at: null,
    },
  };
}

export function renderStatus(s: CommitStatus, urls: Urls): Record<string, unknown> {
  return {
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    url: `${urls.api}/statuses/${s.sha}`,
    avatar_url: null,
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.created_at,
    creator: renderUser(s.creator, urls),
  };
}
