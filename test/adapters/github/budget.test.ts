// The call budget, spent the way the rotate command will spend it: at most 8 REST calls
// for a new rotation PR and 3 for a run where nothing is due.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubPorts, type GitHubPorts } from '../../../src/adapters/github/index.ts';
import { reviewerRequest } from '../../../src/core/ports/github.ts';
import { AT, type Bed, REPO, startBed } from './harness.ts';

const MARKER = '<!-- rekey:v1';
let bed: Bed;
let gh: GitHubPorts;

beforeAll(async () => {
  bed = await startBed();
  bed.emu.addUser('alice');
  gh = createGitHubPorts(bed.client(), AT);
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});

describe('call budget', () => {
  it('a new rotation PR costs 8 calls', async () => {
    bed.emu.clearLog();
    const head = await gh.git.getBranchHead('main');
    const open = await gh.pulls.listOpenRekeyPulls(MARKER);
    expect(open).toEqual([]);
    const commit = await gh.git.commitFiles({
      base: head!,
      changes: [
        { path: 'keys-manifest/a/key.yaml', content: new TextEncoder().encode('id: a\n') },
        {
          path: 'keys-manifest/a/v2.sops.yaml',
          content: new TextEncoder().encode('secret: ENC[...]\n'),
        },
      ],
      message: 'rekey: rotate a to v2',
      branch: { name: 'rekey/rotate/a', mode: 'create' },
    });
    expect(commit.ref).toBe('created');
    const pr = await gh.pulls.createPull({
      head: 'rekey/rotate/a',
      base: 'main',
      title: 'rekey: rotate a to v2',
      body: `${MARKER} {"key":"a"} -->`,
    });
    await gh.pulls.addLabels(pr.number, ['rekey', 'rekey:rotation']);
    await gh.pulls.requestReviewers(pr.number, reviewerRequest(['@alice', '@acme/security']));
    expect(bed.emu.calls()).toBe(8);
    expect(bed.emu.requestLog.every((r) => r.status >= 200 && r.status < 300)).toBe(true);
  });

  it('a run where nothing is due costs 2 calls (budget 3)', async () => {
    bed.emu.clearLog();
    await gh.git.getBranchHead('main');
    const open = await gh.pulls.listOpenRekeyPulls(MARKER);
    expect(open.map((p) => p.headRef)).toEqual(['rekey/rotate/a']);
    expect(bed.emu.calls()).toBe(2);
    expect(bed.emu.repo(REPO).pulls.size).toBe(1);
  });
});
