// The flow's pure parts: which receipts are stored, which forms of a secret are masked, the
// apply order and the bounded pool, and the status description.
import { describe, expect, it } from 'vitest';
import { applyOrder, type KeyRun } from '../../../src/commands/distribute/apply.ts';
import { statusDescription } from '../../../src/commands/distribute/evidence.ts';
import { secretForms } from '../../../src/commands/distribute/mask.ts';
import { forEachBounded } from '../../../src/commands/distribute/pool.ts';
import type { PreparedKey } from '../../../src/commands/distribute/preflight.ts';
import { nextReceipts } from '../../../src/commands/distribute/receipts.ts';
import type { RemovalRun } from '../../../src/commands/distribute/removals.ts';
import type { KeyReport } from '../../../src/commands/distribute/types.ts';
import type { SecretScope } from '../../../src/core/ports/targets.ts';
import {
  SecretValue,
  type SecretReceipt,
  type TargetStep,
} from '../../../src/core/targets/index.ts';
import { generateKey } from '../../../src/crypto/keys/index.ts';

const scope: SecretScope = { kind: 'repository', app: 'actions', repository: 'acme/api' };
const S = 'actions:repo:acme/api';
const receipt = (name: string, fingerprint: string, updatedAt: string, s = S): SecretReceipt => ({
  scope: s,
  name,
  fingerprint,
  updatedAt,
});

/** A key run whose observation saw `seen` in acme/api and whose apply did `steps`. */
function keyRun(
  seen: { name: string; updatedAt: string }[] | null,
  steps: { step: TargetStep; ok: boolean }[],
  made: SecretReceipt[] = [],
): KeyRun {
  const prepared = {
    id: 'k',
    desired: { targets: [], problems: [] },
    observed: {
      secrets: new Map(seen === null ? [] : [[S, seen]]),
      selected: new Map(),
      deployKeys: new Map(),
      files: new Map(),
    },
  } as unknown as PreparedKey;
  return {
    prepared,
    plan: { key: 'k', steps: steps.map((s) => s.step), problems: [], current: 0 },
    result: {
      key: 'k',
      ok: steps.every((s) => s.ok),
      receipts: made,
      results: steps.map((s) => ({
        step: 'x',
        target: 0,
        kind: s.step.kind,
        outcome: s.ok ? ('done' as const) : ('failed' as const),
      })),
    },
  };
}

describe('nextReceipts', () => {
  const put = (name: string): TargetStep => ({
    kind: 'put-secret',
    target: 0,
    scope,
    name,
    slot: 'name',
    version: 2,
    fingerprint: 'kcv:2222222222222222',
    value: SecretValue.of('x'),
    reason: 'r',
  });
  const del = (name: string): TargetStep => ({
    kind: 'delete-secret',
    target: 0,
    scope,
    name,
    slot: 'previous',
    reason: 'r',
  });
  const T1 = '2026-06-01T08:00:00Z';
  const T2 = '2026-06-02T08:00:00Z';

  it.each([
    {
      what: 'a new receipt replaces the old one of the same secret (names case-insensitive)',
      previous: [receipt('TOKEN', 'kcv:1111111111111111', T1)],
      run: keyRun(
        [{ name: 'TOKEN', updatedAt: T1 }],
        [{ step: put('token'), ok: true }],
        [receipt('token', 'kcv:2222222222222222', T2)],
      ),
      stored: [receipt('token', 'kcv:2222222222222222', T2)],
    },
    {
      what: 'a failed write keeps the old receipt while GitHub still shows its updated_at',
      previous: [receipt('TOKEN', 'kcv:1111111111111111', T1)],
      run: keyRun([{ name: 'TOKEN', updatedAt: T1 }], [{ step: put('TOKEN'), ok: false }]),
      stored: [receipt('TOKEN', 'kcv:1111111111111111', T1)],
    },
    {
      what: 'a deleted secret loses its receipt',
      previous: [receipt('OLD', 'kcv:1111111111111111', T1)],
      run: keyRun([{ name: 'OLD', updatedAt: T1 }], [{ step: del('OLD'), ok: true }]),
      stored: [],
    },
    {
      what: 'a secret observed absent, or written by someone else, loses its receipt',
      previous: [
        receipt('GONE', 'kcv:1111111111111111', T1),
        receipt('FOREIGN', 'kcv:1111111111111111', T1),
      ],
      run: keyRun([{ name: 'FOREIGN', updatedAt: T2 }], []),
      stored: [],
    },
    {
      what: 'receipts of scopes this run did not observe stay (halted keys keep theirs)',
      previous: [receipt('TOKEN', 'kcv:1111111111111111', T1, 'actions:repo:acme/halted')],
      run: keyRun([], []),
      stored: [receipt('TOKEN', 'kcv:1111111111111111', T1, 'actions:repo:acme/halted')],
    },
  ])('$what', ({ previous, run, stored }) => {
    expect(nextReceipts(previous, [run])).toEqual(stored);
  });

  it("an orphan's receipt stays until its removal is done, even where another key observes", () => {
    const orphan = receipt('ORPHAN', 'kcv:1111111111111111', T1);
    const removal = (outcome: RemovalRun['outcome']): RemovalRun => ({
      removal: {
        kind: 'github-secret',
        key: 'k',
        version: 1,
        scope,
        name: 'ORPHAN',
        fingerprint: 'kcv:1111111111111111',
        action: 'refuse',
        reason: 'x',
        receipt: orphan,
      },
      outcome,
      step: 'x',
    });
    // Another key's run observed the scope, and the secret carries someone else's updated_at.
    const run = keyRun([{ name: 'ORPHAN', updatedAt: T2 }], []);
    for (const kept of ['refused', 'failed', 'skipped'] as const)
      expect(nextReceipts([orphan], [run], [removal(kept)])).toEqual([orphan]);
    for (const done of ['removed', 'absent'] as const)
      expect(nextReceipts([orphan], [run], [removal(done)])).toEqual([]);
  });

  it('an old receipt the plan found current gains the key and version of its slot', () => {
    const old = receipt('TOKEN', 'kcv:1111111111111111', T1);
    const run = keyRun([{ name: 'TOKEN', updatedAt: T1 }], []);
    const withSlot = {
      ...run,
      prepared: {
        ...run.prepared,
        desired: {
          problems: [],
          targets: [
            {
              kind: 'github-secret' as const,
              target: 0,
              scope,
              slots: [
                {
                  slot: 'name' as const,
                  name: 'TOKEN',
                  want: {
                    version: 4,
                    fingerprint: 'kcv:1111111111111111',
                    value: SecretValue.of('v'),
                  },
                },
              ],
            },
          ],
        },
      },
    };
    expect(nextReceipts([old], [withSlot])).toEqual([
      { ...old, kind: 'github-secret', key: 'k', version: 4 },
    ]);
  });

  it('a key that was not applied contributes its observation only', () => {
    const run = { ...keyRun([{ name: 'TOKEN', updatedAt: T2 }], []), result: null };
    expect(nextReceipts([receipt('TOKEN', 'kcv:1111111111111111', T1)], [run])).toEqual([]);
  });
});

