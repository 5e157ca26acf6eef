/**
 * The REST operations each action may call, per App token, as keys of the emulator's permission
 * table (src/sandbox/emulator/permissions.ts). test/workflows/token-grants.test.ts sums them
 * with `grantsFor` and checks the workflows' `permission-*` inputs cover them; the action
 * bundle tests (test/actions/*.test.ts) check that every operation a run logs is listed here.
 * An action that starts calling a new route must list it, so a grant the workflow lacks fails
 * in CI, not in production (issue #14, deliverable 2).
 */

const R = '/repos/{owner}/{repo}';

/** Opening or updating a rekey pull request: the branch, the commit, the PR and its reviewers. */
const OPEN_PULL = [
  `GET ${R}/branches/{branch}`,
  `GET ${R}/git/ref/{ref}`,
  `GET ${R}/git/commits/{commit_sha}`,
  `GET ${R}/git/trees/{tree_sha}`,
  `POST ${R}/git/blobs`,
  `POST ${R}/git/trees`,
  `POST ${R}/git/commits`,
  `POST ${R}/git/refs`,
  `PATCH ${R}/git/refs/{ref}`,
  `GET ${R}/pulls`,
  `POST ${R}/pulls`,
  `PATCH ${R}/pulls/{pull_number}`,
  `POST ${R}/pulls/{pull_number}/requested_reviewers`,
  `POST ${R}/issues/{issue_number}/labels`,
  `DELETE ${R}/issues/{issue_number}/labels/{name}`,
  `POST ${R}/issues/{issue_number}/comments`,
  // Halted keys (the rekey:halted issues).
  `GET ${R}/issues`,
] as const;

/** The failure issues and their label. */
const ISSUES = [
  `GET ${R}/issues`,
  `POST ${R}/issues`,
  `PATCH ${R}/issues/{issue_number}`,
  `POST ${R}/issues/{issue_number}/comments`,
  `POST ${R}/issues/{issue_number}/labels`,
  `DELETE ${R}/issues/{issue_number}/labels/{name}`,
  `POST ${R}/labels`,
  `GET ${R}/labels/{name}`,
] as const;

function secretRoutes(base: string, organization: boolean): string[] {
  return [
    `GET ${base}/public-key`,
    `GET ${base}`,
    `GET ${base}/{secret_name}`,
    `PUT ${base}/{secret_name}`,
    `DELETE ${base}/{secret_name}`,
    ...(organization ? [`GET ${base}/{secret_name}/repositories`, `GET ${R}`] : []),
  ];
}

/** Where a target writes, as far as the permissions it needs differ. */
export type TargetScope =
  | 'repository-actions'
  | 'repository-dependabot'
  | 'environment'
  | 'organization-actions'
  | 'organization-dependabot'
  | 'deploy-key';

/** The targets token's operations per kind of target. */
export const TARGET_OPERATIONS: Readonly<Record<TargetScope, readonly string[]>> = {
  'repository-actions': secretRoutes(`${R}/actions/secrets`, false),
  'repository-dependabot': secretRoutes(`${R}/dependabot/secrets`, false),
  environment: secretRoutes(`${R}/environments/{environment_name}/secrets`, false),
  'organization-actions': secretRoutes('/orgs/{org}/actions/secrets', true),
  'organization-dependabot': secretRoutes('/orgs/{org}/dependabot/secrets', true),
  'deploy-key': [`GET ${R}/keys`, `POST ${R}/keys`, `DELETE ${R}/keys/{key_id}`],
};

/** The scope of one key.yaml target (read leniently: unknown shapes give null). */
export function targetScopeOf(target: Readonly<Record<string, unknown>>): TargetScope | null {
  if (target['kind'] === 'github-deploy-key') return 'deploy-key';
  if (target['kind'] !== 'github-secret') return null;
  const dependabot = target['app'] === 'dependabot';
  if (target['organization'] !== undefined)
    return dependabot ? 'organization-dependabot' : 'organization-actions';
  if (target['environment'] !== undefined) return 'environment';
  return dependabot ? 'repository-dependabot' : 'repository-actions';
}

export const ACTION_OPERATIONS = {
  rotate: { token: [...OPEN_PULL] },
  revoke: {
    // The gate reads the rekey/distribution statuses of first-parent commits.
    token: [...OPEN_PULL, `GET ${R}/commits/{ref}/statuses`],
  },
  distribute: {
    /** The keys repository: the lease and receipts ref, the status, the issues. */
    token: [
      `GET ${R}/branches/{branch}`,
      `GET ${R}/git/ref/{ref}`,
      `GET ${R}/git/matching-refs/{ref}`,
      `GET ${R}/git/commits/{commit_sha}`,
      `GET ${R}/git/trees/{tree_sha}`,
      `GET ${R}/git/blobs/{file_sha}`,
      `POST ${R}/git/blobs`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      `PATCH ${R}/git/refs/{ref}`,
      `GET ${R}/commits/{ref}/statuses`,
      `POST ${R}/statuses/{sha}`,
      ...ISSUES,
      // The rekey/rewrap PR when .sops.yaml names other recipients (distribute/rewrap.ts).
      `GET ${R}/pulls`,
      `POST ${R}/pulls`,
      `PATCH ${R}/pulls/{pull_number}`,
      `POST ${R}/pulls/{pull_number}/requested_reviewers`,
    ],
    targets: TARGET_OPERATIONS,
  },
} as const;

/** Every operation an action may call with any of its tokens. */
export function declaredOperations(action: keyof typeof ACTION_OPERATIONS): Set<string> {
  const entry = ACTION_OPERATIONS[action];
  const out = new Set<string>(entry.token);
  if ('targets' in entry)
    for (const ops of Object.values(entry.targets)) for (const o of ops) out.add(o);
  return out;
}

/**
 * The logged operations (`'POST /repos/{owner}/{repo}/pulls'`, the emulator's request log) an
 * action called that it does not declare, sorted and unique: for the action bundle tests.
 */
export function undeclaredOperations(
  action: keyof typeof ACTION_OPERATIONS,
  log: readonly {
    readonly operation: string | null;
    readonly method: string;
    readonly path: string;
  }[],
): string[] {
  const declared = declaredOperations(action);
  const out = new Set<string>();
  for (const r of log) {
    const op = r.operation ?? `${r.method} ${r.path}`;
    if (!declared.has(op)) out.add(op);
  }
  return [...out].sort();
}
