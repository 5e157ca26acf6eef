import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkflowRun, setWorkflowState } from '../../../src/sandbox/emulator/routes/actions.ts';
import { client, harness, type Harness, REPO, statusOf } from './harness.ts';

const o = { owner: 'acme', repo: 'infra' };
let h: Harness;
let reader: ReturnType<typeof client>;
beforeAll(async () => {
  h = await harness({
    'README.md': '# infra\n',
    '.github/workflows/rotate.yml':
      "name: rekey rotate\n'on':\n  schedule:\n    - cron: '17 6 * * *'\n",
    '.github/workflows/verify.yaml': "name: 'rekey verify'\n'on': pull_request\n",
    '.github/workflows/notes.txt': 'not a workflow\n',
  });
  reader = client(h.emu, h.emu.addToken({ kind: 'app', permissions: { actions: 'read' } }));
});
afterAll(async () => {
  h.emu.assertNoInvalidRequests();
  expect(h.emu.problems).toEqual([]);
  await h.emu.close();
});

describe('Actions workflows', () => {
  it('lists the workflow files of the default branch with their names, active by default', async () => {
    const r = await reader.request('GET /repos/{owner}/{repo}/actions/workflows', o);
    expect(r.data.total_count).toBe(2);
    expect(r.data.workflows.map((w) => [w.path, w.name, w.state])).toEqual([
      ['.github/workflows/rotate.yml', 'rekey rotate', 'active'],
      ['.github/workflows/verify.yaml', 'rekey verify', 'active'],
    ]);
  });

  it('reports a disabled workflow and finds one by its file name (404 for an unknown one)', async () => {
    setWorkflowState(h.emu.repo(REPO), '.github/workflows/rotate.yml', 'disabled_inactivity');
    const byName = await reader.request(
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}',
      {
        ...o,
        workflow_id: 'rotate.yml',
      },
    );
    expect(byName.data.state).toBe('disabled_inactivity');
    expect(
      await statusOf(
        reader.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}', {
          ...o,
          workflow_id: 'nope.yml',
        }),
      ),
    ).toBe(404);
    setWorkflowState(h.emu.repo(REPO), '.github/workflows/rotate.yml', 'active');
  });

  it('lists runs newest first, filtered by event, paginated', async () => {
    const repo = h.emu.repo(REPO);
    const path = '.github/workflows/rotate.yml';
    addWorkflowRun(repo, path, { event: 'schedule', createdAt: '2026-11-20T06:17:00Z' });
    addWorkflowRun(repo, path, {
      event: 'workflow_dispatch',
      createdAt: '2026-11-21T10:00:00Z',
      conclusion: 'failure',
    });
    addWorkflowRun(repo, path, { event: 'schedule', createdAt: '2026-11-21T06:17:00Z' });
    addWorkflowRun(repo, path, {
      event: 'schedule',
      createdAt: '2026-11-22T06:17:00Z',
      status: 'in_progress',
    });
    const runs = await reader.request(
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      {
        ...o,
        workflow_id: 'rotate.yml',
      },
    );
    expect(runs.data.total_count).toBe(4);
    expect(
      runs.data.workflow_runs.map((r) => [r.event, r.status, r.conclusion, r.created_at]),
    ).toEqual([
      ['schedule', 'in_progress', null, '2026-11-22T06:17:00Z'],
      ['workflow_dispatch', 'completed', 'failure', '2026-11-21T10:00:00Z'],
      ['schedule', 'completed', 'success', '2026-11-21T06:17:00Z'],
      ['schedule', 'completed', 'success', '2026-11-20T06:17:00Z'],
    ]);
    const scheduled = await reader.request(
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      {
        ...o,
        workflow_id: 'rotate.yml',
        event: 'schedule',
        per_page: 2,
      },
    );
    expect(scheduled.data.total_count).toBe(3);
    expect(scheduled.data.workflow_runs).toHaveLength(2);
    expect(scheduled.headers.link).toMatch(/rel="next"/);
  });

  it('needs actions: read (403 with the permission named)', async () => {
    const noActions = client(
      h.emu,
      h.emu.addToken({ kind: 'app', permissions: { contents: 'read' } }),
    );
    const e = await noActions
      .request('GET /repos/{owner}/{repo}/actions/workflows', o)
      .catch((x: { status: number; response?: { headers: Record<string, string> } }) => x);
    expect((e as { status: number }).status).toBe(403);
    expect(
      (e as { response: { headers: Record<string, string> } }).response.headers[
        'x-accepted-github-permissions'
      ],
    ).toBe('actions=read');
  });
});
