// The revoke action as the runner runs it: the esbuild bundle of src/actions/revoke.ts started
// with `node` in a child process, with a schedule event, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// INPUT_* and a real clone of the emulator's repository as the workspace. The bundle uses
// Octokit's own fetch (nothing is injected) against the emulator on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undeclaredOperations } from '../../src/actions/runtime-operations.ts';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { canary } from '../support/canary.ts';
import { bundleAction, runScheduled, type Ran } from './runner.ts';
import { prepareRotation } from '../../src/commands/changes.ts';
import {
  callsFor,
  codec,
  days,
  dec,
  generate,
  manifest,
  sopsConfig,
  startBed,
  type Bed,
  type Checkout,
} from '../commands/rotate-bed.ts';

let bed: Bed;
let bundle: string;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('revoke', bed.tmp);
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

const runBundle = (c: Checkout, inputs: Record<string, string>): Promise<Ran> =>
  runScheduled(bed, bundle, c, inputs, { cron: '43 7 * * *', runId: '4242' });

describe('the revoke action bundle', () => {
  it('opens one revocation PR once the gate is open, reports outputs and summary', async () => {
    const now = new Date();
    bed.at(days(now, -100));
    let c = await bed.repo('revoke-bundle', await manifest(['svc/key']));
    const change = await prepareRotation(
      c.tree,
      'svc/key',
      { now: days(now, -20), sopsConfig, prepublish: false },
      { codec, generate },
    );
    bed.at(days(now, -20));
    await bed.emu.commitFiles(
      c.fullName,
      'main',
      Object.fromEntries(change.files.map((f) => [f.path, f.content && dec(f.content)])),
      change.message,
    );
    c = await bed.refresh(c);
    bed.at(days(now, -19));
    await bed
      .ports(c.fullName)
      .statuses.createStatus(c.sha, { state: 'success', context: 'rekey/distribution' });
    bed.at(now);
    bed.emu.clearLog();
    const r = await runBundle(c, { token: bed.token });
    const calls = callsFor(bed.emu, c.fullName);
    expect(r.code, r.stdout).toBe(0);
    // Every route the run called is declared, so the workflow's grants are checked for it.
    expect(undeclaredOperations('revoke', bed.emu.requestLog)).toEqual([]);
    expect(JSON.parse(r.outputs.created!)).toEqual(['svc/key']);
    expect(calls.length).toBeLessThanOrEqual(9);
    expect(r.summary).toContain('| svc/key | v1 (deactivated) | open |');
    const open = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open.map((p) => p.headRef)).toEqual(['rekey/revoke/svc/key']);
    console.log(`revoke bundle: ${calls.length} REST calls: ${calls.join(', ')}`);
    canary.scan({ stdout: r.stdout, summary: r.summary, outputs: JSON.stringify(r.outputs) });
    bed.emu.assertNoInvalidRequests();
  }, 120_000);

  it("refuses the workflow's GITHUB_TOKEN before any call to GitHub", async () => {
    bed.at(days(new Date(), -80));
    const c = await bed.repo('revoke-refuse', await manifest(['svc/key']));
    const actions = bed.emu.addToken({
      kind: 'github-actions',
      permissions: { contents: 'write', pull_requests: 'write' },
    });
    bed.emu.clearLog();
    const r = await runBundle(c, { token: actions, 'github-token': actions });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("Refusing to open pull requests with the workflow's GITHUB_TOKEN");
    expect(callsFor(bed.emu, c.fullName)).toEqual([]);
  }, 60_000);
});
