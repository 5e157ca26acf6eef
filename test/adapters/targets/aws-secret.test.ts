// The aws-secret target against the loopback Secrets Manager endpoint, which validates every
// request against AWS's Smithy model (test/support/aws-endpoint.ts). The scenarios the GitHub
// targets pass: rotation, grace, revocation, compromise, preflight failure writes nothing,
// a crash after each single write converges (never a second version), and the canary.
import { inspect } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsSecretsAdapter } from '../../../src/adapters/targets/aws-secret.ts';
import type { KeyDocument, VersionEntry } from '../../../src/core/formats/key.ts';
import {
  applyAwsSecretPlan,
  type AwsMaterial,
  desiredAwsSecret,
  planAwsSecret,
  versionToken,
} from '../../../src/core/targets/aws-secret.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { AwsSecretsEndpoint } from '../../support/aws-endpoint.ts';
import { canary } from '../../support/canary.ts';

const KEY = 'payments/webhook-signing';
const NAME = 'prod/payments/webhook';
const TARGET = { kind: 'aws-secret' as const, 'secret-id': NAME, region: 'eu-central-1' };
const FOREIGN = 'terraform-initial-00000000000000000000';

let ep: AwsSecretsEndpoint;
let errors: string[];

beforeEach(async () => {
  ep = await new AwsSecretsEndpoint().start();
  ep.createSecret(NAME, { versionId: FOREIGN, value: 'placeholder set by terraform' });
  errors = [];
});
afterEach(async () => {
  expect(ep.invalid).toEqual([]);
  await ep.stop();
});

const material = new Map<number, string>();
function secretOf(v: number): string {
  let s = material.get(v);
  if (s === undefined) {
    s = `aws-canary-${v}-${Buffer.from(`material of v${v} for ${KEY}`).toString('base64url')}`;
    material.set(v, s);
    canary.register(s);
  }
  return s;
}

function keyDoc(states: Record<number, VersionEntry['state']>): KeyDocument {
  return {
    id: KEY,
    description: 'test',
    owner: '@acme/payments',
    policy: 'standard',
    type: 'random',
    options: { bytes: 32, encoding: 'base64' },
    targets: [],
    versions: Object.entries(states)
      .map(([v, state]) => ({
        version: Number(v),
        state,
        created: '2026-11-01T00:00:00Z',
        fingerprint: `kcv:${Number(v).toString(16).padStart(16, '0')}`,
      }))
      .sort((a, b) => b.version - a.version),
  };
}

function port() {
  return createAwsSecretsAdapter({
    clientFor: (region) =>
      new SecretsManagerClient({
        region,
        endpoint: ep.url,
        credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-test-only' },
        maxAttempts: 1,
      }),
  });
}

/** One distribution of the aws-secret target: observe, plan, apply. */
async function run(states: Record<number, VersionEntry['state']>) {
  const doc = keyDoc(states);
  const live: AwsMaterial[] = doc.versions
    .filter((v) => v.state !== 'destroyed')
    .map((v) => ({ version: v.version, secret: SecretValue.of(secretOf(v.version)) }));
  const { desired, problems } = desiredAwsSecret(doc, TARGET, 0, live);
  expect(problems).toEqual([]);
  const p = port();
  const plan = planAwsSecret(desired!, await p.observe(desired!.ref));
  const results = await applyAwsSecretPlan(plan.steps, p);
  for (const r of results) if (r.error) errors.push(r.error);
  canary.scan({
    plan: JSON.stringify(plan) + inspect(plan, { depth: 10 }),
    results: JSON.stringify(results),
  });
  return { plan, results };
}

const tok = (v: number) => versionToken(KEY, v);
const writes = () =>
  ep.calls.filter(
    (c) => c.operation === 'PutSecretValue' || c.operation === 'UpdateSecretVersionStage',
  );

