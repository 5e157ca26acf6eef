// The fine-grained permission each REST route rekey uses needs, as GitHub publishes it for
// GitHub Apps (server-to-server). Written in our own words from
//   github/docs src/github-apps/data/fpt-2022-11-28/server-to-server-permissions.json
//   at commit 57528e22dbfb996f164282843308e533e291165e
// (the REST endpoint list beside it, server-to-server-rest.json, at 6a7b3341537797a6e617b201f67f2e1392cdc502).
// The file lists, per permission, the operations it opens; an operation that needs more than
// one permission, or that several permission sets open, appears under each of them with
// `additional-permissions: true`. `scripts/check-permissions.ts <downloaded copy>` compares
// this table with a newer copy of GitHub's file and prints every difference.
//
// Every emulator route takes its permission from here: `route()` throws at module load for a
// route without an entry, so the emulator cannot start with an unlisted route.

export type Access = 'read' | 'write' | 'admin';

/** One permission at a level, e.g. `{ name: 'contents', access: 'write' }`. */
export interface Grant {
  readonly name: string;
  readonly access: Access;
}

/** A grant GitHub needs only in a case the data does not capture, with where that is said. */
export interface ConditionalGrant extends Grant {
  readonly when: string;
  readonly source: string;
  /** Listed by GitHub's data for this operation (check-permissions expects it there). */
  readonly inData: boolean;
}

export interface RoutePermission {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** GitHub's OpenAPI path template. */
  readonly route: string;
  /** Any one of these sets opens the route; every grant of that set is needed. */
  readonly anyOf: readonly (readonly Grant[])[];
  readonly conditional?: readonly ConditionalGrant[];
  /** Why the entry reads the data the way it does, when the data alone is ambiguous. */
  readonly note?: string;
}

const g = (name: string, access: Access): Grant => ({ name, access });
const one = (name: string, access: Access): readonly (readonly Grant[])[] => [[g(name, access)]];
const either = (a: string, b: string, access: Access): readonly (readonly Grant[])[] => [
  [g(a, access)],
  [g(b, access)],
];

const R = '/repos/{owner}/{repo}';
const WORKFLOW_FILES: ConditionalGrant = {
  name: 'workflows',
  access: 'write',
  when: 'the new commit changes a file under .github/workflows (rekey never writes there)',
  source: 'server-to-server-permissions.json lists it as a second permission set',
  inData: true,
};

function secretScope(
  base: string,
  sets: (access: Access) => readonly (readonly Grant[])[],
  note?: string,
): RoutePermission[] {
  const entry = (
    method: RoutePermission['method'],
    route: string,
    access: Access,
  ): RoutePermission => ({ method, route, anyOf: sets(access), ...(note ? { note } : {}) });
  return [
    entry('GET', `${base}/public-key`, 'read'),
    entry('GET', base, 'read'),
    entry('GET', `${base}/{secret_name}`, 'read'),
    entry('PUT', `${base}/{secret_name}`, 'write'),
    entry('DELETE', `${base}/{secret_name}`, 'write'),
  ];
}

function orgSecretRoutes(base: string, perm: string): RoutePermission[] {
  // Adding or removing one selected repository also lists repository `metadata: read`, which
  // every installation with any repository permission has.
  const withMetadata = [[g(perm, 'write'), g('metadata', 'read')]];
  return [
    ...secretScope(base, (a) => one(perm, a)),
    { method: 'GET', route: `${base}/{secret_name}/repositories`, anyOf: one(perm, 'read') },
    { method: 'PUT', route: `${base}/{secret_name}/repositories`, anyOf: one(perm, 'write') },
    {
      method: 'PUT',
      route: `${base}/{secret_name}/repositories/{repository_id}`,
      anyOf: withMetadata,
    },
    {
      method: 'DELETE',
      route: `${base}/{secret_name}/repositories/{repository_id}`,
      anyOf: withMetadata,
    },
  ];
}

