// Who can be asked for a review: a person's role on a repository, and the teams an
// organization has. `rekey doctor` asks both for every owner and policy reviewer, because GitHub refuses a
// review request naming a non-collaborator or a team without access (422), and it refuses the
// whole request, so one bad handle costs every reviewer (REST "Request reviewers for a pull
// request"; the emulator's requested_reviewers route).
import { ApiError, type Ctx, ok, paginate, route, type Route } from '../http.ts';
import { renderUser, type Urls } from '../render.ts';
import type { EmulatorState, RepoRole, RepoState, User } from '../state.ts';

/**
 * The role of `login` on `repo`, `null` for a user without access, `undefined` for a login
 * GitHub does not know. See RepoState.collaborators for the defaults.
 */
export function roleOf(
  state: EmulatorState,
  repo: RepoState,
  login: string,
): RepoRole | null | undefined {
  const key = login.toLowerCase();
  if (repo.collaborators.has(key)) return repo.collaborators.get(key) ?? null;
  if (key === repo.owner.login.toLowerCase()) return 'admin';
  const user = state.users.get(key);
  if (!user) return undefined;
  return user.type === 'User' ? 'write' : null;
}

/** The legacy base role GitHub reports in `permission` (REST "Get repository permissions"). */
const LEGACY: Record<RepoRole, 'admin' | 'write' | 'read'> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
};
const RANK: Record<RepoRole, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

function renderCollaborator(u: User, role: RepoRole | null, urls: Urls): Record<string, unknown> {
  const base = renderUser(u, urls);
  const at = (suffix: string) => `${String(base['url'])}/${suffix}`;
  const has = (r: RepoRole) => role !== null && RANK[role] >= RANK[r];
  return {
    ...base,
    followers_url: at('followers'),
    following_url: at('following{/other_user}'),
    gists_url: at('gists{/gist_id}'),
    starred_url: at('starred{/owner}{/repo}'),
    subscriptions_url: at('subscriptions'),
    organizations_url: at('orgs'),
    repos_url: at('repos'),
    events_url: at('events{/privacy}'),
    received_events_url: at('received_events'),
    permissions: {
      pull: has('read'),
      triage: has('triage'),
      push: has('write'),
      maintain: has('maintain'),
      admin: has('admin'),
    },
    role_name: role ?? 'none',
  };
}

async function collaboratorPermission(ctx: Ctx) {
  const login = ctx.params['username'] ?? '';
  const role = roleOf(ctx.state, ctx.repo, login);
  if (role === undefined) throw new ApiError(404, 'Not Found');
  const user = ctx.state.user(login);
  return ok({
    permission: role === null ? 'none' : LEGACY[role],
    role_name: role ?? 'none',
    user: renderCollaborator(user, role, ctx.urls),
  });
}

async function listTeams(ctx: Ctx) {
  const org = (ctx.params['org'] ?? '').toLowerCase();
  const teams = [...ctx.state.teams.keys()]
    .filter((k) => k.startsWith(`${org}/`))
    .sort()
    .map((k, i) => {
      const slug = k.slice(org.length + 1);
      const id = 1 + i;
      const url = `${ctx.urls.api}/organizations/${org}/team/${id}`;
      return {
        id,
        node_id: Buffer.from(`Team:${id}`).toString('base64url'),
        url,
        html_url: `${ctx.urls.server}/orgs/${org}/teams/${slug}`,
        name: slug,
        slug,
        description: null,
        privacy: 'closed',
        notification_setting: 'notifications_enabled',
        permission: 'pull',
        members_url: `${url}/members{/member}`,
        repositories_url: `${url}/repos`,
        parent: null,
        type: 'organization',
      };
    });
  const page = paginate(ctx, teams);
  return ok(page.items, page.headers);
}

export const accessRoutes: Route[] = [
  route('GET', '/repos/{owner}/{repo}/collaborators/{username}/permission', collaboratorPermission),
  route('GET', '/orgs/{org}/teams', listTeams),
];
