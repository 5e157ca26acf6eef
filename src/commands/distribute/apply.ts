/**
 * Plan and apply for the keys that passed preflight. Plans are pure (planTargets with the
 * receipts the lease holds); apply runs up to `concurrency` keys at once, keys with a
 * compromised version first (their removal is the urgent part of an emergency), and within a
 * key up to `concurrency` targets at once, each target's steps in plan order (applyTargetPlan:
 * `previous` before `name`, deploy-key deletions before adds). Mutating requests are still
 * spaced one at a time by the GitHub client; concurrency overlaps reads and waits. A failed
 * step fails its key; other keys go on.
 *
 * Before each key starts, `beforeKey` runs (the flow renews the lease there when it is close
 * to expiry); when it answers false (the lease is lost), keys not yet started are skipped.
 *
 * GitHub's secret PUT says nothing of the `updated_at` a receipt needs: once the last key
 * writing to a scope is applied, the scope is listed once and its writes settled from it
 * (core/targets/settle.ts), so a run costs one call per secret written plus a few per scope,
 * never a read-back per secret. A write the list cannot show fails its key.
 */
import type { TargetPorts } from '../../core/ports/targets.ts';
import {
  applyTargetPlan,
  planTargets,
  settleWrites,
  withSettled,
  type ApplyResult,
  type PendingStep,
  type Receipt,
  type Settled,
  type TargetPlan,
} from '../../core/targets/index.ts';
import { scopeId } from '../../core/ports/targets.ts';
import type { Progress } from '../../core/progress.ts';
import { counted } from './pool.ts';
import type { PreparedKey } from './preflight.ts';

export interface KeyRun {
  readonly prepared: PreparedKey;
  readonly plan: TargetPlan;
  /** null: not applied (dry run, or skipped because the lease was lost). */
  readonly result: ApplyResult | null;
}

/** Compromised keys first, then key id order; stable. */
export function applyOrder(keys: readonly PreparedKey[]): PreparedKey[] {
  return [...keys].sort(
    (a, b) =>
      Number(b.compromised) - Number(a.compromised) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export function planKeys(
  keys: readonly PreparedKey[],
  receipts: readonly Receipt[],
): { prepared: PreparedKey; plan: TargetPlan }[] {
  return applyOrder(keys).map((prepared) => ({
    prepared,
    plan: planTargets(prepared.key, prepared.desired, prepared.observed, receipts),
  }));
}

export async function applyKeys(
  planned: readonly { prepared: PreparedKey; plan: TargetPlan }[],
  opts: {
    readonly targets: TargetPorts;
    readonly concurrency: number;
    readonly beforeKey: () => Promise<boolean>;
    readonly log?: { info(m: string): void; warn(m: string): void } | undefined;
    readonly progress?: Progress | undefined;
  },
): Promise<KeyRun[]> {
  const runs: KeyRun[] = planned.map((p) => ({ ...p, result: null }));
  // A scope is listed as soon as the last key writing to it is done, not at the run's end:
  // the window in which another writer's change could pass for rekey's stays that short.
  const writers = new Map<string, number>();
  const scopesOf = (plan: TargetPlan) =>
    new Set(plan.steps.flatMap((s) => (s.kind === 'put-secret' ? [scopeId(s.scope)] : [])));
  for (const { plan } of planned)
    for (const id of scopesOf(plan)) writers.set(id, (writers.get(id) ?? 0) + 1);
  const waiting = new Map<string, PendingStep[]>();
  const settled = new Map<PendingStep, Settled>();
  const settle = async (ids: Iterable<string>) => {
    const due = [...ids].flatMap((id) => {
      const list = waiting.get(id) ?? [];
      waiting.delete(id);
      return list;
    });
    if (due.length === 0) return;
    for (const [p, s] of await settleWrites(due, opts.targets.secrets, opts.concurrency))
      settled.set(p, s);
  };
  let stopped = false;
  const each = counted(opts.progress?.start('distribute', planned.length, 'keys'));
  await each(planned, opts.concurrency, async ({ prepared, plan }, i) => {
    if (stopped || !(await opts.beforeKey())) {
      stopped = true;
      return;
    }
    if (plan.steps.length === 0) {
      runs[i] = { prepared, plan, result: { key: plan.key, results: [], receipts: [], ok: true } };
      return;
    }
    opts.log?.info(`${prepared.id}: ${plan.steps.length} step(s)`);
    const result = await applyTargetPlan(plan, opts.targets, {
      concurrency: opts.concurrency,
      settle: false,
    });
    runs[i] = { prepared, plan, result };
    for (const p of result.pending ?? []) {
      const id = scopeId(p.scope);
      waiting.set(id, [...(waiting.get(id) ?? []), p]);
    }
    const done: string[] = [];
    for (const id of scopesOf(plan)) {
      const left = (writers.get(id) ?? 1) - 1;
      writers.set(id, left);
      if (left === 0) done.push(id);
    }
    await settle(done);
  });
  // Scopes whose other writers were skipped (the lease was lost): listed now.
  await settle([...waiting.keys()]);
  return runs.map((run) => {
    if (run.result === null || run.plan.steps.length === 0) return run;
    const result = withSettled(run.result, settled);
    for (const r of result.results)
      if (r.outcome === 'failed')
        opts.log?.warn(`${run.prepared.id}: ${r.step}: ${r.error ?? 'failed'}`);
      else opts.log?.info(`${run.prepared.id}: ${r.step}: ${r.detail ?? 'done'}`);
    return { ...run, result };
  });
}
