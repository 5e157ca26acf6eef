/**
 * Failure issues and the retry budget (DESIGN principle 5, issue #5 "stops visibly"): one open
 * issue per failed key, found again by a hidden marker (`<!-- rekey:distribution-failure
 * <key> -->`), created once and updated on every later failure, never duplicated. The issue
 * itself is the state: a hidden line carries the attempt count and since when the key fails.
 * At `budget` attempts the issue gets `rekey:halted`; from then on rotate and distribute leave
 * the key alone until a person resumes it (`resumeKey`, or removing the label by hand). A key
 * that converges gets its issue closed with a comment.
 *
 * Issue text is written for the on-call person: what failed (the details lines the flow gives,
 * which are secret-free by contract: step descriptions and typed error messages, never a
 * value), since when, how many attempts, the run, and what happens next. Details are escaped
 * so they cannot forge the hidden lines or mention anyone.
 *
 * Calls: one list of open failure issues (1 per 100), then per failed key the issue write
 * (ensureIssue: find + create or update, 2 calls), per converged key with an open issue a
 * comment and the close (3 calls). Halted keys: 1 list call per 100 halted issues. A run lists
 * the failure issues once (`failureIssues`): its halted keys and, when no key failed, its
 * records come from that one list.
 */
import { z } from 'zod';
import { isKeyId } from '../../core/formats/key-id.ts';
import type { IssuesPort, TrackedIssue } from '../../core/ports/github.ts';

export const HALTED_LABEL = 'rekey:halted';
export const FAILURE_LABEL = 'rekey:distribution-failed';
const LABELS = [FAILURE_LABEL, 'rekey'] as const;

const MARKER_PREFIX = '<!-- rekey:distribution-failure ';
const STATE_PREFIX = '<!-- rekey:failure-state ';
const MAX_DETAIL_LINES = 40;
const MAX_DETAIL_CHARS = 400;

/** The hidden marker of a key's failure issue. */
export function failureMarker(key: string): string {
  return `${MARKER_PREFIX}${key} -->`;
}

export interface KeyFailure {
  readonly key: string;
  /** One line per failed step/problem, already free of secrets (describeStep + error). */
  readonly details: readonly string[];
}

export interface FailureRecord {
  readonly key: string;
  readonly issue: number;
  readonly url: string;
  readonly attempts: number;
  readonly halted: boolean;
  readonly result: 'created' | 'updated' | 'unchanged';
}

export interface RecordInput {
  readonly failed: readonly KeyFailure[];
  readonly converged: readonly string[];
  /** pipeline.yaml `retry-budget`: failed runs before the key is halted. */
  readonly budget: number;
  readonly commit: string;
  /**
   * The run's page. A record for the same run URL is counted once (a retried record is not a
   * second attempt); pass the attempt's URL (`…/runs/<id>/attempts/<n>`) to count re-runs.
   */
  readonly runUrl?: string;
  /** When this run failed (first failure time shown as "since"); omitted: commit only. */
  readonly now?: Date;
  /**
   * The open failure issues this run listed already (`failureIssues`), used instead of a new
   * list only when no key failed: closing a converged key's issue from a list a few minutes
   * old is safe (closing an issue closed meanwhile is a no-op), whereas a failed key's count
   * and halted label must come from a fresh list (a person may have resumed it meanwhile).
   */
  readonly open?: readonly TrackedIssue[];
}

/** What the hidden state line holds. Parsed leniently: a person may have edited the body. */
const stateSchema = z.object({
  attempts: z.number().int().min(0).max(1_000_000),
  since: z.string().max(40).optional(),
  sinceCommit: z.string().max(64).optional(),
  lastRun: z.string().max(500).optional(),
  halted: z.boolean().optional(),
  budget: z.number().int().min(1).max(1_000_000).optional(),
  /** The first detail line of the last failure, raw (escaped where it is shown). */
  reason: z
    .string()
    .max(MAX_DETAIL_CHARS + 1)
    .optional(),
});
type FailureState = z.infer<typeof stateSchema>;

