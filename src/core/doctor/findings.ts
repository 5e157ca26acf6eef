/**
 * What `rekey doctor` reports: findings with a stable rule id, a severity, where (file:line
 * for local files, the GitHub setting otherwise) and the fix in one or two sentences. The rule
 * ids and their fixes live here, in one table, so docs/doctor.md and the tests name the same
 * things. Pure.
 */
import type { WorkflowRule } from '../workflow-lint/index.ts';

export type Severity = 'error' | 'warning';

export const DOCTOR_RULES = {
  'doctor/workflow-missing': {
    severity: 'error',
    fix: "Add the workflow from rekey's template (.github/workflows/<name>.yml in the rekey repository); docs/workflows.md explains each one.",
  },
  'doctor/concurrency-group': {
    severity: 'error',
    fix: 'Put the workflow in the shared group: `concurrency: { group: rekey-mutations, cancel-in-progress: false }` at the top level, so rotate, revoke and distribute never run at once and never cancel each other halfway.',
  },
  'doctor/mutations-queue': {
    severity: 'error',
    fix: 'Add `queue: max` to the `rekey-mutations` concurrency group (next to `cancel-in-progress: false`), so up to 100 pending runs wait in line and an emergency dispatch is never cancelled by the next run (docs/workflows.md, "No dropped emergencies").',
  },
  'doctor/token-github-token': {
    severity: 'error',
    fix: 'Mint a GitHub App token with actions/create-github-app-token (client-id, private-key) in the job and pass `${{ steps.<id>.outputs.token }}` as `token`; events caused by GITHUB_TOKEN start no workflows, and it can never write secrets.',
  },
  'doctor/token-not-app': {
    severity: 'warning',
    fix: 'Prefer a GitHub App installation token (actions/create-github-app-token) over a personal access token: it expires after an hour, is scoped to this repository, and its PRs are not attributed to a person.',
  },
  'doctor/token-classic-pat': {
    severity: 'warning',
    fix: 'Run doctor with a fine-grained token or an App token; a classic personal access token reaches every repository its owner can see.',
  },
  'doctor/distribute-single-token': {
    severity: 'error',
    fix: "Mint two App tokens in the distribute job, as rekey's template distribute.yml does: the keys-repository token (no `owner:`; contents, statuses and issues: write) as `token`, and a targets token (`owner:` plus `repositories:` from `rekey targets --repositories`; secrets and administration only) as `targets-token`.",
  },
  'doctor/distribute-token-scope': {
    severity: 'error',
    fix: 'Give the targets token `repositories: ${{ steps.<targets-step>.outputs.repositories }}` (computed by `rekey targets --repositories`) and only `permission-secrets: write` and the permissions your targets need (administration: write for deploy keys); no `permission-contents`.',
  },
  'doctor/id-token-unused': {
    severity: 'warning',
    fix: 'Remove `id-token: write` from the distribute job\'s permissions (and the AWS credentials step, if you like): only aws-secret targets need it (docs/targets.md "AWS Secrets Manager"). Add it back with the first such target.',
  },
  'doctor/id-token-missing': {
    severity: 'warning',
    fix: 'Grant the distribute job `id-token: write` and set the repository variable `REKEY_AWS_ROLE_ARN`: distribute.yml then exchanges GitHub\'s OIDC token for one hour of that IAM role\'s credentials (docs/targets.md "AWS Secrets Manager"). Not needed on a self-hosted runner that has its own AWS role.',
  },
  'doctor/protection-missing': {
    severity: 'error',
    fix: 'Add a ruleset (Settings > Rules > Rulesets) or classic branch protection on the default branch that requires pull requests, at least one approving review and the status check.',
  },
  'doctor/protection-verify-check': {
    severity: 'error',
    fix: 'Require the `rekey verify` status check on the default branch (ruleset rule "Require status checks to pass", or classic protection "Require status checks").',
  },
  'doctor/protection-reviews': {
    severity: 'error',
    fix: 'Require at least one approving review on the default branch (ruleset rule "Require a pull request before merging", or classic protection), so no rotation merges unseen.',
  },
  'doctor/protection-code-owners': {
    severity: 'error',
    fix: 'Turn on "Require review from Code Owners" in the ruleset\'s pull request rule (or in classic protection): without it CODEOWNERS only requests a review, and any approval merges a change to keys-manifest/, .sops.yaml or the code that runs with the keys.',
  },
  'doctor/protection-stale-verdict': {
    severity: 'error',
    fix: 'Turn on "Require branches to be up to date before merging" in the ruleset rule that requires the verify check (`strict_required_status_checks_policy: true`; classic protection: "Require branches to be up to date"), or add a merge queue (`merge_queue` rule) with verify.yml triggered on `merge_group` (docs/workflows.md, "Stale verdicts").',
  },
  'doctor/verify-merge-group': {
    severity: 'error',
    fix: "Add `merge_group:` to the `'on':` of the verify workflow (rekey's template verify.yml has it), so the merge queue gets the check on the group's commit.",
  },
  'doctor/protection-unreadable': {
    severity: 'warning',
    fix: 'Give the token doctor runs with `administration: read` (classic protection needs it), or configure a ruleset, which any token with metadata access can read.',
  },
  'doctor/codeowners-missing': {
    severity: 'error',
    fix: 'Add .github/CODEOWNERS giving keys-manifest/, .sops.yaml, policies/ and the pipeline code (.github/, actions/, dist/, src/, package.json, package-lock.json) owners, e.g. `/keys-manifest/ @your-org/security` one line each, and require code owner review on the default branch.',
  },
  'doctor/codeowners-uncovered': {
    severity: 'error',
    fix: 'Add a line that gives the path owners, below any line that matches it (the last matching line wins): e.g. `/keys-manifest/ @your-org/security`, `/.sops.yaml @your-org/security`, `/dist/ @your-org/security`. Pipeline code runs at the next distribution with the age identity and a secrets-writing token, so it is owned like the keys.',
  },
  'doctor/codeowners-invalid-line': {
    severity: 'warning',
    fix: 'GitHub skips this line; rewrite it without `!` or `[...]` and with owners written as @user, @org/team or an e-mail address.',
  },
  'doctor/sops-config-missing': {
    severity: 'error',
    fix: 'Add .sops.yaml with a creation rule for keys-manifest material: `path_regex: ^keys-manifest/.*\\.sops\\.yaml$`, `encrypted_regex: ^secret$` and the age recipients who may decrypt (docs/sops.md).',
  },
  'doctor/sops-config-invalid': {
    severity: 'error',
    fix: 'Fix .sops.yaml as the message says; rekey refuses unknown keys that sops would silently ignore (docs/sops.md).',
  },
  'doctor/sops-no-recipients': {
    severity: 'error',
    fix: 'Give keys-manifest material a creation rule with recipients: `path_regex: ^keys-manifest/.*\\.sops\\.yaml$` and `age: age1...` (the distribution identity, plus a break-glass recipient).',
  },
  'doctor/demo-recipient': {
    severity: 'error',
    fix: "Replace the demo recipient in .sops.yaml with your distribution identity's (`rekey init` does it for a fresh copy of the template), then re-wrap the material (`rekey sops rewrap`, or merge the rekey/rewrap PR distribution opens) and rotate every key that was ever wrapped for it: its identity is public (docs/runbooks/rotate-age-identity.md).",
  },
  'doctor/status-creators-unpinned': {
    severity: 'warning',
    fix: "Set `status-creators: ['<your-app-slug>[bot]']` in policies/pipeline.yaml: then only the distribution App's `rekey/distribution` statuses open the revocation gate and prove promotions, and only its `rekey/state` statuses vouch for the receipts on refs/rekey/distribution, not a status anyone with `statuses: write` can post (docs/formats.md).",
  },
  'doctor/pull-authors-unpinned': {
    severity: 'warning',
    fix: "Set `pull-authors: ['<your-app-slug>[bot]']` in policies/pipeline.yaml: then only PRs the rotation App opened count as rekey's (a copied marker neither holds a key back nor spends max-open-prs), and verify refuses a new version in a PR anyone else opened (docs/formats.md).",
  },
  'doctor/reviewer-unresolvable': {
    severity: 'error',
    fix: "Name a team of the repository's organization that the App can see (grant the App the organization permission Members: read) or a user with write access to the repository. GitHub refuses a review request naming anyone else, and refuses all of its reviewers with them, so rekey's PRs would open with nobody asked.",
  },
  'doctor/reviewer-cannot-approve': {
    severity: 'warning',
    fix: 'Give the user write access (or name a team that has it): a review from someone with read access is recorded, but does not count toward the approvals branch protection requires.',
  },
  'doctor/sops-crypt-rule': {
    severity: 'warning',
    fix: 'Set `encrypted_regex: ^secret$` on the keys-manifest rule so only `secret` is encrypted and `id`, `version` and `public` stay reviewable (DESIGN "Formats").',
  },
  'doctor/schedule-disabled': {
    severity: 'error',
    fix: 'Enable the workflow (Actions > the workflow > "Enable workflow", or `gh workflow enable <file>`); GitHub disables schedules after 60 days without activity in public repositories.',
  },
  'doctor/schedule-not-on-default-branch': {
    severity: 'error',
    fix: 'Merge the workflow file to the default branch: schedules run only from there.',
  },
  'doctor/schedule-never-ran': {
    severity: 'warning',
    fix: 'Dispatch the workflow once by hand (`gh workflow run <file>`) and check its log; a schedule that never fired is often disabled or on the wrong branch.',
  },
  'doctor/schedule-stale': {
    severity: 'warning',
    fix: "Look at the workflow's recent runs: scheduled runs are delayed or dropped under load, and keys are not rotated while they do not run. Dispatch it by hand and watch the next scheduled run.",
  },
  'doctor/schedule-failing': {
    severity: 'warning',
    fix: "Open the last run's log and fix what failed; rekey converges on the next successful run.",
  },
} as const satisfies Record<string, { severity: Severity; fix: string }>;

