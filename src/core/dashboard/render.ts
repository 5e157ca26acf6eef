/**
 * The dashboard issue: every key with its state, the age of its active version against its
 * cryptoperiod, the next action and its date (the planner's), open rekey pull requests and
 * halted keys with the reason. Pure and deterministic: the same manifest, history, PRs and
 * halts on the same day give the same text, byte for byte. There is deliberately no "updated
 * at" line and nothing finer than a day, because the issue is only written when its text
 * changes; a timestamp would rewrite it (and notify its watchers) on every scheduled run.
 */
import { durationMs } from '../duration.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { HistoryIndex } from '../history/model.ts';
import type { OpenPull, Plan, PlanSnapshot, PlanStep } from '../plan/steps.ts';
import { inert } from '../pull-body.ts';
import type { ClaimingPull } from '../rekey-pulls.ts';
import { boxLine, type BoxRequest } from './requests.ts';

/** Hidden marker by which the dashboard issue is found; never matches a PR marker. */
export const DASHBOARD_MARKER = '<!-- rekey:dashboard -->';
/** The first label is the one the issue is listed by. */
export const DASHBOARD_LABELS = ['rekey:dashboard', 'rekey'] as const;
export const DASHBOARD_TITLE = 'rekey dashboard';

/** A halted key, as haltedKeys (src/commands/distribute/failures.ts) reports it. */
export interface HaltedKey {
  readonly issue: number;
  readonly url: string;
  readonly reason: string;
}

/** An open rekey PR, recognised by its author, branch and label (src/core/rekey-pulls.ts). */
export interface DashboardPull extends OpenPull {
  readonly url: string;
}

export interface DashboardInput {
  readonly snapshot: PlanSnapshot;
  /** The planner's verdict for `now`, given the same pulls and halted keys. */
  readonly plan: Plan;
  readonly history?: HistoryIndex;
  readonly pulls: readonly DashboardPull[];
  /** PRs with rekey's marker that rekey did not make (src/core/rekey-pulls.ts). */
  readonly claiming?: readonly ClaimingPull[];
  readonly halted: ReadonlyMap<string, HaltedKey>;
  /** Keys whose last distribution failed and that are not halted (yet). */
  readonly failed?: ReadonlySet<string>;
  readonly now: Date;
}

export interface DashboardContent {
  readonly title: string;
  readonly body: string;
}

const DAY = 86_400_000;
const BAR = 10;
const KIND_WORDS: Record<OpenPull['kind'], string> = {
  rotate: 'rotation',
  promote: 'promotion',
  revoke: 'revocation',
  emergency: 'emergency rotation',
};

/** `2026-12-04 09:14 UTC`: to the minute, as the planner's dates are derived, never "now". */
const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** `▓▓▓▓▓▓░░░░ 61 d of 90 d`: tenths of the cryptoperiod, whole days. */
export function ageBar(ageMs: number, cryptoperiodMs: number): string {
  const filled = Math.max(0, Math.min(BAR, Math.floor((ageMs / cryptoperiodMs) * BAR)));
  const days = Math.floor(Math.max(0, ageMs) / DAY);
  const period = Math.round(cryptoperiodMs / DAY);
  return `\`${'▓'.repeat(filled)}${'░'.repeat(BAR - filled)}\` ${days} d of ${period} d${ageMs >= cryptoperiodMs ? ' ⚠' : ''}`;
}

/** A code span: nothing inside it is Markdown or HTML, and a backtick cannot close it early. */
const code = (text: string): string => `\`${text.replace(/[`\r\n|]/g, '').slice(0, 200)}\``;

function pullLink(p: DashboardPull): string {
  return `[#${p.number}](${p.url})`;
}

