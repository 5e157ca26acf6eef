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

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const span = (duration: string): string => describeMs(durationMs(duration));

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
  policy: PolicyDocument,
  history: HistoryIndex | undefined,
  now: number,
): Need {
  const notes: string[] = [];
  const cryptoperiod = durationMs(policy.cryptoperiod);
  const rotateBefore = durationMs(policy['rotate-before']);
  const prepublish = durationMs(policy.prepublish);
  const next = key.versions.reduce((m, v) => Math.max(m, v.version), 0) + 1;
  const active = key.versions.find((v) => v.state === 'active');
  const pending = key.versions
    .filter((v) => v.state === 'pre-activation')
    .sort((a, b) => b.version - a.version)[0];

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
      `v${active.version} active ${describeMs(age)} of a ${span(policy.cryptoperiod)} cryptoperiod` +
      (overdue ? `, overdue by ${describeMs(age - cryptoperiod)}` : '') +
      `; rotate-before ${span(policy['rotate-before'])}`;
  }

  if (pending) {
    const s = since(key.id, pending, 'pre-activation', history);
    if (s.note) notes.push(s.note);
    const promotable = s.ms + prepublish;
    const waited = `v${pending.version} pre-activation for ${describeMs(now - s.ms)} of a ${span(policy.prepublish)} prepublish`;
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
      ? `${activeText}; prepublish ${span(policy.prepublish)}: v${next} starts pre-activation`
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
    const need = assess(key, policy, input.history, now);
    const base = { keyId, policy: policy.name };
    if (need.kind === 'ok') {
      const note = halted.has(keyId)
        ? ['halted: nothing is due, but automation will not touch this key']
        : [];
      steps.set(keyId, { ...base, ...need, notes: [...need.notes, ...note] });
      continue;
    }
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
    const pull = input.openPulls
      .filter((p) => p.keyId === keyId)
      .sort((a, b) => a.number - b.number)[0];
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

  const ordered = [...steps.keys()].sort().map((k) => steps.get(k)!);
  return {
    now: iso(now),
    steps: ordered,
    overdue: ordered.filter((s) => s.overdue).map((s) => s.keyId),
    budget: { max, open: openPullNumbers.size, planned: Math.min(room, candidates.length) },
  };
}
