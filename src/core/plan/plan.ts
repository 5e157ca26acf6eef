import { diagnostic, InvalidInputError } from '../diagnostics.ts';
import { describeMs, durationMs } from '../duration.ts';
import type { KeyDocument, KeyState, PolicyDocument, VersionEntry } from '../formats/index.ts';
import type { HistoryIndex } from '../history/model.ts';
import type { Located } from '../snapshot.ts';
import type {
  OkStep,
  Plan,
  PlanInput,
  PlanStep,
  PromoteStep,
  RotateStep,
  SkipStep,
} from './steps.ts';
import { windowStatus } from './window.ts';

/** What one key needs, before the run's limits (halts, open PRs, window, budget) apply. */
type Need =
  | (Omit<RotateStep, 'keyId' | 'policy'> & { readonly dueMs: number })
  | (Omit<PromoteStep, 'keyId' | 'policy'> & { readonly dueMs: number })
  | Omit<OkStep, 'keyId' | 'policy'>;
type Wanted = Exclude<Need, { kind: 'ok' }>;

/** `2026-11-20T09:14:03Z`: the instant `ms` as toISOString writes it, to the second. */
export function iso(ms: number): string {
  // Years 1970-9999 by calendar arithmetic (a plan formats one or two times per key; Date's
  // formatter costs ten times more); anything else through Date, which also throws on NaN.
  if (!(ms >= 0 && ms < LAST_FOUR_DIGIT_YEAR_MS)) return isoByDate(ms);
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86_400);
  const sod = secs - days * 86_400;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(sod / 3600);
  const minute = Math.floor((sod % 3600) / 60);
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(sod % 60)}Z`;
}
const LAST_FOUR_DIGIT_YEAR_MS = Date.UTC(10_000, 0, 1);
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
export const isoByDate = (ms: number): string =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const span = (duration: string): string => describeMs(durationMs(duration));

/** A policy's durations, in ms and as the reasons word them: once per policy, not per key. */
interface PolicyTimes {
  readonly cryptoperiod: number;
  readonly rotateBefore: number;
  readonly prepublish: number;
  readonly cryptoperiodText: string;
  readonly rotateBeforeText: string;
  readonly prepublishText: string;
}

function policyTimes(policy: PolicyDocument): PolicyTimes {
  return {
    cryptoperiod: durationMs(policy.cryptoperiod),
    rotateBefore: durationMs(policy['rotate-before']),
    prepublish: durationMs(policy.prepublish),
    cryptoperiodText: span(policy.cryptoperiod),
    rotateBeforeText: span(policy['rotate-before']),
    prepublishText: span(policy.prepublish),
  };
}

interface Since {
  readonly ms: number;
  readonly sha?: string;
  readonly note?: string;
}

/**
 * When `v` entered `state`: from first-parent history when it knows (DESIGN principle 7:
 * transition times come from history, not from typed fields), else from the entry's
 * `created`, with a note saying so.
 */
function since(
  keyId: string,
  v: VersionEntry,
  state: KeyState,
  history: HistoryIndex | undefined,
): Since {
  const commit = history?.keys.get(keyId)?.versions.get(v.version)?.entered[state];
  if (commit) return { ms: Date.parse(commit.time), sha: commit.sha };
  const why = history
    ? `history has no first-parent commit where v${v.version} became ${state}`
    : 'history was not read';
  return {
    ms: Date.parse(v.created),
    note: `${why}; v${v.version}'s age is taken from its created time`,
  };
}