export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  // Repository
  { method: 'GET', route: R, anyOf: one('metadata', 'read') },
  { method: 'GET', route: `${R}/branches/{branch}`, anyOf: one('contents', 'read') },
  { method: 'GET', route: `${R}/commits/{ref}`, anyOf: one('contents', 'read') },
  { method: 'GET', route: `${R}/contents/{path}`, anyOf: one('contents', 'read') },
  { method: 'GET', route: `${R}/compare/{basehead}`, anyOf: one('contents', 'read') },
  { method: 'GET', route: `${R}/rules/branches/{branch}`, anyOf: one('metadata', 'read') },
  {
    method: 'GET',
    route: `${R}/branches/{branch}/protection`,
    anyOf: one('administration', 'read'),
  },
  // Listed under the Actions permission, not metadata or environments.
  { method: 'GET', route: `${R}/environments/{environment_name}`, anyOf: one('actions', 'read') },
  // Git data
  { method: 'GET', route: `${R}/git/ref/{ref}`, anyOf: one('contents', 'read') },
  { method: 'GET', route: `${R}/git/matching-refs/{ref}`, anyOf: one('contents', 'read') },
  {
    method: 'POST',
    route: `${R}/git/refs`,
    anyOf: one('contents', 'write'),
    conditional: [WORKFLOW_FILES],
  },
  {
    method: 'PATCH',
    route: `${R}/git/refs/{ref}`,
    anyOf: one('contents', 'write'),
    conditional: [WORKFLOW_FILES],
  },
  { method: 'DELETE', route: `${R}/git/refs/{ref}`, anyOf: one('contents', 'write') },
  { method: 'GET', route: `${R}/git/trees/{tree_sha}`, anyOf: one('contents', 'read') },
  { method: 'POST', route: `${R}/git/trees`, anyOf: one('contents', 'write') },
  { method: 'GET', route: `${R}/git/commits/{commit_sha}`, anyOf: one('contents', 'read') },
  { method: 'POST', route: `${R}/git/commits`, anyOf: one('contents', 'write') },
  { method: 'GET', route: `${R}/git/blobs/{file_sha}`, anyOf: one('contents', 'read') },
  { method: 'POST', route: `${R}/git/blobs`, anyOf: one('contents', 'write') },
  // Pull requests
  { method: 'POST', route: `${R}/pulls`, anyOf: one('pull_requests', 'write') },
  { method: 'GET', route: `${R}/pulls`, anyOf: one('pull_requests', 'read') },
  {
    method: 'GET',
    route: `${R}/pulls/{pull_number}`,
    anyOf: either('pull_requests', 'contents', 'read'),
  },
  { method: 'PATCH', route: `${R}/pulls/{pull_number}`, anyOf: one('pull_requests', 'write') },
  { method: 'GET', route: `${R}/pulls/{pull_number}/files`, anyOf: one('pull_requests', 'read') },
  {
    method: 'GET',
    route: `${R}/pulls/{pull_number}/commits`,
    anyOf: one('pull_requests', 'read'),
  },
  {
    method: 'GET',
    route: `${R}/commits/{commit_sha}/pulls`,
    anyOf: one('pull_requests', 'read'),
  },
  // Merging is a contents write, not a pull-request one.
  { method: 'PUT', route: `${R}/pulls/{pull_number}/merge`, anyOf: one('contents', 'write') },
  {
    method: 'POST',
    route: `${R}/pulls/{pull_number}/reviews`,
    anyOf: one('pull_requests', 'write'),
  },
  {
    method: 'GET',
    route: `${R}/pulls/{pull_number}/reviews`,
    anyOf: one('pull_requests', 'read'),
  },
  {
    method: 'POST',
    route: `${R}/pulls/{pull_number}/requested_reviewers`,
    anyOf: one('pull_requests', 'write'),
    conditional: [
      {
        name: 'members',
        access: 'read',
        when: 'team_reviewers is not empty (organization permission)',
        source:
          'not in the data: github/docs#35057, peter-evans/create-pull-request#986 (422 "Could not resolve to a node with the global id")',
        inData: false,
      },
    ],
  },
  {
    method: 'GET',
    route: `${R}/pulls/{pull_number}/requested_reviewers`,
    anyOf: one('pull_requests', 'read'),
  },
  // Issues and labels (pull requests are issues: most issue routes also open to pull_requests)
  { method: 'POST', route: `${R}/issues`, anyOf: one('issues', 'write') },
  { method: 'GET', route: `${R}/issues`, anyOf: one('issues', 'read') },
  { method: 'GET', route: `${R}/issues/{issue_number}`, anyOf: one('issues', 'read') },
  {
    method: 'PATCH',
    route: `${R}/issues/{issue_number}`,
    anyOf: either('issues', 'pull_requests', 'write'),
  },
  {
    method: 'POST',
    route: `${R}/issues/{issue_number}/comments`,
    anyOf: either('issues', 'pull_requests', 'write'),
  },
  {
    method: 'GET',
    route: `${R}/issues/{issue_number}/comments`,
    anyOf: either('issues', 'pull_requests', 'read'),
  },
  {
    method: 'GET',
    route: `${R}/issues/{issue_number}/labels`,
    anyOf: either('issues', 'pull_requests', 'read'),
  },
  {
    method: 'POST',
    route: `${R}/issues/{issue_number}/labels`,
    anyOf: either('issues', 'pull_requests', 'write'),
  },
  {
    method: 'PUT',
    route: `${R}/issues/{issue_number}/labels`,
    anyOf: either('issues', 'pull_requests', 'write'),
  },
  {
    method: 'DELETE',
    route: `${R}/issues/{issue_number}/labels/{name}`,
    anyOf: either('issues', 'pull_requests', 'write'),
  },
  { method: 'POST', route: `${R}/labels`, anyOf: either('issues', 'pull_requests', 'write') },
  { method: 'GET', route: `${R}/labels`, anyOf: either('issues', 'pull_requests', 'read') },
  {
    method: 'GET',
    route: `${R}/labels/{name}`,
    anyOf: either('issues', 'pull_requests', 'read'),
  },
  // Commit statuses
  { method: 'POST', route: `${R}/statuses/{sha}`, anyOf: one('statuses', 'write') },
  { method: 'GET', route: `${R}/commits/{ref}/statuses`, anyOf: one('statuses', 'read') },
  { method: 'GET', route: `${R}/commits/{ref}/status`, anyOf: one('statuses', 'read') },
  // Secrets
  ...secretScope(`${R}/actions/secrets`, (a) => one('secrets', a)),
  ...secretScope(
    `${R}/environments/{environment_name}/secrets`,
    (a) => [[g('environments', a), g('secrets', a)]],
    'The data lists these under both `environments` and `secrets` (additional-permissions), ' +
      'which reads either as one set of both or as two alternatives; the emulator requires ' +
      'both, the reading under which a token with both works either way.',
  ),
  ...secretScope(`${R}/dependabot/secrets`, (a) => one('dependabot_secrets', a)),
  ...orgSecretRoutes('/orgs/{org}/actions/secrets', 'organization_secrets'),
  ...orgSecretRoutes('/orgs/{org}/dependabot/secrets', 'organization_dependabot_secrets'),
  // Reviewers (doctor): both listed in the data with `additional-permissions: false`.
  {
    method: 'GET',
    route: `${R}/collaborators/{username}/permission`,
    anyOf: one('metadata', 'read'),
  },
  { method: 'GET', route: '/orgs/{org}/teams', anyOf: one('members', 'read') },
  // Deploy keys
  { method: 'GET', route: `${R}/keys`, anyOf: one('administration', 'read') },
  { method: 'POST', route: `${R}/keys`, anyOf: one('administration', 'write') },
  { method: 'GET', route: `${R}/keys/{key_id}`, anyOf: one('administration', 'read') },
  { method: 'DELETE', route: `${R}/keys/{key_id}`, anyOf: one('administration', 'write') },
  // Actions workflows (doctor)
  { method: 'GET', route: `${R}/actions/workflows`, anyOf: one('actions', 'read') },
  { method: 'GET', route: `${R}/actions/workflows/{workflow_id}`, anyOf: one('actions', 'read') },
  {
    method: 'GET',
    route: `${R}/actions/workflows/{workflow_id}/runs`,
    anyOf: one('actions', 'read'),
  },
];

