/**
 * Hardening rules for GitHub Actions workflows (DESIGN.md, "GitHub conventions"), checked on
 * the value the safe YAML loader produced. Pure: no I/O, no clock. Schema validity (unknown
 * keys, wrong types) is not checked here; GitHub's own parser does that in the tests. This
 * module only answers "is this valid workflow hardened the way rekey requires?", and reports
 * every finding, each at the line of the key it is about.
 */
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import { diagnostic } from '../diagnostics.ts';
import type { DocPath } from '../snapshot.ts';
import type { ParsedYaml } from '../yaml/index.ts';
import { parseYaml } from '../yaml/index.ts';
import { expressionsIn, referencesIn } from './expressions.ts';
import { runsPullRequestCode } from './pull-request-code.ts';
import type { WorkflowRule } from './rules.ts';

type YamlMap = { readonly [key: string]: unknown };

const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Loads `bytes` with the safe YAML loader, then lints: the loader's findings, then ours. */
export function checkWorkflowFile(file: string, bytes: Uint8Array): Diagnostic[] {
  const parsed = parseYaml(file, bytes);
  return [...parsed.diagnostics, ...lintWorkflow(file, parsed)];
}

/**
 * The workflow/* findings for one parsed workflow file (the loader's own yaml/* findings are
 * in `parsed.diagnostics`, not repeated here).
 */
export function lintWorkflow(file: string, parsed: ParsedYaml): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: DocPath): SourceLocation => {
    const { line, column } = parsed.locate(path);
    return { file, line, column };
  };
  const report = (rule: WorkflowRule, message: string, path: DocPath | 'file') =>
    out.push(diagnostic(rule, message, path === 'file' ? { file, line: 0, column: 0 } : at(path)));

  const root = parsed.value;
  if (!isMap(root)) {
    report(
      'workflow/unreadable',
      root === undefined
        ? 'the YAML loader could not read this file; fix its yaml/* findings first'
        : 'a workflow is a mapping with `on` and `jobs` at the top level',
      'file',
    );
    return out;
  }

  // permissions: {} at the top: every scope the token has is granted by a job, visibly.
  if (!('permissions' in root))
    report(
      'workflow/top-level-permissions',
      'no top-level `permissions:`; the token then gets the repository default scopes. Add `permissions: {}`',
      'file',
    );
  else if (!isMap(root.permissions) || Object.keys(root.permissions).length > 0)
    report(
      'workflow/top-level-permissions',
      'top-level `permissions:` must be `{}`; grant scopes per job',
      ['permissions'],
    );

  const events = triggers(root.on);
  events.forEach((event, i) => {
    if (event === 'pull_request_target')
      report(
        'workflow/pull-request-target',
        '`pull_request_target` runs with this repository token and secrets while handling fork pull requests; use `pull_request`',
        ['on', ...(isMap(root.on) ? [event] : Array.isArray(root.on) ? [i] : [])],
      );
  });

  concurrency(root.concurrency, ['concurrency'], report);
  if (readsSecrets(root.env))
    report(
      'workflow/secret-outside-environment',
      'the workflow-level `env:` reads a secret, so every job gets it; move it to the job that runs in a protected environment',
      ['env'],
    );

  const jobs = isMap(root.jobs) ? root.jobs : {};
  for (const [id, job] of Object.entries(jobs)) {
    if (!isMap(job)) continue;
    lintJob(id, job, report);
    runsPullRequestCode(events, id, job, report);
  }
  return out;
}

type Report = (rule: WorkflowRule, message: string, path: DocPath | 'file') => void;

function lintJob(id: string, job: YamlMap, report: Report): void {
  const here = ['jobs', id];
  if (!('permissions' in job))
    report(
      'workflow/job-permissions',
      `job \`${id}\` declares no \`permissions:\`; list the scopes it needs (\`{}\` for none)`,
      here,
    );
  else if (!isMap(job.permissions))
    report(
      'workflow/job-permissions',
      `job \`${id}\`: \`permissions:\` must list scopes, not \`${String(job.permissions)}\``,
      [...here, 'permissions'],
    );

  concurrency(job.concurrency, [...here, 'concurrency'], report);

  // A job-level `uses:` calls a reusable workflow; it is pinned like an action.
  if (typeof job.uses === 'string') pinned(job.uses, [...here, 'uses'], report);

  const environment = isMap(job.environment) ? job.environment.name : job.environment;
  const protectedEnv = typeof environment === 'string' && environment.trim() !== '';
  if (!protectedEnv && (readsSecrets(job) || job.secrets === 'inherit'))
    report(
      'workflow/secret-outside-environment',
      `job \`${id}\` reads a secret but declares no \`environment:\`; secrets are only for a job in a protected environment`,
      [...here, ...(job.secrets === 'inherit' ? ['secrets'] : [])],
    );

  const steps = Array.isArray(job.steps) ? job.steps : [];
  steps.forEach((step: unknown, i) => {
    if (!isMap(step)) return;
    const path = [...here, 'steps', i];
    const uses = typeof step.uses === 'string' ? step.uses : undefined;
    if (uses !== undefined) pinned(uses, [...path, 'uses'], report);
    if (typeof step.run === 'string') script(step.run, [...path, 'run'], report);

    const action = uses?.split('@')[0]?.toLowerCase();
    const inputs = isMap(step.with) ? step.with : {};
    if (action === 'actions/github-script' && typeof inputs.script === 'string')
      script(inputs.script, [...path, 'with', 'script'], report);
    if (action === 'actions/checkout') {
      const persist = inputs['persist-credentials'];
      if (persist !== false && persist !== 'false')
        report(
          'workflow/checkout-credentials',
          'actions/checkout leaves the token in .git/config unless `persist-credentials: false`',
          'persist-credentials' in inputs
            ? [...path, 'with', 'persist-credentials']
            : [...path, 'uses'],
        );
    }
  });
}

