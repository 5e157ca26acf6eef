/**
 * The `aws-secret` target kind (docs/targets.md "AWS Secrets Manager"): desired state, plan
 * and step description, pure. The adapter (src/adapters/targets/aws-secret.ts) observes and
 * applies through `AwsSecretsPort`.
 *
 * Each rekey version becomes one Secrets Manager version whose VersionId is the
 * ClientRequestToken `versionToken(key, version)`: deterministic, so a re-run after a crash
 * finds the version it wrote (or rewrites the same token, which AWS ignores for equal data)
 * and never creates a second one. The lifecycle maps onto staging labels:
 * active -> AWSCURRENT, the newest deactivated -> AWSPREVIOUS, the newest pre-activation ->
 * AWSPENDING. Compromised and destroyed versions lose every label (rekey's and anyone's): a
 * version without labels is what AWS calls deprecated, which consumers reading a stage no
 * longer get; AWS removes deprecated versions itself, rekey cannot delete one version.
 *
 * AWS moves AWSPREVIOUS by itself whenever AWSCURRENT moves (onto the version AWSCURRENT
 * left), and UpdateSecretVersionStage must name the version a label leaves. So the plan is
 * computed against a simulation of those rules, one step at a time, in the order
 * AWSCURRENT, AWSPREVIOUS, AWSPENDING, then the compromised and destroyed versions' leftovers:
 * every step names the holder it will find. If the service disagrees, the step fails and
 * the next run observes again and converges.
 */
import { createHash } from 'node:crypto';
import type { AwsSecretTarget, KeyDocument } from '../formats/key.ts';
import type { SecretValue } from './secret-value.ts';

export const AWS_CURRENT = 'AWSCURRENT';
export const AWS_PREVIOUS = 'AWSPREVIOUS';
export const AWS_PENDING = 'AWSPENDING';
export type AwsStage = typeof AWS_CURRENT | typeof AWS_PREVIOUS | typeof AWS_PENDING;
const STAGES: readonly AwsStage[] = [AWS_CURRENT, AWS_PREVIOUS, AWS_PENDING];

/** Which secret, where: `secretId` is a name or an ARN, as key.yaml writes it. */
export interface AwsSecretRef {
  readonly region: string;
  readonly secretId: string;
}

/** What the port reports of a secret: every version, deprecated ones included, and its labels. */
export interface AwsSecretObservation {
  /** false: there is no such secret (rekey does not create secrets). */
  readonly exists: boolean;
  /** Scheduled for deletion: nothing can be written. */
  readonly deleted: boolean;
  /** A rotation Lambda also rotates it: two rotators would fight. */
  readonly rotationEnabled: boolean;
  /** VersionId -> its staging labels (empty: deprecated). */
  readonly versions: ReadonlyMap<string, readonly string[]>;
}

/** Secrets Manager through the SDK. Errors are thrown as `Error`s naming the operation and secret, never a value. */
export interface AwsSecretsPort {
  /** DescribeSecret + ListSecretVersionIds (IncludeDeprecated, 100 per page): 2 calls. */
  observe(ref: AwsSecretRef): Promise<AwsSecretObservation>;
  /**
   * PutSecretValue with the token as ClientRequestToken and `stage` as the only label. 1 call.
   * Fails when the version existed already without the label (AWS ignores the data then).
   */
  putVersion(
    ref: AwsSecretRef,
    token: string,
    value: SecretValue,
    stage: AwsStage,
  ): Promise<'created'>;
  /** UpdateSecretVersionStage. 1 call. */
  moveStage(
    ref: AwsSecretRef,
    stage: string,
    move: { readonly to?: string; readonly from?: string },
  ): Promise<'moved' | 'removed'>;
}

/**
 * The ClientRequestToken (and so the VersionId) of `version` of `keyId`: `rekey-v<N>-` and 32
 * hex of SHA-256 over the key id and version, 41-47 characters (AWS wants 32-64). Nothing
 * secret goes in. A key id reused for a new key with other material collides on purpose: AWS
 * refuses the write (ResourceExistsException) instead of relabelling a different secret.
 */
export function versionToken(keyId: string, version: number): string {
  const h = createHash('sha256').update(`rekey aws-secret\0${keyId}\0${version}`).digest('hex');
  return `rekey-v${version}-${h.slice(0, 32)}`;
}

