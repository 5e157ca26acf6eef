// The distribution lease against the emulator (OpenAPI-validated): one holder at a time by
// compare-and-swap on a ref outside refs/heads, expiry and takeover, receipts carried from
// one holder to the next, and corrupt state refused with a clear error.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStateRefAdapter } from '../../../src/adapters/github/refs.ts';
import {
  acquireLease,
  LEASE_FILE,
  LeaseLostError,
  type LeaseOutcome,
  readReceipts,
  RECEIPTS_FILE,
  STATE_REF,
  StateCorruptError,
} from '../../../src/commands/distribute/lease.ts';
import type { StateRefPort } from '../../../src/core/ports/github.ts';
import type { SecretReceipt } from '../../../src/core/targets/plan.ts';
import { AT, type Bed, REPO, rejection, startBed } from '../../adapters/github/harness.ts';

const TTL = 10 * 60_000;
const T0 = Date.parse('2026-11-22T07:00:00.000Z');

let bed: Bed;
let refNo = 0;

/** A fresh ref per test, so tests do not share a lease. */
const freshRef = () => `refs/rekey-test/lease-${++refNo}`;
/** A separate adapter per run, as separate processes would have. */
const port = (): StateRefPort => createStateRefAdapter(bed.client(), AT);

function clock(start = T0) {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => void (t += ms),
  };
}

function acquired(o: LeaseOutcome) {
  if (o.result !== 'acquired') throw new Error(`expected acquired, got busy (${o.holder})`);
  return o.lease;
}

async function stored(ref: string, file: string): Promise<unknown> {
  const snap = await port().read(ref);
  const text = snap?.files.get(file);
  return text === undefined ? undefined : JSON.parse(text);
}

const RECEIPTS: SecretReceipt[] = [
  {
    scope: 'actions:repo:acme/payments-api',
    name: 'WEBHOOK_SIGNING_KEY',
    fingerprint: 'kcv:5f3a9c0d1e2b4a6f',
    updatedAt: '2026-11-22T07:01:02Z',
  },
  {
    scope: 'actions:env:acme/payments-api:production',
    name: 'API_KEY',
    fingerprint: 'kcv:0a1b2c3d4e5f6071',
    updatedAt: '2026-11-22T07:01:03Z',
  },
];

