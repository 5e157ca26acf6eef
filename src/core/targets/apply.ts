/**
 * Executes a target plan through the ports, each step by its kind's `apply` (./kinds). Each
 * target's steps run in plan order (for a secret `previous` before `name`, for deploy keys
 * deletions before adds); different targets are independent (a secret scope, a repository's
 * deploy keys, a file, a role), so up to `concurrency` of them run at once (default 1: one
 * step at a time, in plan order). A failed step is recorded and the rest still run (the
 * caller decides what a partial result means). Results and receipts are reported in plan
 * order whatever the interleaving. Results and errors carry no value: `GitHubError` messages
 * name routes, file errors name paths.
 */
import type { TargetPorts } from '../ports/targets.ts';
import {
  describeStep,
  isSecretReceipt,
  type Receipt,
  type TargetPlan,
  type TargetStep,
} from './plan.ts';
import { stepKind } from './registry.ts';
import { isPending, settleWrites, type PendingWrite, type Settled } from './settle.ts';

export interface StepResult {
  readonly step: string;
  readonly target: number;
  readonly kind: TargetStep['kind'];
  readonly outcome: 'done' | 'failed';
  /** What the target said: created, updated, deleted, absent. */
  readonly detail?: string;
  readonly error?: string;
}

export interface ApplyResult {
  readonly key: string;
  readonly results: readonly StepResult[];
  /**
   * One per secret written and deploy key added: feed them to the next plan so it can prove
   * these writes, and keep them so that material no key claims any more is found and removed.
   */
  readonly receipts: readonly Receipt[];
  readonly ok: boolean;
  /**
   * Secret writes whose receipts still wait for the scope's list (settle.ts), by step: only
   * with `settle: false`, for a caller that settles the writes of many plans at once.
   */
  readonly pending?: readonly PendingStep[];
}

export interface PendingStep extends PendingWrite {
  /** Index of the put-secret step in the plan (and in `results`). */
  readonly step: number;
}

export interface ApplyOptions {
  /** Targets applied at once (default 1). Steps of one target always run in plan order. */
  readonly concurrency?: number;
  /**
   * Settle the secret writes' receipts from their scopes' lists before returning (default
   * true: one list per scope written). false: leave them in `pending` for the caller.
   */
  readonly settle?: boolean;
}

/** `result` with its pending writes settled: receipts filled in, unproven writes failed. */
export function withSettled(
  result: ApplyResult,
  settled: ReadonlyMap<PendingStep, Settled>,
): ApplyResult {
  const pending = result.pending ?? [];
  if (pending.length === 0) return result;
  const results = [...result.results];
  const replace = new Map<Receipt, Receipt | null>();
  for (const p of pending) {
    const s = settled.get(p);
    if (s !== undefined && 'receipt' in s) replace.set(p.receipt, s.receipt);
    else {
      replace.set(p.receipt, null);
      const r = results[p.step]!;
      results[p.step] = {
        step: r.step,
        target: r.target,
        kind: r.kind,
        outcome: 'failed',
        error: s === undefined ? 'written, but not settled' : s.error,
      };
    }
  }
  const receipts = result.receipts.flatMap((r) => {
    const n = replace.get(r);
    return n === undefined ? [r] : n === null ? [] : [n];
  });
  return {
    key: result.key,
    results,
    receipts,
    ok: results.every((r) => r.outcome === 'done'),
  };
}

export async function applyTargetPlan(
  plan: TargetPlan,
  ports: TargetPorts,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  // Steps grouped by target, in plan order within each group; groups in order of first step.
  const groups = new Map<number, number[]>();
  plan.steps.forEach((step, i) => {
    const g = groups.get(step.target);
    if (g) g.push(i);
    else groups.set(step.target, [i]);
  });
  const results: (StepResult | undefined)[] = [];
  const receipts: (Receipt | undefined)[] = [];
  const runGroup = async (indexes: readonly number[]) => {
    for (const i of indexes) {
      const step = plan.steps[i]!;
      const base = { step: describeStep(step), target: step.target, kind: step.kind };
      try {
        const done = await stepKind(step).apply(step, ports, { key: plan.key });
        results[i] = { ...base, outcome: 'done', detail: done.detail };
        receipts[i] = done.receipt;
      } catch (e) {
        results[i] = {
          ...base,
          outcome: 'failed',
          error: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error',
        };
      }
    }
  };
  const queue = [...groups.values()];
  const width = Math.max(1, Math.min(Math.floor(opts.concurrency ?? 1) || 1, queue.length));
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) await runGroup(g);
    }),
  );
  const done = results.filter((r): r is StepResult => r !== undefined);
  const pending: PendingStep[] = [];
  plan.steps.forEach((step, i) => {
    const r = receipts[i];
    if (step.kind === 'put-secret' && r !== undefined && isSecretReceipt(r) && isPending(r))
      pending.push({ step: i, scope: step.scope, receipt: r });
  });
  const result: ApplyResult = {
    key: plan.key,
    results: done,
    receipts: receipts.filter((r): r is Receipt => r !== undefined),
    ok: done.every((r) => r.outcome === 'done'),
    ...(pending.length > 0 ? { pending } : {}),
  };
  if (opts.settle === false || pending.length === 0) return result;
  return withSettled(result, await settleWrites(pending, ports.secrets, opts.concurrency));
}