function readState(body: string): FailureState | null {
  const at = body.lastIndexOf(STATE_PREFIX);
  if (at < 0) return null;
  const end = body.indexOf(' -->', at);
  if (end < 0) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(body.slice(at + STATE_PREFIX.length, end)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** One line, at most MAX_DETAIL_CHARS. */
function oneLine(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_DETAIL_CHARS ? `${one.slice(0, MAX_DETAIL_CHARS)}…` : one;
}

/**
 * The hidden state line: `<` and `>` escaped so no text in it can close the comment, `@` so
 * nothing in it reads as a mention. JSON.parse restores them.
 */
function stateLine(state: FailureState): string {
  const json = JSON.stringify(state).replace(
    /[<>@]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${STATE_PREFIX}${json} -->`;
}

/** Markdown-safe single line: no HTML comments or tags, no @mentions, no table breaks. */
function safeLine(s: string): string {
  return oneLine(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
    .replace(/\|/g, '\\|');
}

const short = (sha: string | undefined) => (sha ?? '').slice(0, 12);

interface IssueText {
  readonly key: string;
  readonly state: FailureState;
  readonly details: readonly string[];
  readonly budget: number;
  readonly commit: string;
  readonly runUrl?: string;
}

function sinceText(s: FailureState): string {
  const when = s.since ? `${s.since.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC` : null;
  const commit = s.sinceCommit ? `commit \`${short(s.sinceCommit)}\`` : null;
  return [when, commit].filter(Boolean).join(', ') || 'unknown';
}

export function renderFailureIssue(t: IssueText): { title: string; body: string } {
  const { key, state, budget } = t;
  const halted = state.halted === true;
  const title = halted
    ? `rekey: distribution of ${key} halted after ${state.attempts} failed attempts`
    : `rekey: distribution of ${key} failed`;
  const details = t.details.slice(0, MAX_DETAIL_LINES).map((d) => `- ${safeLine(d)}`);
  if (t.details.length > MAX_DETAIL_LINES)
    details.push(`- … and ${t.details.length - MAX_DETAIL_LINES} more (see the run's summary)`);
  if (details.length === 0) details.push('- (the run gave no details; see its summary)');
  const run = t.runUrl
    ? `[the run](${t.runUrl}) on commit \`${short(t.commit)}\``
    : `commit \`${short(t.commit)}\``;
  const next = halted
    ? [
        `**Automation has stopped touching \`${key}\`**: the retry budget (${budget}) is spent.`,
        'Rotation skips it and distribution skips it, so its targets stay as they are now.',
        '',
        '1. Fix the cause above (a permission, a missing repository or environment, a target',
        "   that refuses the value). The failed run's job summary has a row per target.",
        `2. Run the **distribute** workflow (Actions → distribute → Run workflow) with`,
        `   \`resume: ${key}\`. That removes the \`${HALTED_LABEL}\` label, resets the attempt`,
        '   count and distributes the key again.',
        '',
        'When the key converges, rekey closes this issue.',
      ]
    : [
        `The next distribution run (a push to the default branch, or the **distribute** workflow`,
        `run by hand) retries only what differs. After ${budget} failed attempt(s) in a row the`,
        `key is halted (label \`${HALTED_LABEL}\`) and automation stops touching it until a`,
        `person resumes it. When the key converges, rekey closes this issue.`,
      ];
  const body = [
    `Distribution of \`${key}\` to its targets ${halted ? 'is **halted**' : 'failed'}.`,
    '',
    '| | |',
    '|---|---|',
    `| Key | \`${key}\` |`,
    `| Failing since | ${sinceText(state)} |`,
    `| Failed attempts | ${state.attempts} of ${budget} |`,
    `| Last attempt | ${run} |`,
    '',
    '### What failed in the last attempt',
    '',
    ...details,
    '',
    '### What happens next',
    '',
    ...next,
    '',
    failureMarker(key),
    stateLine(state),
    '',
  ].join('\n');
  return { title, body };
}

/** The key a failure issue is about, from its marker; null for anything else. */
function keyOf(issue: TrackedIssue): string | null {
  const at = issue.body.indexOf(MARKER_PREFIX);
  if (at < 0) return null;
  const end = issue.body.indexOf(' -->', at);
  const key = issue.body.slice(at + MARKER_PREFIX.length, end < 0 ? undefined : end);
  return isKeyId(key) ? key : null;
}

function byKey(issues: readonly TrackedIssue[]): Map<string, TrackedIssue> {
  const out = new Map<string, TrackedIssue>();
  // Listed oldest first: the oldest issue for a key is its issue.
  for (const i of issues) {
    const key = keyOf(i);
    if (key !== null && !out.has(key)) out.set(key, i);
  }
  return out;
}

const hasLabel = (i: TrackedIssue, label: string) =>
  i.labels.some((l) => l.toLowerCase() === label.toLowerCase());

/** One issue per failed key, created or updated, never duplicated; see the module comment. */
export async function recordDistribution(
  issues: IssuesPort,
  input: RecordInput,
): Promise<FailureRecord[]> {
  if (!Number.isInteger(input.budget) || input.budget < 1)
    throw new RangeError('recordDistribution: budget must be a whole number of at least 1');
  if (input.failed.length === 0 && input.converged.length === 0) return [];
  const listed =
    input.open !== undefined && input.failed.length === 0
      ? input.open
      : await issues.listIssues(FAILURE_LABEL);
  const open = byKey(listed);
  const records: FailureRecord[] = [];
  for (const f of input.failed) {
    const found = open.get(f.key);
    let before = found ? readState(found.body) : null;
    // The state says halted but the label is gone: a person removed it, i.e. resumed.
    if (found && before?.halted && !hasLabel(found, HALTED_LABEL))
      before = { ...before, attempts: 0, halted: false };
    const repeat = input.runUrl !== undefined && before?.lastRun === input.runUrl;
    const attempts = repeat ? before!.attempts : (before?.attempts ?? 0) + 1;
    const halted =
      attempts >= input.budget || (found !== undefined && hasLabel(found, HALTED_LABEL));
    const state: FailureState = {
      attempts,
      since: before?.since ?? input.now?.toISOString(),
      sinceCommit: before?.sinceCommit ?? input.commit,
      ...(input.runUrl === undefined ? {} : { lastRun: input.runUrl }),
      halted,
      budget: input.budget,
      ...(f.details[0] === undefined ? {} : { reason: oneLine(f.details[0]) }),
    };
    const text = renderFailureIssue({
      key: f.key,
      state,
      details: f.details,
      budget: input.budget,
      commit: input.commit,
      ...(input.runUrl === undefined ? {} : { runUrl: input.runUrl }),
    });
    const labels: [string, ...string[]] = halted ? [...LABELS, HALTED_LABEL] : [...LABELS];
    const r = await issues.ensureIssue({ marker: failureMarker(f.key), labels, ...text });
    records.push({ key: f.key, issue: r.number, url: r.url, attempts, halted, result: r.result });
  }
  for (const key of input.converged) {
    const found = open.get(key);
    if (!found) continue;
    const attempts = readState(found.body)?.attempts ?? 0;
    const where = input.runUrl ? `[this run](${input.runUrl})` : 'a run';
    await issues.commentIssue(
      found.number,
      `Distribution of \`${key}\` converged on commit \`${short(input.commit)}\` in ${where}` +
        ` after ${attempts} failed attempt(s): every target holds what the manifest says. Closing.`,
    );
    await issues.closeIssue(failureMarker(key), FAILURE_LABEL);
  }
  return records;
}

export type HaltedKeys = Map<string, { issue: number; url: string; reason: string }>;

/** Open issues with HALTED_LABEL: key -> why and where. */
export async function haltedKeys(issues: Pick<IssuesPort, 'listIssues'>): Promise<HaltedKeys> {
  return haltedOf(await issues.listIssues(HALTED_LABEL));
}

/**
 * The open failure issues and, among them, the halted keys, from one list (a run's halted
 * check and its failure records share it: `RecordInput.open`). A halted issue is a failure
 * issue with HALTED_LABEL; rekey never halts an issue it does not also label FAILURE_LABEL.
 */
export async function failureIssues(
  issues: Pick<IssuesPort, 'listIssues'>,
): Promise<{ readonly halted: HaltedKeys; readonly open: readonly TrackedIssue[] }> {
  const open = await issues.listIssues(FAILURE_LABEL);
  return { halted: haltedOf(open.filter((i) => hasLabel(i, HALTED_LABEL))), open };
}

function haltedOf(listed: readonly TrackedIssue[]): HaltedKeys {
  const out: HaltedKeys = new Map();
  for (const [key, issue] of byKey(listed)) {
    const s = readState(issue.body);
    const tries = s ? `distribution failed ${s.attempts} time(s) since ${sinceText(s)}` : 'halted';
    const reason = s?.reason ? `${tries}; last: ${oneLine(s.reason)}` : tries;
    out.set(key, { issue: issue.number, url: issue.url, reason });
  }
  return out;
}

/** Removes HALTED_LABEL and resets attempts (a person resumed the key). */
export async function resumeKey(
  issues: IssuesPort,
  key: string,
  by?: string,
): Promise<'resumed' | 'not-halted'> {
  const found = await issues.findIssue(failureMarker(key), FAILURE_LABEL);
  if (!found || !hasLabel(found, HALTED_LABEL)) return 'not-halted';
  // The label first: it is what rotate and distribute look at. A crash before the body is
  // reset leaves state.halted without the label, which the next record reads as resumed.
  await issues.removeLabel(found.number, HALTED_LABEL);
  const before = readState(found.body) ?? { attempts: 0 };
  const state: FailureState = { ...before, attempts: 0, halted: false };
  const text = renderFailureIssue({
    key,
    state,
    details: [
      `resumed${by ? ` by ${by}` : ''}; the last failure was: ${before.reason ?? 'unknown'}`,
    ],
    budget: before.budget ?? Math.max(1, before.attempts),
    commit: before.sinceCommit ?? '',
    ...(before.lastRun === undefined ? {} : { runUrl: before.lastRun }),
  });
  await issues.ensureIssue({ marker: failureMarker(key), labels: [...LABELS], ...text });
  await issues.commentIssue(
    found.number,
    `Resumed${by ? ` by ${safeLine(by)}` : ''}: the \`${HALTED_LABEL}\` label is removed and the ` +
      'attempt count reset. The next distribution run retries this key.',
  );
  return 'resumed';
}
