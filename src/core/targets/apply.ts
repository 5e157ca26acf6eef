/**
 * Executes a target plan through the ports, step by step in plan order. A failed step is
 * recorded and the rest still run (targets are independent; the caller decides what a partial
 * result means). Results and errors carry no value: `GitHubError` messages name routes, file
 * errors name paths.
 */
import { scopeId, type TargetPorts } from '../ports/targets.ts';
import { describeStep, type SecretReceipt, type TargetPlan, type TargetStep } from './plan.ts';

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
  /** One per secret written: feed them to the next plan so it can prove these writes. */
  readonly receipts: readonly SecretReceipt[];
  readonly ok: boolean;
}

async function run(step: TargetStep, ports: TargetPorts, receipts: SecretReceipt[]) {
  switch (step.kind) {
    case 'put-secret': {
      const r = await ports.secrets.putSecret(step.scope, step.name, step.value, step.org);
      receipts.push({
        scope: scopeId(step.scope),
        name: step.name,
        fingerprint: step.fingerprint,
        updatedAt: r.updatedAt,
      });
      return r.result;
    }
    case 'delete-secret':
      return ports.secrets.deleteSecret(step.scope, step.name);
    case 'add-deploy-key':
      await ports.deployKeys.addDeployKey(step.repository, {
        title: step.title,
        key: step.key,
        readOnly: step.readOnly,
      });
      return 'created';
    case 'delete-deploy-key':
      return ports.deployKeys.deleteDeployKey(step.repository, step.id);
    case 'write-file':
      await ports.files.writeFile(step.path, step.content);
      return 'written';
    case 'delete-file':
      return ports.files.deleteFile(step.path);
  }
}

export async function applyTargetPlan(plan: TargetPlan, ports: TargetPorts): Promise<ApplyResult> {
  const results: StepResult[] = [];
  const receipts: SecretReceipt[] = [];
  for (const step of plan.steps) {
    const base = { step: describeStep(step), target: step.target, kind: step.kind };
    try {
      results.push({ ...base, outcome: 'done', detail: await run(step, ports, receipts) });
    } catch (e) {
      results.push({
        ...base,
        outcome: 'failed',
        error: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error',
      });
    }
  }
  return {
    key: plan.key,
    results,
    receipts,
    ok: results.every((r) => r.outcome === 'done'),
  };
}
