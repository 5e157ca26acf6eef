import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/core/plan/format-plan.ts';
import { plan } from '../../../src/core/plan/plan.ts';
import { history, key, snapshot } from './fixtures.ts';

describe('formatPlan', () => {
  it('prints one decision per key, the reason, notes and totals', () => {
    const p = plan({
      snapshot: snapshot([
        key('payments/webhook-signing', 'standard', [[1, 'active', '2026-01-01T00:00:00Z']]),
        key('ci/deploy', 'prepub', [
          [2, 'pre-activation', '2026-01-01T00:00:00Z'],
          [1, 'active', '2026-01-01T00:00:00Z'],
        ]),
        key('ops/backup', 'berlin', [[1, 'active', '2026-08-01T00:00:00Z']]),
        key('web/session', 'standard', [[1, 'active', '2026-10-01T00:00:00Z']]),
      ]),
      history: history({
        'payments/webhook-signing': { 1: { active: '2026-08-25T12:00:00Z' } },
        'ci/deploy': {
          1: { active: '2026-08-25T12:00:00Z' },
          2: { 'pre-activation': '2026-11-10T00:00:00Z' },
        },
        'ops/backup': { 1: { active: '2026-08-01T00:00:00Z' } },
      }),
      openPulls: [],
      halted: [],
      now: new Date('2026-11-20T12:00:00Z'),
    });
    expect(formatPlan(p)).toMatchInlineSnapshot(`
      "rekey plan at 2026-11-20T12:00:00Z
      promote  ci/deploy v2 to active (replaces v1), due 2026-11-17T00:00:00Z; needs: v2 distribution proven
               why: v2 pre-activation for 10.5 d of a 7 d prepublish; v1 active 87 d of a 90 d cryptoperiod; rotate-before 14 d
      skip     ops/backup (rotate due 2026-10-16T00:00:00Z, OVERDUE): outside-window
               why: outside the policy window (sun 09:00-16:00 Europe/Berlin); it next opens 2026-11-22T08:00:00Z; rotation due: v1 active 111.5 d of a 90 d cryptoperiod, overdue by 21.5 d; rotate-before 14 d
      rotate   payments/webhook-signing -> v2 (active, replaces v1), due 2026-11-09T12:00:00Z
               why: v1 active 87 d of a 90 d cryptoperiod; rotate-before 14 d
      ok       web/session, next due 2026-12-16T00:00:00Z
               why: v1 active 50.5 d of a 90 d cryptoperiod; rotate-before 14 d; rotation due in 25.5 d
               note: history has no first-parent commit where v1 became active; v1's age is taken from its created time
      1 to rotate, 1 to promote, 1 skipped, 1 ok; open rekey PRs 0 of 10, this run opens 2; overdue: ops/backup
      "
    `);
  });
});
