// Who wrote the state (state-auth.ts) through the real lease against the emulator: a crash
// between the ref move and the status, a ref from before rekey vouched for its state, the
// bound of the walk back, an unpinned pipeline, and receipts only unvouched commits hold
// (removal-only, stored apart, never laundered into vouched receipts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createStateRefAdapter } from '../../../src/adapters/github/refs.ts';
import {
  acquireLease,
  LEASE_FILE,
  type LeaseOutcome,
  readReceipts,
  RECEIPTS_FILE,
  UNVOUCHED_FILE,
} from '../../../src/commands/distribute/lease.ts';
import {
  findVouched,
  removalOnly,
  STATE_CONTEXT,
  STATE_WALK_LIMIT,
} from '../../../src/commands/distribute/state-auth.ts';
import type { StateRefPort } from '../../../src/core/ports/github.ts';
import type { SecretReceipt } from '../../../src/core/targets/plan.ts';
import { AT, type Bed, startBed } from '../../adapters/github/harness.ts';

const TTL = 10 * 60_000;
const T0 = Date.parse('2026-11-22T07:00:00.000Z');
const APP = ['rekey[bot]'];

let bed: Bed;
let refNo = 0;
const freshRef = () => `refs/rekey-test/auth-${++refNo}`;
const port = (): StateRefPort => createStateRefAdapter(bed.client(), AT);
let t = T0;
const opts = (holder: string, trusted: readonly string[] | undefined = APP) => ({
  holder,
  ttlMs: TTL,
  now: () => new Date(t),
  ...(trusted ? { trusted } : {}),
});

function acquired(o: LeaseOutcome) {
  if (o.result !== 'acquired') throw new Error(`expected acquired, got busy (${o.holder})`);
  return o.lease;
}

const receipt = (name: string, second: number): SecretReceipt => ({
  kind: 'github-secret',
  scope: 'actions:repo:acme/api',
  name,
  fingerprint: 'kcv:5f3a9c0d1e2b4a6f',
  updatedAt: `2026-11-22T07:01:${String(second).padStart(2, '0')}Z`,
  key: 'svc/api',
  version: 1,
});
const A = receipt('A_TOKEN', 1);
const B = receipt('B_TOKEN', 2);

const files = (lease: object, receipts: readonly object[]) =>
  new Map([
    [LEASE_FILE, `${JSON.stringify(lease, null, 2)}\n`],
    [RECEIPTS_FILE, `${JSON.stringify(receipts, null, 2)}\n`],
  ]);
const released = (holder: string) => ({
  holder,
  acquiredAt: new Date(T0).toISOString(),
  expiresAt: new Date(T0 + TTL).toISOString(),
  released: true,
});

/** A commit pushed onto the ref by someone (no status): its receipts as given. */
async function push(ref: string, receipts: readonly object[], holder = 'someone') {
  const p = port();
  const head = await p.read(ref);
  const w = await p.write(ref, head?.commit ?? null, files(released(holder), receipts), 'push');
  if (w.result !== 'written') throw new Error('setup');
  return w.commit;
}

/** A run of rekey: takes the lease and stores `receipts`. */
async function rekeyRun(ref: string, receipts: readonly SecretReceipt[], trusted = APP) {
  t += 1_000;
  const lease = acquired(await acquireLease(port(), opts('run', trusted), ref));
  await lease.release(receipts);
  return lease;
}