/** Organization-level permissions (the rest are repository permissions). */
export const ORGANIZATION_PERMISSIONS: ReadonlySet<string> = new Set([
  'members',
  'organization_secrets',
  'organization_dependabot_secrets',
]);

const byKey = new Map(ROUTE_PERMISSIONS.map((p) => [`${p.method} ${p.route}`, p]));

/** The table's entry for a route; throws for a route the table does not list. */
export function permissionFor(method: string, route: string): RoutePermission {
  const entry = byKey.get(`${method.toUpperCase()} ${route}`);
  if (!entry)
    throw new Error(
      `${method} ${route} has no entry in src/sandbox/emulator/permissions.ts: add GitHub's permission for it (see server-to-server-permissions.json)`,
    );
  return entry;
}

/** GitHub's `x-accepted-github-permissions` value: sets joined by `; `, grants by `,`. */
export function acceptedHeader(entry: Pick<RoutePermission, 'anyOf'>): string {
  return entry.anyOf.map((set) => set.map((x) => `${x.name}=${x.access}`).join(',')).join('; ');
}

/**
 * The grants a job needs to call `operations` (`'PUT /repos/{owner}/{repo}/keys'`...): the first
 * set of each route (the one the table lists first is the one rekey relies on), at the highest
 * level asked for, plus the conditional grants that apply (`withConditional`). For doctor and
 * for checking the workflows' token permissions against this table.
 */
export function grantsFor(
  operations: readonly string[],
  withConditional: (c: ConditionalGrant) => boolean = () => false,
): Record<string, Access> {
  const rank: Record<Access, number> = { read: 1, write: 2, admin: 3 };
  const out: Record<string, Access> = {};
  const add = (x: Grant) => {
    const had = out[x.name];
    if (x.name !== 'metadata' && (!had || rank[had] < rank[x.access])) out[x.name] = x.access;
  };
  for (const op of operations) {
    const [method = '', route = ''] = op.split(' ');
    const entry = permissionFor(method, route);
    for (const x of entry.anyOf[0] ?? []) add(x);
    for (const c of entry.conditional ?? []) if (withConditional(c)) add(c);
  }
  return out;
}

/**
 * The `actions/create-github-app-token` input that requests a permission, or null when the
 * action has none: its inputs are generated from GitHub's `app-permissions` schema, which has no
 * `organization_dependabot_secrets` (checked in action.yml at commit 00ba6edc669407bbc8515d920f157621329b37e4
 * and in @octokit/openapi 23.0.2). A token for organization Dependabot secrets must therefore be
 * minted without permission inputs, inheriting the installation's permissions.
 */
export function appTokenInput(permission: string): string | null {
  if (permission === 'organization_dependabot_secrets') return null;
  return `permission-${permission.replaceAll('_', '-')}`;
}
