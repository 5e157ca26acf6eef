/**
 * Per-version timelines from the audit history: the commit where each version entered each
 * state, and where its material file was written and deleted. Also the destructions the
 * distribution check asks GitHub about: for each destroyed version, its successor (the version
 * active when it was destroyed) and the commit where that successor became active.
 */
import { KEY_STATES, type KeyState } from '../formats/key.ts';
import type { CommitRef } from '../history/model.ts';
import type {
  AuditHistory,
  AuditPolicy,
  FindingCommit,
  KeyReport,
  PullsByCommit,
  TimelineEvent,
  VersionReport,
} from './model.ts';

/** Links a commit to its page (`<server>/<owner>/<repo>/commit/<sha>`) when the repository is known. */
export type CommitLinker = (sha: string) => string | undefined;

export function findingCommit(c: CommitRef, link: CommitLinker): FindingCommit {
  const url = link(c.sha);
  return { sha: c.sha, time: c.time, ...(url ? { url } : {}) };
}

/** Position of every manifest commit on first-parent history, oldest 0. */
export function commitPositions(history: AuditHistory): ReadonlyMap<string, number> {
  let pos = POSITIONS.get(history);
  if (pos === undefined) {
    const map = new Map<string, number>();
    history.commits.forEach((c, i) => map.set(c.commit.sha, i));
    POSITIONS.set(history, (pos = map));
  }
  return pos;
}
/** Histories are immutable: their positions are computed once (several report parts ask). */
const POSITIONS = new WeakMap<AuditHistory, ReadonlyMap<string, number>>();

const LEAVES_ACTIVE: readonly KeyState[] = ['deactivated', 'compromised', 'destroyed'];

/** The first commit after `from` (by position) at which the version entered one of `states`. */
export function firstAfter(
  entered: Partial<Record<KeyState, CommitRef>>,
  states: readonly KeyState[],
  from: number,
  pos: ReadonlyMap<string, number>,
): CommitRef | undefined {
  let best: CommitRef | undefined;
  for (const s of states) {
    const c = entered[s];
    if (c === undefined) continue;
    const p = pos.get(c.sha) ?? -1;
    if (p <= from) continue;
    if (best === undefined || p < (pos.get(best.sha) ?? 0)) best = c;
  }
  return best;
}

type Period = { readonly from: CommitRef; readonly until?: CommitRef };

/**
 * When the version was active: from its `active` commit to the first commit it left it.
 * Timelines are immutable: each version's period is computed once per set of positions (the
 * findings, the destructions and the report each ask).
 */
export function activePeriod(
  entered: Partial<Record<KeyState, CommitRef>>,
  pos: ReadonlyMap<string, number>,
): Period | undefined {
  let memo = PERIODS.get(pos);
  if (memo === undefined) PERIODS.set(pos, (memo = new WeakMap()));
  if (memo.has(entered)) return memo.get(entered);
  const from = entered.active;
  const until =
    from === undefined
      ? undefined
      : firstAfter(entered, LEAVES_ACTIVE, pos.get(from.sha) ?? -1, pos);
  const period = from === undefined ? undefined : until ? { from, until } : { from };
  memo.set(entered, period);
  return period;
}
const PERIODS = new WeakMap<ReadonlyMap<string, number>, WeakMap<object, Period | undefined>>();

export interface Destruction {
  readonly keyId: string;
  readonly version: number;
  readonly destroyed: CommitRef;
  /** The state the version left for destroyed. */
  readonly from: KeyState | undefined;
  /** The version active at the destroying commit, and where it became active. */
  readonly successor?: { readonly version: number; readonly activeSince: CommitRef };
  /**
   * True when history first shows the version already destroyed (a manifest imported with its
   * past): the destruction happened before this history, so there is nothing to check it by.
   */
  readonly beforeHistory: boolean;
}

/**
 * Every destroyed version of every key (current timelines only), oldest destruction first.
 * Computed once per history (the findings, the report and the GitHub reads each ask).
 */
export function destructions(history: AuditHistory): readonly Destruction[] {
  let out = DESTRUCTIONS.get(history);
  if (out === undefined) {
    out = Object.freeze(findDestructions(history));
    DESTRUCTIONS.set(history, out);
  }
  return out;
}
const DESTRUCTIONS = new WeakMap<AuditHistory, readonly Destruction[]>();

