// Failure issues against the emulator (OpenAPI-validated): one issue per failed key, updated
// and never duplicated, attempts counted in the issue, halted at the budget, resumed, closed
// on convergence; and the secret canary over everything written to issues.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIssuesAdapter } from '../../../src/adapters/github/issues.ts';
import {
  FAILURE_LABEL,
  failureIssues,
  failureMarker,
  HALTED_LABEL,
  haltedKeys,
  recordDistribution,
  resumeKey,
} from '../../../src/commands/distribute/failures.ts';
import type { IssuesPort } from '../../../src/core/ports/github.ts';
import type { Issue } from '../../../src/sandbox/emulator/state.ts';
import { AT, type Bed, REPO, startBed } from '../../adapters/github/harness.ts';

const COMMIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const NOW = new Date('2026-11-22T07:00:00.000Z');
const run = (n: number) => `https://github.example/acme/infra/actions/runs/${n}`;
const DETAILS = [
  'put WEBHOOK_SIGNING_KEY in actions:repo:acme/payments-api: GitHub PUT /repos/{owner}/{repo}/actions/secrets/{secret_name} failed: 403 Resource not accessible by integration',
  'delete WEBHOOK_SIGNING_KEY_PREVIOUS in actions:repo:acme/web: GitHub DELETE … failed: 404 Not Found',
];

let bed: Bed;
let issues: IssuesPort;

