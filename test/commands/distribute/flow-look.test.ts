// A run looks before it takes the lease (flow.ts look()): the state, the failure issues, the
// preflight with its lists, the superseded check, the plans. With nothing to write it stops
// there, writing nothing. Otherwise it takes the lease by compare-and-swap on the very state
// commit it read, and only then may it go on with what it read: had anyone written the state
// in between (another run took the lease, wrote, released), the look is stale, and the run
// looks again under the lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import type { StateRefPort } from '../../../src/core/ports/github.ts';
import { startDistBed, type DistBed } from './bed.ts';

const KEYS = ['a', 'b'].map((n) => ({
  id: `svc/${n}`,
  type: 'random' as const,
  options: { bytes: 32, encoding: 'base64' as const },
  targets: [
    {
      kind: 'github-secret' as const,
      repository: 'acme/api',
      app: 'actions' as const,
      name: `TOKEN_${n.toUpperCase()}`,
    },
  ],
}));
const PUT = 'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}';
const LIST = 'GET /repos/{owner}/{repo}/actions/secrets';

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: ['acme/api'] });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

describe('the look before the lease', () => {
  it('is not trusted when the state moved before the lease was taken: the run looks again', async () => {
    // Run B runs whole between run A's look and A's first state write.
    let other: Awaited<ReturnType<typeof distribute>> | undefined;
    const ports = bed.ports();
    const state: StateRefPort = {
      ...ports.state,
      read: (ref) => ports.state.read(ref),
      async write(ref, parent, files, message) {
        // B's ports are the bed's own: this runs once.
        other ??= await distribute(bed.input({ holder: 'run B' }), bed.ports());
        return ports.state.write(ref, parent, files, message);
      },
    };
    bed.emu.clearLog();
    const a = await distribute(bed.input({ holder: 'run A' }), { ...ports, state });
    expect(other?.outcome).toBe('converged');
    expect(a.outcome).toBe('converged');
    // B wrote both secrets; A, looking again under the lease, found B's receipts proving
    // them and wrote nothing (its first look, from before B, would have written both again).
    expect(bed.emu.calls(PUT)).toBe(2);
    expect(a.keys.map((k) => k.outcome)).toEqual(['unchanged', 'unchanged']);
    // A's look had no receipt to check and did not list; B listed after its writes; A listed
    // under the lease, to check B's receipts.
    expect(bed.emu.calls(LIST)).toBe(2);
    bed.emu.assertNoInvalidRequests();
  });

  it('a lease held by another run: busy, and nothing read beyond the state', async () => {
    const ports = bed.ports();
    const got = await (
      await import('../../../src/commands/distribute/lease.ts')
    ).acquireLease(ports.state, { holder: 'someone', ttlMs: 60_000, now: () => bed.now() });
    expect(got.result).toBe('acquired');
    bed.emu.clearLog();
    const r = await distribute(bed.input(), bed.ports());
    expect(r.outcome).toBe('busy');
    expect(r.problems.join(' ')).toContain('someone');
    expect(bed.emu.requestLog.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(bed.emu.calls(LIST)).toBe(0);
    if (got.result === 'acquired') await got.lease.release(got.lease.receipts);
  });
});