function assess(
  key: KeyDocument,
  times: PolicyTimes,
  history: HistoryIndex | undefined,
  now: number,
): Need {
  const notes: string[] = [];
  const { cryptoperiod, rotateBefore, prepublish } = times;
  // One pass: the highest version, the first active one, the highest pre-activation one
  // (the first listed among equals).
  let max = 0;
  let active: VersionEntry | undefined;
  let pending: VersionEntry | undefined;
  for (const v of key.versions) {
    if (v.version > max) max = v.version;
    if (v.state === 'active') active ??= v;
    else if (v.state === 'pre-activation' && (!pending || v.version > pending.version)) pending = v;
  }
  const next = max + 1;

  let activeText = 'no active version';
  let overdue = false;
  let dueMs = now;
  if (active) {
    const s = since(key.id, active, 'active', history);
    if (s.note) notes.push(s.note);
    const age = now - s.ms;
    overdue = age >= cryptoperiod;
    dueMs = s.ms + cryptoperiod - rotateBefore;
    activeText =
      `v${active.version} active ${describeMs(age)} of a ${times.cryptoperiodText} cryptoperiod` +
      (overdue ? `, overdue by ${describeMs(age - cryptoperiod)}` : '') +
      `; rotate-before ${times.rotateBeforeText}`;
  }

  if (pending) {
    const s = since(key.id, pending, 'pre-activation', history);
    if (s.note) notes.push(s.note);
    const promotable = s.ms + prepublish;
    const waited = `v${pending.version} pre-activation for ${describeMs(now - s.ms)} of a ${times.prepublishText} prepublish`;
    if (promotable <= now)
      return {
        kind: 'promote',
        version: pending.version,
        ...(active ? { replaces: active.version } : {}),
        due: iso(promotable),
        dueMs: promotable,
        overdue,
        reason: `${waited}; ${activeText}`,
        notes,
        preconditions: [
          {
            kind: 'distribution-proven',
            version: pending.version,
            ...(s.sha ? { since: s.sha } : {}),
          },
        ],
      };
    return {
      kind: 'ok',
      nextDue: iso(promotable),
      overdue,
      reason: `${waited}, promotable ${iso(promotable)}; ${activeText}`,
      notes,
    };
  }

  if (active && dueMs > now)
    return {
      kind: 'ok',
      nextDue: iso(dueMs),
      overdue,
      reason: `${activeText}; rotation due in ${describeMs(dueMs - now)}`,
      notes,
    };

  const prepublishes = prepublish > 0 && active !== undefined;
  if (prepublish > 0 && !active)
    notes.push('no active version to keep in use, so the new version starts active');
  return {
    kind: 'rotate',
    version: next,
    state: prepublishes ? 'pre-activation' : 'active',
    ...(active ? { replaces: active.version } : {}),
    due: iso(dueMs),
    dueMs,
    overdue,
    reason: prepublishes
      ? `${activeText}; prepublish ${times.prepublishText}: v${next} starts pre-activation`
      : activeText,
    notes,
  };
}

/**
 * The rotation plan for one run: per key, rotate, promote, skip (with the reason) or ok
 * (with the next due date). Pure: the same input gives the same plan, steps ordered by key
 * id. The open-PR budget goes to the most urgent keys first (earliest due, then key id).
 */