export type DoctorRule = keyof typeof DOCTOR_RULES | WorkflowRule | 'yaml/invalid';

/** Fixes for the workflow-lint rules doctor reuses (the lint's message says what is wrong). */
export const WORKFLOW_FIXES: Readonly<Record<WorkflowRule, string>> = {
  'workflow/unreadable':
    'Fix the YAML so the file loads (see the yaml/* findings), with `on` and `jobs` at the top level.',
  'workflow/top-level-permissions':
    'Put `permissions: {}` at the top of the workflow and grant scopes per job.',
  'workflow/job-permissions':
    'Give the job its own `permissions:` mapping with only the scopes it needs (`{}` for none).',
  'workflow/unpinned-action':
    'Pin the action to a full commit SHA with its version in a comment: `uses: owner/action@<40-hex sha> # vX.Y.Z`.',
  'workflow/pull-request-target':
    'Trigger on `pull_request` instead; rekey PRs come from branches of this repository.',
  'workflow/untrusted-input-in-script':
    'Pass the value through `env:` and quote it in the script (`"$VALUE"`), or move the logic into a JavaScript action.',
  'workflow/runs-pull-request-code':
    "Check the base out at the workspace root (`ref: ${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}`) and the pull request into a folder (`path: .rekey-pull-request`, fetch-depth 0), and give that folder to the action as `pull-request-path`: rekey's template verify.yml does this (docs/workflows.md).",
  'workflow/checkout-credentials':
    'Add `with: { persist-credentials: false }` to the actions/checkout step.',
  'workflow/secret-outside-environment':
    'Move the secret to a job with `environment:` naming a protected environment, so its protection rules decide who may use it.',
  'workflow/rekey-concurrency': 'Write `cancel-in-progress: false` in the rekey concurrency group.',
  'workflow/rekey-queue':
    'Write `queue: max` in the rekey concurrency group, so a pending run waits instead of being cancelled by the next one.',
};

