/**
 * Every finding the workflow linter can report, by stable rule id. docs/workflows.md explains
 * each rule and why it exists; tools and tests match on the ids, never on message text.
 */
export const WORKFLOW_RULES = {
  'workflow/unreadable':
    'The safe YAML loader could not read the file, or its top level is not a mapping; fix the yaml/* findings first.',
  'workflow/top-level-permissions':
    'The workflow must start from no token scope: `permissions: {}` at the top level.',
  'workflow/job-permissions':
    'Every job must declare its own `permissions:` as a mapping of scopes (not read-all / write-all).',
  'workflow/unpinned-action':
    'An action or reusable workflow from outside this repository must be pinned to a full 40-hex commit SHA (docker images to a sha256 digest).',
  'workflow/pull-request-target':
    'The `pull_request_target` trigger runs with the base repository token and secrets; use `pull_request`.',
  'workflow/untrusted-input-in-script':
    'An expression in `run:` (or actions/github-script `script:`) reads attacker-controllable data; pass it through `env:` and quote it.',
  'workflow/runs-pull-request-code':
    'A job triggered by a pull request runs a local action (`uses: ./...`) from a checkout of the pull request, or a script there while holding a write scope or a secret: the change would run its own code.',
  'workflow/checkout-credentials':
    'Every actions/checkout step must set `persist-credentials: false`.',
  'workflow/secret-outside-environment':
    'A secret is read by a job that declares no `environment:` (or by the workflow-level `env:`); secrets belong in a job that runs in a protected environment.',
  'workflow/rekey-concurrency':
    'A concurrency group whose name starts with `rekey` (the mutating workflows) must say `cancel-in-progress: false`.',
  'workflow/rekey-queue':
    'A concurrency group whose name starts with `rekey` must say `queue: max`, so a pending run (an emergency dispatch with its key and reason) waits in line instead of being cancelled by the next one.',
} as const satisfies Record<string, string>;

export type WorkflowRule = keyof typeof WORKFLOW_RULES;