function nextAction(
  step: PlanStep,
  pulls: readonly DashboardPull[],
  preActivation: boolean,
  planNow: string,
  hasActive: boolean,
): string {
  // A key without an active version is due "now", which the planner dates at the run's own
  // time: say "now" rather than print a time that would change on every run.
  const at = (iso: string) => (!hasActive && iso === planNow ? 'now' : when(iso));
  switch (step.kind) {
    case 'rotate':
      return `rotate to v${step.version}${step.state === 'pre-activation' ? ' (pre-activation)' : ''}: due ${at(step.due)}`;
    case 'promote':
      return `promote v${step.version} to active: due ${at(step.due)}`;
    case 'ok':
      return `${preActivation ? 'promote' : 'rotate'} on ${when(step.nextDue)}`;
    case 'skip': {
      const what = `${step.wanted} due ${at(step.due)}`;
      switch (step.cause) {
        case 'halted':
          return `${what}; halted`;
        case 'open-pull': {
          const pull = pulls.find((p) => p.number === step.pull);
          return `${what}; waiting for ${pull ? pullLink(pull) : `#${step.pull ?? '?'}`}`;
        }
        case 'outside-window':
          return `${what}; policy window opens ${step.nextWindow ? when(step.nextWindow) : 'later'}`;
        case 'budget':
          return `${what}; waiting for the open-PR budget`;
      }
    }
  }
}

function status(step: PlanStep, halted: boolean, hasPull: boolean): string {
  if (halted) return '⛔ halted';
  if (step.overdue) return '🔴 overdue';
  if (hasPull) return '🔵 PR open';
  if (step.kind === 'ok') return '🟢 ok';
  return '🟡 due';
}

