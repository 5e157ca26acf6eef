// The dashboard action as the runner runs it: the esbuild bundle of src/actions/dashboard.ts
// started with `node` in a child process, with a schedule event, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, INPUT_* and a real clone of the emulator's repository as the workspace.
// The token is a GITHUB_TOKEN-like installation token with only the workflow's grants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let token: string;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('dashboard', bed.tmp);
  // What the workflow grants GITHUB_TOKEN: contents: read, issues: write, pull-requests: read.
  token = bed.emu.addToken({
    kind: 'github-actions',
    permissions: { contents: 'read', issues: 'write', pull_requests: 'read' },
  });
}, 120_000);

afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed?.close();
});

const runBundle = (c: Checkout, inputs: Record<string, string>): Promise<Ran> =>
  runScheduled(bed, bundle, c, inputs, { cron: '23 * * * *', runId: '77' });

describe('the dashboard action bundle', () => {
  it('creates the issue, then leaves it alone on the next run, with GITHUB_TOKEN', async () => {
    const now = new Date();
    bed.at(days(now, -30));
    const c = await bed.repo('dashboard-bundle', await manifest(['svc/key', 'svc/other']));
    bed.at(now);
    bed.emu.clearLog();

    const first = await runBundle(c, { token });
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.result).toBe('created');
    expect(first.summary).toContain('# rekey dashboard');
    expect(first.summary).toContain('| `svc/key` | 🟢 ok |');
    const issue = bed.emu.repo(c.fullName).issues.get(Number(first.outputs.issue));
    expect(issue?.labels.sort()).toEqual(['rekey', 'rekey:dashboard']);
    expect(issue?.body).toBe(first.summary.trimEnd() + '\n');

    bed.emu.clearLog();
    const second = await runBundle(c, { token });
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs.result).toBe('unchanged');
    expect(second.outputs.issue).toBe(first.outputs.issue);
    const calls = callsFor(bed.emu, c.fullName);
    expect(calls.filter((op) => !op.startsWith('GET '))).toEqual([]);
    console.log(`dashboard bundle, unchanged run: ${calls.length} REST calls: ${calls.join(', ')}`);
  }, 120_000);

  it('renders into the summary and writes nothing on a dry run', async () => {
    bed.at(days(new Date(), -200));
    const c = await bed.repo('dashboard-dry', await manifest(['svc/key']));
    bed.at(new Date());
    bed.emu.clearLog();
    const r = await runBundle(c, { token, 'dry-run': 'true' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.result).toBe('dry-run');
    expect(r.summary).toContain('🔴 overdue');
    expect(callsFor(bed.emu, c.fullName).filter((op) => !op.startsWith('GET '))).toEqual([]);
  }, 120_000);
});
