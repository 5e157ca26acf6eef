import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/core/diagnostics.ts';
import type { HistoryIndex } from '../../../src/core/history/model.ts';
import { plan } from '../../../src/core/plan/plan.ts';
import type { OpenPull, PlanStep } from '../../../src/core/plan/steps.ts';
import type { VersionSpec } from './fixtures.ts';
import { commit, history, key, snapshot } from './fixtures.ts';

const NOW = new Date('2026-11-20T12:00:00Z'); // a Friday
const OLD = '2026-01-01T00:00:00Z';

interface Case {
  name: string;
  policy?: string;
  versions: VersionSpec[];
  history?: HistoryIndex;
  now?: Date;
  openPulls?: OpenPull[];
  halted?: string[];
  expected: Partial<PlanStep> & { kind: PlanStep['kind'] };
  reason?: RegExp;
  notes?: RegExp;
}

const cases: Case[] = [
  {
    name: 'not due: active 50 d of 90 d, rotate-before 14 d',
    versions: [[1, 'active', OLD]],
    history: history({ k: { 1: { active: '2026-10-01T00:00:00Z' } } }),
    expected: { kind: 'ok', nextDue: '2026-12-16T00:00:00Z', overdue: false },
    reason:
      /^v1 active 50\.5 d of a 90 d cryptoperiod; rotate-before 14 d; rotation due in 25\.5 d$/,
  },
  {
    name: 'due: active 87 d reaches cryptoperiod - rotate-before',
    versions: [[1, 'active', OLD]],
    history: history({ k: { 1: { active: '2026-08-25T12:00:00Z' } } }),
    expected: {
      kind: 'rotate',
      version: 2,
      state: 'active',
      replaces: 1,
      due: '2026-11-09T12:00:00Z',
      overdue: false,
      notes: [],
    },
    reason: /^v1 active 87 d of a 90 d cryptoperiod; rotate-before 14 d$/,
  },
  {
    name: 'overdue: active past the cryptoperiod',
    versions: [
      [3, 'active', OLD],
      [2, 'deactivated', OLD],
      [1, 'destroyed', OLD],
    ],
    history: history({ k: { 3: { active: '2026-08-01T00:00:00Z' } } }),
    expected: {
      kind: 'rotate',
      version: 4,
      replaces: 3,
      due: '2026-10-16T00:00:00Z',
      overdue: true,
    },
    reason: /active 111\.5 d of a 90 d cryptoperiod, overdue by 21\.5 d/,
  },
  {
    name: 'no active version',
    versions: [[1, 'deactivated', OLD]],
    history: history({}),
    expected: {
      kind: 'rotate',
      version: 2,
      state: 'active',
      due: '2026-11-20T12:00:00Z',
      overdue: false,
    },
    reason: /^no active version$/,
  },
  {
    name: 'no versions at all',
    versions: [],
    expected: { kind: 'rotate', version: 1, state: 'active' },
  },
  {
    name: 'history wins over created',
    versions: [[1, 'active', '2026-06-01T00:00:00Z']],
    history: history({ k: { 1: { active: '2026-10-01T00:00:00Z' } } }),
    expected: { kind: 'ok', nextDue: '2026-12-16T00:00:00Z', notes: [] },
  },
  {
    name: 'no history: falls back to created, with a note',
    versions: [[1, 'active', '2026-08-25T12:00:00Z']],
    expected: { kind: 'rotate', due: '2026-11-09T12:00:00Z' },
    notes: /history was not read; v1's age is taken from its created time/,
  },
  {
    name: 'history without the version: falls back to created, with a note',
    versions: [[1, 'active', '2026-10-01T00:00:00Z']],
    history: history({}),
    expected: { kind: 'ok', nextDue: '2026-12-16T00:00:00Z' },
    notes: /history has no first-parent commit where v1 became active/,
  },
  {
    name: 'prepublish: a due key gets a pre-activation version',
    policy: 'prepub',
    versions: [[1, 'active', OLD]],
    history: history({ k: { 1: { active: '2026-08-25T12:00:00Z' } } }),
    expected: { kind: 'rotate', version: 2, state: 'pre-activation', replaces: 1 },
    reason: /prepublish 7 d: v2 starts pre-activation/,
  },
  {
    name: 'prepublish: promotion once the prepublish time has passed',
    policy: 'prepub',
    versions: [
      [2, 'pre-activation', OLD],
      [1, 'active', OLD],
    ],
    history: history({
      k: { 1: { active: '2026-08-25T12:00:00Z' }, 2: { 'pre-activation': '2026-11-10T00:00:00Z' } },
    }),
    expected: {
      kind: 'promote',
      version: 2,
      replaces: 1,
      due: '2026-11-17T00:00:00Z',
      preconditions: [
        { kind: 'distribution-proven', version: 2, since: commit('2026-11-10T00:00:00Z').sha },
      ],
    },
    reason: /^v2 pre-activation for 10\.5 d of a 7 d prepublish; v1 active 87 d/,
  },
  {
    name: 'prepublish: waiting for the prepublish time',
    policy: 'prepub',
    versions: [
      [2, 'pre-activation', OLD],
      [1, 'active', OLD],
    ],
    history: history({
      k: { 1: { active: '2026-08-25T12:00:00Z' }, 2: { 'pre-activation': '2026-11-18T00:00:00Z' } },
    }),
    expected: { kind: 'ok', nextDue: '2026-11-25T00:00:00Z' },
    reason: /promotable 2026-11-25T00:00:00Z/,
  },
  {
    name: 'prepublish without an active version starts active',
    policy: 'prepub',
    versions: [],
    expected: { kind: 'rotate', version: 1, state: 'active' },
    notes: /no active version to keep in use/,
  },
  {
    name: 'skip: a rekey PR for the key is open',
    versions: [[1, 'active', '2026-08-25T12:00:00Z']],
    openPulls: [{ keyId: 'k', kind: 'revoke', number: 12 }],
    expected: { kind: 'skip', cause: 'open-pull', wanted: 'rotate', pull: 12 },
    reason: /^rekey PR #12 \(revoke\) is open for this key; rotation due: v1 active 87 d/,
  },
  {
    name: 'an open PR on a key that is not due changes nothing',
    versions: [[1, 'active', '2026-10-01T00:00:00Z']],
    openPulls: [{ keyId: 'k', kind: 'revoke', number: 12 }],
    expected: { kind: 'ok' },
  },
  {
    name: 'skip: halted',
    versions: [[1, 'active', '2026-08-25T12:00:00Z']],
    halted: ['k'],
    openPulls: [{ keyId: 'k', kind: 'rotate', number: 3 }],
    expected: { kind: 'skip', cause: 'halted', wanted: 'rotate' },
  },
  {
    name: 'halted but not due: ok, with a note',
    versions: [[1, 'active', '2026-10-01T00:00:00Z']],
    halted: ['k'],
    expected: { kind: 'ok' },
    notes: /halted/,
  },
  {
    name: 'skip: rotation outside the window (Friday; opens Sunday 09:00 CET)',
    policy: 'berlin',
    versions: [[1, 'active', '2026-08-25T12:00:00Z']],
    expected: { kind: 'skip', cause: 'outside-window', nextWindow: '2026-11-22T08:00:00Z' },
    reason:
      /^outside the policy window \(sun 09:00-16:00 Europe\/Berlin\); it next opens 2026-11-22T08:00:00Z/,
  },
  {
    name: 'window open (Sunday 09:30 CET)',
    policy: 'berlin',
    now: new Date('2026-11-22T08:30:00Z'),
    versions: [[1, 'active', '2026-08-25T12:00:00Z']],
    expected: { kind: 'rotate' },
  },
  {
    name: 'DST spring forward: Saturday before, next opening is 09:00 CEST = 07:00Z',
    policy: 'berlin',
    now: new Date('2026-03-28T12:00:00Z'),
    versions: [[1, 'active', '2025-10-01T00:00:00Z']],
    expected: { kind: 'skip', cause: 'outside-window', nextWindow: '2026-03-29T07:00:00Z' },
  },
  {
    name: 'DST spring forward: 07:30Z is 09:30 CEST, inside',
    policy: 'berlin',
    now: new Date('2026-03-29T07:30:00Z'),
    versions: [[1, 'active', '2025-10-01T00:00:00Z']],
    expected: { kind: 'rotate' },
  },
  {
    name: 'DST spring forward: 06:30Z is 08:30 CEST, not yet open',
    policy: 'berlin',
    now: new Date('2026-03-29T06:30:00Z'),
    versions: [[1, 'active', '2025-10-01T00:00:00Z']],
    expected: { kind: 'skip', cause: 'outside-window', nextWindow: '2026-03-29T07:00:00Z' },
  },
  {
    name: 'DST fall back: 07:30Z is 08:30 CET, opens at 08:00Z',
    policy: 'berlin',
    now: new Date('2026-10-25T07:30:00Z'),
    versions: [[1, 'active', '2026-06-01T00:00:00Z']],
    expected: { kind: 'skip', cause: 'outside-window', nextWindow: '2026-10-25T08:00:00Z' },
  },
];

