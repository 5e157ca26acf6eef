/**
 * The checks `rekey doctor` makes on the repository's own files, with no network: workflow
 * hardening (the workflow linter), the shared concurrency group of the mutating workflows, the
 * token each rekey step is given, CODEOWNERS coverage of the manifest and `.sops.yaml`, and the
 * `.sops.yaml` recipients for keys-manifest material. Pure: a file tree in, findings out.
 */
import type { FileTree } from '../snapshot.ts';
import { findCreationRule, parseSopsConfig } from '../sops-config.ts';
import { expressionsIn, referencesIn } from '../workflow-lint/expressions.ts';
import { lintWorkflow } from '../workflow-lint/index.ts';
import type { WorkflowRule } from '../workflow-lint/index.ts';
import { parseYaml } from '../yaml/index.ts';
import { codeownersFile, decidingRule, parseCodeowners } from './codeowners.ts';
import { checkDemoRecipient } from './demo-recipient.ts';
import { type AppTokenStep, appTokenInputs, checkDistributeTokens } from './distribute-tokens.ts';
import { type DoctorFinding, finding, place, WORKFLOW_FIXES } from './findings.ts';
import { checkIdToken, keysWithAwsTargets } from './id-token.ts';
import { checkMutationsQueue, withoutRepeatedQueueFindings } from './mutations-queue.ts';

/** The concurrency group every mutating rekey workflow shares (DESIGN "GitHub conventions"). */
export const MUTATIONS_GROUP = 'rekey-mutations';

/** The rekey actions, by the folder name a step's `uses:` ends with. */
export const REKEY_ACTIONS = [
  'rotate',
  'revoke',
  'distribute',
  'verify',
  'dashboard',
  'audit',
] as const;
export type RekeyAction = (typeof REKEY_ACTIONS)[number];
/** Those that change rekey state (branches, PRs, secrets): they share MUTATIONS_GROUP. */
const MUTATING: readonly RekeyAction[] = ['rotate', 'revoke', 'distribute'];
/** A rekey setup has a workflow running each of these. */
export const REQUIRED_ACTIONS: readonly RekeyAction[] = [
  'rotate',
  'verify',
  'distribute',
  'revoke',
];

const ACTION_USES = /^(?:\.\/|[^@\s]+\/)actions\/([a-z]+)(?:@\S*)?$/;

type YamlMap = { readonly [key: string]: unknown };
const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A workflow with a `schedule:` trigger: what the remote checks look up on GitHub. */
export interface ScheduledWorkflow {
  readonly file: string;
  readonly crons: readonly string[];
}

