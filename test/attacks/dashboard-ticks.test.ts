// Attack: make rekey rotate or resume a key by ticking a box. The dashboard handler
// (src/commands/dashboard-actions.ts) acts only on rekey's own dashboard, read through the API
// by number (a user's issue carrying the marker is ignored), only for someone the API says
// has write access (a reader is refused and told why), only for a key in the manifest, and
// only once per tick (the same event delivered twice acts once). Everything against the
// emulator with real issues.edited payloads; rotate and resume are the real commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/adapters/github/client.ts';
import { createDashboardRequestsAdapter } from '../../src/adapters/github/dashboard-requests.ts';
import { updateDashboard } from '../../src/commands/dashboard.ts';
import {
  describeRotation,
  handleDashboardEdit,
  type DashboardActionsResult,
} from '../../src/commands/dashboard-actions.ts';
import {
  FAILURE_LABEL,
  haltedKeys,
  recordDistribution,
  resumeKey,
} from '../../src/commands/distribute/failures.ts';
import { rotate } from '../../src/commands/rotate.ts';
import { canary } from '../support/canary.ts';
import {
  type Bed,
  type Checkout,
  codec,
  days,
  generate,
  manifest,
  startBed,
  T0,
} from '../commands/rotate-bed.ts';
import { editAs, tick } from './dashboard-edit.ts';

let bed: Bed;
let c: Checkout;
let actionsToken: string;
let dashboard: number;
const NOW = days(T0, 10);

beforeAll(async () => {
  bed = await startBed();
  c = await bed.repo('dash-ticks', await manifest(['svc/key', 'svc/other', 'svc/halted']));
  // The dashboard workflow's GITHUB_TOKEN: the issue's author is github-actions[bot].
  actionsToken = bed.emu.addToken({
    kind: 'github-actions',
    permissions: { contents: 'read', issues: 'write', pull_requests: 'read' },
  });
  const p = bed.ports(c.fullName);
  await recordDistribution(p.issues, {
    failed: [{ key: 'svc/halted', details: ['acme/api: 403 on the public key'] }],
    converged: [],
    budget: 1,
    commit: c.sha,
  });
  const a = bed.ports(c.fullName, actionsToken);
  const r = await updateDashboard(
    { tree: c.tree, history: c.history, now: NOW },
    {
      pulls: a.pulls,
      issues: a.issues,
      halted: () => haltedKeys(a.issues),
      failures: () => a.issues.listIssues(FAILURE_LABEL),
    },
  );
  dashboard = r.issue!.number;
  for (const [login, role] of [
    ['alice', 'write'],
    ['mallory', 'read'],
    ['tom', 'triage'],
    ['mia', 'maintain'],
  ] as const) {
    bed.emu.setCollaborator(c.fullName, login, role);
  }
}, 60_000);
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed?.close();
});

const body = (n = dashboard) => bed.emu.repo(c.fullName).issues.get(n)!.body ?? '';
const comments = (n = dashboard) => bed.emu.repo(c.fullName).issues.get(n)!.comments;
const emergencyPulls = () =>
  [...bed.emu.repo(c.fullName).pulls.values()].filter((p) =>
    p.headRef.startsWith('rekey/emergency/'),
  );

/** The handler as the action wires it: the App token, the real rotate and resume. */
async function deliver(event: Record<string, unknown>): Promise<DashboardActionsResult> {
  const client = createGitHubClient({
    token: bed.token,
    apiUrl: bed.emu.apiUrl,
    serverUrl: bed.emu.serverUrl,
    throttle: { enabled: false },
    retry: { baseDelayMs: 5 },
  });
  const ports = bed.ports(c.fullName);
  const e = event as {
    issue: { number: number };
    sender: { login: string };
    changes?: { body?: { from: string } };
  };
  return handleDashboardEdit(
    {
      edit: {
        issue: e.issue.number,
        sender: e.sender.login,
        ...(e.changes?.body ? { before: e.changes.body.from } : {}),
      },
      tree: c.tree,
      now: NOW,
    },
    {
      requests: createDashboardRequestsAdapter(client, { owner: 'acme', repo: 'dash-ticks' }),
      rotate: async (key, reason) =>
        describeRotation(
          await rotate(
            {
              tree: c.tree,
              sha: c.sha,
              history: c.history,
              firstParent: c.firstParent,
              now: NOW,
              emergency: { key, reason, compromised: false },
            },
            { ...ports, codec, generate },
          ),
          key,
        ),
      resume: (key, by) => resumeKey(ports.issues, key, by),
    },
  );
}