beforeAll(async () => {
  bed = await startBed();
  issues = createIssuesAdapter(bed.client(), AT);
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

/** Every issue (open or closed) whose body carries the key's marker. */
function issuesFor(key: string): Issue[] {
  return [...bed.emu.repo(REPO).issues.values()].filter((i) =>
    (i.body ?? '').includes(failureMarker(key)),
  );
}

const fail = (key: string, runNo: number, budget = 3, details = DETAILS) =>
  recordDistribution(issues, {
    failed: [{ key, details }],
    converged: [],
    budget,
    commit: COMMIT,
    runUrl: run(runNo),
    now: NOW,
  });

describe('recordDistribution', () => {
  it('creates one issue for a failed key, written for on-call (3 calls)', async () => {
    const [r] = await fail('app/one', 1);
    expect(r).toMatchObject({ key: 'app/one', attempts: 1, halted: false, result: 'created' });
    expect(bed.emu.calls()).toBe(3); // list, ensureIssue's find, create
    const [issue, ...more] = issuesFor('app/one');
    expect(more).toEqual([]);
    expect(issue!.number).toBe(r!.issue);
    expect(r!.url).toBe(`${bed.emu.serverUrl}/${REPO}/issues/${r!.issue}`);
    expect(issue!.title).toBe('rekey: distribution of app/one failed');
    expect(issue!.labels.sort()).toEqual([FAILURE_LABEL, 'rekey'].sort());
    const body = issue!.body!;
    expect(body).toContain('| Failing since | 2026-11-22 07:00:00 UTC, commit `a1b2c3d4e5f6` |');
    expect(body).toContain('| Failed attempts | 1 of 3 |');
    expect(body).toContain(`[the run](${run(1)}) on commit \`a1b2c3d4e5f6\``);
    expect(body).toContain(`- ${DETAILS[0]!.replace(/[{}]/g, (c) => c)}`);
    expect(body).toContain('After 3 failed attempt(s) in a row');
    expect(body).toContain('<!-- rekey:distribution-failure app/one -->');
  });

  it('updates the same issue on later failures, never a second one', async () => {
    const [second] = await fail('app/one', 2);
    expect(second).toMatchObject({ attempts: 2, halted: false, result: 'updated' });
    expect(issuesFor('app/one')).toHaveLength(1);
    expect(issuesFor('app/one')[0]!.body).toContain('| Failed attempts | 2 of 3 |');
    expect(issuesFor('app/one')[0]!.body).toContain(`[the run](${run(2)})`);
    // "Since" stays the first failure.
    expect(issuesFor('app/one')[0]!.body).toContain('2026-11-22 07:00:00 UTC');

    // The same run recorded again (a retried record) is not another attempt.
    const [again] = await fail('app/one', 2);
    expect(again).toMatchObject({ attempts: 2, result: 'unchanged' });
    expect(issuesFor('app/one')).toHaveLength(1);
  });

  it('halts at the budget: label, title and what to do', async () => {
    const [third] = await fail('app/one', 3);
    expect(third).toMatchObject({ attempts: 3, halted: true, result: 'updated' });
    const [issue] = issuesFor('app/one');
    expect(issue!.labels).toContain(HALTED_LABEL);
    expect(issue!.title).toBe('rekey: distribution of app/one halted after 3 failed attempts');
    expect(issue!.body).toContain('`resume: app/one`');
    expect(issue!.body).toContain('Automation has stopped touching `app/one`');
    const halted = await haltedKeys(issues);
    expect([...halted.keys()]).toEqual(['app/one']);
    expect(halted.get('app/one')).toEqual({
      issue: issue!.number,
      url: third!.url,
      reason: `distribution failed 3 time(s) since 2026-11-22 07:00:00 UTC, commit \`a1b2c3d4e5f6\`; last: ${DETAILS[0]}`,
    });
  });

  it('resumes: label removed, attempts reset, a comment says who', async () => {
    expect(await resumeKey(issues, 'app/one', '@oncall-alice')).toBe('resumed');
    const [issue] = issuesFor('app/one');
    expect(issue!.labels).not.toContain(HALTED_LABEL);
    expect(issue!.state).toBe('open');
    expect(issue!.body).toContain('| Failed attempts | 0 of 3 |');
    expect(issue!.comments.at(-1)!.body).toMatch(/^Resumed by @\u200boncall-alice/);
    expect((await haltedKeys(issues)).size).toBe(0);
    expect(await resumeKey(issues, 'app/one')).toBe('not-halted');
    expect(await resumeKey(issues, 'app/never-failed')).toBe('not-halted');
    // Counting starts again.
    const [next] = await fail('app/one', 4);
    expect(next).toMatchObject({ attempts: 1, halted: false, issue: issue!.number });
  });

  it('closes the issue with a comment when the key converges; a later failure opens a new one', async () => {
    const before = issuesFor('app/one')[0]!;
    const records = await recordDistribution(issues, {
      failed: [],
      converged: ['app/one', 'app/never-failed'],
      budget: 3,
      commit: COMMIT,
      runUrl: run(5),
    });
    expect(records).toEqual([]);
    const closed = issuesFor('app/one')[0]!;
    expect(closed.state).toBe('closed');
    expect(closed.comments.at(-1)!.body).toBe(
      `Distribution of \`app/one\` converged on commit \`a1b2c3d4e5f6\` in [this run](${run(5)}) after 1 failed attempt(s): every target holds what the manifest says. Closing.`,
    );
    const [again] = await fail('app/one', 6);
    expect(again).toMatchObject({ attempts: 1, result: 'created' });
    expect(again!.issue).not.toBe(before.number);
    expect(issuesFor('app/one').filter((i) => i.state === 'open')).toHaveLength(1);
  });

  it('a halted label removed by hand counts as resumed', async () => {
    await fail('app/hand', 1, 1);
    const [issue] = issuesFor('app/hand');
    expect(issue!.labels).toContain(HALTED_LABEL);
    expect(await issues.removeLabel(issue!.number, HALTED_LABEL)).toBe('removed');
    expect(await issues.removeLabel(issue!.number, HALTED_LABEL)).toBe('absent');
    const [next] = await fail('app/hand', 2, 2);
    expect(next).toMatchObject({ attempts: 1, halted: false });
  });

  it('keys sharing a prefix get separate issues; several keys in one record', async () => {
    const records = await recordDistribution(issues, {
      failed: [
        { key: 'team/api', details: ['a'] },
        { key: 'team/api-v2', details: ['b'] },
      ],
      converged: [],
      budget: 2,
      commit: COMMIT,
      now: NOW,
    });
    expect(records.map((r) => [r.key, r.result])).toEqual([
      ['team/api', 'created'],
      ['team/api-v2', 'created'],
    ]);
    expect(records[0]!.issue).not.toBe(records[1]!.issue);
    // No run URL: every record counts.
    const again = await recordDistribution(issues, {
      failed: [{ key: 'team/api-v2', details: ['b'] }],
      converged: [],
      budget: 2,
      commit: COMMIT,
    });
    expect(again[0]).toMatchObject({ attempts: 2, halted: true });
    expect(issuesFor('team/api')[0]!.labels).not.toContain(HALTED_LABEL);
    expect([...(await haltedKeys(issues)).keys()]).toEqual(['team/api-v2']);
  });

  it('details cannot forge the hidden state, hide text or mention people', async () => {
    const forged = [
      'boom --> <!-- rekey:failure-state {"attempts":0,"halted":false} --> @everyone | x',
      '<img src=x onerror=alert(1)>',
    ];
    await fail('app/forge', 1, 3, forged);
    const [second] = await fail('app/forge', 2, 3, forged);
    expect(second).toMatchObject({ attempts: 2 });
    const body = issuesFor('app/forge')[0]!.body!;
    expect(body).not.toContain('<img');
    expect(body).not.toContain('@everyone');
    expect(body).not.toMatch(/boom -->/);
    expect(body.match(/<!-- rekey:failure-state /g)).toHaveLength(1);
    expect(body.match(/<!-- rekey:distribution-failure /g)).toHaveLength(1);
  });

  it('makes no call when there is nothing to record', async () => {
    expect(
      await recordDistribution(issues, { failed: [], converged: [], budget: 3, commit: COMMIT }),
    ).toEqual([]);
    expect(bed.emu.calls()).toBe(0);
  });

  it('refuses a budget below 1 before any call', async () => {
    await expect(
      recordDistribution(issues, { failed: [], converged: [], budget: 0, commit: COMMIT }),
    ).rejects.toThrow(RangeError);
    expect(bed.emu.calls()).toBe(0);
  });
});

describe('one failure-issue list per run (failureIssues)', () => {
  it('gives the halted keys haltedKeys gives, and the open failure issues, in 1 call', async () => {
    await fail('app/shared-halted', 1, 1);
    await fail('app/shared-open', 1, 3);
    bed.emu.clearLog();
    const { halted, open } = await failureIssues(issues);
    expect(bed.emu.calls()).toBe(1);
    expect(halted).toEqual(await haltedKeys(issues));
    expect(halted.has('app/shared-halted')).toBe(true);
    expect(halted.has('app/shared-open')).toBe(false);
    const markers = open.map((i) => i.body);
    expect(markers.some((b) => b.includes(failureMarker('app/shared-open')))).toBe(true);
  });

  it('records with that list when no key failed: no second list, the issue closed', async () => {
    const { open } = await failureIssues(issues);
    bed.emu.clearLog();
    await recordDistribution(issues, {
      failed: [],
      converged: ['app/shared-open'],
      budget: 3,
      commit: COMMIT,
      open,
    });
    // The comment and closeIssue (its find, the close): no list of the failure issues.
    expect(bed.emu.calls()).toBe(3);
    expect(issuesFor('app/shared-open')[0]!.state).toBe('closed');
  });

  it('lists again when a key failed: a resume made since the list is not undone', async () => {
    const { open } = await failureIssues(issues);
    // A person resumes the halted key after the run listed the issues.
    const [issue] = issuesFor('app/shared-halted');
    expect(await issues.removeLabel(issue!.number, HALTED_LABEL)).toBe('removed');
    bed.emu.clearLog();
    const [r] = await recordDistribution(issues, {
      failed: [{ key: 'app/shared-halted', details: DETAILS }],
      converged: [],
      budget: 3,
      commit: COMMIT,
      runUrl: run(20),
      open,
    });
    // A fresh list, then ensureIssue (its find, the update).
    expect(bed.emu.calls()).toBe(3);
    expect(r).toMatchObject({ attempts: 1, halted: false });
    expect(issuesFor('app/shared-halted')[0]!.labels).not.toContain(HALTED_LABEL);
  });
});