export interface AwsWanted {
  readonly version: number;
  readonly fingerprint: string;
  readonly token: string;
  readonly value: SecretValue;
}

export interface DesiredAwsSecret {
  readonly kind: 'aws-secret';
  readonly target: number;
  readonly ref: AwsSecretRef;
  /** Each label and the version that should hold it; null: no version should. */
  readonly stages: Readonly<Record<AwsStage, AwsWanted | null>>;
  /** Compromised and destroyed versions: no label may stay on them. */
  readonly unlabel: readonly { readonly version: number; readonly token: string }[];
}

export interface AwsMaterial {
  readonly version: number;
  readonly secret: SecretValue;
}

/** The desired labels of one aws-secret target, or the problems that prevent them. */
export function desiredAwsSecret(
  key: Pick<KeyDocument, 'id' | 'versions'>,
  t: AwsSecretTarget,
  target: number,
  live: readonly AwsMaterial[],
): { desired: DesiredAwsSecret | null; problems: string[] } {
  const problems: string[] = [];
  const newest = (state: string) =>
    key.versions.filter((v) => v.state === state).sort((a, b) => b.version - a.version)[0];
  const want = (v: { version: number; fingerprint: string } | undefined): AwsWanted | null => {
    if (v === undefined) return null;
    const m = live.find((x) => x.version === v.version);
    if (m === undefined) {
      problems.push(`v${v.version} has no decrypted material`);
      return null;
    }
    return {
      version: v.version,
      fingerprint: v.fingerprint,
      token: versionToken(key.id, v.version),
      value: m.secret,
    };
  };
  const stages = {
    [AWS_CURRENT]: want(newest('active')),
    [AWS_PREVIOUS]: want(newest('deactivated')),
    [AWS_PENDING]: want(newest('pre-activation')),
  };
  const unlabel = key.versions
    .filter((v) => v.state === 'compromised' || v.state === 'destroyed')
    .map((v) => ({ version: v.version, token: versionToken(key.id, v.version) }));
  if (problems.length > 0) return { desired: null, problems };
  return {
    desired: {
      kind: 'aws-secret',
      target,
      ref: { region: t.region, secretId: t['secret-id'] },
      stages,
      unlabel,
    },
    problems,
  };
}

interface StepBase {
  readonly target: number;
  readonly ref: AwsSecretRef;
  readonly reason: string;
}
export type AwsSecretStep =
  | (StepBase & {
      readonly kind: 'aws-put-version';
      readonly stage: AwsStage;
      readonly version: number;
      readonly fingerprint: string;
      readonly token: string;
      readonly value: SecretValue;
    })
  | (StepBase & {
      readonly kind: 'aws-move-stage';
      readonly stage: string;
      /** The rekey version moved to (absent: the label is only removed). */
      readonly to?: { readonly version: number; readonly token: string };
      /** The VersionId the label leaves (absent: no version holds it yet). */
      readonly from?: string;
    });

export interface AwsSecretPlan {
  readonly steps: readonly AwsSecretStep[];
  readonly problems: readonly string[];
  /** Labels already where they belong. */
  readonly current: number;
}

/** Problems that stop any write to the secret (preflight). */
export function awsPreflightProblems(ref: AwsSecretRef, seen: AwsSecretObservation): string[] {
  const where = `${ref.secretId} (${ref.region})`;
  if (!seen.exists)
    return [`${where} does not exist: create it first (rekey writes versions, never secrets)`];
  const out: string[] = [];
  if (seen.deleted) out.push(`${where} is scheduled for deletion: restore it or change key.yaml`);
  if (seen.rotationEnabled)
    out.push(
      `${where} has rotation enabled: a rotation Lambda and rekey would overwrite each other`,
    );
  return out;
}