beforeAll(async () => {
  bed = await startBed();
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

describe('the receipts a run trusts come from the newest commit rekey vouched for', () => {
  it('a crash between the ref move and the status: the next run trusts the commit before, writes again, forgets nothing', async () => {
    const ref = freshRef();
    await rekeyRun(ref, [A]);
    // The run that crashes: it stored A and B, moved the ref, and died before vouching.
    t += 1_000;
    const dying = port();
    const crashing = acquired(
      await acquireLease(
        {
          ...dying,
          vouch: () => Promise.reject(new Error('the runner died')),
        },
        opts('crashing'),
        ref,
      ),
    );
    await expect(crashing.release([A, B])).rejects.toThrow(
      /stored on refs\/rekey-test\/auth-\d+ at [0-9a-f]{12} but not vouched for \(rekey\/state\): the runner died/,
    );
    expect(
      JSON.parse((await port().read(ref))!.files.get(LEASE_FILE)!) as { released: boolean },
    ).toMatchObject({ released: true });

    // Next run: B is not trusted (its secret is written again), but it still names B as
    // something rekey may have written (removal-only). A crash costs redundant writes.
    t += 1_000;
    const next = acquired(await acquireLease(port(), opts('next'), ref));
    expect(next.receipts).toEqual([A]);
    expect(next.unvouched).toEqual([B]);
    expect(next.tampering).toMatch(/1 not there, 0 missing/);
    expect(next.tampering).toMatch(/a run stopped between moving the ref and vouching for it/);
    // B came back from the run (its orphan removal did not settle): stored apart, vouched as
    // removal-only, never among the receipts.
    await next.release([A, ...next.unvouched]);
    const head = (await port().read(ref))!;
    expect(JSON.parse(head.files.get(RECEIPTS_FILE)!)).toEqual([A]);
    expect(JSON.parse(head.files.get(UNVOUCHED_FILE)!)).toEqual([B]);
    expect(await port().vouchers(head.commit, STATE_CONTEXT)).toEqual(['rekey[bot]']);
    t += 1_000;
    const after = acquired(await acquireLease(port(), opts('after'), ref));
    expect(after.receipts).toEqual([A]);
    expect(after.unvouched).toEqual([B]);
    expect(after.tampering).toBeNull();
    await after.release([A]);
    expect((await port().read(ref))!.files.has(UNVOUCHED_FILE)).toBe(false);
  });

  it('a legacy ref (no status anywhere): nothing trusted, everything written once, receipts kept for removal', async () => {
    const ref = freshRef();
    await push(ref, [A], 'old rekey');
    await push(ref, [A, B], 'old rekey');
    bed.emu.clearLog();
    const lease = acquired(await acquireLease(port(), opts('upgraded'), ref));
    expect(lease.receipts).toEqual([]);
    expect(lease.unvouched).toEqual([A, B]);
    expect(lease.tampering).toMatch(/no commit of the ref is vouched for/);
    expect(lease.tampering).toMatch(/every secret is written once/);
    // head vouchers, then per ancestor its parents and vouchers, then the root's parents (none).
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/commits/{ref}/statuses')).toBe(2);
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/git/commits/{commit_sha}')).toBe(2);
    // Never a receipt quoted: counts and commits only.
    expect(lease.tampering).not.toMatch(/A_TOKEN|kcv:/);
    await lease.release([]);
    expect(await readReceipts(port(), ref, { trusted: APP })).toEqual([]);
  });

  it(`walks back at most ${STATE_WALK_LIMIT} commits`, async () => {
    const ref = freshRef();
    await rekeyRun(ref, [A]);
    for (let i = 0; i < STATE_WALK_LIMIT - 1; i++) await push(ref, [A, B]);
    const p = port();
    const head = (await p.read(ref))!.commit;
    bed.emu.clearLog();
    const found = await findVouched(p, head, { trusted: APP });
    expect(found).toMatchObject({ depth: STATE_WALK_LIMIT - 1 });
    expect(found.calls).toBe(bed.emu.calls());
    expect(found.calls).toBe(2 * STATE_WALK_LIMIT - 1);
    expect(await readReceipts(p, ref, { trusted: APP })).toEqual([A]);

    // One more: past the bound nothing is trusted (every secret written once; B and A only
    // name orphans). The report says why.
    await push(ref, [A, B]);
    const past = await findVouched(p, (await p.read(ref))!.commit, { trusted: APP });
    expect(past).toMatchObject({ commit: null, why: 'limit' });
    t += 1_000;
    const lease = acquired(await acquireLease(port(), opts('bounded'), ref));
    expect(lease.receipts).toEqual([]);
    expect(lease.unvouched).toEqual([A, B]);
    expect(lease.tampering).toMatch(new RegExp(`no commit among the last ${STATE_WALK_LIMIT}`));
  });

  it('renewals are vouched for: a long run that dies after many of them does not push the vouched commit out of reach', async () => {
    const ref = freshRef();
    await rekeyRun(ref, [A]);
    t += 1_000;
    const long = acquired(await acquireLease(port(), opts('long'), ref));
    for (let i = 0; i < STATE_WALK_LIMIT + 1; i++) await long.renew();
    // It dies here, holding the lease; once it expires the next run takes it over.
    t += 2 * TTL;
    bed.emu.clearLog();
    const next = acquired(await acquireLease(port(), opts('next'), ref));
    expect(next.receipts).toEqual([A]);
    expect(next.tampering).toBeNull();
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/commits/{ref}/statuses')).toBe(1);
  });

  it('unpinned (no status-creators), anyone who may write statuses vouches; pinned, only the App', async () => {
    const ref = freshRef();
    await rekeyRun(ref, [A]);
    const token = bed.emu.addToken({
      kind: 'user',
      login: 'mallory',
      permissions: { contents: 'write', statuses: 'write', metadata: 'read' },
    });
    const mallory = createStateRefAdapter(
      createGitHubClient({
        token,
        apiUrl: bed.emu.apiUrl,
        serverUrl: bed.emu.serverUrl,
        throttle: { enabled: false },
        retry: { baseDelayMs: 1 },
      }),
      AT,
    );
    const forged = await push(ref, [{ ...A, version: 2 }]);
    await mallory.vouch(forged, STATE_CONTEXT, 'trust me');
    expect(await readReceipts(port(), ref, { trusted: APP })).toEqual([A]);
    expect(await readReceipts(port(), ref, { trusted: ['MALLORY'] })).toEqual([
      { ...A, version: 2 },
    ]);
    // Unpinned: her status counts, as every rekey/distribution status does (doctor warns).
    expect(await readReceipts(port(), ref)).toEqual([{ ...A, version: 2 }]);
  });
});

describe('removalOnly', () => {
  it('keeps what the trusted receipts do not cover, one per target; several for one target count for none', () => {
    const later = { ...B, updatedAt: '2026-11-22T07:09:09Z' };
    const other = receipt('C_TOKEN', 3);
    expect(removalOnly([A], [A, { ...A, version: 2 }, B, later, other])).toEqual({
      receipts: [other],
      ambiguous: 2,
    });
    // Field order does not make a receipt another one.
    const reordered = Object.fromEntries(Object.entries(A).reverse()) as SecretReceipt;
    expect(removalOnly([A], [reordered]).receipts).toEqual([]);
  });
});
