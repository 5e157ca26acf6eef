// Attack (or misconfiguration): a rotation PR nobody is asked to review. GitHub refuses a team
// reviewer from a token without the organization permission `members: read`, all-or-nothing,
// and the shipped policies name teams. Before, the rotate action turned the 422 into a line in
// the job summary and exited 0: the PR sat open with no reviewer and nobody was told. Now the
// rotate action bundle, as the runner runs it, still opens the PR, writes into its body that no
// reviewer could be requested, annotates the run with an error and fails the step; and the
// teams it could not ask do not drop the user it could.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEWER_NOTE } from '../../src/commands/open-pull.ts';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { bundleAction, runScheduled, type Ran } from '../actions/runner.ts';
import {
  days,
  manifest,
  POLICY,
  startBed,
  type Bed,
  type Checkout,
} from '../commands/rotate-bed.ts';
import { canary } from '../support/canary.ts';

let bed: Bed;
let bundle: string;
let token: string;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('rotate', bed.tmp);
  bed.emu.addUser('alice');
  // An App installed without the organization permission members: read.
  token = bed.emu.addToken({
    kind: 'app',
    login: 'nomembers',
    permissions: { contents: 'write', pull_requests: 'write', issues: 'write', statuses: 'write' },
  });
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

const runBundle = (c: Checkout): Promise<Ran> =>
  runScheduled(bed, bundle, c, { token }, { cron: '17 6 * * *', runId: '4343' });

describe('a rotation PR that no reviewer could be requested for', () => {
  it('is opened, says so in its body, and fails the run with an error annotation', async () => {
    bed.at(days(new Date(), -80));
    const c = await bed.repo('unreviewed', await manifest(['app/one']));
    const r = await runBundle(c);
    expect(r.code, r.stdout).not.toBe(0);
    expect(JSON.parse(r.outputs.created!)).toEqual(['app/one']);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(
      errors.some((l) => /no reviewer could be requested on #\d+/.test(l)),
      r.stdout,
    ).toBe(true);
    const [open] = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open!.body).toContain(REVIEWER_NOTE);
    expect(open!.body).toContain('`@acme/security`');
    canary.scan({ stdout: r.stdout, summary: r.summary, body: open!.body });
    bed.emu.assertNoInvalidRequests();
  }, 120_000);

  it('a user among the reviewers is still requested, and the run succeeds', async () => {
    bed.at(days(new Date(), -80));
    const policy = POLICY.replace(
      "reviewers: ['@acme/security']",
      "reviewers: ['@acme/security', '@alice']",
    );
    const c = await bed.repo('half-reviewed', await manifest(['app/one'], policy));
    const r = await runBundle(c);
    expect(r.code, r.stdout).toBe(0);
    const [open] = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(bed.emu.repo(c.fullName).pulls.get(open!.number)!.requested_reviewers).toEqual([
      'alice',
    ]);
    expect(open!.body).not.toContain(REVIEWER_NOTE);
    expect(r.summary).toMatch(/@acme\/security not requested/);
  }, 120_000);
});
