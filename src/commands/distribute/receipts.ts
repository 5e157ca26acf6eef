/**
 * The receipts a run stores when it releases the lease: what the next run's plans may trust.
 *
 * A receipt proves rekey's last write of one secret (docs/targets.md). The stored set after a
 * run is the previous set, minus receipts this run made useless, plus the new ones:
 * - a new receipt for the same scope and name replaces the old one;
 * - a secret this run deleted loses its receipt;
 * - a secret observed absent, or with another `updated_at` than its receipt, loses it (the
 *   receipt can never match again);
 * - receipts of scopes this run did not observe (halted keys, targets removed from key.yaml)
 *   stay as they were: they are still true, and a resumed key saves its writes.
 *
 * If a run dies before it stores them, the previous set stays: secrets it wrote carry a new
 * `updated_at` that no stored receipt names, so the next run writes them again. The cost of
 * a crash is redundant writes, never a secret taken for current when it is not.
 */
import { scopeId, type ObservedSecret } from '../../core/ports/targets.ts';
import type { SecretReceipt } from '../../core/targets/index.ts';
import type { KeyRun } from './apply.ts';

const id = (scope: string, name: string) => `${scope} ${name.toUpperCase()}`;

export function nextReceipts(
  previous: readonly SecretReceipt[],
  runs: readonly KeyRun[],
): SecretReceipt[] {
  const fresh = new Map<string, SecretReceipt>();
  const deleted = new Set<string>();
  const observed = new Map<string, readonly ObservedSecret[]>();
  for (const run of runs) {
    for (const [scope, list] of run.prepared.observed.secrets) observed.set(scope, list);
    if (run.result === null) continue;
    for (const r of run.result.receipts) fresh.set(id(r.scope, r.name), r);
    run.result.results.forEach((r, i) => {
      const step = run.plan.steps[i];
      if (r.outcome === 'done' && step?.kind === 'delete-secret')
        deleted.add(id(scopeId(step.scope), step.name));
    });
  }
  const kept = previous.filter((r) => {
    const k = id(r.scope, r.name);
    if (fresh.has(k) || deleted.has(k)) return false;
    const list = observed.get(r.scope);
    if (list === undefined) return true;
    const seen = list.find((s) => s.name.toUpperCase() === r.name.toUpperCase());
    return seen !== undefined && Date.parse(seen.updatedAt) === Date.parse(r.updatedAt);
  });
  return [...kept, ...fresh.values()].sort((a, b) =>
    id(a.scope, a.name) < id(b.scope, b.name) ? -1 : 1,
  );
}
