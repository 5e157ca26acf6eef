import { describe, expect, it } from 'vitest';
import { checkProtection, checkSchedules, cronPeriodMs } from '../../../src/core/doctor/remote.ts';
import type { BranchRule, ClassicProtection } from '../../../src/core/ports/repo-settings.ts';

const checkRule = (context: string, strict = true): BranchRule => ({
  type: 'required_status_checks',
  parameters: {
    required_status_checks: [{ context }],
    strict_required_status_checks_policy: strict,
  },
});
const QUEUE: BranchRule = { type: 'merge_queue', parameters: { merge_method: 'SQUASH' } };
const reviewRule = (n: number, codeOwners = true): BranchRule => ({
  type: 'pull_request',
  parameters: { required_approving_review_count: n, require_code_owner_review: codeOwners },
});
const classic = (
  checks: string[],
  approvals: number,
  codeOwners = true,
  strict = true,
): ClassicProtection => ({
  requiredChecks: checks,
  requiredApprovals: approvals,
  requireCodeOwnerReviews: codeOwners,
  strict,
});

describe('doctor: protection or rulesets (either suffices)', () => {
  // [case, classic, rules, rules reported]
  const CASES: readonly [string, ProtectionClassic, BranchRule[], string[]][] = [
    ['rulesets alone', null, [checkRule('rekey verify'), reviewRule(1)], []],
    ['classic alone', classic(['rekey verify'], 2), [], []],
    ['check from a ruleset, reviews from classic', classic([], 1), [checkRule('Rekey Verify')], []],
    ['nothing at all', null, [], ['doctor/protection-missing']],
    [
      'reviews not by code owners',
      null,
      [checkRule('rekey verify'), reviewRule(1, false)],
      ['doctor/protection-code-owners'],
    ],
    [
      'classic reviews not by code owners',
      classic(['rekey verify'], 1, false),
      [],
      ['doctor/protection-code-owners'],
    ],
    [
      'a ruleset that only blocks force pushes',
      null,
      [{ type: 'non_fast_forward', parameters: {} }],
      ['doctor/protection-verify-check', 'doctor/protection-reviews'],
    ],
    ['another check required', classic(['ci'], 1), [], ['doctor/protection-verify-check']],
    [
      'zero approvals',
      null,
      [checkRule('rekey verify'), reviewRule(0)],
      ['doctor/protection-reviews'],
    ],
    [
      'classic unreadable, rulesets enough',
      { unreadable: '403 forbidden' },
      [checkRule('rekey verify'), reviewRule(1)],
      [],
    ],
    // Stale verdicts: up to date for the verify check, or a merge queue.
    [
      'a verdict on an old base merges (not strict, no queue)',
      null,
      [checkRule('rekey verify', false), reviewRule(1)],
      ['doctor/protection-stale-verdict'],
    ],
    [
      'strict for another check only',
      null,
      [checkRule('rekey verify', false), checkRule('ci', true), reviewRule(1)],
      ['doctor/protection-stale-verdict'],
    ],
    [
      'a merge queue instead of strict',
      null,
      [checkRule('rekey verify', false), reviewRule(1), QUEUE],
      [],
    ],
    [
      'classic protection not strict',
      classic(['rekey verify'], 1, true, false),
      [],
      ['doctor/protection-stale-verdict'],
    ],
    [
      'classic unreadable, rulesets not enough',
      { unreadable: '403 forbidden' },
      [reviewRule(1)],
      ['doctor/protection-unreadable'],
    ],
  ];
  it.each(CASES)('%s', (_c, cls, rules, expected) => {
    const found = checkProtection({
      branch: 'main',
      classic: cls,
      rules,
      verifyCheck: 'rekey verify',
    });
    expect(found.map((f) => f.rule)).toEqual(expected);
    for (const f of found) expect(f.where).toBe('GitHub: rulesets and branch protection of main');
  });

  it('says when a merge queue waits for a verify workflow that does not run on merge_group', () => {
    const input = {
      branch: 'main',
      classic: null,
      rules: [checkRule('rekey verify', false), reviewRule(1), QUEUE],
      verifyCheck: 'rekey verify',
    };
    expect(checkProtection({ ...input, verifyOnMergeGroup: false }).map((f) => f.rule)).toEqual([
      'doctor/verify-merge-group',
    ]);
    expect(checkProtection({ ...input, verifyOnMergeGroup: true })).toEqual([]);
  });
});
type ProtectionClassic = ClassicProtection | null | { unreadable: string };

describe('doctor: scheduled workflows', () => {
  const H = 3_600_000;
  it.each([
    ['17 6 * * *', 24 * H],
    ['17 * * * *', H],
    ['*/5 * * * *', H / 2],
    ['0 */6 * * *', 6 * H],
    ['0 6,18 * * *', 12 * H],
    ['0 6 * * 1-5', 7 * 24 * H],
  ])('cron %s repeats at most every %d ms', (cron, ms) => {
    expect(cronPeriodMs(cron)).toBe(ms);
  });

  const file = '.github/workflows/rotate.yml';
  const local = [{ file, crons: ['17 6 * * *'] }];
  const wf = (state: string) => [{ id: 7, name: 'rekey rotate', path: file, state, url: 'u' }];
  const run = (event: string, createdAt: string, conclusion: string | null = 'success') => ({
    id: 1,
    event,
    status: conclusion === null ? 'in_progress' : 'completed',
    conclusion,
    createdAt,
    url: 'https://example.test/run/1',
  });
  const now = new Date('2026-11-22T12:00:00Z');
  const CASES: readonly [string, ReturnType<typeof wf> | [], ReturnType<typeof run>[], string[]][] =
    [
      ['active and ran this morning', wf('active'), [run('schedule', '2026-11-22T06:20:00Z')], []],
      [
        'ran two days ago (within 2 periods + 1 h)',
        wf('active'),
        [run('schedule', '2026-11-20T12:30:00Z')],
        [],
      ],
      [
        'ran three days ago',
        wf('active'),
        [run('schedule', '2026-11-19T06:20:00Z')],
        ['doctor/schedule-stale'],
      ],
      [
        'only dispatched',
        wf('active'),
        [run('workflow_dispatch', '2026-11-22T06:20:00Z')],
        ['doctor/schedule-stale'],
      ],
      ['never ran', wf('active'), [], ['doctor/schedule-never-ran']],
      ['disabled for inactivity', wf('disabled_inactivity'), [], ['doctor/schedule-disabled']],
      ['not on the default branch', [], [], ['doctor/schedule-not-on-default-branch']],
      [
        'the last completed run failed',
        wf('active'),
        [
          run('schedule', '2026-11-22T07:00:00Z', null),
          run('schedule', '2026-11-22T06:20:00Z', 'failure'),
        ],
        ['doctor/schedule-failing'],
      ],
    ];
  it.each(CASES)('%s', (_c, remote, runs, expected) => {
    const found = checkSchedules({ local, remote, runs: new Map([[7, runs]]), now });
    expect(found.map((f) => f.rule)).toEqual(expected);
  });
});