function findDestructions(history: AuditHistory): Destruction[] {
  const pos = commitPositions(history);
  const out: Destruction[] = [];
  for (const [keyId, key] of history.index.keys) {
    // Each version's active period as positions, computed once per key.
    const periods: { version: number; from: CommitRef; start: number; end: number }[] = [];
    for (const [n, w] of key.versions) {
      const period = activePeriod(w.entered, pos);
      if (!period) continue;
      periods.push({
        version: n,
        from: period.from,
        start: pos.get(period.from.sha) ?? Infinity,
        end: period.until ? (pos.get(period.until.sha) ?? Infinity) : Infinity,
      });
    }
    for (const [version, v] of key.versions) {
      const destroyed = v.entered.destroyed;
      if (destroyed === undefined) continue;
      const at = pos.get(destroyed.sha) ?? -1;
      // The state held just before: the latest other state entered before the destruction.
      let from: KeyState | undefined;
      let fromPos = -1;
      for (const s of KEY_STATES) {
        const c = v.entered[s];
        const p = c ? (pos.get(c.sha) ?? -1) : -1;
        if (s !== 'destroyed' && c && p <= at && p >= fromPos) {
          from = s;
          fromPos = p;
        }
      }
      // The successor: another version active at the destroying commit.
      let successor: Destruction['successor'];
      for (const p of periods)
        if (p.version !== version && p.start <= at && p.end > at)
          successor = { version: p.version, activeSince: p.from };
      out.push({
        keyId,
        version,
        destroyed,
        from,
        beforeHistory: v.appeared.sha === destroyed.sha,
        ...(successor ? { successor } : {}),
      });
    }
  }
  return out.sort((a, b) => (pos.get(a.destroyed.sha) ?? 0) - (pos.get(b.destroyed.sha) ?? 0));
}

/** The per-key, per-version timelines of the report, newest version first. */
export function keyReports(
  history: AuditHistory,
  policies: ReadonlyMap<string, AuditPolicy>,
  link: CommitLinker,
  pulls: PullsByCommit,
  since: Date | undefined,
): KeyReport[] {
  const pos = commitPositions(history);
  const written = new Map<string, { written: CommitRef[]; deleted: CommitRef[] }>();
  for (const c of history.commits)
    for (const m of c.materials) {
      const k = `${m.keyId}@v${m.version}`;
      const entry = written.get(k) ?? { written: [], deleted: [] };
      (m.kind === 'written' ? entry.written : entry.deleted).push(c.commit);
      written.set(k, entry);
    }
  const event = (kind: TimelineEvent['kind'], c: CommitRef): TimelineEvent => {
    const pull = pulls.get(c.sha);
    return {
      kind,
      commit: findingCommit(c, link),
      ...(pull
        ? {
            pull: {
              number: pull.number,
              url: pull.url,
              title: pull.title,
              author: pull.author,
              mergedBy: pull.mergedBy,
              approvedBy: pull.approvals.map((a) => a.login),
            },
          }
        : {}),
    };
  };
  const cutoff = since?.getTime();
  const reports: KeyReport[] = [];
  for (const [keyId, key] of history.index.keys) {
    const versions: VersionReport[] = [];
    for (const [version, v] of [...key.versions].reverse()) {
      const events: TimelineEvent[] = [];
      for (const s of KEY_STATES) {
        const c = v.entered[s];
        if (c) events.push(event(s, c));
      }
      const files = written.get(`${keyId}@v${version}`);
      for (const c of files?.written ?? []) events.push(event('material-written', c));
      for (const c of files?.deleted ?? []) events.push(event('material-deleted', c));
      events.sort((a, b) => (pos.get(a.commit.sha) ?? 0) - (pos.get(b.commit.sha) ?? 0));
      const last = events[events.length - 1];
      const live = v.state !== 'destroyed';
      if (cutoff !== undefined && !live && last && Date.parse(last.commit.time) < cutoff) continue;
      const period = activePeriod(v.entered, pos);
      versions.push({
        version,
        state: v.state,
        events,
        ...(period
          ? {
              active: {
                from: period.from.time,
                ...(period.until ? { until: period.until.time } : {}),
              },
            }
          : {}),
      });
    }
    const policy = policies.get(keyId);
    reports.push({
      key: keyId,
      ...(policy ? { policy } : {}),
      ...(key.removed ? { removed: findingCommit(key.removed, link) } : {}),
      versions,
    });
  }
  return reports;
}