export function planAwsSecret(d: DesiredAwsSecret, seen: AwsSecretObservation): AwsSecretPlan {
  const problems = awsPreflightProblems(d.ref, seen);
  if (problems.length > 0) return { steps: [], problems, current: 0 };
  // The simulation: VersionId -> labels, changed by each planned step as AWS would.
  const sim = new Map([...seen.versions].map(([id, s]) => [id, new Set(s)]));
  const holder = (stage: string) => [...sim].find(([, s]) => s.has(stage))?.[0];
  const attach = (stage: string, to: string) => {
    for (const [id, s] of sim)
      if (id !== to && s.delete(stage) && stage === AWS_CURRENT) {
        for (const o of sim.values()) o.delete(AWS_PREVIOUS);
        s.add(AWS_PREVIOUS);
      }
    sim.get(to)!.add(stage);
  };
  const steps: AwsSecretStep[] = [];
  const base = { target: d.target, ref: d.ref };
  let current = 0;
  const remove = (stage: string, from: string, reason: string) => {
    steps.push({ ...base, kind: 'aws-move-stage', stage, from, reason });
    sim.get(from)!.delete(stage);
  };

  for (const stage of STAGES) {
    const want = d.stages[stage];
    const has = holder(stage);
    if (want === null) {
      if (has === undefined) current++;
      else if (stage === AWS_CURRENT)
        problems.push(
          `AWSCURRENT stays on ${has}: the key has no active version and AWS cannot remove AWSCURRENT, only move it`,
        );
      else
        remove(
          stage,
          has,
          stage === AWS_PREVIOUS ? 'no version is in grace' : 'no version is pre-activation',
        );
      continue;
    }
    if (has === want.token) {
      current++;
      continue;
    }
    if (!sim.has(want.token)) {
      steps.push({
        ...base,
        kind: 'aws-put-version',
        stage,
        version: want.version,
        fingerprint: want.fingerprint,
        token: want.token,
        value: want.value,
        reason: 'absent',
      });
      sim.set(want.token, new Set());
      attach(stage, want.token);
      continue;
    }
    steps.push({
      ...base,
      kind: 'aws-move-stage',
      stage,
      to: { version: want.version, token: want.token },
      ...(has === undefined ? {} : { from: has }),
      reason: has === undefined ? 'no version holds it' : `on ${has}`,
    });
    attach(stage, want.token);
  }
  for (const u of d.unlabel)
    for (const stage of [...(sim.get(u.token) ?? [])].sort())
      if (stage === AWS_CURRENT)
        problems.push(
          `AWSCURRENT is on v${u.version} (${u.token}) and no active version can take it`,
        );
      else remove(stage, u.token, `v${u.version} is compromised or destroyed`);
  return { steps, problems, current };
}

/** One line per step for logs and the job summary; never a value. */
export function describeAwsStep(s: AwsSecretStep): string {
  const where = `aws secret ${s.ref.secretId} (${s.ref.region})`;
  if (s.kind === 'aws-put-version')
    return `put ${where} ${s.stage} <- v${s.version} ${s.fingerprint} as ${s.token}: ${s.reason}`;
  if (s.to !== undefined)
    return `move ${s.stage} of ${where} to v${s.to.version} (${s.to.token}): ${s.reason}`;
  return `remove ${s.stage} of ${where} from ${s.from ?? '?'}: ${s.reason}`;
}

/** Runs one step through the port; the outcome word is what the target said. */
export async function applyAwsStep(s: AwsSecretStep, port: AwsSecretsPort): Promise<string> {
  if (s.kind === 'aws-put-version') return port.putVersion(s.ref, s.token, s.value, s.stage);
  return port.moveStage(s.ref, s.stage, {
    ...(s.to === undefined ? {} : { to: s.to.token }),
    ...(s.from === undefined ? {} : { from: s.from }),
  });
}

export interface AwsStepResult {
  readonly step: string;
  readonly outcome: 'done' | 'failed' | 'skipped';
  readonly detail?: string;
  readonly error?: string;
}

/**
 * Runs a target's steps in plan order. Each step relies on the labels the ones before it
 * left, so the first failure stops the rest (`skipped`): the next run observes again.
 */
export async function applyAwsSecretPlan(
  steps: readonly AwsSecretStep[],
  port: AwsSecretsPort,
): Promise<AwsStepResult[]> {
  const results: AwsStepResult[] = [];
  let failed = false;
  for (const s of steps) {
    const step = describeAwsStep(s);
    if (failed) {
      results.push({ step, outcome: 'skipped' });
      continue;
    }
    try {
      results.push({ step, outcome: 'done', detail: await applyAwsStep(s, port) });
    } catch (e) {
      failed = true;
      results.push({
        step,
        outcome: 'failed',
        error: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error',
      });
    }
  }
  return results;
}
