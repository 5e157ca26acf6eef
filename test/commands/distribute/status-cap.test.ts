// GitHub keeps at most 1,000 statuses per sha and context and refuses more ("This SHA and
// context has reached the maximum number of statuses", docs: "Create a commit status"), and
// distribution runs on every push to main, also when nothing changed (issue #14, item 6). So
// `rekey/distribution` is written only when the newest status that counts says something else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { writeStatus } from '../../../src/commands/distribute/result.ts';
import { statusDescription } from '../../../src/commands/distribute/evidence.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import { REPO, startDistBed, type DistBed } from './bed.ts';

const POST_STATUS = 'POST /repos/{owner}/{repo}/statuses/{sha}';
const KEYS = [
  {
    id: 'svc/a',
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: 'acme/api',
        app: 'actions' as const,
        name: 'TOKEN_A',
      },
    ],
  },
];

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: ['acme/api'] });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

/** POSTs of a status on the manifest head: `rekey/distribution` (`rekey/state` goes on the state ref's commits). */
const distributionPosts = (b: DistBed) =>
  b.emu.requestLog.filter((r) => r.operation === POST_STATUS && r.path.endsWith(`/${b.head()}`))
    .length;

const statusesOnHead = () => bed.ports().statuses.listStatuses(bed.head(), DISTRIBUTION_CONTEXT);

/** A status on acme/keys written by someone who is not the distribution App. */
async function postAs(login: string, sha: string, state: string, description: string) {
  const token = bed.emu.addToken({ kind: 'app', login, permissions: { statuses: 'write' } });
  const r = await fetch(`${bed.emu.apiUrl}/repos/${REPO}/statuses/${sha}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ state, context: DISTRIBUTION_CONTEXT, description }),
  });
  expect(r.status).toBe(201);
}

describe('the rekey/distribution status is not written again when it would say the same', () => {
  it('a converged run that says what the last one said makes no POST status; a different outcome does', async () => {
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    expect(distributionPosts(bed)).toBe(1);
    // +1: every run vouches for the state commit it released (rekey/state).
    expect(bed.emu.calls(POST_STATUS)).toBe(2);

    // The next runs find everything current, and the status says so already ("1 key
    // converged: every target current"): they write nothing, not even the lease.
    const state = await bed.stateRef.read('refs/rekey/distribution');
    for (let i = 0; i < 3; i++) {
      bed.emu.clearLog();
      const again = await distribute(bed.input(), bed.ports());
      expect(again.outcome).toBe('converged');
      expect(again.status).toBe('success');
      expect(distributionPosts(bed)).toBe(0);
      expect(bed.emu.calls(POST_STATUS)).toBe(0);
      expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
    }
    expect((await bed.stateRef.read('refs/rekey/distribution'))?.commit).toBe(state?.commit);
    expect(await statusesOnHead()).toHaveLength(1);

    // No secrets permission: the preflight fails, and the failure is written.
    bed.emu.clearLog();
    const denied = await distribute(
      bed.input(),
      bed.ports({ permissions: { contents: 'write', statuses: 'write', issues: 'write' } }),
    );
    expect(denied.outcome).toBe('preflight-failed');
    expect(distributionPosts(bed)).toBe(1);
    // +1: every run vouches for the state commit it released (rekey/state).
    expect(bed.emu.calls(POST_STATUS)).toBe(2);

    // Converged again: the newest status says failure, so success is written once more.
    bed.emu.clearLog();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    expect(distributionPosts(bed)).toBe(1);
    // +1: every run vouches for the state commit it released (rekey/state).
    expect(bed.emu.calls(POST_STATUS)).toBe(2);
    expect((await statusesOnHead()).map((s) => s.state)).toEqual(['success', 'failure', 'success']);
    bed.emu.assertNoInvalidRequests();
  });

  it('a status of the same state from a creator that does not count does not suppress ours', async () => {
    bed.write('NOTES.md', 'a new commit\n');
    const sha = await bed.commit('rekey: a new commit');
    const description = statusDescription('converged', []);
    await postAs('mallory', sha, 'success', description);
    const statuses = bed.ports().statuses;
    const input = { commit: sha };

    // status-creators pins the distribution App: mallory's status does not count, ours is written.
    bed.emu.clearLog();
    await writeStatus(statuses, input, 'converged', [], ['rekey[bot]']);
    expect(bed.emu.calls(POST_STATUS)).toBe(1);
    const listed = await statuses.listStatuses(sha, DISTRIBUTION_CONTEXT);
    expect(listed.map((s) => s.creator)).toEqual(['rekey[bot]', 'mallory[bot]']);

    // Ours is there now: the next write is skipped.
    bed.emu.clearLog();
    await writeStatus(statuses, input, 'converged', [], ['Rekey[bot]']);
    expect(bed.emu.calls(POST_STATUS)).toBe(0);
  });

  it('without status-creators any creator counts, as the evidence rules say', async () => {
    bed.write('NOTES.md', 'another commit\n');
    const sha = await bed.commit('rekey: another commit');
    const description = statusDescription('converged', []);
    await postAs('mallory', sha, 'success', description);
    bed.emu.clearLog();
    await writeStatus(bed.ports().statuses, { commit: sha }, 'converged', []);
    expect(bed.emu.calls(POST_STATUS)).toBe(0);
    // Another outcome is written.
    await writeStatus(bed.ports().statuses, { commit: sha }, 'failed', []);
    expect(bed.emu.calls(POST_STATUS)).toBe(1);
  });

  it("a distribution run reads pipeline.yaml status-creators: another creator's status is no reason to skip", async () => {
    const pinned = await startDistBed({
      keys: KEYS,
      repos: ['acme/api'],
      pipeline:
        "default-branch: main\nretry-budget: 3\nlease-ttl: 30m\nstatus-creators: ['rekey[bot]']\n",
    });
    try {
      // What the first run will say, posted first by someone who is not the App.
      const token = pinned.emu.addToken({
        kind: 'app',
        login: 'mallory',
        permissions: { statuses: 'write' },
      });
      const r = await fetch(`${pinned.emu.apiUrl}/repos/${REPO}/statuses/${pinned.head()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          state: 'success',
          context: DISTRIBUTION_CONTEXT,
          description: '1 key converged: every target current',
        }),
      });
      expect(r.status).toBe(201);
      pinned.emu.clearLog();
      expect((await distribute(pinned.input(), pinned.ports())).outcome).toBe('converged');
      expect(distributionPosts(pinned)).toBe(1);
      // +1: every run vouches for the state commit it released (rekey/state).
      expect(pinned.emu.calls(POST_STATUS)).toBe(2);
      const listed = await pinned
        .ports()
        .statuses.listStatuses(pinned.head(), DISTRIBUTION_CONTEXT);
      expect(listed.map((s) => [s.creator, s.description])).toEqual([
        ['rekey[bot]', '1 key converged: every target current'],
        ['mallory[bot]', '1 key converged: every target current'],
      ]);
    } finally {
      await pinned.close();
    }
  });
});