export function renderDashboard(input: DashboardInput): DashboardContent {
  const { snapshot, plan, pulls, halted, history } = input;
  const now = input.now.getTime();
  const rows: string[] = [];
  const requests: BoxRequest[] = [];
  const counts = { ok: 0, due: 0, overdue: 0, halted: 0, pulls: 0 };
  for (const step of plan.steps) {
    const key = snapshot.keys.get(step.keyId)?.value;
    const policy = key && snapshot.policies.get(key.policy)?.value;
    if (!key || !policy) continue;
    const keyPulls = pulls.filter((p) => p.keyId === step.keyId);
    const isHalted = halted.has(step.keyId);
    const live = key.versions.filter((v) => v.state !== 'destroyed');
    const versions = live.map((v) => `v${v.version} ${v.state}`).join(', ') || 'none';
    const active = key.versions.find((v) => v.state === 'active');
    let age = '—';
    if (active) {
      const entered = history?.keys.get(key.id)?.versions.get(active.version)?.entered.active;
      const since = Date.parse(entered?.time ?? active.created);
      age = ageBar(now - since, durationMs(policy.cryptoperiod));
    }
    const action = nextAction(
      step,
      pulls,
      key.versions.some((v) => v.state === 'pre-activation'),
      plan.now,
      active !== undefined,
    );
    const prs = keyPulls.length > 0 ? keyPulls.map(pullLink).join(' ') : '';
    rows.push(
      `| \`${key.id}\` | ${status(step, isHalted, keyPulls.length > 0)} | ${versions} | ${age} | ${action} | ${prs} |`,
    );
    if (isHalted) requests.push({ kind: 'resume', keyId: key.id });
    else if (input.failed?.has(key.id)) requests.push({ kind: 'retry', keyId: key.id });
    else if (keyPulls.length === 0) requests.push({ kind: 'rotate', keyId: key.id });
    if (isHalted) counts.halted++;
    else if (step.overdue) counts.overdue++;
    else if (step.kind === 'ok') counts.ok++;
    else counts.due++;
    if (keyPulls.length > 0) counts.pulls++;
  }

  const lines = [
    `# ${DASHBOARD_TITLE}`,
    '',
    'Kept current by the rekey dashboard workflow from the default branch, its open rekey pull requests and halted keys; edits here are overwritten. Ages are in whole days.',
    '',
    `**${plan.steps.length} key${plan.steps.length === 1 ? '' : 's'}**: ${counts.ok} ok, ${counts.due} due, ${counts.overdue} overdue, ${counts.halted} halted; ${counts.pulls} with an open pull request. Open rekey pull requests: ${plan.budget.open} of at most ${plan.budget.max}.`,
    '',
  ];
  if (halted.size > 0) {
    lines.push(
      '## Halted keys',
      '',
      'Automation does not touch these keys until a person resumes them (docs/actions.md).',
      '',
      '| key | why | issue |',
      '| --- | --- | --- |',
      ...[...halted.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, h]) => `| ${code(id)} | ${inert(h.reason)} | [#${h.issue}](${h.url}) |`),
      '',
    );
  }
  lines.push(
    '## Keys',
    '',
    '| key | status | live versions | active version age | next action | pull requests |',
    '| --- | --- | --- | --- | --- | --- |',
    ...(rows.length > 0 ? rows : ['| — | | no keys in keys-manifest/ | | | |']),
    '',
  );
  if (requests.length > 0)
    lines.push(
      '## Actions',
      '',
      'Tick a box to ask for it: the rekey dashboard-actions workflow acts on a tick by someone with write access to this repository, unticks the box and says here who asked (docs/dashboard.md).',
      '',
      ...requests.map(boxLine),
      '',
    );
  if (pulls.length > 0)
    lines.push(
      '## Open rekey pull requests',
      '',
      '| pull request | key | kind |',
      '| --- | --- | --- |',
      ...[...pulls]
        .sort((a, b) => a.number - b.number)
        .map((p) => `| ${pullLink(p)} | \`${p.keyId}\` | ${KIND_WORDS[p.kind]} |`),
      '',
    );
  const claiming = input.claiming ?? [];
  if (claiming.length > 0)
    lines.push(
      "## Pull requests that claim to be rekey's",
      '',
      "These carry rekey's marker but rekey did not open them: rotation and revocation ignore them and they count against no budget. Review them as any other change; close them if nobody expects them.",
      '',
      "| pull request | author | names key | why it is not rekey's |",
      '| --- | --- | --- | --- |',
      ...[...claiming]
        .sort((a, b) => a.number - b.number)
        .map(
          (p) =>
            `| [#${p.number}](${p.url}) | ${code(p.author || 'unknown')} | ${p.keyId ? code(p.keyId) : '—'} | ${p.reasons.map((r) => inert(r, 200)).join('; ')} |`,
        ),
      '',
    );
  lines.push(DASHBOARD_MARKER);
  return { title: DASHBOARD_TITLE, body: `${lines.join('\n')}\n` };
}

/** The dashboard when the default branch's manifest does not load: what to fix, where. */
export function renderInvalidDashboard(
  diagnostics: readonly Diagnostic[],
  halted: ReadonlyMap<string, HaltedKey>,
): DashboardContent {
  const shown = diagnostics.slice(0, 50);
  const lines = [
    `# ${DASHBOARD_TITLE}`,
    '',
    `**The manifest on the default branch is invalid** (${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}): rotation and revocation stop until it is fixed. Run \`npx rekey validate\` for the details.`,
    '',
    '| where | rule |',
    '| --- | --- |',
    ...shown.map(
      (d) => `| ${code(`${d.file}${d.line > 0 ? `:${d.line}` : ''}`)} | ${code(d.rule)} |`,
    ),
    ...(diagnostics.length > shown.length
      ? [`| … ${diagnostics.length - shown.length} more | |`]
      : []),
    '',
    ...(halted.size > 0
      ? [
          `Halted keys: ${[...halted.entries()]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([id, h]) => `${code(id)} ([#${h.issue}](${h.url}))`)
            .join(', ')}.`,
          '',
        ]
      : []),
    DASHBOARD_MARKER,
  ];
  return { title: DASHBOARD_TITLE, body: `${lines.join('\n')}\n` };
}
