// REST calls per run (docs/distribute.md): keys sharing a repository share its secret list and
// its public key (one of each per run), a write is its PUT alone (the receipts come from one
// list of the scope after the writes), and a run with nothing to do makes only reads: the
// state, the failure-issue list, the lists, the branch head and the status; no lease, no
// public key, no read per secret.
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
    // rekey/distribution on the commit, and rekey/state on the state commit released (the ref
    // did not exist before: no state status to read).
    expect(first['POST /repos/{owner}/{repo}/statuses/{sha}']).toBe(2);
    expect(first['GET /repos/{owner}/{repo}/commits/{ref}/statuses']).toBe(1);
    // One superseded check, after the preflight and before the first write.
    expect(first['GET /repos/{owner}/{repo}/branches/{branch}']).toBe(1);

    // The same commit again: everything is current and the status says so already. The run
    // looks (the state and who vouched for it, the failure issues, the list, the branch head,
    // the status) and writes nothing, not even the lease: 9 reads.
    const state = await bed.stateRef.read('refs/rekey/distribution');
    for (let i = 0; i < 2; i++) {
      bed.emu.clearLog();
      expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
      const again = count();
      expect(again[`PUT ${SECRETS}/{secret_name}`]).toBeUndefined();
      expect(again[`GET ${SECRETS}/public-key`]).toBeUndefined();
      expect(again[`GET ${SECRETS}`]).toBe(1);
      expect(again['GET /repos/{owner}/{repo}/issues']).toBe(1);
      expect(again['GET /repos/{owner}/{repo}/branches/{branch}']).toBe(1);
      // rekey/state on the state commit, rekey/distribution on the commit.
      expect(again['GET /repos/{owner}/{repo}/commits/{ref}/statuses']).toBe(2);
      expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(bed.emu.requestLog.length).toBe(9);
    }
    expect((await bed.stateRef.read('refs/rekey/distribution'))?.commit).toBe(state?.commit);
  });
});
