/**
 * The checks `rekey doctor` makes on what GitHub holds, as pure functions of what the
 * RepoSettingsPort read: branch protection or rulesets (either suffices) requiring the verify
 * check and reviews, and scheduled workflows enabled and recently run.
 */
import type {
  BranchRule,
  ClassicProtection,
  WorkflowInfo,
  WorkflowRunInfo,
} from '../ports/repo-settings.ts';
import { type DoctorFinding, finding } from './findings.ts';
import type { ScheduledWorkflow } from './local.ts';

/** The verify job's check name, as the workflow template names it (`name: rekey verify`). */
export const DEFAULT_VERIFY_CHECK = 'rekey verify';

export interface ProtectionInput {
  readonly branch: string;
  /** null: none; 'unreadable': the token may not read it (the reason given). */
  readonly classic: ClassicProtection | null | { readonly unreadable: string };
  readonly rules: readonly BranchRule[];
  readonly verifyCheck: string;
  /** Whether the verify workflow triggers on `merge_group` (a merge queue needs it). */
  readonly verifyOnMergeGroup?: boolean;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

function rulesRequire(rules: readonly BranchRule[], verifyCheck: string) {
  let check = false;
  let approvals = 0;
  let codeOwners = false;
  let strict = false;
  let mergeQueue = false;
  for (const r of rules) {
    if (r.type === 'required_status_checks') {
      const list = r.parameters['required_status_checks'];
      const here =
        Array.isArray(list) &&
        list.some(
          (c: unknown) =>
            typeof c === 'object' &&
            c !== null &&
            typeof (c as { context?: unknown }).context === 'string' &&
            same((c as { context: string }).context, verifyCheck),
        );
      check ||= here;
      // Up to date for the verify check: the strict policy of a rule that requires it.
      strict ||= here && r.parameters['strict_required_status_checks_policy'] === true;
    }
    if (r.type === 'merge_queue') mergeQueue = true;
    if (r.type === 'pull_request') {
      const n = Number(r.parameters['required_approving_review_count'] ?? 0);
      if (Number.isFinite(n)) approvals = Math.max(approvals, n);
      codeOwners ||= r.parameters['require_code_owner_review'] === true;
    }
  }
  return { check, approvals, codeOwners, strict, mergeQueue, any: rules.length > 0 };
}

/**
 * A verdict is about the base it was computed on: without up-to-date branches or a merge
 * queue, two pull requests verified on the same old base can both merge into an invalid
 * default branch (one removes a recipient, the other adds material encrypted to it).
 */
function staleVerdict(
  input: ProtectionInput,
  fromRules: ReturnType<typeof rulesRequire>,
  classic: ClassicProtection | null | undefined,
  where: string,
): DoctorFinding[] {
  if (fromRules.mergeQueue)
    return input.verifyOnMergeGroup === false
      ? [
          finding(
            'doctor/verify-merge-group',
            `${input.branch} uses a merge queue, but the verify workflow does not run on \`merge_group\`: the queue waits for a \`${input.verifyCheck}\` check that never reports`,
            where,
          ),
        ]
      : [];
  const classicStrict =
    classic?.strict === true && classic.requiredChecks.some((c) => same(c, input.verifyCheck));
  if (fromRules.strict || classicStrict) return [];
  return [
    finding(
      'doctor/protection-stale-verdict',
      `${input.branch} neither requires branches to be up to date for the \`${input.verifyCheck}\` check nor uses a merge queue: two pull requests verified on the same base can both merge into an invalid manifest`,
      where,
    ),
  ];
}

export function checkProtection(input: ProtectionInput): DoctorFinding[] {
  const where = `GitHub: rulesets and branch protection of ${input.branch}`;
  const fromRules = rulesRequire(input.rules, input.verifyCheck);
  const classic =
    input.classic !== null && 'unreadable' in input.classic ? undefined : input.classic;
  const check =
    fromRules.check || (classic?.requiredChecks.some((c) => same(c, input.verifyCheck)) ?? false);
  const approvals = Math.max(fromRules.approvals, classic?.requiredApprovals ?? 0);
  const codeOwners = fromRules.codeOwners || classic?.requireCodeOwnerReviews === true;
  if (check && approvals >= 1)
    return [
      ...(codeOwners
        ? []
        : [
            finding(
              'doctor/protection-code-owners',
              `${input.branch} requires a review, but not one by a code owner: a change to keys-manifest/, .sops.yaml or the pipeline code (.github/, actions/, dist/, src/) merges with anyone's approval`,
              where,
            ),
          ]),
      ...staleVerdict(input, fromRules, classic, where),
    ];

  const missing = [
    ...(check ? [] : [`the \`${input.verifyCheck}\` check`]),
    ...(approvals >= 1 ? [] : ['an approving review']),
  ].join(' and ');
  if (input.classic !== null && 'unreadable' in input.classic)
    return [
      finding(
        'doctor/protection-unreadable',
        `the rulesets on ${input.branch} do not require ${missing}, and its classic protection could not be read (${input.classic.unreadable})`,
        where,
      ),
    ];
  if (!fromRules.any && classic === null)
    return [
      finding(
        'doctor/protection-missing',
        `${input.branch} has neither a ruleset nor branch protection: anyone with write access can push to it directly`,
        where,
      ),
    ];
  const out: DoctorFinding[] = [];
  if (!check)
    out.push(
      finding(
        'doctor/protection-verify-check',
        `neither the rulesets nor the branch protection of ${input.branch} require the \`${input.verifyCheck}\` check`,
        where,
      ),
    );
  if (approvals < 1)
    out.push(
      finding(
        'doctor/protection-reviews',
        `neither the rulesets nor the branch protection of ${input.branch} require an approving review`,
        where,
      ),
    );
  return out;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The longest regular gap between two runs of a cron schedule, roughly: minute or hour
 * schedules, daily ones, and a week for anything that names days. Used only to decide when a
 * schedule's last run is too old, with generous slack.
 */
export function cronPeriodMs(cron: string): number {
  const [minute = '*', hour = '*', dom = '*', month = '*', dow = '*'] = cron.trim().split(/\s+/);
  if (dom !== '*' || month !== '*' || dow !== '*') return 7 * DAY;
  const step = /^\*\/(\d+)$/.exec(hour);
  if (hour === '*') return minute === '*' || minute.startsWith('*/') ? HOUR / 2 : HOUR;
  if (step) return Number(step[1]) * HOUR;
  const hours = hour.split(',').length;
  return hours > 1 ? DAY / hours : DAY;
}

export interface ScheduleInput {
  readonly local: readonly ScheduledWorkflow[];
  readonly remote: readonly WorkflowInfo[];
  /** Newest first, per workflow id. */
  readonly runs: ReadonlyMap<number, readonly WorkflowRunInfo[]>;
  readonly now: Date;
}

const ago = (ms: number): string =>
  ms >= 2 * DAY ? `${Math.floor(ms / DAY)} days` : `${Math.floor(ms / HOUR)} hours`;

export function checkSchedules(input: ScheduleInput): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  for (const wf of input.local) {
    const remote = input.remote.find((r) => r.path === wf.file);
    const where = `GitHub: Actions workflow ${wf.file}`;
    if (!remote) {
      out.push(
        finding(
          'doctor/schedule-not-on-default-branch',
          `${wf.file} has a schedule but GitHub does not list it as a workflow of this repository`,
          where,
        ),
      );
      continue;
    }
    if (remote.state !== 'active') {
      out.push(
        finding(
          'doctor/schedule-disabled',
          `${wf.file} is ${remote.state.replaceAll('_', ' ')}: its schedule does not run`,
          where,
        ),
      );
      continue;
    }
    const runs = input.runs.get(remote.id) ?? [];
    if (runs.length === 0) {
      out.push(finding('doctor/schedule-never-ran', `${wf.file} has never run`, where));
      continue;
    }
    const period = Math.max(...wf.crons.map(cronPeriodMs));
    const lastScheduled = runs.find((r) => r.event === 'schedule');
    const allowed = 2 * period + HOUR;
    const age = lastScheduled ? input.now.getTime() - Date.parse(lastScheduled.createdAt) : NaN;
    if (!lastScheduled || age > allowed)
      out.push(
        finding(
          'doctor/schedule-stale',
          lastScheduled
            ? `${wf.file} last ran on its schedule ${ago(age)} ago (${lastScheduled.createdAt}); its cron (${wf.crons.join(', ')}) should have run it within ${ago(allowed)}`
            : `${wf.file} has not run on its schedule among its last ${runs.length} runs`,
          where,
        ),
      );
    const done = runs.find((r) => r.status === 'completed');
    if (done && done.conclusion !== 'success' && done.conclusion !== 'skipped')
      out.push(
        finding(
          'doctor/schedule-failing',
          `the last completed run of ${wf.file} ended ${done.conclusion ?? 'without a conclusion'}: ${done.url}`,
          where,
        ),
      );
  }
  return out;
}
