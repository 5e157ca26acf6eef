// 3 of 5 targets failing: the run fails visibly (status failure, one issue per failed key),
// the revocation gate stays closed; once the fault clears, ONE re-run converges, closes the
// issues and opens the gate (after grace).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import { canary } from '../../support/canary.ts';
import { simpleKeys, simpleRepos, startDistBed, type DistBed } from './bed.ts';

const KEYS = simpleKeys(5);
const ids = KEYS.map((k) => k.id);

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: simpleRepos(5) });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

const run = async () => {
  const result = await distribute(bed.input(), bed.ports());
  bed.emu.assertNoInvalidRequests();
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    requests: bed.bodies.join('\n'),
    issues: bed
      .issues()
      .map((i) => [i.title, i.body ?? '', ...i.comments.map((c) => c.body)].join('\n'))
      .join('\n'),
  });
  return result;
};

describe('distribute with 3 of 5 targets failing', () => {
  it('fails visibly, keeps the gate closed, and one re-run after the fault converges', async () => {
    expect((await run()).outcome).toBe('converged');

    bed.advance(86_400_000);
    for (const id of ids) await bed.rotate(id);
    const commit = await bed.commit('rekey: rotate all five');
    bed.emu.inject({
      method: 'PUT',
      path: /\/repos\/acme\/r[123]\/actions\/secrets\/TOKEN$/,
      status: 403,
      times: 3,
    });

    const failed = await run();
    expect(failed.outcome).toBe('failed');
    expect(failed.status).toBe('failure');
    expect(failed.keys.filter((k) => k.outcome === 'failed').map((k) => k.key)).toEqual(
      ids.slice(0, 3),
    );
    expect(failed.keys.filter((k) => k.outcome === 'converged').map((k) => k.key)).toEqual(
      ids.slice(3),
    );
    const status = (await bed.ports().statuses.listStatuses(commit, DISTRIBUTION_CONTEXT))[0]!;
    expect(status.state).toBe('failure');
    expect(status.description).toMatch(/3 of 5 keys/);
    expect(status.description!.length).toBeLessThanOrEqual(140);
    const open = bed.issues().filter((i) => i.state === 'open');
    expect(open).toHaveLength(3);
    for (const k of failed.keys.slice(0, 3)) expect(k.issue).toMatch(/\/issues\/\d+$/);
    // The failed step is in the summary, the evidence and the issue, by name and route.
    expect(renderDistributeSummary(failed)).toMatch(/FAILED put secret TOKEN/);
    expect(open[0]!.body).toMatch(/TOKEN/);

    bed.advance(8 * 86_400_000);
    for (const id of ids) expect((await bed.gate(id, 1, 'deactivated')).open).toBe(false);

    // The fault is spent: the next run converges in one go.
    bed.emu.clearLog();
    const again = await run();
    expect(again.outcome).toBe('converged');
    expect(again.status).toBe('success');
    // Only what differed is written: the 3 failed `name` slots (previous slots hold receipts).
    expect(bed.emu.calls('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}')).toBe(3);
    expect(bed.issues().filter((i) => i.state === 'open')).toHaveLength(0);
    for (const id of ids)
      expect(bed.emu.openSecret({ repository: `acme/r${id.slice(-1)}` }, 'TOKEN')).toBe(
        bed.material(id, 2).secret,
      );

    bed.advance(8 * 86_400_000);
    for (const id of ids) expect((await bed.gate(id, 1, 'deactivated')).open).toBe(true);
  });
});