describe('secretForms', () => {
  it.each(['random', 'ed25519', 'ssh-ed25519', 'rsa-3072', 'age-x25519'] as const)(
    '%s: the text, its lines, and the encodings of its bytes, nothing short',
    async (type) => {
      const g = await generateKey(
        type,
        type === 'random' ? { bytes: 32, encoding: 'hex' } : undefined,
      );
      const forms = secretForms(g.secret);
      expect(forms).toContain(g.secret);
      expect(forms).toContain(Buffer.from(g.secret.trim()).toString('base64'));
      expect(forms).toContain(Buffer.from(g.secret.trim()).toString('hex'));
      expect(forms.every((f) => f.length >= 8)).toBe(true);
      if (type === 'random')
        expect(forms).toContain(Buffer.from(g.secret, 'hex').toString('base64'));
      if (g.secret.includes('\n'))
        for (const line of g.secret.trim().split('\n'))
          if (!line.startsWith('-----') && line.length >= 8) expect(forms).toContain(line);
      // Never a public line: masking it would blank public keys out of logs.
      if (g.public) expect(forms).not.toContain(g.public);
    },
  );
});

describe('apply order and the pool', () => {
  it('compromised keys first, then by id', () => {
    const k = (id: string, compromised: boolean) => ({ id, compromised }) as PreparedKey;
    expect(
      applyOrder([k('b', false), k('z', true), k('a', false), k('c', true)]).map((x) => x.id),
    ).toEqual(['c', 'z', 'a', 'b']);
  });

  it('runs at most `limit` at once, starts in order, and finishes every item when one throws', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const done: number[] = [];
    const items = Array.from({ length: 10 }, (_, i) => i);
    await expect(
      forEachBounded(items, 3, async (i) => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5 + ((i * 7) % 5)));
        running--;
        if (i === 2) throw new Error('boom');
        done.push(i);
      }),
    ).rejects.toThrow('boom');
    expect(peak).toBe(3);
    expect(started).toEqual(items);
    expect(done.sort((a, b) => a - b)).toEqual(items.filter((i) => i !== 2));
  });
});

describe('statusDescription', () => {
  const keys = (n: number, outcome: KeyReport['outcome']): KeyReport[] =>
    Array.from({ length: n }, (_, i) => ({
      key: `team-${i}/a-rather-long-key-name-${i}`,
      outcome,
      targets: [],
    }));
  it.each([
    [
      'converged',
      [...keys(2, 'converged'), ...keys(1, 'unchanged')],
      /^3 keys converged: every target current$/,
    ],
    ['failed', [...keys(3, 'failed'), ...keys(2, 'converged')], /^3 of 5 keys not distributed: /],
    [
      'failed',
      [...keys(1, 'halted'), ...keys(1, 'converged')],
      /^1 of 2 keys not distributed \(1 halted\)/,
    ],
    [
      'preflight-failed',
      [...keys(1, 'failed'), ...keys(3, 'skipped')],
      /^preflight failed for 1 of 4 keys; nothing written/,
    ],
    ['failed', keys(40, 'failed'), /…$/],
    [
      'failed',
      [...keys(1, 'converged'), ...keys(2, 'skipped')],
      /^2 of 3 keys not distributed: team-0\/a-rather/,
    ],
  ] as const)('%s', (outcome, reports, want) => {
    const d = statusDescription(outcome, reports);
    expect(d).toMatch(want);
    expect(d.length).toBeLessThanOrEqual(140);
  });
});
