// The rotate action as the runner runs it: the esbuild bundle of src/actions/rotate.ts started
// with `node` in a child process, with a schedule event, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// INPUT_* and a real clone of the emulator's repository as the workspace. The bundle uses
// Octokit's own fetch (nothing is injected) against the emulator on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undeclaredOperations } from '../../src/actions/runtime-operations.ts';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { canary } from '../support/canary.ts';
import { bundleAction, runScheduled, type Ran } from './runner.ts';
import {
  callsFor,
  days,
  manifest,
  startBed,
  type Bed,
  type Checkout,
} from '../commands/rotate-bed.ts';

let bed: Bed;
let bundle: string;
const MUTATING = /^(POST|PATCH|PUT|DELETE) /;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('rotate', bed.tmp);
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

const runBundle = (c: Checkout, inputs: Record<string, string>): Promise<Ran> =>
  runScheduled(bed, bundle, c, inputs, { cron: '17 6 * * *', runId: '4242' });

describe('the rotate action bundle', () => {
  it('opens one PR per due key, reports outputs and a summary, then changes nothing', async () => {
    // Committed 80 days before the real clock the bundle reads: every key is due.
    bed.at(days(new Date(), -80));
    const c = await bed.repo('bundle', await manifest(['app/one', 'app/two']));
    bed.emu.clearLog();
    const first = await runBundle(c, { token: bed.token });
    expect(first.code, first.stdout).toBe(0);
    expect(JSON.parse(first.outputs.created!)).toEqual(['app/one', 'app/two']);
    expect(JSON.parse(first.outputs.unchanged!)).toEqual([]);
    const pulls = JSON.parse(first.outputs.pulls!) as { key: string; number: number }[];
    expect(pulls.map((p) => p.key)).toEqual(['app/one', 'app/two']);
    expect(first.summary).toContain('| app/one | created |');
    const calls = callsFor(bed.emu, c.fullName).length;
    console.log(`rotate bundle: 2 due keys: ${calls} REST calls`);
    // Branch head + open PRs + halted keys (read because keys are due), then 6 per new PR.
    expect(calls).toBeLessThanOrEqual(3 + 6 * 2);

    const second = await runBundle(c, { token: bed.token });
    expect(second.code, second.stdout).toBe(0);
    // Every route the runs called is declared, so the workflow's grants are checked for it.
    expect(undeclaredOperations('rotate', bed.emu.requestLog)).toEqual([]);
    expect(JSON.parse(second.outputs.created!)).toEqual([]);
    expect(JSON.parse(second.outputs.unchanged!)).toEqual(['app/one', 'app/two']);
    const open = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open).toHaveLength(2);
    canary.scan({
      stdout: first.stdout + second.stdout,
      summary: first.summary + second.summary,
      outputs: JSON.stringify([first.outputs, second.outputs]),
      'PR bodies': open.map((p) => p.body).join('\n'),
    });
    expect(canary.size).toBeGreaterThan(0);
    bed.emu.assertNoInvalidRequests();
  }, 120_000);

  it("refuses the workflow's GITHUB_TOKEN before any call to GitHub", async () => {
    bed.at(days(new Date(), -80));
    const c = await bed.repo('refuse', await manifest(['app/one']));
    const actions = bed.emu.addToken({
      kind: 'github-actions',
      permissions: { contents: 'write', pull_requests: 'write' },
    });
    bed.emu.clearLog();
    const r = await runBundle(c, { token: actions, 'github-token': actions });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("Refusing to open pull requests with the workflow's GITHUB_TOKEN");
    // `::add-mask::` lines are commands to the runner (which hides the value), not log output.
    const shown = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(shown.join('\n')).not.toContain(actions);
    expect(r.stdout).toContain(`::add-mask::${actions}`);
    const calls = callsFor(bed.emu, c.fullName);
    expect(calls.filter((o) => MUTATING.test(o))).toEqual([]);
    expect(calls).toEqual([]);
  }, 60_000);

  it('a dry run prints the plan and writes nothing', async () => {
    bed.at(days(new Date(), -80));
    const c = await bed.repo('dry', await manifest(['app/one']));
    bed.emu.clearLog();
    const r = await runBundle(c, { token: bed.token, 'dry-run': 'true' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('app/one');
    expect(r.summary).toContain('Dry run: nothing was written.');
    expect(callsFor(bed.emu, c.fullName).filter((o) => MUTATING.test(o))).toEqual([]);
  }, 60_000);
  it('an emergency dispatch opens one labelled PR for the named key', async () => {
    bed.at(days(new Date(), -5));
    const c = await bed.repo('bundle-emergency', await manifest(['app/one', 'app/two']));
    const r = await runBundle(c, {
      token: bed.token,
      key: 'app/two',
      reason: 'token found in a public gist',
      compromised: 'true',
    });
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.outputs.created!)).toEqual(['app/two']);
    const open = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open.map((p) => [p.headRef, p.labels.includes('rekey:emergency')])).toEqual([
      ['rekey/emergency/app/two', true],
    ]);
    expect(open[0]!.body).toContain('v1 | active → compromised');
    canary.scan({ stdout: r.stdout, summary: r.summary, 'PR body': open[0]!.body });
    bed.emu.assertNoInvalidRequests();
  }, 60_000);
});
