// A key owner runs `rekey rotate` with their own token (a user token, not an App's): the PR's
// author is then the owner, and GitHub refuses a review request naming the PR's author, for the
// whole request. Before, that 422 dropped every reviewer and the CLI exited 0. Now the owner is
// left out and the policy's reviewers are asked; and when nobody else is named, the CLI says so
// on stderr and exits 1, the PR open with a note in its body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/args.ts';
import { rotateCommandWith } from '../../src/cli/commands/rotate.ts';
import { REVIEWER_NOTE } from '../../src/commands/open-pull.ts';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { days, manifest, POLICY, startBed, T0, type Bed } from '../commands/rotate-bed.ts';
import { canary } from '../support/canary.ts';

let bed: Bed;
let token: string;
beforeAll(async () => {
  bed = await startBed();
  bed.emu.addUser('bob');
  token = bed.emu.addToken({
    kind: 'user',
    login: 'alice',
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      statuses: 'write',
      members: 'read',
    },
  });
}, 60_000);
afterAll(() => bed?.close());

const client = { throttle: { enabled: false }, retry: { baseDelayMs: 1 } } as const;

async function cli(work: string, fullName: string, now: Date) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd: work,
    env: {
      HOME: work,
      GITHUB_API_URL: bed.emu.apiUrl,
      GITHUB_SERVER_URL: bed.emu.serverUrl,
      REKEY_TOKEN: token,
    },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: async () => new Uint8Array(),
    now: () => now,
    isTty: false,
  };
  const code = await rotateCommandWith(client).run(['--repo', fullName], io);
  return { code, stdout, stderr };
}

/** A one-key repository owned by @alice whose policy names `reviewers`. */
async function repo(name: string, reviewers: string[]) {
  bed.at(T0);
  const files = await manifest(
    ['svc/a'],
    POLICY.replace("reviewers: ['@acme/security']", `reviewers: ${JSON.stringify(reviewers)}`),
  );
  const keyYaml = Object.keys(files).find((p) => p.endsWith('/key.yaml'))!;
  files[keyYaml] = files[keyYaml]!.replace(/owner: .*/, "owner: '@alice'");
  return bed.repo(name, files);
}

describe('rekey rotate run by the key owner', () => {
  it('leaves the owner out and asks the policy reviewers', async () => {
    const c = await repo('owner-cli', ['@bob', '@acme/security']);
    const due = days(T0, 80);
    bed.at(due);
    const r = await cli(c.work, c.fullName, due);
    expect(r.code, r.stderr).toBe(0);
    const [open] = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open!.author).toBe('alice');
    const pull = bed.emu.repo(c.fullName).pulls.get(open!.number)!;
    expect(pull.requested_reviewers).toEqual(['bob']);
    expect(pull.requested_teams).toEqual(['security']);
    expect(open!.body).not.toContain(REVIEWER_NOTE);
    // The author was never sent: no request GitHub had to refuse.
    expect(
      bed.emu.requestLog
        .filter(
          (l) =>
            l.path.includes(`/repos/${c.fullName}/`) && l.path.endsWith('/requested_reviewers'),
        )
        .map((l) => l.status),
    ).toEqual([201]);
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('nobody but the owner: exit 1, the error on stderr, the note in the PR body', async () => {
    const c = await repo('owner-only-cli', []);
    const due = days(T0, 80);
    bed.at(due);
    const r = await cli(c.work, c.fullName, due);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: no reviewer could be requested on #\d+ \(@alice is the author\)/,
    );
    const [open] = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open!.body).toContain(REVIEWER_NOTE);
    expect(open!.body).toContain('`@alice`: the author of this pull request');
    canary.scan({ stdout: r.stdout, stderr: r.stderr, body: open!.body });
  }, 60_000);
});
