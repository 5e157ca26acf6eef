// distribute with an aws-secret target (the real SDK against the Smithy-validated loopback
// endpoint) and an HTTPS probe (a loopback health endpoint with a CA made for the test), under
// a policy that says require-probes: true. Rotation, grace (the probe refutes until the
// consumer uses the new version: the key fails and the gate stays shut; once it confirms, the
// status is success and the gate opens after grace), revocation, compromise, a preflight
// failure that writes nothing, and the canary over logs, summary, evidence and requests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsSecretsAdapter } from '../../../src/adapters/targets/aws-secret.ts';
import { createHttpsProbe } from '../../../src/adapters/targets/probe-https.ts';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import type { DistributeResult } from '../../../src/commands/distribute/types.ts';
import { versionToken } from '../../../src/core/targets/aws-secret.ts';
import { AwsSecretsEndpoint } from '../../support/aws-endpoint.ts';
import { canary } from '../../support/canary.ts';
import { POLICY } from '../rotate-bed.ts';
import { startDistBed, type DistBed } from './bed.ts';

const ID = 'svc/aws';
const NAME = 'prod/svc/token';
let bed: DistBed;
let ep: AwsSecretsEndpoint;
let dir: string;
let ca: string;
let https: Server;
let health: string;
let serving = '';
const probeRequests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rekey-aws-probes-'));
  const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=test CA',
  );
  ssl('req', ...ec, '-keyout', 's.key', '-out', 's.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    's.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    's.pem',
    '-days',
    '1',
    '-extfile',
    'ext',
  );
  ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  https = createServer(
    { key: readFileSync(join(dir, 's.key')), cert: readFileSync(join(dir, 's.pem')) },
    (req, res) => {
      probeRequests.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
      res.end(`{"status":"ok","key":"${serving}"}`);
    },
  );
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  health = `https://127.0.0.1:${(https.address() as AddressInfo).port}/healthz`;

  ep = await new AwsSecretsEndpoint().start();
  ep.createSecret(NAME, {
    versionId: 'terraform-placeholder-000000000000000',
    value: 'placeholder',
  });
  bed = await startDistBed({
    keys: [
      {
        id: ID,
        type: 'random',
        options: { bytes: 32, encoding: 'base64' },
        targets: [
          {
            kind: 'aws-secret',
            'secret-id': NAME,
            region: 'eu-central-1',
            probe: { url: health, expect: 'fingerprint' },
          },
        ],
      },
    ],
  });
}, 120_000);
afterAll(async () => {
  await bed?.close();
  await ep?.stop();
  https?.closeAllConnections();
  await new Promise<void>((r) => https.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const aws = () =>
  createAwsSecretsAdapter({
    clientFor: (region) =>
      new SecretsManagerClient({
        region,
        endpoint: ep.url,
        credentials: { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-test-only' },
        maxAttempts: 1,
      }),
  });

async function run() {
  const ports = bed.ports({ targets: (t) => ({ ...t, kinds: { 'aws-secret': aws() } }) });
  const result = await distribute(bed.input(), { ...ports, probes: createHttpsProbe({ ca }) });
  bed.emu.assertNoInvalidRequests();
  expect(ep.invalid).toEqual([]);
  scan(result);
  return result;
}
function scan(result: DistributeResult) {
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    issues: JSON.stringify(bed.issues()),
    requests: bed.bodies.join('\n'),
    probes: probeRequests.join('\n'),
  });
}
const fp = (v: number) => bed.key(ID).versions.find((x) => x.version === v)!.fingerprint;
const tok = (v: number) => versionToken(ID, v);
const probesOf = (r: DistributeResult) => r.evidence.keys[0]!.targets[0]!.probes;

describe('aws-secret and probes through distribute', () => {
  it('first distribution: AWSCURRENT holds v1, the probe confirms it, evidence says so', async () => {
    serving = fp(1);
    const r = await run();
    expect(r.outcome).toBe('converged');
    expect(ep.valueAt(NAME, 'AWSCURRENT')).toBe(bed.material(ID, 1).secret);
    expect(ep.labels(NAME)[tok(1)]).toEqual(['AWSCURRENT']);
    expect(probesOf(r)).toEqual([
      expect.objectContaining({ version: 1, fingerprint: fp(1), outcome: 'confirmed', shows: [1] }),
    ]);
    expect(r.evidence.keys[0]!.targets[0]!.desired).toEqual([
      `v1 ${fp(1)} -> AWSCURRENT`,
      'nothing -> AWSPREVIOUS',
      'nothing -> AWSPENDING',
    ]);
  });

  it('with require-probes, a probe that still shows v1 fails the key and keeps the gate shut', async () => {
    bed.write('policies/standard.yaml', POLICY + 'require-probes: true\n');
    await bed.rotate(ID);
    await bed.commit('rekey: rotate svc/aws to v2');
    ep.calls.length = 0;
    const r = await run();
    // The write itself happened: one PutSecretValue, AWS moved AWSPREVIOUS onto v1.
    expect(ep.operations()).toEqual(['DescribeSecret', 'ListSecretVersionIds', 'PutSecretValue']);
    expect(ep.labels(NAME)).toMatchObject({ [tok(1)]: ['AWSPREVIOUS'], [tok(2)]: ['AWSCURRENT'] });
    expect(r.outcome).toBe('failed');
    expect(r.status).toBe('failure');
    expect(probesOf(r)).toEqual([
      expect.objectContaining({ version: 2, outcome: 'refuted', shows: [1] }),
    ]);
    expect(r.keys[0]!.targets[0]!.errors.join('\n')).toMatch(
      /refuted v2 .*the policy requires probes/,
    );
    expect(
      bed
        .issues()
        .map((i) => i.body)
        .join('\n'),
    ).toMatch(/probe GET .*healthz.*refuted v2/);
    expect(renderDistributeSummary(r)).toMatch(/probe refuted v2 \(shows v1, not v2 kcv:/);
    bed.advance(8 * 86_400_000);
    expect((await bed.gate(ID, 1, 'deactivated')).open).toBe(false);
  });

  it('once the consumer uses v2 the next run (no write) confirms it: success, the gate opens after grace', async () => {
    serving = fp(2);
    const before = ep.writes;
    const r = await run();
    expect(ep.writes).toBe(before);
    expect(r.outcome).toBe('converged');
    expect(probesOf(r)).toEqual([expect.objectContaining({ version: 2, outcome: 'confirmed' })]);
    expect((await bed.gate(ID, 1, 'deactivated')).open).toBe(false); // grace not over yet
    bed.advance(8 * 86_400_000);
    const verdict = await bed.gate(ID, 1, 'deactivated');
    expect(verdict).toMatchObject({ open: true });
    expect(verdict.reason).toMatch(/confirmed in use by 1 probe/);
  });

  it('revocation removes AWSPREVIOUS; an emergency leaves the compromised version without a label', async () => {
    bed.revoke(ID, [1]);
    await bed.commit('rekey: revoke svc/aws v1');
    expect((await run()).outcome).toBe('converged');
    expect(ep.labels(NAME)[tok(1)]).toEqual([]);
    await bed.emergency(ID, true);
    await bed.commit('rekey: emergency svc/aws');
    serving = fp(3);
    const r = await run();
    expect(r.outcome).toBe('converged');
    expect(ep.labels(NAME)).toMatchObject({ [tok(1)]: [], [tok(2)]: [], [tok(3)]: ['AWSCURRENT'] });
    expect(ep.valueAt(NAME, 'AWSCURRENT')).toBe(bed.material(ID, 3).secret);
  });

  it('preflight: credentials that may not read the secret fail the key before any write', async () => {
    await bed.rotate(ID);
    await bed.commit('rekey: rotate svc/aws to v4');
    ep.deny.add('DescribeSecret');
    const writes = ep.writes;
    const ports = bed.ports({ targets: (t) => ({ ...t, kinds: { 'aws-secret': aws() } }) });
    const r = await distribute(bed.input(), { ...ports, probes: createHttpsProbe({ ca }) });
    ep.deny.clear();
    scan(r);
    expect(r.outcome).toBe('preflight-failed');
    expect(r.problems.join('\n')).toMatch(
      /DescribeSecret prod\/svc\/token \(eu-central-1\): AccessDeniedException/,
    );
    expect(ep.writes).toBe(writes);
    expect(ports.writes).toEqual([]);
    // With the permission back, the next run converges.
    serving = fp(4);
    expect((await run()).outcome).toBe('converged');
    expect(ep.valueAt(NAME, 'AWSCURRENT')).toBe(bed.material(ID, 4).secret);
  });

  it('preflight: a secret that does not exist fails the key and nothing is written anywhere', async () => {
    const text = new TextDecoder().decode(bed.tree.get(`keys-manifest/${ID}/key.yaml`)!);
    bed.write(`keys-manifest/${ID}/key.yaml`, text.replace(NAME, 'prod/svc/missing'));
    await bed.commit('move the target');
    const writes = ep.writes;
    const ports = bed.ports({ targets: (t) => ({ ...t, kinds: { 'aws-secret': aws() } }) });
    const r = await distribute(bed.input(), { ...ports, probes: createHttpsProbe({ ca }) });
    scan(r);
    expect(r.outcome).toBe('preflight-failed');
    expect(r.problems.join('\n')).toMatch(/prod\/svc\/missing \(eu-central-1\) does not exist/);
    expect(ep.writes).toBe(writes);
    expect(ports.writes).toEqual([]);
  });
});