export interface DoctorFinding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
  /** A repository file (with line and column when known), or a GitHub setting. */
  readonly where: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

type LocalAt = { readonly file: string; readonly line?: number; readonly column?: number };

/** A finding of one of doctor's own rules, located in a file or at a GitHub setting. */
export function finding(
  rule: keyof typeof DOCTOR_RULES,
  message: string,
  at: LocalAt | string,
): DoctorFinding {
  const { severity, fix } = DOCTOR_RULES[rule];
  return { rule, severity, message, fix, ...place(at) };
}

export function place(
  at: LocalAt | string,
): Pick<DoctorFinding, 'where' | 'file' | 'line' | 'column'> {
  if (typeof at === 'string') return { where: at };
  const line = at.line ?? 0;
  const column = at.column ?? 0;
  return {
    where: line > 0 ? `${at.file}:${line}${column > 0 ? `:${column}` : ''}` : at.file,
    file: at.file,
    ...(line > 0 ? { line } : {}),
    ...(column > 0 ? { column } : {}),
  };
}

const RANK: Record<Severity, number> = { error: 0, warning: 1 };

/** Errors first, then by place and rule: reproducible output. */
export function sortFindings(fs: readonly DoctorFinding[]): DoctorFinding[] {
  return [...fs].sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      (a.file ?? '~' + a.where).localeCompare(b.file ?? '~' + b.where) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
}