export interface LocalReport {
  readonly findings: readonly DoctorFinding[];
  /** The workflows with a schedule, for the remote checks. */
  readonly scheduled: readonly ScheduledWorkflow[];
  /** Which rekey action each workflow file runs. */
  readonly workflows: ReadonlyMap<string, readonly RekeyAction[]>;
  /** Whether every workflow running rekey verify triggers on `merge_group` (undefined: none runs it). */
  readonly verifyOnMergeGroup: boolean | undefined;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export function checkLocal(tree: FileTree): LocalReport {
  const findings: DoctorFinding[] = [];
  const scheduled: ScheduledWorkflow[] = [];
  const workflows = new Map<string, RekeyAction[]>();
  let verifyOnMergeGroup: boolean | undefined;
  let awsKeys: string[] | undefined; // keys with an aws-secret target, read once if needed

  const files = [...tree.keys()]
    .filter((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p))
    .sort();
  for (const file of files) {
    const parsed = parseYaml(file, tree.get(file)!);
    for (const d of [...parsed.diagnostics, ...lintWorkflow(file, parsed)]) {
      const fix =
        WORKFLOW_FIXES[d.rule as WorkflowRule] ??
        'Fix the YAML as the message says (docs/formats.md lists the yaml/* rules).';
      findings.push({ rule: d.rule, severity: 'error', message: d.message, fix, ...place(d) });
    }
    if (!isMap(parsed.value)) continue;
    const wf = parsed.value;
    const at = (path: (string | number)[]) => ({ ...parsed.locate(path) });
    const on = wf['on'];
    if (isMap(on) && Array.isArray(on['schedule'])) {
      const crons = on['schedule'].flatMap((s) =>
        isMap(s) && typeof s['cron'] === 'string' ? [s['cron']] : [],
      );
      if (crons.length > 0) scheduled.push({ file, crons });
    }
    const used = new Set<RekeyAction>();
    const jobs = isMap(wf['jobs']) ? wf['jobs'] : {};
    for (const [jobId, job] of Object.entries(jobs)) {
      if (!isMap(job)) continue;
      const steps = Array.isArray(job['steps']) ? job['steps'] : [];
      const appSteps = new Set<string>();
      const apps = new Map<string, AppTokenStep>();
      steps.forEach((step: unknown, i) => {
        if (!isMap(step) || typeof step['uses'] !== 'string') return;
        const uses = step['uses'];
        if (/^actions\/create-github-app-token@/i.test(uses) && typeof step['id'] === 'string') {
          appSteps.add(step['id'].toLowerCase());
          apps.set(step['id'].toLowerCase(), { index: i, with: appTokenInputs(step) });
        }
        const action = ACTION_USES.exec(uses)?.[1] as RekeyAction | undefined;
        if (!action || !REKEY_ACTIONS.includes(action)) return;
        used.add(action);
        if (!MUTATING.includes(action)) return;
        const where = ['jobs', jobId, 'steps', i];
        if (!inMutationsGroup(wf['concurrency']) && !inMutationsGroup(job['concurrency']))
          findings.push(
            finding(
              'doctor/concurrency-group',
              `job \`${jobId}\` runs rekey ${action} outside the \`${MUTATIONS_GROUP}\` concurrency group with \`cancel-in-progress: false\``,
              at(
                'concurrency' in job
                  ? ['jobs', jobId, 'concurrency']
                  : 'concurrency' in wf
                    ? ['concurrency']
                    : where,
              ),
            ),
          );
        else findings.push(...checkMutationsQueue(wf, jobId, job, action, at));
        const w = isMap(step['with']) ? step['with'] : {};
        if (action === 'distribute')
          findings.push(
            ...checkDistributeTokens(jobId, i, w, apps, at),
            ...checkIdToken(wf, jobId, job, where, (awsKeys ??= keysWithAwsTargets(tree)), at),
          );
        const token = w['token'];
        if (typeof token !== 'string') return;
        const kind = tokenSource(token, appSteps);
        if (kind === 'github-token')
          findings.push(
            finding(
              'doctor/token-github-token',
              `rekey ${action} is given the workflow's GITHUB_TOKEN: ${action === 'distribute' ? 'it can never write secrets or deploy keys' : 'the pull requests it opens start no workflow runs, so the required verify check never runs by itself'}`,
              at([...where, 'with', 'token']),
            ),
          );
        else if (kind === 'secret')
          findings.push(
            finding(
              'doctor/token-not-app',
              `rekey ${action} is given a token from a repository secret (a personal access token?), not one minted by actions/create-github-app-token`,
              at([...where, 'with', 'token']),
            ),
          );
      });
    }
    workflows.set(file, [...used].sort());
    if (used.has('verify'))
      verifyOnMergeGroup = (verifyOnMergeGroup ?? true) && triggersOf(on).includes('merge_group');
  }

  for (const action of REQUIRED_ACTIONS)
    if (![...workflows.values()].some((a) => a.includes(action)))
      findings.push(
        finding(
          'doctor/workflow-missing',
          `no workflow in .github/workflows runs the rekey ${action} action (actions/${action})`,
          { file: `.github/workflows/${action}.yml` },
        ),
      );

  findings.push(
    ...checkCodeowners(tree),
    ...checkSopsConfig(tree),
    ...checkDemoRecipient(tree),
    ...checkStatusCreators(tree),
  );
  return {
    findings: withoutRepeatedQueueFindings(findings),
    scheduled,
    workflows,
    verifyOnMergeGroup,
  };
}

/** The event names of `on:` in any of its three shapes (string, list, mapping). */
function triggersOf(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((e): e is string => typeof e === 'string');
  return isMap(on) ? Object.keys(on) : [];
}

function inMutationsGroup(value: unknown): boolean {
  if (!isMap(value)) return false;
  const group = value['group'];
  return (
    typeof group === 'string' &&
    group.trim().toLowerCase() === MUTATIONS_GROUP &&
    value['cancel-in-progress'] === false
  );
}

/** Where a `token:` input's value comes from, as far as the expressions say. */
function tokenSource(
  value: string,
  appSteps: ReadonlySet<string>,
): 'github-token' | 'app' | 'secret' | 'other' {
  const refs = expressionsIn(value).flatMap(referencesIn);
  if (
    refs.some(
      ([h, n]) => (h === 'github' && n === 'token') || (h === 'secrets' && n === 'github_token'),
    )
  )
    return 'github-token';
  if (
    refs.some(
      ([h, id, o, n]) =>
        h === 'steps' && id !== undefined && appSteps.has(id) && o === 'outputs' && n === 'token',
    )
  )
    return 'app';
  if (refs.some(([h]) => h === 'secrets')) return 'secret';
  return 'other';
}

/** Key ids with a key.yaml in the tree. */
function keyIds(tree: FileTree): string[] {
  return [...tree.keys()]
    .flatMap((p) => /^keys-manifest\/(.+)\/key\.yaml$/.exec(p)?.slice(1, 2) ?? [])
    .sort();
}

/** A key id no repository has yet: a key added later must be covered too. */
const NEW_KEY = 'example-new-key';

/**
 * Pipeline code and configuration: what runs with the age identity and a secrets-writing
 * token at the next distribution, or decides what verify accepts. A merged change there is as
 * powerful as a change to the keys, so it needs an owner's review too. One probe per folder:
 * a file that exists there later must be covered as well.
 */
export const PIPELINE_PATHS: readonly { path: string; what: string }[] = [
  { path: '.github/workflows/distribute.yml', what: '.github/ (workflows, CODEOWNERS)' },
  { path: '.github/CODEOWNERS', what: '.github/CODEOWNERS' },
  { path: 'actions/distribute/action.yml', what: 'actions/' },
  { path: 'dist/distribute.js', what: 'dist/ (the bundles the actions run)' },
  { path: 'src/actions/distribute.ts', what: 'src/' },
  { path: 'package.json', what: 'package.json' },
  { path: 'package-lock.json', what: 'package-lock.json' },
  { path: 'policies/pipeline.yaml', what: 'policies/' },
];

/** Paths whose changes need an owner's review, with the words a finding uses for them. */
export function protectedPaths(tree: FileTree): { path: string; what: string }[] {
  const out = [{ path: '.sops.yaml', what: '.sops.yaml' }];
  out.push({
    path: `keys-manifest/${NEW_KEY}/key.yaml`,
    what: 'keys-manifest/ (a key added later, e.g. keys-manifest/<id>/key.yaml)',
  });
  for (const id of keyIds(tree))
    for (const f of ['key.yaml', 'v1.sops.yaml']) {
      const path = `keys-manifest/${id}/${f}`;
      out.push({ path, what: path });
    }
  out.push(...PIPELINE_PATHS);
  // Files that exist under the pipeline folders: a more specific ownerless line may undo them.
  const prefixes = ['.github/', 'actions/', 'dist/', 'src/', 'policies/'];
  for (const path of [...tree.keys()].sort())
    if (prefixes.some((p) => path.startsWith(p)) && !out.some((o) => o.path === path))
      out.push({ path, what: path });
  return out;
}

export function checkCodeowners(tree: FileTree): DoctorFinding[] {
  const file = codeownersFile((p) => tree.has(p));
  if (!file)
    return [
      finding(
        'doctor/codeowners-missing',
        'no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): nobody is asked to review changes to keys-manifest/, .sops.yaml, policies/ or the pipeline code',
        { file: '.github/CODEOWNERS' },
      ),
    ];
  const co = parseCodeowners(file, text(tree.get(file)!));
  const out: DoctorFinding[] = co.problems.map((p) =>
    finding('doctor/codeowners-invalid-line', p.message, { file, line: p.line }),
  );
  // One finding per deciding line (0: no line matches), naming every path it leaves unowned.
  const uncovered = new Map<number, { pattern: string; what: string[] }>();
  for (const { path, what } of protectedPaths(tree)) {
    const rule = decidingRule(co, path);
    if (rule && rule.owners.length > 0) continue;
    const line = rule?.line ?? 0;
    const group = uncovered.get(line) ?? { pattern: rule?.pattern ?? '', what: [] };
    group.what.push(what);
    uncovered.set(line, group);
  }
  for (const [line, { pattern, what }] of [...uncovered].sort((a, b) => a[0] - b[0]))
    out.push(
      finding(
        'doctor/codeowners-uncovered',
        line > 0
          ? `${what.join(', ')} ${what.length === 1 ? 'has' : 'have'} no code owner: line ${line} (\`${pattern}\`) is the last match and names nobody`
          : `${what.join(', ')} ${what.length === 1 ? 'has' : 'have'} no code owner: no line of ${file} matches ${what.length === 1 ? 'it' : 'them'}`,
        { file, ...(line > 0 ? { line } : {}) },
      ),
    );
  return out;
}

export function checkSopsConfig(tree: FileTree): DoctorFinding[] {
  const file = '.sops.yaml';
  const bytes = tree.get(file);
  if (!bytes)
    return [
      finding(
        'doctor/sops-config-missing',
        'no .sops.yaml: rekey has no recipients to encrypt new key material to',
        { file },
      ),
    ];
  const parsed = parseYaml(file, bytes);
  if (parsed.value === undefined)
    return parsed.diagnostics.map((d) =>
      finding('doctor/sops-config-invalid', `${d.message} [${d.rule}]`, d),
    );
  const { config, diagnostics } = parseSopsConfig({
    file,
    value: parsed.value,
    locate: parsed.locate,
  });
  if (!config)
    return diagnostics.map((d) =>
      finding('doctor/sops-config-invalid', `${d.message} [${d.rule}]`, d),
    );
  const out: DoctorFinding[] = [];
  const seen = new Set<number>();
  for (const id of [...keyIds(tree), NEW_KEY]) {
    const path = `keys-manifest/${id}/v1.sops.yaml`;
    const rule = findCreationRule(config, path);
    if (!rule) {
      out.push(
        finding('doctor/sops-no-recipients', `no creation rule in .sops.yaml matches ${path}`, {
          file,
        }),
      );
      continue;
    }
    if (seen.has(rule.index)) continue;
    seen.add(rule.index);
    const empty = rule.keyGroups.every(
      (g) => g.age.length === 0 && g.pgp.length === 0 && g.other.length === 0,
    );
    if (empty)
      out.push(
        finding(
          'doctor/sops-no-recipients',
          `creation rule ${rule.index + 1}, which keys-manifest material uses, names no recipient`,
          rule.at,
        ),
      );
    if (rule.crypt.kind !== 'encrypted_regex' || rule.crypt.value !== '^secret$')
      out.push(
        finding(
          'doctor/sops-crypt-rule',
          `creation rule ${rule.index + 1} encrypts by \`${rule.crypt.kind}: ${rule.crypt.value}\`${rule.cryptExplicit ? '' : " (sops's default)"}, not \`encrypted_regex: ^secret$\``,
          rule.at,
        ),
      );
  }
  return out;
}

const PIPELINE = 'policies/pipeline.yaml';

/**
 * Whose `rekey/distribution` statuses count as evidence, and whose PRs are rekey's: unpinned,
 * anyone's statuses count, and any author's PR on a rekey branch with the label does.
 */
function checkStatusCreators(tree: FileTree): DoctorFinding[] {
  const bytes = tree.get(PIPELINE);
  const doc = bytes === undefined ? undefined : parseYaml(PIPELINE, bytes).value;
  const pinned = (field: string) =>
    isMap(doc) && Array.isArray(doc[field]) && doc[field].length > 0;
  const out: DoctorFinding[] = [];
  if (!pinned('status-creators'))
    out.push(
      finding(
        'doctor/status-creators-unpinned',
        'any rekey/distribution status counts as distribution evidence, whoever posted it',
        { file: PIPELINE },
      ),
    );
  if (!pinned('pull-authors'))
    out.push(
      finding(
        'doctor/pull-authors-unpinned',
        "a pull request counts as rekey's whoever opened it, and verify cannot tell a rotation by a person from one by the App",
        { file: PIPELINE },
      ),
    );
  return out;
}