const edit = (login: string, text: string, n = dashboard) =>
  editAs(bed.emu, actionsToken, c.fullName, n, login, text);

describe('ticking a box on the dashboard', () => {
  it('offers rotate now for ok keys, resume for the halted key', () => {
    expect(body()).toContain('## Actions');
    expect(body()).toContain('- [ ] <!-- rekey:request rotate svc/key -->');
    expect(body()).toContain('- [ ] <!-- rekey:request rotate svc/other -->');
    expect(body()).toContain('- [ ] <!-- rekey:request resume svc/halted -->');
    expect(body()).not.toContain('rekey:request rotate svc/halted');
  });

  it('by a reader: refused, unticked, and the comment says why; nothing rotated', async () => {
    const event = await edit('mallory', tick(body(), 'rotate', 'svc/key'));
    const r = await deliver(event);
    expect(r).toMatchObject({ kind: 'refused', requester: 'mallory' });
    expect(body()).toContain('- [ ] <!-- rekey:request rotate svc/key -->');
    expect(emergencyPulls()).toEqual([]);
    const last = comments().at(-1)!.body;
    expect(last).toMatch(/^Refused: @\u200bmallory has the read role here; .*needs write access/);
    expect(last).toContain('rotate `svc/key` now');
  });

  it('by a triager (may edit issues, not write): refused too', async () => {
    const r = await deliver(await edit('tom', tick(body(), 'rotate', 'svc/key')));
    expect(r).toMatchObject({ kind: 'refused' });
    expect(comments().at(-1)!.body).toContain('has the triage role');
    expect(emergencyPulls()).toEqual([]);
  });

  it('by a writer, delivered twice: one emergency rotation, naming who asked; one comment', async () => {
    const event = await edit('alice', tick(body(), 'rotate', 'svc/key'));
    const before = comments().length;
    const first = await deliver(event);
    expect(first).toMatchObject({ kind: 'handled', requester: 'alice', distribute: false });
    expect(body()).toContain('- [ ] <!-- rekey:request rotate svc/key -->');
    const pulls = emergencyPulls();
    expect(pulls.map((p) => p.headRef)).toEqual(['rekey/emergency/svc/key']);
    const pr = bed.emu.repo(c.fullName).issues.get(pulls[0]!.number)!;
    // Who asked, where the reviewer reads it; the mention made inert (it notifies nobody).
    expect(pr.body).toMatch(/Requested\\-by: @\u200b+alice via dashboard \\\(issue \\#\d+\\\)/);
    expect(pr.body).not.toMatch(/@alice/);
    expect(comments()).toHaveLength(before + 1);
    // The new material (registered by `generate`) is nowhere but encrypted in its file.
    expect(canary.size).toBeGreaterThan(0);
    canary.scan({
      'PR body': pr.body ?? '',
      'dashboard body': body(),
      ...Object.fromEntries(comments().map((x, i) => [`comment ${i}`, x.body])),
      ...Object.fromEntries(bed.bodies.map((b, i) => [`request body ${i}`, b])),
    });
    expect(comments().at(-1)!.body).toContain(
      'Requested by @\u200balice (write) via the dashboard',
    );
    expect(comments().at(-1)!.body).toMatch(/rotate `svc\/key` now: opened \[#\d+\]/);

    // GitHub may deliver the same event again: the box is unticked in the API's body now.
    const second = await deliver(event);
    expect(second).toEqual({ kind: 'ignored', reason: 'no box is ticked' });
    expect(emergencyPulls()).toHaveLength(1);
    expect(comments()).toHaveLength(before + 1);
  });

  it('records who asked in the commit trailer of the rotation', async () => {
    const pull = emergencyPulls()[0]!;
    const log = await (
      await fetch(`${bed.emu.apiUrl}/repos/${c.fullName}/git/commits/${pull.headSha}`, {
        headers: { authorization: `Bearer ${bed.token}` },
      })
    ).json();
    expect((log as { message: string }).message).toContain(
      'Rekey-Reason: Requested-by: @\u200balice via dashboard (issue #',
    );
  });

  it('by a maintainer: resume the halted key, and a distribution run is asked for', async () => {
    const r = await deliver(await edit('mia', tick(body(), 'resume', 'svc/halted')));
    expect(r).toMatchObject({ kind: 'handled', distribute: true });
    expect([...(await haltedKeys(bed.ports(c.fullName).issues)).keys()]).toEqual([]);
    expect(comments().at(-1)!.body).toContain('resume `svc/halted`: resumed');
  });

  it('after the resume, the failed key gets retry now; a tick asks for a distribution run', async () => {
    const a = bed.ports(c.fullName, actionsToken);
    const r = await updateDashboard(
      { tree: c.tree, history: c.history, now: NOW },
      {
        pulls: a.pulls,
        issues: a.issues,
        halted: () => haltedKeys(a.issues),
        failures: () => a.issues.listIssues(FAILURE_LABEL),
      },
    );
    expect(r.issue).toMatchObject({ number: dashboard, result: 'updated' });
    expect(body()).toContain('- [ ] <!-- rekey:request retry svc/halted -->');
    expect(body()).not.toContain('rekey:request resume svc/halted');
    const handled = await deliver(await edit('alice', tick(body(), 'retry', 'svc/halted')));
    expect(handled).toMatchObject({
      kind: 'handled',
      distribute: true,
      outcomes: [{ result: 'done', detail: 'a distribution run follows' }],
    });
    expect(body()).toContain('- [ ] <!-- rekey:request retry svc/halted -->');
  });

  it('naming a key that is not in the manifest: refused, and said so', async () => {
    const forged = body().replace(
      '- [ ] <!-- rekey:request rotate svc/other -->',
      '- [x] <!-- rekey:request rotate svc/missing -->',
    );
    const r = await deliver(await edit('alice', forged));
    expect(r).toMatchObject({
      kind: 'handled',
      outcomes: [{ result: 'refused', detail: 'no key `svc/missing` in keys-manifest/' }],
    });
    expect(emergencyPulls()).toHaveLength(1);
    expect(body()).toContain('- [ ] <!-- rekey:request rotate svc/missing -->');
  });

  it('on a forged dashboard (a user issue with the marker and label): ignored, nothing written', async () => {
    const userToken = bed.emu.addToken({
      kind: 'user',
      login: 'alice',
      permissions: { issues: 'write' },
    });
    const res = await fetch(`${bed.emu.apiUrl}/repos/${c.fullName}/issues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'rekey dashboard', body: body(), labels: ['rekey:dashboard'] }),
    });
    const forged = ((await res.json()) as { number: number }).number;
    bed.emu.clearLog();
    const r = await deliver(await edit('alice', tick(body(forged), 'retry', 'svc/halted'), forged));
    expect(r).toMatchObject({ kind: 'ignored' });
    expect((r as { reason: string }).reason).toMatch(
      /is not rekey's dashboard: its author alice is not the dashboard workflow/,
    );
    expect(bed.emu.requestLog.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(emergencyPulls()).toHaveLength(1);
    expect(comments(forged)).toEqual([]);
  });
});
