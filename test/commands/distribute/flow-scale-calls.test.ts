// The REST cost of distribute at scale, counted by the emulator (issue #13): a secret written
// costs its PUT and nothing else per secret (the public key and the lists are per scope), and
// a run with nothing to do costs calls per scope, not per secret: the same whether a scope
// holds one secret or ten. Counts, never timings: these figures cannot silently regress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { startDistBed, type DistBed } from './bed.ts';

const REPOS = ['acme/r0', 'acme/r1', 'acme/r2', 'acme/r3', 'acme/r4'];
const SECRETS = '/repos/{owner}/{repo}/actions/secrets';

/** `perRepo` keys, each written to every repository: perRepo * 5 secrets in 5 scopes. */
const keys = (perRepo: number) =>
  Array.from({ length: perRepo }, (_, k) => ({
    id: `svc/k${k}`,
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: REPOS.map((repository) => ({
      kind: 'github-secret' as const,
      repository,
      app: 'actions' as const,
      name: `TOKEN_${k}`,
    })),
  }));

const calls = (bed: DistBed) => {
  const by: Record<string, number> = {};
  for (const r of bed.emu.requestLog) {
    const op = r.operation ?? `${r.method} ${r.path}`;
    by[op] = (by[op] ?? 0) + 1;
  }
  return { by, total: bed.emu.requestLog.length };
};

/**
 * Calls of a first run (every secret written), of a second (nothing to do), and of a
 * rotation run (every key at v2, written on top of the first run's receipts).
 */
async function twoRuns(perRepo: number) {
  const bed = await startDistBed({ keys: keys(perRepo), repos: REPOS });
  try {
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    const first = calls(bed);
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    const noop = calls(bed);
    for (let k = 0; k < perRepo; k++) await bed.rotate(`svc/k${k}`);
    await bed.commit('rekey: rotate all');
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    const rotation = calls(bed);
    bed.emu.assertNoInvalidRequests();
    return { first, noop, rotation };
  } finally {
    await bed.close();
  }
}

let one: Awaited<ReturnType<typeof twoRuns>>;
let ten: Awaited<ReturnType<typeof twoRuns>>;
beforeAll(async () => {
  one = await twoRuns(1);
  ten = await twoRuns(10);
}, 240_000);
afterAll(() => undefined);

describe('REST calls of distribute, counted by the emulator', () => {
  it('a written secret costs its PUT alone; public key and lists are per scope', () => {
    const { by, total } = ten.first;
    expect(by[`PUT ${SECRETS}/{secret_name}`]).toBe(50);
    expect(by[`GET ${SECRETS}/{secret_name}`]).toBeUndefined();
    expect(by[`GET ${SECRETS}/public-key`]).toBe(5);
    // After the writes, per scope; none before them (no receipt there: nothing depends on it).
    expect(by[`GET ${SECRETS}`]).toBe(5);
    // The run's own calls (lease, state, branch head, status, issues) do not grow with
    // secrets: ten times the secrets, the same calls besides the PUTs.
    expect(total - 50).toBe(one.first.total - 5);
    // Fixed: the state read (1: not there yet), lease take and release (6), the branch head
    // once, the status (read, written), rekey/state on the released state commit, and one
    // failure-issue list shared by the halted check and the records.
    expect(total - 50 - 2 * 5).toBe(12);
  });

  it('a run with nothing to do costs calls per scope, the same for 5 secrets as for 50', () => {
    for (const { noop } of [one, ten]) {
      expect(noop.by[`PUT ${SECRETS}/{secret_name}`]).toBeUndefined();
      expect(noop.by[`GET ${SECRETS}/public-key`]).toBeUndefined();
      expect(noop.by[`GET ${SECRETS}/{secret_name}`]).toBeUndefined();
      expect(noop.by[`GET ${SECRETS}`]).toBe(5);
    }
    expect(ten.noop.total).toBe(one.noop.total);
    // 5 lists and the run's fixed cost, all reads: the state 4 (ref, tree, 2 blobs) and who
    // vouched for it 1, one issue list, the branch head, the status (it says so already). No
    // lease: nothing to write.
    expect(ten.noop.total).toBe(5 + 8);
    expect(ten.noop.by['PATCH /repos/{owner}/{repo}/git/refs/{ref}']).toBeUndefined();
    expect(ten.noop.by['POST /repos/{owner}/{repo}/statuses/{sha}']).toBeUndefined();
  });
});

describe('a rotation run', () => {
  it('writes on top of receipts for other versions without listing before the writes', () => {
    const { by, total } = ten.rotation;
    expect(by[`PUT ${SECRETS}/{secret_name}`]).toBe(50);
    expect(by[`GET ${SECRETS}/public-key`]).toBe(5);
    // Each scope's receipts are for v1, every slot wants v2: nothing could be proven current,
    // so the only list is the one after the writes.
    expect(by[`GET ${SECRETS}`]).toBe(5);
    // The run's own: as the first run's, but the state is there now (ref, tree, 2 blobs
    // instead of one 404) and is vouched for (1): 16.
    expect(total - 50 - 2 * 5).toBe(16);
    expect(by['GET /repos/{owner}/{repo}/git/trees/{tree_sha}']).toBe(1);
  });
});

describe('the receipts of a scope are read right after its last write', () => {
  it('a scope is listed once its writers are done, before the writes of keys that come later', async () => {
    // Key k0 writes to acme/r0 only, k1 to acme/r1 only; one key at a time.
    const disjoint = [0, 1].map((k) => ({
      ...keys(1)[0]!,
      id: `svc/only-${k}`,
      targets: [
        {
          kind: 'github-secret' as const,
          repository: REPOS[k]!,
          app: 'actions' as const,
          name: `ONLY_${k}`,
        },
      ],
    }));
    const bed = await startDistBed({ keys: disjoint, repos: REPOS.slice(0, 2) });
    try {
      bed.emu.clearLog();
      const run = await distribute(bed.input({ concurrency: 1 }), bed.ports());
      expect(run.outcome).toBe('converged');
      const log = bed.emu.requestLog.map((r) => `${r.method} ${r.path.split('?')[0]}`);
      /** Index of the nth request matching `re`. */
      const at = (re: RegExp, nth = 0) =>
        log.flatMap((l, i) => (re.test(l) ? [i] : []))[nth] ?? Number.NaN;
      const list0 = /^GET .*\/repos\/acme\/r0\/actions\/secrets$/;
      const put0 = /^PUT .*\/repos\/acme\/r0\/actions\/secrets\/ONLY_0$/;
      const put1 = /^PUT .*\/repos\/acme\/r1\/actions\/secrets\/ONLY_1$/;
      // The list of acme/r0 (after its write; none before it) comes before acme/r1 is written.
      expect(at(list0, 1)).toBeNaN();
      expect(at(list0)).toBeGreaterThan(at(put0));
      expect(at(list0)).toBeLessThan(at(put1));
    } finally {
      await bed.close();
    }
  }, 120_000);
});