describe('plan, one key', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const p = plan({
      snapshot: snapshot([key('k', c.policy ?? 'standard', c.versions)]),
      ...(c.history ? { history: c.history } : {}),
      openPulls: c.openPulls ?? [],
      halted: c.halted ?? [],
      now: c.now ?? NOW,
    });
    expect(p.steps).toHaveLength(1);
    const step = p.steps[0]!;
    expect(step).toMatchObject({ keyId: 'k', policy: c.policy ?? 'standard', ...c.expected });
    if (c.reason) expect(step.reason).toMatch(c.reason);
    if (c.notes) expect(step.notes.join('\n')).toMatch(c.notes);
    expect(p.overdue).toEqual(step.overdue ? ['k'] : []);
  });
});

describe('plan, many keys', () => {
  const due = (id: string, since: string) => key(id, 'standard', [[1, 'active', since]]);

  it('gives the open-PR budget to the most urgent keys, and counts PRs already open', () => {
    const p = plan({
      snapshot: snapshot(
        [
          due('a', '2026-08-25T12:00:00Z'),
          due('b', '2026-08-01T00:00:00Z'), // overdue: most urgent
          due('c', '2026-08-25T12:00:00Z'),
          due('d', '2026-10-01T00:00:00Z'), // not due
        ],
        3,
      ),
      openPulls: [
        { keyId: 'gone', kind: 'revoke', number: 5 },
        { keyId: 'gone', kind: 'revoke', number: 5 }, // listed twice, counted once
        { keyId: 'x', kind: 'rotate', number: 6 },
      ],
      halted: [],
      now: NOW,
    });
    expect(p.steps.map((s) => [s.keyId, s.kind, s.kind === 'skip' ? s.cause : ''])).toEqual([
      ['a', 'skip', 'budget'],
      ['b', 'rotate', ''],
      ['c', 'skip', 'budget'],
      ['d', 'ok', ''],
    ]);
    expect(p.budget).toEqual({ max: 3, open: 2, planned: 1 });
    expect(p.steps[0]!.reason).toMatch(
      /^open-PR budget spent \(max-open-prs 3: 2 open, 1 opened by this run\)/,
    );
    expect(p.overdue).toEqual(['b']);
  });

  it('opens nothing when the budget is already spent', () => {
    const p = plan({
      snapshot: snapshot([due('a', '2026-08-01T00:00:00Z')], 1),
      openPulls: [{ keyId: 'z', kind: 'rotate', number: 1 }],
      halted: [],
      now: NOW,
    });
    expect(p.steps[0]).toMatchObject({ kind: 'skip', cause: 'budget', overdue: true });
    expect(p.budget.planned).toBe(0);
  });

  it('is deterministic: steps by key id whatever the input order', () => {
    const ids = ['m/x', 'a', 'z/b/c', 'a-b', 'b', 'a/b'];
    const keys = ids.map((id, i) =>
      due(id, i % 2 ? '2026-08-01T00:00:00Z' : '2026-10-01T00:00:00Z'),
    );
    const one = plan({ snapshot: snapshot(keys), openPulls: [], halted: [], now: NOW });
    const two = plan({
      snapshot: snapshot([...keys].reverse()),
      openPulls: [],
      halted: [],
      now: NOW,
    });
    expect(one.steps.map((s) => s.keyId)).toEqual(['a', 'a-b', 'a/b', 'b', 'm/x', 'z/b/c']);
    expect(two).toEqual(one);
  });

  it('refuses an invalid now', () => {
    const s = snapshot([key('k', 'standard', [])]);
    expect(() => plan({ snapshot: s, openPulls: [], halted: [], now: new Date('nope') })).toThrow(
      RangeError,
    );
  });

  it('refuses a key whose policy does not exist, naming the file', () => {
    const s = snapshot([key('k', 'nope', [])]);
    expect(() => plan({ snapshot: s, openPulls: [], halted: [], now: NOW })).toThrow(
      InvalidInputError,
    );
    try {
      plan({ snapshot: s, openPulls: [], halted: [], now: NOW });
    } catch (e) {
      expect((e as InvalidInputError).diagnostics).toEqual([
        expect.objectContaining({ rule: 'plan/unknown-policy', file: 'keys-manifest/k/key.yaml' }),
      ]);
    }
  });
});
