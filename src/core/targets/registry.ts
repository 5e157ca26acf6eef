/**
 * The registry of target kinds: one line per kind (./kind.ts says what a kind provides). Its
 * type lists every kind declared in `KindTypes`, so a kind file that is not registered here,
 * or registered under another name, does not compile.
 */
import type { AnyTargetKind, TargetKind, TargetKindName } from './kind.ts';
import { awsSecretKind } from './kinds/aws-secret.ts';
import { fileKind } from './kinds/file.ts';
import { githubDeployKeyKind } from './kinds/github-deploy-key.ts';
import { githubSecretKind } from './kinds/github-secret.ts';
import { postgresRoleKind } from './kinds/postgres-role.ts';

export const TARGET_KINDS: { readonly [K in TargetKindName]: TargetKind<K> } = {
  'github-secret': githubSecretKind,
  'github-deploy-key': githubDeployKeyKind,
  file: fileKind,
  'aws-secret': awsSecretKind,
  'postgres-role': postgresRoleKind,
};

const byStep = new Map<string, AnyTargetKind>();
for (const k of Object.values(TARGET_KINDS) as unknown as AnyTargetKind[])
  for (const s of k.steps) {
    if (byStep.has(s)) throw new Error(`step kind ${s} belongs to two target kinds`);
    byStep.set(s, k);
  }

/**
 * The kind of a target, desired target or step kind. The one cast of the seam: each entry is
 * the `TargetKind` of its own name, and callers pass it only that kind's targets and steps.
 */
export function targetKind(name: TargetKindName): AnyTargetKind {
  return TARGET_KINDS[name] as unknown as AnyTargetKind;
}

export function stepKind(step: { readonly kind: string }): AnyTargetKind {
  const k = byStep.get(step.kind);
  if (k === undefined) throw new Error(`no target kind makes ${step.kind} steps`);
  return k;
}
