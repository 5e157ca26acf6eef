/**
 * The difference between what targets should hold (desired.ts) and what can be observed of
 * them, as typed steps, each kind planning its own targets (./kinds). Pure.
 *
 * GitHub secrets cannot be read back: one is current only when a receipt proves rekey's last
 * write (kinds/github-secret.ts). Deploy keys and files are fully observable and compared by
 * key material and bytes.
 */
import type { KeyDocument } from '../formats/key.ts';
import type { DesiredState } from './desired.ts';
import type { Observation, StepOf, TargetKindName, TargetProblem } from './kind.ts';
import type { Receipt } from './receipt.ts';
import { stepKind, targetKind } from './registry.ts';

export type { DeployKeyReceipt, Receipt, SecretReceipt } from './receipt.ts';
export { isSecretReceipt } from './receipt.ts';
export type { Observation } from './kind.ts';
export type { SecretStep } from './kinds/github-secret.ts';
export type { DeployKeyStep } from './kinds/github-deploy-key.ts';
export type { FileStep } from './kinds/file.ts';
export { selectedKey } from './kinds/github-secret.ts';

/** One step of any registered kind. */
export type TargetStep = { [K in TargetKindName]: StepOf<K> }[TargetKindName];

export interface TargetPlan {
  readonly key: string;
  readonly steps: readonly TargetStep[];
  readonly problems: readonly TargetProblem[];
  /** How many slots, keys and files were already as desired. */
  readonly current: number;
}

export function planTargets(
  key: Pick<KeyDocument, 'id' | 'versions'>,
  desired: DesiredState,
  observed: Observation,
  receipts: readonly Receipt[] = [],
): TargetPlan {
  const steps: TargetStep[] = [];
  const problems: TargetProblem[] = [...desired.problems];
  let current = 0;
  for (const d of desired.targets) {
    const part = targetKind(d.kind).plan(d, observed, { key, receipts });
    steps.push(...(part.steps as TargetStep[]));
    problems.push(...part.problems);
    current += part.current;
  }
  return { key: key.id, steps, problems, current };
}

/** One line per step for logs and the job summary; never a value. */
export function describeStep(s: TargetStep): string {
  return stepKind(s).describe(s);
}