export function plan(input: PlanInput): Plan {
  const now = input.now.getTime();
  if (Number.isNaN(now)) throw new RangeError('plan: now is not a valid time');
  const { snapshot } = input;
  const halted = new Set(input.halted);
  const openPullNumbers = new Set(input.openPulls.map((p) => p.number));
  const max = snapshot.pipeline['max-open-prs'];
  const windows = new Map<string, ReturnType<typeof windowStatus>>();
  const timesOf = new Map<PolicyDocument, PolicyTimes>();
  // Each key's oldest open rekey PR, indexed once for the run (not a scan of the list per key).
  const firstPull = new Map<string, (typeof input.openPulls)[number]>();
  for (const p of input.openPulls) {
    const seen = firstPull.get(p.keyId);
    if (seen === undefined || p.number < seen.number) firstPull.set(p.keyId, p);
  }

  const unknownPolicy = [...snapshot.keys.values()].filter(
    (k) => !snapshot.policies.has(k.value.policy),
  );
  if (unknownPolicy.length > 0)
    throw new InvalidInputError(
      unknownPolicy.map((k: Located<KeyDocument>) =>
        diagnostic(
          'plan/unknown-policy',
          `policy ${k.value.policy} is not defined in policies/`,
          k.locate(['policy']),
        ),
      ),
    );

  const steps = new Map<string, PlanStep>();
  const candidates: { keyId: string; need: Wanted; policy: string }[] = [];
  for (const keyId of [...snapshot.keys.keys()].sort()) {
    const key = snapshot.keys.get(keyId)!.value;
    const policy = snapshot.policies.get(key.policy)!.value;
    let times = timesOf.get(policy);
    if (!times) timesOf.set(policy, (times = policyTimes(policy)));
    const need = assess(key, times, input.history, now);
    if (need.kind === 'ok') {
      steps.set(keyId, {
        keyId,
        policy: policy.name,
        kind: 'ok',
        nextDue: need.nextDue,
        overdue: need.overdue,
        reason: need.reason,
        notes: halted.has(keyId)
          ? [...need.notes, 'halted: nothing is due, but automation will not touch this key']
          : need.notes,
      });
      continue;
    }
    const base = { keyId, policy: policy.name };
    const { dueMs: _dueMs, ...wanted } = need;
    const skip = (
      cause: SkipStep['cause'],
      why: string,
      extra: Partial<SkipStep> = {},
    ): SkipStep => ({
      ...base,
      kind: 'skip',
      wanted: need.kind,
      cause,
      due: need.due,
      overdue: need.overdue,
      reason: `${why}; ${need.kind === 'rotate' ? 'rotation' : 'promotion'} due: ${need.reason}`,
      notes: need.notes,
      ...extra,
    });
    const pull = firstPull.get(keyId);
    if (halted.has(keyId)) {
      steps.set(keyId, skip('halted', 'halted (label rekey:halted): a person must resume it'));
      continue;
    }
    if (pull) {
      steps.set(
        keyId,
        skip('open-pull', `rekey PR #${pull.number} (${pull.kind}) is open for this key`, {
          pull: pull.number,
        }),
      );
      continue;
    }
    if (policy.window) {
      let w = windows.get(policy.name);
      if (!w) windows.set(policy.name, (w = windowStatus(policy.window, input.now)));
      if (!w.open) {
        const win = policy.window;
        steps.set(
          keyId,
          skip(
            'outside-window',
            `outside the policy window (${win.days.join(',')} ${win.hours} ${win.timezone}); it next opens ${iso(w.nextOpen.getTime())}`,
            { nextWindow: iso(w.nextOpen.getTime()) },
          ),
        );
        continue;
      }
    }
    candidates.push({ keyId, need, policy: policy.name });
    steps.set(keyId, { ...base, ...wanted });
  }

  // Budget: the most urgent first; the rest wait for a later run.
  const room = Math.max(0, max - openPullNumbers.size);
  candidates.sort((a, b) => a.need.dueMs - b.need.dueMs || (a.keyId < b.keyId ? -1 : 1));
  candidates.slice(room).forEach(({ keyId, need, policy }) => {
    steps.set(keyId, {
      keyId,
      policy,
      kind: 'skip',
      wanted: need.kind,
      cause: 'budget',
      due: need.due,
      overdue: need.overdue,
      reason: `open-PR budget spent (max-open-prs ${max}: ${openPullNumbers.size} open, ${room} opened by this run); ${need.kind === 'rotate' ? 'rotation' : 'promotion'} due: ${need.reason}`,
      notes: need.notes,
    });
  });

  // Steps were added in key-id order and later only replaced, which keeps their place.
  const ordered = [...steps.values()];
  return {
    now: iso(now),
    steps: ordered,
    overdue: ordered.filter((s) => s.overdue).map((s) => s.keyId),
    budget: { max, open: openPullNumbers.size, planned: Math.min(room, candidates.length) },
  };
}
