// Reviewer requests on a rekey PR, through the real rotate command against the emulator, which
// refuses what GitHub refuses: any team from a token without the organization permission
// `members: read` (all-or-nothing), and the PR's author as reviewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEWER_NOTE, requestReviewers, withReviewerNote } from '../../src/commands/open-pull.ts';
import { REKEY_MARKER_PREFIX, rotate, type RotateResult } from '../../src/commands/rotate.ts';
import { GitHubError } from '../../src/core/ports/github.ts';
import {
  codec,
  days,
  generate,
  manifest,
  POLICY,
  startBed,
  T0,
  type Bed,
  type Checkout,
} from './rotate-bed.ts';

let bed: Bed;
const DUE = days(T0, 80);
const BASE = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  statuses: 'write',
} as const;

beforeAll(async () => {
  bed = await startBed();
  bed.emu.addUser('alice');
  bed.emu.addUser('bob');
}, 60_000);

afterAll(async () => {
  await bed?.close();
});

/** A one-key manifest whose key is owned by `owner` and whose policy asks `reviewers`. */
async function repo(name: string, owner: string, reviewers: string[]): Promise<Checkout> {
  bed.at(T0);
  const policy = POLICY.replace(
    "reviewers: ['@acme/security']",
    `reviewers: ${JSON.stringify(reviewers)}`,
  );
  const files = await manifest(['app/one'], policy);
  const keyYaml = Object.keys(files).find((p) => p.endsWith('/key.yaml'))!;
  files[keyYaml] = files[keyYaml]!.replace(/owner: .*/, `owner: '${owner}'`);
  return bed.repo(name, files);
}

async function run(c: Checkout, token: string): Promise<RotateResult> {
  bed.at(DUE);
  return rotate(
    { tree: c.tree, sha: c.sha, history: c.history, firstParent: c.firstParent, now: DUE },
    { ...bed.ports(c.fullName, token), codec, generate },
  );
}

function opened(r: RotateResult) {
  const k = r.kind === 'applied' ? r.keys[0] : undefined;
  if (!k || !('reviewers' in k)) throw new Error(`no PR opened: ${JSON.stringify(r)}`);
  return k;
}

describe('reviewer requests over the emulator', () => {
  it('a token without members: read still requests the users; the teams are reported', async () => {
    const token = bed.emu.addToken({ kind: 'app', login: 'nomembers', permissions: BASE });
    const c = await repo('no-members', '@acme/team', ['@alice', '@acme/security', '@bob']);
    const k = opened(await run(c, token));
    const pull = bed.emu.repo(c.fullName).pulls.get(k.pull.number)!;
    expect(pull.requested_reviewers.sort()).toEqual(['alice', 'bob']);
    expect(pull.requested_teams).toEqual([]);
    expect([...k.reviewers.requested].sort()).toEqual(['@alice', '@bob']);
    expect(k.reviewers.refused.map((r) => r.handle).sort()).toEqual([
      '@acme/security',
      '@acme/team',
    ]);
    expect(k.warnings.join('\n')).toContain('@acme/security');
    expect(k.errors).toEqual([]);
    const [open] = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open!.body).not.toContain(REVIEWER_NOTE);
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('the PR author (a key owner running the CLI) is left out; the others are requested', async () => {
    const token = bed.emu.addToken({
      kind: 'user',
      login: 'alice',
      permissions: { ...BASE, members: 'read' },
    });
    const c = await repo('author-owner', '@alice', ['@bob', '@acme/security']);
    bed.emu.clearLog();
    const k = opened(await run(c, token));
    const pull = bed.emu.repo(c.fullName).pulls.get(k.pull.number)!;
    expect(pull.requested_reviewers).toEqual(['bob']);
    expect(pull.requested_teams).toEqual(['security']);
    expect(k.reviewers).toEqual({
      requested: ['@bob', '@acme/security'],
      refused: [],
      author: '@alice',
    });
    expect(k.errors).toEqual([]);
    // One call: the author was never sent, so nothing was refused.
    expect(
      bed.emu.requestLog.filter((r) => r.operation?.endsWith('/requested_reviewers')),
    ).toHaveLength(1);
  }, 60_000);

  it('nobody requestable: the PR body says so, the result carries an error, a rerun writes nothing new', async () => {
    const token = bed.emu.addToken({ kind: 'app', login: 'teamsonly', permissions: BASE });
    const c = await repo('teams-only', '@acme/team', ['@acme/security']);
    const k = opened(await run(c, token));
    expect(k.reviewers.requested).toEqual([]);
    expect(k.errors).toHaveLength(1);
    expect(k.errors[0]).toMatch(/no reviewer could be requested on #\d+/);
    const pulls = bed.ports(c.fullName).pulls;
    const [open] = await pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open!.body).toContain(REVIEWER_NOTE);
    expect(open!.body).toContain('`@acme/security`');
    expect(open!.body.match(new RegExp(REVIEWER_NOTE, 'g'))).toHaveLength(1);
    // The same outcome again: the body is already right.
    expect(withReviewerNote(open!.body, k.reviewers)).toBe(open!.body);
    // Once a reviewer is requested, the note goes.
    const fixed = withReviewerNote(open!.body, { requested: ['@bob'], refused: [] });
    expect(fixed).not.toContain(REVIEWER_NOTE);
    expect(fixed).toContain(REKEY_MARKER_PREFIX);
  }, 60_000);
});

describe('requestReviewers', () => {
  const refuse = (bad: (users: readonly string[], teams: readonly string[]) => boolean) => {
    const calls: string[] = [];
    return {
      calls,
      port: {
        requestReviewers: async (
          _n: number,
          r: { users: readonly string[]; teams: readonly string[] },
        ) => {
          calls.push([...r.users, ...r.teams.map((t) => `t:${t}`)].join(','));
          if (bad(r.users, r.teams))
            throw new GitHubError({
              code: 'unprocessable',
              status: 422,
              route: 'POST /r',
              detail: 'Validation Failed',
            });
        },
      },
    };
  };

  it('one refused user does not drop the others, in a bounded number of calls', async () => {
    const { calls, port } = refuse((users) => users.includes('ghost'));
    const out = await requestReviewers(
      7,
      ['@alice', '@ghost', '@acme/security', '@bob', '@Alice'],
      'rekey[bot]',
      port,
    );
    expect([...out.requested].sort()).toEqual(['@acme/security', '@alice', '@bob']);
    expect(out.refused.map((r) => r.handle)).toEqual(['@ghost']);
    // all, then the users (each alone on refusal), then the teams: 1 + 1 + 3 + 1.
    expect(calls).toEqual([
      'alice,ghost,bob,t:security',
      'alice,ghost,bob',
      'alice',
      'ghost',
      'bob',
      't:security',
    ]);
  });

  it('other errors are not swallowed', async () => {
    const port = {
      requestReviewers: () =>
        Promise.reject(
          new GitHubError({ code: 'forbidden', status: 403, route: 'POST /r', detail: 'no' }),
        ),
    };
    await expect(requestReviewers(1, ['@alice'], 'x', port)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
