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
import { describeStep, type Receipt, type TargetPlan, type TargetStep } from './plan.ts';
import { stepKind } from './registry.ts';

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
}

export interface ApplyOptions {
  /** Targets applied at once (default 1). Steps of one target always run in plan order. */
  readonly concurrency?: number;
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
  return {
    key: plan.key,
    results: done,
    receipts: receipts.filter((r): r is Receipt => r !== undefined),
    ok: done.every((r) => r.outcome === 'done'),
  };
}