describe('aws-secret', () => {
  it('the version token is deterministic, 32-64 characters, and differs per key and version', () => {
    expect(tok(3)).toBe(versionToken(KEY, 3));
    expect(tok(3)).not.toBe(tok(4));
    expect(tok(3)).not.toBe(versionToken('payments/other', 3));
    for (const t of [tok(1), tok(1_000_000), versionToken('a'.repeat(100), 999_999)]) {
      expect(t.length).toBeGreaterThanOrEqual(32);
      expect(t.length).toBeLessThanOrEqual(64);
    }
  });

  it('first distribution, rotation, grace and revocation move the labels and nothing else', async () => {
    // v1 active: onto AWSCURRENT; the placeholder AWS moved to AWSPREVIOUS loses it.
    let r = await run({ 1: 'active' });
    expect(r.plan.steps.map((s) => s.kind)).toEqual(['aws-put-version', 'aws-move-stage']);
    expect(ep.labels(NAME)).toEqual({ [FOREIGN]: [], [tok(1)]: ['AWSCURRENT'] });
    expect(ep.valueAt(NAME, 'AWSCURRENT')).toBe(secretOf(1));

    // Rotation: v2 active, v1 in grace. One write: AWS moves AWSPREVIOUS onto v1 by itself.
    ep.calls.length = 0;
    r = await run({ 2: 'active', 1: 'deactivated' });
    expect(r.plan.steps.map((s) => s.kind)).toEqual(['aws-put-version']);
    expect(ep.operations()).toEqual(['DescribeSecret', 'ListSecretVersionIds', 'PutSecretValue']);
    const put = ep.calls.find((c) => c.operation === 'PutSecretValue')!;
    expect(put.body['ClientRequestToken']).toBe(tok(2));
    expect(put.body['VersionStages']).toEqual(['AWSCURRENT']);
    expect(ep.labels(NAME)).toEqual({
      [FOREIGN]: [],
      [tok(1)]: ['AWSPREVIOUS'],
      [tok(2)]: ['AWSCURRENT'],
    });
    expect(ep.valueAt(NAME, 'AWSPREVIOUS')).toBe(secretOf(1));

    // Grace: running again writes nothing (2 reads).
    ep.calls.length = 0;
    r = await run({ 2: 'active', 1: 'deactivated' });
    expect(r.plan).toMatchObject({ steps: [], current: 3 });
    expect(ep.operations()).toEqual(['DescribeSecret', 'ListSecretVersionIds']);

    // Revocation: v1 destroyed loses AWSPREVIOUS and is deprecated.
    r = await run({ 2: 'active', 1: 'destroyed' });
    expect(r.results.map((x) => x.step)).toEqual([
      `remove AWSPREVIOUS of aws secret ${NAME} (eu-central-1) from ${tok(1)}: no version is in grace`,
    ]);
    expect(ep.labels(NAME)[tok(1)]).toEqual([]);
    expect(ep.valueAt(NAME, 'AWSPREVIOUS')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('compromise: the compromised version loses every label in the same run, grace kept for the older one', async () => {
    await run({ 1: 'active' });
    await run({ 2: 'active', 1: 'deactivated' });
    // Someone's own label on v2 goes too.
    ep.secrets.get(NAME)!.versions.get(tok(2))!.stages.add('APP-CANARY');
    const r = await run({ 3: 'active', 2: 'compromised', 1: 'deactivated' });
    expect(r.plan.steps.map((s) => `${s.kind} ${s.stage}`)).toEqual([
      'aws-put-version AWSCURRENT',
      'aws-move-stage AWSPREVIOUS',
      'aws-move-stage APP-CANARY',
    ]);
    expect(ep.labels(NAME)).toEqual({
      [FOREIGN]: [],
      [tok(1)]: ['AWSPREVIOUS'],
      [tok(2)]: [],
      [tok(3)]: ['AWSCURRENT'],
    });
    // Deprecated: DescribeSecret no longer lists it.
    expect(ep.operations().includes('DescribeSecret')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('pre-activation goes to AWSPENDING, promotion moves AWSCURRENT and clears AWSPENDING', async () => {
    await run({ 1: 'active' });
    await run({ 2: 'pre-activation', 1: 'active' });
    expect(ep.labels(NAME)[tok(2)]).toEqual(['AWSPENDING']);
    expect(ep.valueAt(NAME, 'AWSCURRENT')).toBe(secretOf(1));
    const r = await run({ 2: 'active', 1: 'deactivated' });
    expect(r.plan.steps.map((s) => `${s.kind} ${s.stage}`)).toEqual([
      'aws-move-stage AWSCURRENT',
      'aws-move-stage AWSPENDING',
    ]);
    expect(ep.labels(NAME)).toMatchObject({ [tok(1)]: ['AWSPREVIOUS'], [tok(2)]: ['AWSCURRENT'] });
    expect(errors).toEqual([]);
  });

  it('preflight: a missing secret, a deleted one or one with rotation enabled plans no write', async () => {
    const p = port();
    const doc = keyDoc({ 1: 'active' });
    const live = [{ version: 1, secret: SecretValue.of(secretOf(1)) }];
    const cases: [string, (s: ReturnType<typeof ep.createSecret>) => void, RegExp][] = [
      ['missing/secret', () => ep.secrets.delete('missing/secret'), /does not exist/],
      ['deleted/secret', (s) => (s.deleted = true), /scheduled for deletion/],
      ['rotating/secret', (s) => (s.rotationEnabled = true), /rotation enabled/],
    ];
    for (const [name, change, message] of cases) {
      change(ep.createSecret(name));
      const { desired } = desiredAwsSecret(doc, { ...TARGET, 'secret-id': name }, 0, live);
      const plan = planAwsSecret(desired!, await p.observe(desired!.ref));
      expect(plan.steps).toEqual([]);
      expect(plan.problems.join('\n')).toMatch(message);
    }
    expect(writes()).toEqual([]);
  });

  it('a crash after each single write converges on the next run, with one version per rekey version', async () => {
    const scenario = [
      { 1: 'active' },
      { 2: 'pre-activation', 1: 'active' },
      { 3: 'active', 2: 'compromised', 1: 'deactivated' },
    ] as const;
    // The uncrashed outcome, and how many writes each run makes.
    const perRun: number[] = [];
    for (const s of scenario) {
      const before = ep.writes;
      await run(s);
      perRun.push(ep.writes - before);
    }
    const want = ep.labels(NAME);
    expect(perRun).toEqual([2, 1, 2]);

    for (let i = 0; i < scenario.length; i++)
      for (let k = 1; k <= perRun[i]!; k++) {
        await ep.stop();
        ep = await new AwsSecretsEndpoint().start();
        ep.createSecret(NAME, { versionId: FOREIGN, value: 'placeholder set by terraform' });
        for (const s of scenario.slice(0, i)) await run(s);
        ep.crashAfterWrites = ep.writes + k;
        const crashed = await run(scenario[i]!);
        expect(crashed.results.some((x) => x.outcome === 'failed')).toBe(true);
        ep.crashAfterWrites = undefined;
        errors.length = 0;
        for (const s of scenario.slice(i)) await run(s);
        expect(errors).toEqual([]);
        expect(ep.labels(NAME)).toEqual(want);
        // Converged: one more run plans nothing.
        expect((await run(scenario.at(-1)!)).plan.steps).toEqual([]);
      }
  });

  it('a re-sent write with the same token makes no second version, and says the label is missing', async () => {
    await run({ 1: 'active' });
    const p = port();
    const ref = { region: 'eu-central-1', secretId: NAME };
    const err = await p.putVersion(ref, tok(1), SecretValue.of(secretOf(1)), 'AWSPENDING').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/VersionExisted/);
    expect(Object.keys(ep.labels(NAME))).toHaveLength(2);
    // Other data under the same token is refused by AWS, and nothing of it is quoted.
    const other = `aws-canary-other-${'x'.repeat(24)}`;
    canary.register(other);
    const refused = await p.putVersion(ref, tok(1), SecretValue.of(other), 'AWSCURRENT').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toBe(
      `PutSecretValue ${NAME} (eu-central-1): ResourceExistsException (HTTP 400)`,
    );
    canary.scan({ error: `${refused?.message}\n${inspect(refused)}\n${JSON.stringify(refused)}` });
    expect(ep.valueAt(NAME, 'AWSCURRENT')).toBe(secretOf(1));
  });

  it('access denied: a read names the missing action, a write only its error name; nothing is written', async () => {
    ep.deny.add('ListSecretVersionIds');
    const p = port();
    const ref = { region: 'eu-central-1', secretId: NAME };
    await expect(p.observe(ref)).rejects.toThrow(
      /^ListSecretVersionIds prod\/payments\/webhook \(eu-central-1\): AccessDeniedException \(HTTP 400\): User: .* is not authorized to perform: secretsmanager:ListSecretVersionIds/,
    );
    ep.deny.add('PutSecretValue');
    const err = await p.putVersion(ref, tok(1), SecretValue.of(secretOf(1)), 'AWSCURRENT').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(
      `PutSecretValue ${NAME} (eu-central-1): AccessDeniedException (HTTP 400)`,
    );
    canary.scan({ error: `${err?.message}\n${inspect(err)}` });
    expect(ep.writes).toBe(0);
  });

  it('every request is validated against the Smithy model: a bad one is refused', async () => {
    const client = new SecretsManagerClient({
      region: 'eu-central-1',
      endpoint: ep.url,
      credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-test-only' },
      maxAttempts: 1,
    });
    const { PutSecretValueCommand, UpdateSecretVersionStageCommand } =
      await import('@aws-sdk/client-secrets-manager');
    const bad = [
      new PutSecretValueCommand({ SecretId: NAME, ClientRequestToken: 'short', SecretString: 'x' }),
      new UpdateSecretVersionStageCommand({ SecretId: NAME, VersionStage: '' }),
      new PutSecretValueCommand({ SecretId: '', SecretString: 'x', ClientRequestToken: tok(9) }),
    ];
    for (const cmd of bad)
      await expect(client.send(cmd as never)).rejects.toMatchObject({
        name: 'ValidationException',
      });
    expect(ep.invalid).toEqual([
      'PutSecretValue.ClientRequestToken: shorter than 32',
      'UpdateSecretVersionStage.VersionStage: shorter than 1',
      'PutSecretValue.SecretId: shorter than 1',
    ]);
    ep.invalid.length = 0;
    expect(writes().every((c) => c.status === 400)).toBe(true);
    // The SigV4 signature is recomputed: a wrong secret key is refused before anything runs.
    const forged = new SecretsManagerClient({
      region: 'eu-central-1',
      endpoint: ep.url,
      credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'not-the-secret-key' },
      maxAttempts: 1,
    });
    await expect(
      forged.send(
        new PutSecretValueCommand({
          SecretId: NAME,
          ClientRequestToken: tok(9),
          SecretString: 'x'.repeat(20),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    expect(ep.writes).toBe(0);
  });
});
