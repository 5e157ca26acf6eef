/**
 * workflow/runs-pull-request-code: a job triggered by a pull request must not run the pull
 * request's own code where that code decides something or holds something.
 *
 * Which checkouts hold the pull request's code: an actions/checkout step whose `ref:` names
 * it (the head or merge commit, `refs/pull/...`, github.sha / github.ref, anything the
 * expression cannot show to be a base ref), whose `repository:` is the head repository, or
 * with no `ref:` at all on `pull_request` and `merge_group` (the merge ref, the group's
 * commit). On `pull_request_target` a checkout without `ref:` is the base, which is trusted.
 *
 * What is flagged, at the step that runs the code:
 * - `uses: ./...` loaded from such a checkout: a local action is the repository's own
 *   tooling, and the pull request's copy of it would pick its own verdict (a change to dist/
 *   making `rekey verify` pass);
 * - `run:` in such a checkout (its working directory inside it) in a job that holds a write
 *   scope or a secret, or on `pull_request_target`: the pull request's scripts, package.json
 *   and node_modules would run with them. A read-only CI job that tests the change is what CI
 *   is for, and is not flagged.
 *
 * Pure: the parsed workflow in, findings out through `report`.
 */
import type { DocPath } from '../snapshot.ts';
import { expressionsIn, referencesIn } from './expressions.ts';
import type { WorkflowRule } from './rules.ts';

type YamlMap = { readonly [key: string]: unknown };
type Report = (rule: WorkflowRule, message: string, path: DocPath | 'file') => void;

const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Events whose runs handle a pull request's content. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group']);
/** Events on which a checkout without `ref:` checks the change out. */
const CHANGE_BY_DEFAULT = new Set(['pull_request', 'merge_group']);

/** References that name the base side of a change: a checkout of them runs reviewed code. */
const BASE_REFS = new Set([
  'github.event.pull_request.base.sha',
  'github.event.pull_request.base.ref',
  'github.event.merge_group.base_sha',
  'github.event.merge_group.base_ref',
  'github.event.repository.default_branch',
  'github.base_ref',
]);

/** Whether a checkout with this `ref:` (undefined: none) holds the change's code. */
function refIsChange(ref: unknown, changeByDefault: boolean): boolean {
  if (ref === undefined || ref === null || ref === '') return changeByDefault;
  if (typeof ref !== 'string') return true;
  if (/refs\/pull\//i.test(ref)) return true;
  const refs = expressionsIn(ref).flatMap(referencesIn);
  return refs.some((r) => !BASE_REFS.has(r.join('.')));
}

/** Whether `repository:` names the head repository (a fork's code). */
function repositoryIsHead(repository: unknown): boolean {
  if (typeof repository !== 'string') return false;
  return expressionsIn(repository)
    .flatMap(referencesIn)
    .some((r) => r.join('.').startsWith('github.event.pull_request.head'));
}

/** A checkout or working directory as a workspace-relative folder ('' is the root). */
function folder(p: unknown): string {
  if (typeof p !== 'string') return '';
  return p
    .replace(/^\$\{\{\s*github\.workspace\s*\}\}\/?/i, '')
    .replace(/^\.\/?/, '')
    .replace(/\/+$/, '');
}

const inside = (dir: string, root: string) =>
  root === '' || dir === root || dir.startsWith(`${root}/`);

/** Whether the job may write anything or read a secret: then the change's code must not run. */
function holdsPower(job: YamlMap): boolean {
  const perms = job.permissions;
  const writes =
    typeof perms === 'string'
      ? perms === 'write-all'
      : isMap(perms) && Object.values(perms).some((v) => v === 'write');
  const secrets = (value: unknown): boolean => {
    if (typeof value === 'string')
      return expressionsIn(value).some((e) =>
        referencesIn(e).some(([h, n]) => h === 'secrets' && n !== 'github_token'),
      );
    if (Array.isArray(value)) return value.some(secrets);
    if (isMap(value)) return Object.values(value).some(secrets);
    return false;
  };
  return writes || secrets(job);
}

/** Reports every step of `job` that runs the pull request's own code. */
export function runsPullRequestCode(
  events: readonly string[],
  id: string,
  job: YamlMap,
  report: Report,
): void {
  if (!events.some((e) => PULL_REQUEST_EVENTS.has(e))) return;
  const changeByDefault = events.some((e) => CHANGE_BY_DEFAULT.has(e));
  const target = events.includes('pull_request_target');
  const power = target || holdsPower(job);
  const defaults = isMap(job.defaults) && isMap(job.defaults.run) ? job.defaults.run : {};
  // Checkouts so far, by folder; a later one at the same folder replaces the earlier.
  const checkouts = new Map<string, { change: boolean; step: number }>();
  const covering = (dir: string) => {
    let best: { root: string; change: boolean; step: number } | undefined;
    for (const [root, c] of checkouts)
      if (inside(dir, root) && (best === undefined || root.length > best.root.length))
        best = { root, ...c };
    return best;
  };

  const steps = Array.isArray(job.steps) ? job.steps : [];
  steps.forEach((step: unknown, i) => {
    if (!isMap(step)) return;
    const path = ['jobs', id, 'steps', i];
    const uses = typeof step.uses === 'string' ? step.uses : undefined;
    const inputs = isMap(step.with) ? step.with : {};
    if (uses?.split('@')[0]?.toLowerCase() === 'actions/checkout') {
      const change =
        refIsChange(inputs.ref, changeByDefault) || repositoryIsHead(inputs.repository);
      checkouts.set(folder(inputs.path), { change, step: i + 1 });
      return;
    }
    if (uses?.startsWith('./')) {
      const c = covering(folder(uses));
      if (c?.change)
        report(
          'workflow/runs-pull-request-code',
          `job \`${id}\` runs \`${uses}\` from step ${c.step}'s checkout of the pull request, so the change runs its own code and can decide its own check; check the base out at the workspace root and the change into a folder read as data (docs/workflows.md)`,
          [...path, 'uses'],
        );
      return;
    }
    if (typeof step.run === 'string' && power) {
      const dir = folder(step['working-directory'] ?? defaults['working-directory']);
      const c = covering(dir);
      if (c?.change)
        report(
          'workflow/runs-pull-request-code',
          `job \`${id}\` runs a script in step ${c.step}'s checkout of the pull request while it holds ${target ? 'the pull_request_target token and secrets' : 'a write scope or a secret'}; the change's scripts and packages would run with them`,
          [...path, 'run'],
        );
    }
  });
}
