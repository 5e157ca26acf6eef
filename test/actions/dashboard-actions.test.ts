// The dashboard-actions action as the runner runs it: the esbuild bundle of
// src/actions/dashboard-actions.ts started with `node`, an `issues` `edited` event file as
// GitHub writes it (GITHUB_EVENT_PATH), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, INPUT_* and a
// clone of the emulator's repository as the workspace; the App token as rotate.yml mints it.
// Also the workflow that runs it: dashboard-actions.yml.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDashboard } from '../../src/commands/dashboard.ts';
import { haltedKeys } from '../../src/commands/distribute/failures.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { editAs, tick } from '../attacks/dashboard-edit.ts';
import { type Bed, type Checkout, days, manifest, startBed, T0 } from '../commands/rotate-bed.ts';
import { bundleAction, runBundle, type Ran } from './runner.ts';

let bed: Bed;
let bundle: string;
let c: Checkout;
let actionsToken: string;
let dashboard: number;
const GITHUB_TOKEN = 'ghs_theworkflowsowntokenxxxxxxxxxxxxxx';

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('dashboard-actions', bed.tmp);
  bed.at(T0);
  c = await bed.repo('dash-bundle', await manifest(['svc/key', 'svc/other']));
  bed.at(days(T0, 10));
  actionsToken = bed.emu.addToken({
    kind: 'github-actions',
    permissions: { contents: 'read', issues: 'write', pull_requests: 'read' },
  });
  const a = bed.ports(c.fullName, actionsToken);
  const r = await updateDashboard(
    { tree: c.tree, history: c.history, now: days(T0, 10) },
    { pulls: a.pulls, issues: a.issues, halted: () => haltedKeys(a.issues) },
  );
  dashboard = r.issue!.number;
  for (const [login, role] of [
    ['alice', 'write'],
    ['mallory', 'read'],
  ] as const) {
    bed.emu.setCollaborator(c.fullName, login, role);
  }
}, 120_000);
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed?.close();
});

const run = (event: object): Promise<Ran> =>
  runBundle({
    bundle,
    tmp: bed.tmp,
    workspace: c.work,
    eventName: 'issues',
    event,
    env: {
      ...bed.emu.actionsEnv(c.fullName),
      GITHUB_SHA: c.sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '91',
    },
    inputs: { token: bed.token, 'github-token': GITHUB_TOKEN },
  });
const body = () => bed.emu.repo(c.fullName).issues.get(dashboard)!.body ?? '';
const emergencyPulls = () =>
  [...bed.emu.repo(c.fullName).pulls.values()].filter((p) =>
    p.headRef.startsWith('rekey/emergency/'),
  );

describe('the dashboard-actions bundle', () => {
  it("refuses a reader's tick, unticks it and says why", async () => {
    const event = await editAs(
      bed.emu,
      actionsToken,
      c.fullName,
      dashboard,
      'mallory',
      tick(body(), 'rotate', 'svc/key'),
    );
    const r = await run(event);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ result: 'refused', 'requested-by': 'mallory' });
    expect(r.summary).toContain('needs write access');
    expect(body()).toContain('- [ ] <!-- rekey:request rotate svc/key -->');
    expect(emergencyPulls()).toEqual([]);
  }, 120_000);

  it("acts once on a writer's tick, even when the event is delivered twice", async () => {
    const before = body();
    const event = await editAs(
      bed.emu,
      actionsToken,
      c.fullName,
      dashboard,
      'alice',
      tick(before, 'rotate', 'svc/other'),
    );
    const first = await run(event);
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({
      result: 'handled',
      'requested-by': 'alice',
      distribute: 'false',
    });
    expect(first.summary).toMatch(/rotate svc\/other: done, opened \[#\d+\]/);
    expect(emergencyPulls().map((p) => p.headRef)).toEqual(['rekey/emergency/svc/other']);
    // Unticked again: the body is what the dashboard renders, so its next run writes nothing.
    expect(body()).toBe(before);
    const comments = bed.emu.repo(c.fullName).issues.get(dashboard)!.comments;
    expect(comments.at(-1)!.body).toContain('Requested by @\u200balice (write) via the dashboard');

    const second = await run(event);
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs).toMatchObject({ result: 'ignored', distribute: 'false' });
    expect(emergencyPulls()).toHaveLength(1);
    expect(bed.emu.repo(c.fullName).issues.get(dashboard)!.comments).toHaveLength(comments.length);
  }, 120_000);

  it('refuses the workflow GITHUB_TOKEN as its token, before any request', async () => {
    bed.emu.clearLog();
    const r = await runBundle({
      bundle,
      tmp: bed.tmp,
      workspace: c.work,
      eventName: 'issues',
      event: { issue: { number: dashboard }, sender: { login: 'alice' } },
      env: { ...bed.emu.actionsEnv(c.fullName), GITHUB_SHA: c.sha, GITHUB_REF: 'refs/heads/main' },
      inputs: { token: GITHUB_TOKEN, 'github-token': GITHUB_TOKEN },
    });
    expect(r.code).not.toBe(0);
    expect(bed.emu.requestLog).toEqual([]);
  }, 120_000);
});

describe('.github/workflows/dashboard-actions.yml', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const text = readFileSync(path.join(root, '.github/workflows/dashboard-actions.yml'), 'utf8');
  const wf = parseYaml('dashboard-actions.yml', new TextEncoder().encode(text)).value as {
    on: unknown;
    jobs: Record<
      string,
      {
        concurrency?: unknown;
        environment?: string;
        steps: { uses?: string; run?: string; with?: Record<string, string> }[];
      }
    >;
  };

  it('runs on issue edits only, both jobs queued in rekey-mutations', () => {
    expect(wf.on).toEqual({ issues: { types: ['edited'] } });
    for (const job of Object.values(wf.jobs))
      expect(job.concurrency).toEqual({
        group: 'rekey-mutations',
        'cancel-in-progress': false,
        queue: 'max',
      });
  });

  it('gives the action nothing from the event: only the App token', () => {
    const step = wf.jobs['act']!.steps.find((s) => s.uses === './actions/dashboard-actions');
    expect(step?.with).toEqual({ token: '${{ steps.app-token.outputs.token }}' });
    expect(text).not.toMatch(/run:[^\n]*\$\{\{\s*github\.event/);
  });

  it('distributes only in the distribution environment, only when asked', () => {
    const d = wf.jobs['distribute']!;
    expect(d.environment).toBe('rekey-distribution');
    expect(wf.jobs['act']!.environment).toBe('rekey');
    expect(text).toContain("if: needs.act.outputs.distribute == 'true'");
    expect(wf.jobs['act']!.steps.some((s) => JSON.stringify(s).includes('SOPS_AGE_KEY'))).toBe(
      false,
    );
  });
});