/** The event names of `on:` in any of its three shapes (string, list, mapping). */
function triggers(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map((e) => (typeof e === 'string' ? e : ''));
  if (isMap(on)) return Object.keys(on);
  return [];
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;

function pinned(uses: string, path: DocPath, report: Report): void {
  if (uses.startsWith('./')) return; // this repository's own action or workflow
  if (uses.startsWith('docker://')) {
    if (!DIGEST.test(uses))
      report(
        'workflow/unpinned-action',
        `\`${uses}\` is not pinned; use an image digest (@sha256:...)`,
        path,
      );
    return;
  }
  const ref = uses.includes('@') ? uses.slice(uses.lastIndexOf('@') + 1) : '';
  if (!FULL_SHA.test(ref))
    report(
      'workflow/unpinned-action',
      `\`${uses}\` is not pinned to a full commit SHA; use @<40-hex sha> # <version>`,
      path,
    );
}

/**
 * Contexts an attacker can write: the event payload (titles, bodies, branch names, commit
 * messages...), branch and ref names, and dispatch or call inputs.
 */
function untrusted(ref: readonly string[]): boolean {
  const [head, second] = ref;
  if (head === 'inputs') return true;
  if (head !== 'github') return false;
  return second === undefined || UNTRUSTED_GITHUB.has(second);
}
const UNTRUSTED_GITHUB = new Set(['event', 'head_ref', 'ref', 'ref_name']);

function script(text: string, path: DocPath, report: Report): void {
  const seen = new Set<string>();
  for (const expression of expressionsIn(text))
    for (const ref of referencesIn(expression)) {
      const name = ref.join('.');
      if (!untrusted(ref) || seen.has(name)) continue;
      seen.add(name);
      report(
        'workflow/untrusted-input-in-script',
        `\`\${{ ${name} }}\` is expanded into the script before it runs; pass it through \`env:\` and quote it`,
        path,
      );
    }
}

/** Whether any string under `value` has an expression reading a secret other than GITHUB_TOKEN. */
function readsSecrets(value: unknown): boolean {
  if (typeof value === 'string')
    return expressionsIn(value).some((e) =>
      referencesIn(e).some(([head, name]) => head === 'secrets' && name !== 'github_token'),
    );
  if (Array.isArray(value)) return value.some(readsSecrets);
  if (isMap(value)) return Object.values(value).some(readsSecrets);
  return false;
}

/**
 * rekey's mutating workflows share one group and must never cancel a run half-way, nor drop a
 * pending one: without `queue: max` GitHub keeps one pending run per group and cancels the
 * older pending run when another arrives, which loses an emergency dispatch and its reason
 * (docs/workflows.md, "No dropped emergencies").
 */
function concurrency(value: unknown, path: DocPath, report: Report): void {
  const group = isMap(value) ? value.group : value;
  if (typeof group !== 'string' || !group.trim().toLowerCase().startsWith('rekey')) return;
  if (!isMap(value) || value['cancel-in-progress'] !== false)
    report(
      'workflow/rekey-concurrency',
      `concurrency group \`${group}\` is rekey's mutating group; say \`cancel-in-progress: false\` explicitly`,
      isMap(value) && 'cancel-in-progress' in value ? [...path, 'cancel-in-progress'] : path,
    );
  if (!isMap(value) || value['queue'] !== 'max')
    report(
      'workflow/rekey-queue',
      `concurrency group \`${group}\` keeps one pending run without \`queue: max\`: a newer run cancels the pending one, and a dispatched emergency is lost; add \`queue: max\``,
      isMap(value) && 'queue' in value ? [...path, 'queue'] : path,
    );
}
