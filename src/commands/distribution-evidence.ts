/**
 * Distribution evidence, read one way for every decision that needs it: verify's revocation
 * gate, revoke's gate, and rotate's promotion precondition. The evidence is the commit status
 * `rekey/distribution` on first-parent commits of the default branch (DESIGN "Flows").
 *
 * Statuses are read oldest first from the earliest commit any subject needs, and reading stops
 * as soon as every subject has a success at or after its own commit: decisions use the FIRST
 * success after that commit, so later ones cannot change them. Typically one call
 * (distribution records success on the merge that made the change); at most `max`, after
 * which the remaining commits count as unproven, which keeps gates closed (fail closed).
 */
import type { HistoryIndex } from '../core/history/model.ts';
import type { DistributionRecord } from '../core/lifecycle/revocation-gate.ts';
import type { CommitStatus, StatusPort } from '../core/ports/github.ts';
import type { ManifestSnapshot } from '../core/snapshot.ts';

/** The commit status distribution records. */
export const DISTRIBUTION_CONTEXT = 'rekey/distribution';

/** Status reads at most, per run. */
export const DEFAULT_MAX_STATUS_CALLS = 20;

export interface DistributionEvidence {
  /** Every first-parent commit, oldest first; `status` where one was read. */
  readonly records: DistributionRecord[];
  /** Per subject, the first commit at or after its own with a success, if one was read. */
  readonly provenAt: ReadonlyMap<string, string>;
  /** `listStatuses` calls made. */
  readonly calls: number;
  /** True when the budget ran out before every subject was proven. */
  readonly bounded: boolean;
}

/**
 * `since`: subject (a key id, say) -> the commit from which a success counts. Subjects whose
 * commit is not on `firstParent` are never proven.
 */
export async function readDistributionEvidence(input: {
  readonly firstParent: readonly string[];
  readonly since: ReadonlyMap<string, string>;
  readonly statuses: Pick<StatusPort, 'listStatuses'>;
  readonly max: number;
  /** Counted as calls are made, so a caller can report them when a call fails. */
  readonly counter?: { calls: number };
  /**
   * pipeline.yaml `status-creators`: only statuses these logins wrote count (case-insensitive);
   * a status anyone else wrote is ignored, as if absent. Undefined: every writer counts.
   */
  readonly trusted?: readonly string[];
}): Promise<DistributionEvidence> {
  const counts = countingStatus(input.trusted);
  const shas = input.firstParent;
  const counter = input.counter ?? { calls: 0 };
  const position = new Map(shas.map((s, i) => [s, i] as const));
  const pending = new Map<string, number>();
  for (const [subject, sha] of input.since) {
    const at = position.get(sha);
    if (at !== undefined) pending.set(subject, at);
  }
  const records: DistributionRecord[] = shas.map((sha) => ({ sha }));
  const provenAt = new Map<string, string>();
  let bounded = false;
  const start = pending.size > 0 ? Math.min(...pending.values()) : shas.length;
  for (let i = start; i < shas.length && pending.size > 0; i++) {
    // No subject counts this commit yet (the earliest ones are proven already): skip it.
    if (![...pending.values()].some((from) => from <= i)) continue;
    if (counter.calls >= input.max) {
      bounded = true;
      break;
    }
    const sha = shas[i]!;
    counter.calls++;
    const latest = (await input.statuses.listStatuses(sha, DISTRIBUTION_CONTEXT)).find(counts);
    if (latest === undefined) continue;
    records[i] = { sha, status: { state: latest.state, at: latest.createdAt } };
    if (latest.state === 'success')
      for (const [subject, from] of pending)
        if (from <= i) {
          provenAt.set(subject, sha);
          pending.delete(subject);
        }
  }
  return { records, provenAt, calls: counter.calls, bounded };
}

/**
 * For each key, the first-parent commit where its current active version became active: from
 * there on, a distribution success proves the successor of what a revocation destroys.
 */
export function activeSince(
  snapshot: Pick<ManifestSnapshot, 'keys'>,
  history: HistoryIndex,
  keyIds: Iterable<string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of new Set(keyIds)) {
    const active = snapshot.keys.get(id)?.value.versions.find((v) => v.state === 'active');
    const sha = active && history.keys.get(id)?.versions.get(active.version)?.entered.active?.sha;
    if (sha !== undefined) out.set(id, sha);
  }
  return out;
}

/**
 * Whether a status is a `rekey/distribution` status that counts: with `trusted`
 * (pipeline.yaml `status-creators`) only one these logins wrote (case-insensitive); undefined:
 * any writer's.
 */
export function countingStatus(
  trusted: readonly string[] | undefined,
): (s: CommitStatus) => boolean {
  const set = trusted && new Set(trusted.map((l) => l.toLowerCase()));
  return (s) =>
    s.context === DISTRIBUTION_CONTEXT &&
    (set === undefined || (s.creator !== null && set.has(s.creator.toLowerCase())));
}

/** The `trusted` argument from pipeline.yaml: spread it into readDistributionEvidence's input. */
export function trustedCreators(pipeline: { readonly 'status-creators'?: readonly string[] }): {
  trusted?: readonly string[];
} {
  const list = pipeline['status-creators'];
  return list ? { trusted: list } : {};
}
