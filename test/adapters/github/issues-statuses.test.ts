import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitDataAdapter } from '../../../src/adapters/github/git-data.ts';
import { createIssuesAdapter } from '../../../src/adapters/github/issues.ts';
import { createStatusAdapter } from '../../../src/adapters/github/statuses.ts';
import type { IssuesPort, StatusPort } from '../../../src/core/ports/github.ts';
import { AT, type Bed, REPO, rejection, startBed } from './harness.ts';

let bed: Bed;
let issues: IssuesPort;
let statuses: StatusPort;
let head: string;

beforeAll(async () => {
  bed = await startBed();
  issues = createIssuesAdapter(bed.client(), AT);
  statuses = createStatusAdapter(bed.client(), AT);
  head = (await createGitDataAdapter(bed.client(), AT).getBranchHead('main'))!.commit;
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});
beforeEach(() => bed.emu.clearLog());

describe('IssuesPort over the emulator', () => {
  const marker = '<!-- rekey:issue payments/webhook -->';
  const spec = {
    marker,
    title: 'rekey: distribution of payments/webhook failed',
    body: 'Target acme/payments-api did not converge.',
    labels: ['rekey', 'rekey:halted'] as [string, ...string[]],
  };

  it('creates, then leaves alone, then updates; never duplicates', async () => {
    const created = await issues.ensureIssue(spec);
    expect(created.result).toBe('created');
    expect(created.url).toBe(`${bed.emu.serverUrl}/${REPO}/issues/${created.number}`);
    expect(bed.emu.calls()).toBe(2); // list + create

    bed.emu.clearLog();
    expect(await issues.ensureIssue(spec)).toEqual({ ...created, result: 'unchanged' });
    expect(bed.emu.calls()).toBe(1);

    bed.emu.clearLog();
    const updated = await issues.ensureIssue({ ...spec, body: 'Retry 2 of 3 failed.' });
    expect(updated).toEqual({ ...created, result: 'updated' });
    expect(bed.emu.calls()).toBe(2);

    const found = await issues.findIssue(marker, 'rekey');
    expect(found?.number).toBe(created.number);
    expect(found?.body).toBe(`Retry 2 of 3 failed.\n\n${marker}\n`);
    expect(found?.labels).toEqual(['rekey', 'rekey:halted']);
  });

  it('restores a removed label and keeps labels people added', async () => {
    const { number } = await issues.ensureIssue(spec);
    await bed.client().octokit.request('PUT /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      ...AT,
      issue_number: number,
      labels: ['rekey', 'triage'],
    });
    expect((await issues.ensureIssue(spec)).result).toBe('updated');
    expect((await issues.findIssue(marker, 'rekey'))?.labels.toSorted()).toEqual([
      'rekey',
      'rekey:halted',
      'triage',
    ]);
  });

  it('ignores pull requests and other issues, closes by marker', async () => {
    expect(await issues.findIssue('<!-- rekey:issue other -->', 'rekey')).toBeNull();
    expect(await issues.closeIssue(marker, 'rekey')).toBe('closed');
    expect(await issues.findIssue(marker, 'rekey')).toBeNull();
    expect(await issues.closeIssue(marker, 'rekey')).toBe('absent');
    // Closed: the next failure opens a fresh issue.
    expect((await issues.ensureIssue(spec)).result).toBe('created');
  });

  it('a create whose answer is a 502 is not retried (no duplicate issue)', async () => {
    const m = '<!-- rekey:issue no-retry -->';
    bed.emu.inject({ route: 'POST /repos/{owner}/{repo}/issues', status: 502 });
    const err = await rejection(issues.ensureIssue({ ...spec, marker: m }));
    expect(err).toMatchObject({ code: 'server', status: 502 });
    expect(bed.emu.calls('POST /repos/{owner}/{repo}/issues')).toBe(1);
  });

  it('finds a marked issue among 250 open ones (3 pages)', async () => {
    const o = bed.client().octokit;
    for (let i = 0; i < 250; i++)
      await o.request('POST /repos/{owner}/{repo}/issues', {
        ...AT,
        title: `noise ${i}`,
        body: i === 249 ? '<!-- rekey:issue last -->' : `noise ${i}`,
        labels: ['rekey'],
      });
    bed.emu.clearLog();
    const hit = await issues.findIssue('<!-- rekey:issue last -->', 'rekey');
    expect(hit?.title).toBe('noise 249');
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/issues')).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('StatusPort over the emulator', () => {
  it('creates statuses and lists them newest first, filtered by context', async () => {
    await statuses.createStatus(head, { state: 'pending', context: 'rekey/distribution' });
    await statuses.createStatus(head, { state: 'success', context: 'ci/build' });
    await statuses.createStatus(head, {
      state: 'success',
      context: 'rekey/distribution',
      description: 'x'.repeat(200),
      targetUrl: `${bed.emu.serverUrl}/${REPO}/actions/runs/1`,
    });
    expect(bed.emu.calls()).toBe(3);
    bed.emu.clearLog();
    const list = await statuses.listStatuses(head, 'rekey/distribution');
    expect(bed.emu.calls()).toBe(1);
    expect(list.map((s) => s.state)).toEqual(['success', 'pending']);
    expect(list[0]?.description).toHaveLength(140);
    expect(list[0]?.targetUrl).toBe(`${bed.emu.serverUrl}/${REPO}/actions/runs/1`);
    expect(list[0]?.creator).toBe('rekey[bot]');
    expect(await statuses.listStatuses('main')).toHaveLength(3);
  });

  it('a status on an unknown commit is unprocessable', async () => {
    const err = await rejection(
      statuses.createStatus('0'.repeat(40), { state: 'success', context: 'c' }),
    );
    expect(err).toMatchObject({ code: 'unprocessable', status: 422 });
  });
});
