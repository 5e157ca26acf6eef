// distribute against the emulator: every target kind and scope converges to exactly the
// manifest's material; rotation, emergency and revocation leave no destroyed or compromised
// version anywhere; a second run writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import type { DistributeResult } from '../../../src/commands/distribute/types.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import { canary } from '../../support/canary.ts';
import { startDistBed, type DistBed } from './bed.ts';
import { targetChecks } from './targets-check.ts';

let bed: DistBed;
let expectDistributed: () => Promise<void>;
let expectGone: (gone: readonly { id: string; version: number }[]) => Promise<void>;
beforeAll(async () => {
  bed = await startDistBed();
  ({ expectDistributed, expectGone } = targetChecks(bed));
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

async function run(over: Parameters<DistBed['input']>[0] = {}) {
  const ports = bed.ports();
  const input = bed.input(over);
  const result = await distribute(input, ports);
  bed.emu.assertNoInvalidRequests();
  scan(result);
  return { result, writes: ports.writes, input };
}

function scan(result: DistributeResult) {
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    result: JSON.stringify(result),
    requests: bed.bodies.join('\n'),
  });
}

const secret = (id: string, v: number) => bed.material(id, v).secret;

describe('distribute', () => {
  it('converges every target to the manifest, records success, and masks every secret', async () => {
    const { result, writes, input } = await run();
    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe('converged');
    expect(result.status).toBe('success');
    expect(writes.length).toBeGreaterThan(0);
    await expectDistributed();
    const statuses = await bed.ports().statuses.listStatuses(bed.head(), DISTRIBUTION_CONTEXT);
    expect(statuses[0]).toMatchObject({ state: 'success', targetUrl: input.runUrl });
    expect(statuses[0]!.description!.length).toBeLessThanOrEqual(140);
    for (const id of ['payments/webhook', 'shared/npm', 'infra/deploy', 'auth/jwt'])
      expect(bed.masked.has(secret(id, 1))).toBe(true);
    expect(result.evidence).toMatchObject({
      schema: 'rekey.distribution/v1',
      commit: bed.head(),
      outcome: 'converged',
    });
    expect(result.keys.map((k) => k.outcome)).toEqual([
      'converged',
      'converged',
      'converged',
      'converged',
    ]);
  });

  it('a second run on the same commit writes nothing (receipts prove the secrets)', async () => {
    const { result, writes } = await run();
    expect(result.outcome).toBe('converged');
    expect(writes).toEqual([]);
    expect(result.keys.every((k) => k.outcome === 'unchanged')).toBe(true);
  });

  it('rotation, emergency and revocation: the slots follow, compromised and destroyed versions vanish', async () => {
    bed.advance(86_400_000);
    for (const id of ['payments/webhook', 'shared/npm', 'infra/deploy', 'auth/jwt'])
      await bed.rotate(id);
    await bed.commit('rekey: rotate all');
    expect((await run()).result.outcome).toBe('converged');
    await expectDistributed();

    bed.advance(86_400_000);
    for (const id of ['payments/webhook', 'shared/npm', 'infra/deploy', 'auth/jwt'])
      await bed.emergency(id, true);
    await bed.commit('rekey: emergency');
    const { result } = await run();
    expect(result.outcome).toBe('converged');
    await expectDistributed();
    await expectGone(
      ['payments/webhook', 'shared/npm', 'infra/deploy', 'auth/jwt'].map((id) => ({
        id,
        version: 2,
      })),
    );

    bed.advance(86_400_000);
    for (const id of ['payments/webhook', 'shared/npm', 'infra/deploy', 'auth/jwt'])
      bed.revoke(id, [1, 2]);
    await bed.commit('rekey: revoke');
    expect((await run()).result.outcome).toBe('converged');
    await expectDistributed();
    await expectGone(
      ['payments/webhook', 'shared/npm', 'infra/deploy', 'auth/jwt'].flatMap((id) => [
        { id, version: 1 },
        { id, version: 2 },
      ]),
    );
    expect(bed.emu.secretNames({ repository: 'acme/api' })).not.toContain('WEBHOOK_KEY_PREVIOUS');
  });
});
