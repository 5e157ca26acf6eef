// REST calls per run (docs/distribute.md): keys sharing a repository share its secret list and
// its public key (one of each per run), a write is its PUT alone (the receipts come from one
// list of the scope after the writes), and a run with nothing to do makes only reads plus the
// lease, the status and the failure-issue list: no public key, no read per secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { startDistBed, type DistBed } from './bed.ts';

const KEYS = ['a', 'b', 'c'].map((n) => ({
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

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: ['acme/api'] });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

const count = () => {
  const out: Record<string, number> = {};
  for (const r of bed.emu.requestLog) {
    const op = r.operation ?? `${r.method} ${r.path}`;
    out[op] = (out[op] ?? 0) + 1;
  }
  return out;
};

const SECRETS = '/repos/{owner}/{repo}/actions/secrets';

describe('REST calls of a run', () => {
  it('one public key and one list per scope written, one call per written secret', async () => {
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    const first = count();
    expect(first[`GET ${SECRETS}/public-key`]).toBe(1);
    // After the writes only (the receipts' updated_at): with no receipt in the scope nothing
    // depends on a list before them, every slot is written either way.
    expect(first[`GET ${SECRETS}`]).toBe(1);
    expect(first[`PUT ${SECRETS}/{secret_name}`]).toBe(3);
    expect(first[`GET ${SECRETS}/{secret_name}`]).toBeUndefined();
    expect(first['POST /repos/{owner}/{repo}/statuses/{sha}']).toBe(1);
    expect(first['GET /repos/{owner}/{repo}/branches/{branch}']).toBe(2);

    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    const second = count();
    expect(second[`PUT ${SECRETS}/{secret_name}`]).toBeUndefined();
    expect(second[`GET ${SECRETS}/public-key`]).toBeUndefined();
    expect(second[`GET ${SECRETS}`]).toBe(1);
    const mutating = bed.emu.requestLog.filter((r) => r.method !== 'GET').length;
    const total = bed.emu.requestLog.length;
    // Lease take and release (3 writes each) and the status ("0 changed, 3 unchanged" now);
    // everything else is a read: the lease state (ref, tree, 2 blobs), the branch head twice,
    // the status before it is written, one failure-issue list (the halted keys and the
    // records share it) and the secret list. 16 in all.
    expect(mutating).toBe(7);
    expect(total).toBe(16);
    expect(second['GET /repos/{owner}/{repo}/issues']).toBe(1);

    // A third run says what the second said: the status is read, not written again (GitHub
    // keeps at most 1,000 per sha and context).
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    expect(count()['POST /repos/{owner}/{repo}/statuses/{sha}']).toBeUndefined();
    expect(bed.emu.requestLog.filter((r) => r.method !== 'GET').length).toBe(6);
  });
});
