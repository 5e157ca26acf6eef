/**
 * `aws-secret`: a secret of AWS Secrets Manager, one Secrets Manager version per rekey version,
 * the lifecycle on staging labels (../aws-secret.ts has the rules and the plan; the SDK adapter
 * is src/adapters/targets/aws-secret.ts). Fully observable (versions and labels, never values).
 */
import {
  applyAwsStep,
  AWS_CURRENT,
  AWS_PENDING,
  AWS_PREVIOUS,
  awsPreflightProblems,
  type AwsSecretObservation,
  type AwsSecretRef,
  type AwsSecretsPort,
  type AwsSecretStep,
  describeAwsStep,
  type DesiredAwsSecret,
  desiredAwsSecret,
  planAwsSecret,
} from '../aws-secret.ts';
import type { Observation, TargetKind } from '../kind.ts';

declare module '../kind.ts' {
  interface KindTypes {
    'aws-secret': {
      desired: DesiredAwsSecret;
      step: AwsSecretStep;
      /** `${region} ${secretId}` -> what was observed. */
      observed: ReadonlyMap<string, AwsSecretObservation>;
      port: AwsSecretsPort;
    };
  }
}

const refId = (r: AwsSecretRef) => `${r.region} ${r.secretId}`;
const seenOf = (d: DesiredAwsSecret, o: Observation): AwsSecretObservation | undefined =>
  o.kinds?.['aws-secret']?.get(refId(d.ref));
const portOf = (ports: { kinds?: { 'aws-secret'?: AwsSecretsPort } }): AwsSecretsPort => {
  const p = ports.kinds?.['aws-secret'];
  if (p === undefined) throw new Error('no AWS Secrets Manager port was configured for this run');
  return p;
};

export const awsSecretKind: TargetKind<'aws-secret'> = {
  kind: 'aws-secret',
  steps: ['aws-put-version', 'aws-move-stage'],

  where: (t) => `aws secret ${t['secret-id']} (${t.region})`,

  desired(t, i, ctx) {
    const live = ctx.key.versions.flatMap((v) => {
      const m = ctx.material(v.version);
      return m === undefined ? [] : [{ version: v.version, secret: m.secret }];
    });
    const { desired, problems } = desiredAwsSecret(ctx.key, t, i, live);
    for (const p of problems) ctx.problem(i, p);
    return desired;
  },

  async observe(d, ports, into) {
    const map = (into.kinds['aws-secret'] ??= new Map()) as Map<string, AwsSecretObservation>;
    const id = refId(d.ref);
    if (!map.has(id)) map.set(id, await portOf(ports).observe(d.ref));
  },

  async preflight(d, _ports, observed) {
    const seen = seenOf(d, observed);
    return seen === undefined
      ? [`${refId(d.ref)} was not observed`]
      : awsPreflightProblems(d.ref, seen);
  },

  plan(d, observed) {
    const seen = seenOf(d, observed);
    if (seen === undefined)
      return { steps: [], current: 0, problems: [{ target: d.target, message: 'not observed' }] };
    const p = planAwsSecret(d, seen);
    return {
      steps: p.steps,
      current: p.current,
      problems: p.problems.map((message) => ({ target: d.target, message })),
    };
  },

  async apply(step, ports) {
    return { detail: await applyAwsStep(step, portOf(ports)) };
  },

  describe: describeAwsStep,

  desiredLines: (d) =>
    ([AWS_CURRENT, AWS_PREVIOUS, AWS_PENDING] as const).map((stage) => {
      const w = d.stages[stage];
      return w === null ? `nothing -> ${stage}` : `v${w.version} ${w.fingerprint} -> ${stage}`;
    }),

  observedLines: (d, o) => {
    const seen = seenOf(d, o);
    if (seen === undefined) return ['not observed'];
    if (!seen.exists) return [`${d.ref.secretId} absent`];
    const labelled = [...seen.versions].filter(([, s]) => s.length > 0);
    return [
      `${seen.versions.size} version(s), ${seen.versions.size - labelled.length} deprecated`,
      ...labelled.map(([id, s]) => `${id}: ${[...s].sort().join(', ')}`),
    ];
  },

  claims: (d) => [`aws secret ${refId(d.ref)}`],
};
