/**
 * The receipts a run stores when it releases the lease: what the next run's plans may trust,
 * and what it must remove once no key claims it (removals.ts).
 *
 * A secret's receipt proves rekey's last write of it (docs/targets.md); a deploy key's says
 * rekey added it. The stored set after a run is the previous set, minus receipts this run made
 * useless, plus the new ones:
 * - a new receipt for the same scope and name replaces the old one;
 * - a secret this run deleted loses its receipt;
 * - a claimed secret observed absent, or with another `updated_at` than its receipt, loses it
 *   (the receipt can never match again); an old receipt (no key, no version) of a secret the
 *   plan found current gains the key and version of the slot it holds;
 * - a claimed deploy-key target's receipts are what the run leaves there: the keys titled as
 *   this key's it observed and did not delete, plus the ones it added;
 * - an orphan's receipt (no key claims its target) is dropped only when its removal is done
 *   or found done (or its target answers 404: unreachable); refused, failed or skipped removals keep it, so the next run tries again;
 * - receipts of targets this run did not look at (halted keys) stay as they were.
 *
 * If a run dies before it stores them, the previous set stays: secrets it wrote carry a new
 * `updated_at` that no stored receipt names, so the next run writes them again, and material
 * it removed is found gone. The cost of a crash is redundant writes, never a secret taken for
 * current when it is not, and never a removal forgotten.
 */
import { scopeId, type ObservedSecret } from '../../core/ports/targets.ts';
import {
  isSecretReceipt,
  managedDeployKeyVersion,
  type DeployKeyReceipt,
  type Receipt,
  type SecretReceipt,
} from '../../core/targets/index.ts';
import type { KeyRun } from './apply.ts';
import type { RemovalRun } from './removals.ts';

/** Removed, or nothing left that rekey can reach: the receipt has done its work. */
const settles = (r: RemovalRun) =>
  r.outcome === 'removed' || r.outcome === 'absent' || r.outcome === 'unreachable';
const id = (scope: string, name: string) => `${scope.toLowerCase()} ${name.toUpperCase()}`;
const repoKey = (repository: string, key: string) => `${repository.toLowerCase()} ${key}`;

export function nextReceipts(
  previous: readonly Receipt[],
  runs: readonly KeyRun[],
  removals: readonly RemovalRun[] = [],
): Receipt[] {
  const fresh = new Map<string, SecretReceipt>();
  const deleted = new Set<string>();
  const observed = new Map<string, readonly ObservedSecret[]>();
  // Legacy receipts found current: which key and version the slot holds.
  const holders = new Map<string, { key: string; version: number; fingerprint: string }>();
  // Claimed deploy-key targets that were applied: `repo key` -> what is there now.
  const deployNow = new Map<string, DeployKeyReceipt[]>();
  for (const run of runs) {
    for (const [scope, list] of run.prepared.observed.secrets) observed.set(scope, list);
    for (const d of run.prepared.desired.targets)
      if (d.kind === 'github-secret')
        for (const s of d.slots)
          if (s.want !== null)
            holders.set(id(scopeId(d.scope), s.name), {
              key: run.prepared.id,
              version: s.want.version,
              fingerprint: s.want.fingerprint,
            });
    if (run.result === null) continue;
    const deletedKeys = new Set<number>();
    run.result.results.forEach((r, i) => {
      const step = run.plan.steps[i];
      if (r.outcome !== 'done') return;
      if (step?.kind === 'delete-secret') deleted.add(id(scopeId(step.scope), step.name));
      if (step?.kind === 'delete-deploy-key') deletedKeys.add(step.id);
    });
    for (const d of run.prepared.desired.targets) {
      if (d.kind !== 'github-deploy-key') continue;
      const repo = d.repository.toLowerCase();
      const now: DeployKeyReceipt[] = [];
      for (const o of run.prepared.observed.deployKeys.get(repo) ?? []) {
        const version = managedDeployKeyVersion(o.title, run.prepared.id);
        if (version !== null && !deletedKeys.has(o.id))
          now.push({
            kind: 'github-deploy-key',
            repository: repo,
            key: run.prepared.id,
            version,
            id: o.id,
            title: o.title,
          });
      }
      deployNow.set(repoKey(repo, run.prepared.id), now);
    }
    for (const r of run.result.receipts)
      if (isSecretReceipt(r)) fresh.set(id(r.scope, r.name), r);
      else deployNow.get(repoKey(r.repository, r.key))?.push(r);
  }
  const orphan = new Map<Receipt, RemovalRun>(removals.map((r) => [r.removal.receipt, r]));
  const kept: Receipt[] = [];
  for (const r of previous) {
    const removal = orphan.get(r);
    if (removal !== undefined) {
      if (!settles(removal)) kept.push(r);
      continue;
    }
    if (!isSecretReceipt(r)) {
      if (!deployNow.has(repoKey(r.repository, r.key))) kept.push(r);
      continue;
    }
    const k = id(r.scope, r.name);
    if (fresh.has(k) || deleted.has(k)) continue;
    const list = observed.get(r.scope);
    if (list === undefined) {
      kept.push(r);
      continue;
    }
    const seen = list.find((s) => s.name.toUpperCase() === r.name.toUpperCase());
    if (seen === undefined || Date.parse(seen.updatedAt) !== Date.parse(r.updatedAt)) continue;
    const holder = holders.get(k);
    kept.push(
      r.key === undefined && holder !== undefined && holder.fingerprint === r.fingerprint
        ? { ...r, kind: 'github-secret', key: holder.key, version: holder.version }
        : r,
    );
  }
  // Deploy keys found by their title while being removed, whose removal did not finish.
  for (const run of removals)
    if (!previous.includes(run.removal.receipt) && !settles(run)) kept.push(run.removal.receipt);
  const order = (r: Receipt) =>
    isSecretReceipt(r) ? `1 ${id(r.scope, r.name)}` : `2 ${repoKey(r.repository, r.key)} ${r.id}`;
  return [...kept, ...fresh.values(), ...[...deployNow.values()].flat()].sort((a, b) =>
    order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0,
  );
}
