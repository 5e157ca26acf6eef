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
 */
import type { TargetPorts } from '../../core/ports/targets.ts';
import {
  applyTargetPlan,
  planTargets,
  type ApplyResult,
  type Receipt,
  type TargetPlan,
} from '../../core/targets/index.ts';
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
    const result = await applyTargetPlan(plan, opts.targets, { concurrency: opts.concurrency });
    for (const r of result.results)
      if (r.outcome === 'failed')
        opts.log?.warn(`${prepared.id}: ${r.step}: ${r.error ?? 'failed'}`);
      else opts.log?.info(`${prepared.id}: ${r.step}: ${r.detail ?? 'done'}`);
    runs[i] = { prepared, plan, result };
  });
  return runs;
}