beforeAll(async () => {
  bed = await startBed();
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

describe('acquireLease', () => {
  it('creates the state ref on first use, then releases it', async () => {
    const c = clock();
    const ref = freshRef();
    const lease = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    expect(lease.holder).toBe('run-a');
    expect(lease.expiresAt).toBe('2026-11-22T07:10:00.000Z');
    expect(lease.receipts).toEqual([]);
    // Absent ref: 1 read call, then tree + commit + POST refs.
    expect(bed.emu.calls()).toBe(4);
    expect(await stored(ref, LEASE_FILE)).toEqual({
      holder: 'run-a',
      acquiredAt: '2026-11-22T07:00:00.000Z',
      expiresAt: '2026-11-22T07:10:00.000Z',
      released: false,
    });
    await lease.release([]);
    expect(await stored(ref, LEASE_FILE)).toMatchObject({ holder: 'run-a', released: true });
    await expect(lease.release([])).rejects.toThrow(/already released/);
    await expect(lease.renew()).rejects.toThrow(/already released/);
  });

  it('uses refs/rekey/distribution by default and records the run', async () => {
    const c = clock();
    const lease = acquired(
      await acquireLease(port(), { holder: 'run-d', run: 'https://x/runs/1', ttlMs: TTL, ...c }),
    );
    expect(STATE_REF).toBe('refs/rekey/distribution');
    expect(await bed.emu.repo(REPO).git.readRef(STATE_REF)).toMatch(/^[0-9a-f]{40}$/);
    expect(await stored(STATE_REF, LEASE_FILE)).toMatchObject({ run: 'https://x/runs/1' });
    await lease.release([]);
  });

  it('is busy while held, and acquired again once released', async () => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    c.advance(60_000);
    const b = await acquireLease(port(), { holder: 'run-b', ttlMs: TTL, ...c }, ref);
    expect(b).toEqual({ result: 'busy', holder: 'run-a', expiresAt: a.expiresAt });
    await a.release([]);
    const again = acquired(await acquireLease(port(), { holder: 'run-b', ttlMs: TTL, ...c }, ref));
    expect(again.holder).toBe('run-b');
    await again.release([]);
  });

  it('waits up to waitMs, polling by the clock, and takes over when the lease expires', async () => {
    const c = clock();
    const ref = freshRef();
    acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: 30_000, ...c }, ref));
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      c.advance(ms);
    };
    const short = await acquireLease(
      port(),
      { holder: 'run-b', ttlMs: TTL, waitMs: 12_000, now: c.now, sleep },
      ref,
    );
    expect(short.result).toBe('busy');
    expect(slept.reduce((s, x) => s + x, 0)).toBe(12_000);
    slept.length = 0;
    const long = await acquireLease(
      port(),
      { holder: 'run-b', ttlMs: TTL, waitMs: 60_000, now: c.now, sleep },
      ref,
    );
    expect(acquired(long).holder).toBe('run-b');
    // It stopped waiting right after the expiry, well before waitMs.
    expect(slept.reduce((s, x) => s + x, 0)).toBeLessThan(30_000);
  });

  it('takes over an expired lease and keeps its receipts', async () => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    await a.release(RECEIPTS);
    const b = acquired(await acquireLease(port(), { holder: 'run-b', ttlMs: TTL, ...c }, ref));
    c.advance(TTL + 1); // run-b crashed without releasing
    const d = acquired(await acquireLease(port(), { holder: 'run-c', ttlMs: TTL, ...c }, ref));
    expect(d.holder).toBe('run-c');
    expect(d.receipts).toEqual(b.receipts);
    expect(d.receipts).toHaveLength(2);
    // The crashed holder wakes up: its renew and release write nothing.
    const lost = await rejection(b.renew());
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect(String(lost)).toMatch(/taken over by another run \(held by run-c now\)/);
    // Lost stays lost, without another write.
    bed.emu.clearLog();
    await expect(b.release([])).rejects.toBe(lost);
    expect(bed.emu.calls()).toBe(0);
    expect(await stored(ref, LEASE_FILE)).toMatchObject({ holder: 'run-c', released: false });
    expect(await stored(ref, RECEIPTS_FILE)).toHaveLength(2);
  });

  it('renew extends from now; an expired lease nobody took is still ours', async () => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    c.advance(TTL + 5_000);
    await a.renew();
    expect(a.expiresAt).toBe(new Date(T0 + TTL + 5_000 + TTL).toISOString());
    expect(await stored(ref, LEASE_FILE)).toMatchObject({
      expiresAt: a.expiresAt,
      acquiredAt: new Date(T0).toISOString(),
    });
    const b = await acquireLease(port(), { holder: 'run-b', ttlMs: TTL, ...c }, ref);
    expect(b.result).toBe('busy');
  });

  it('release loses to a takeover: LeaseLostError and the new holder is untouched', async () => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    c.advance(TTL + 1);
    const b = acquired(await acquireLease(port(), { holder: 'run-b', ttlMs: TTL, ...c }, ref));
    const before = await bed.emu.repo(REPO).git.readRef(ref);
    await expect(a.release(RECEIPTS)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await bed.emu.repo(REPO).git.readRef(ref)).toBe(before);
    expect(await stored(ref, RECEIPTS_FILE)).toEqual([]);
    await b.release([]);
  });

  it.each([2, 10])(
    '%i concurrent acquirers: exactly one wins',
    async (n) => {
      for (const start of ['absent', 'released', 'expired'] as const) {
        const c = clock();
        const ref = freshRef();
        if (start !== 'absent') {
          const first = acquired(
            await acquireLease(port(), { holder: 'seed', ttlMs: TTL, ...c }, ref),
          );
          if (start === 'released') await first.release(RECEIPTS);
          else c.advance(TTL + 1);
        }
        const runs = Array.from({ length: n }, (_, i) =>
          acquireLease(port(), { holder: `run-${i}`, ttlMs: TTL, ...c }, ref),
        );
        const outcomes = await Promise.all(runs);
        const winners = outcomes.filter((o) => o.result === 'acquired');
        expect(winners, start).toHaveLength(1);
        const winner = acquired(winners[0]!);
        for (const o of outcomes)
          if (o.result === 'busy') expect(o.holder, start).toBe(winner.holder);
        expect(await stored(ref, LEASE_FILE), start).toMatchObject({ holder: winner.holder });
        if (start === 'released') expect(winner.receipts).toHaveLength(2);
      }
    },
    60_000,
  );
});

