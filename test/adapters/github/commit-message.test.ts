// getCommitMessage: the full message (trailers included) of a commit, 1 call; null for none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitDataAdapter } from '../../../src/adapters/github/git-data.ts';
import type { GitDataPort } from '../../../src/core/ports/github.ts';
import { AT, type Bed, startBed } from './harness.ts';

let bed: Bed;
let git: GitDataPort;

beforeAll(async () => {
  bed = await startBed();
  git = createGitDataAdapter(bed.client(), AT);
});
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed.emu.close();
});

describe('getCommitMessage', () => {
  it('returns the message with its trailers in 1 call, and null for an unknown commit', async () => {
    const head = (await git.getBranchHead('main'))!;
    const message =
      'rekey: rotate a to v2\n\nRekey-Key: a\nRekey-Fingerprint: kcv:0011223344556677\n';
    const made = await git.commitFiles({
      base: head,
      changes: [{ path: 'keys/a.yaml', content: new TextEncoder().encode('v: 2\n') }],
      message,
      branch: { name: 'rekey/rotate/a', mode: 'create' },
    });
    bed.emu.clearLog();
    expect((await git.getCommitMessage(made.commit))?.trimEnd()).toBe(message.trimEnd());
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/git/commits/{commit_sha}')).toBe(1);
    expect(await git.getCommitMessage('0'.repeat(40))).toBeNull();
  });
});