describe('receipts', () => {
  it('release stores them (sorted, exactly four fields); the next acquire returns them', async () => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    const withExtra = RECEIPTS.map((r) => ({ ...r, value: 'must-never-be-stored' }));
    await a.release(withExtra);
    const text = (await port().read(ref))!.files.get(RECEIPTS_FILE)!;
    expect(text).not.toContain('must-never-be-stored');
    expect(JSON.parse(text)).toEqual([RECEIPTS[1], RECEIPTS[0]]);
    expect(await readReceipts(port(), ref)).toEqual([RECEIPTS[1], RECEIPTS[0]]);
    const b = acquired(await acquireLease(port(), { holder: 'run-b', ttlMs: TTL, ...c }, ref));
    expect(b.receipts).toEqual([RECEIPTS[1], RECEIPTS[0]]);
    await b.release([]);
    expect(await readReceipts(port(), ref)).toEqual([]);
    expect(await readReceipts(port(), 'refs/rekey-test/none')).toEqual([]);
  });

  it('stores kind, key and version, and deploy-key receipts; old receipts read as they were', async () => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    const secret = {
      ...RECEIPTS[0]!,
      kind: 'github-secret' as const,
      key: 'payments/webhook',
      version: 2,
    };
    const deployKey = {
      kind: 'github-deploy-key' as const,
      repository: 'acme/deploy',
      key: 'infra/deploy',
      version: 3,
      id: 42,
      title: 'ci (rekey infra/deploy v3)',
    };
    await a.release([deployKey, RECEIPTS[1]!, secret]);
    // Secrets first (by scope and name, the old one without the new fields), then deploy keys.
    expect(await readReceipts(port(), ref)).toEqual([RECEIPTS[1], secret, deployKey]);
  });

  it.each([
    ["a title that is not rekey's", { title: 'ci' }],
    ['a title of another version', { title: 'ci (rekey infra/deploy v2)' }],
    ['a bad repository', { repository: 'acme/../x y' }],
    ['a field beyond its own', { fingerprint: 'kcv:5f3a9c0d1e2b4a6f' }],
  ])('release refuses a deploy-key receipt with %s', async (_n, bad) => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    const receipt = {
      kind: 'github-deploy-key' as const,
      repository: 'acme/deploy',
      key: 'infra/deploy',
      version: 3,
      id: 42,
      title: 'ci (rekey infra/deploy v3)',
      ...bad,
    };
    if ('fingerprint' in bad) {
      // Unknown fields are dropped before validation, as for secrets.
      await a.release([receipt]);
      expect(JSON.stringify(await readReceipts(port(), ref))).not.toContain('fingerprint');
      return;
    }
    await expect(a.release([receipt])).rejects.toThrow(/receipt #1 is not a valid receipt/);
  });

  it.each([
    ['a secret where the fingerprint goes', { fingerprint: 'c2VjcmV0LXZhbHVlLTEyMzQ1Njc4OTA=' }],
    ['a bad name', { name: 'not a name' }],
    ['a bad scope', { scope: 'acme/api' }],
    ['a bad time', { updatedAt: 'yesterday' }],
  ])('release refuses a receipt with %s and writes nothing', async (_n, bad) => {
    const c = clock();
    const ref = freshRef();
    const a = acquired(await acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...c }, ref));
    const before = await bed.emu.repo(REPO).git.readRef(ref);
    const e = await rejection(a.release([{ ...RECEIPTS[0]!, ...bad }]));
    expect(e).toBeInstanceOf(RangeError);
    expect(String(e)).toMatch(/receipt #1 is not a valid receipt/);
    expect(String(e)).not.toContain('c2VjcmV0');
    expect(await bed.emu.repo(REPO).git.readRef(ref)).toBe(before);
  });
});

describe('corrupt state is refused, not taken over', () => {
  const SECRETISH = 'hunter2-hunter2-hunter2-hunter2';
  it.each([
    [
      'lease.json is not JSON',
      { 'lease.json': `{${SECRETISH}`, 'receipts.json': '[]' },
      LEASE_FILE,
    ],
    ['lease.json is missing', { 'receipts.json': '[]' }, LEASE_FILE],
    [
      'lease.json lacks a field',
      { 'lease.json': JSON.stringify({ holder: 'x', released: false }) },
      LEASE_FILE,
    ],
    [
      'a receipt carries a value',
      {
        'lease.json': JSON.stringify({
          holder: 'x',
          acquiredAt: '2026-11-22T06:00:00Z',
          expiresAt: '2026-11-22T06:10:00Z',
          released: true,
        }),
        'receipts.json': JSON.stringify([{ ...RECEIPTS[0], value: SECRETISH }]),
      },
      RECEIPTS_FILE,
    ],
  ])('%s', async (_n, files, file) => {
    const ref = freshRef();
    const wrote = await port().write(ref, null, new Map(Object.entries(files)), 'by hand');
    if (wrote.result !== 'written') throw new Error('setup');
    const e = await rejection(
      acquireLease(port(), { holder: 'run-a', ttlMs: TTL, ...clock() }, ref),
    );
    expect(e).toBeInstanceOf(StateCorruptError);
    const err = e as StateCorruptError;
    expect(err.ref).toBe(ref);
    expect(err.file).toBe(file);
    expect(err.commit).toBe(wrote.commit);
    expect(err.message).toContain(`${ref} (commit ${wrote.commit.slice(0, 12)}): ${file}`);
    expect(err.message).toMatch(/delete the ref to start over/);
    expect(err.message).not.toContain(SECRETISH);
    // Nothing was written over it.
    expect(await bed.emu.repo(REPO).git.readRef(ref)).toBe(wrote.commit);
    await expect(readReceipts(port(), ref)).rejects.toBeInstanceOf(StateCorruptError);
  });
});
