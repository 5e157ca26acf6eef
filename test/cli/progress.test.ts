// Progress lines through the real commands, on a virtual clock that advances only when work is
// done (a secret written to GitHub): `rekey distribute` against the emulator prints a line at
// least every 10 s of work on stderr, with done/total and an estimate, and no secret in it;
// `rekey rotate` does the same while it opens pull requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/args.ts';
import { distributeCommandWith } from '../../src/cli/commands/distribute.ts';
import { rotateCommandWith } from '../../src/cli/commands/rotate.ts';
import { canary } from '../support/canary.ts';
import { days, identity, manifest, startBed, T0, type Bed } from '../commands/rotate-bed.ts';
import {
  REPO,
  simpleKeys,
  simpleRepos,
  startDistBed,
  TOKEN_PERMISSIONS,
  type DistBed,
} from '../commands/distribute/bed.ts';

const KEYS = 6;
/** Virtual time one secret write takes (GitHub's secondary limits space them out). */
const WRITE_MS = 4_000;

let bed: DistBed;
let token: string;
let work: string;
beforeAll(async () => {
  bed = await startDistBed({ keys: simpleKeys(KEYS), repos: simpleRepos(KEYS) });
  token = bed.emu.addToken({ kind: 'app', login: 'rekey', permissions: TOKEN_PERMISSIONS });
  work = (await bed.checkout()).work;
}, 120_000);
afterAll(() => bed.close());

async function distribute(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd: work,
    env: {
      HOME: work,
      GITHUB_API_URL: bed.emu.apiUrl,
      GITHUB_SERVER_URL: bed.emu.serverUrl,
      REKEY_TOKEN: token,
      SOPS_AGE_KEY: identity,
    },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: async () => new Uint8Array(),
    now: () => bed.now(),
    isTty: false,
  };
  const cmd = distributeCommandWith({
    throttle: { enabled: false },
    retry: { baseDelayMs: 1 },
    fetch: async (input, init) => {
      const r = await fetch(input, init);
      if (init?.method === 'PUT' && String(input).includes('/actions/secrets/'))
        bed.advance(WRITE_MS);
      return r;
    },
  });
  const code = await cmd.run(['--repo', REPO, '--concurrency', '1', ...args], io);
  return { code, stdout, stderr };
}

const progressLines = (stderr: string) =>
  stderr.split('\n').filter((l) => l.startsWith('distribute: '));

describe('rekey distribute progress', () => {
  it('prints done/total and an estimate at least every 10 s of work, on stderr only', async () => {
    const r = await distribute([]);
    expect(r.code).toBe(0);
    const lines = progressLines(r.stderr);
    // 6 keys, one write of 4 s each (TOKEN; no TOKEN_PREVIOUS at v1): 24 s of work.
    expect(lines).toEqual([
      'distribute: 3/6 keys (50%), 12s elapsed, about 12s left',
      'distribute: 6/6 keys (100%), 24s elapsed, about 0s left',
      'distribute: 6/6 keys in 24s',
    ]);
    expect(progressLines(r.stdout)).toEqual([]);
    expect(canary.size).toBeGreaterThanOrEqual(KEYS);
    canary.scan({ stdout: r.stdout, stderr: r.stderr });
  });

  it('a run that writes nothing (converged already) takes no time and says nothing', async () => {
    const r = await distribute([]);
    expect(r.code).toBe(0);
    expect(progressLines(r.stderr)).toEqual([]);
  });
});

describe('rekey rotate progress', () => {
  let rbed: Bed;
  beforeAll(async () => {
    rbed = await startBed();
  }, 60_000);
  afterAll(() => rbed?.close());

  it('prints a line at least every 10 s while pull requests are opened', async () => {
    rbed.at(T0);
    const ids = ['svc/a', 'svc/b', 'svc/c', 'svc/d'];
    const c = await rbed.repo('progress', await manifest(ids));
    const due = days(T0, 80);
    rbed.at(due);
    // Opening one pull request takes 6 virtual seconds.
    let spent = 0;
    let stdout = '';
    let stderr = '';
    const rotate = rotateCommandWith({
      throttle: { enabled: false },
      retry: { baseDelayMs: 1 },
      fetch: async (input, init) => {
        const r = await fetch(input, init);
        if (init?.method === 'POST' && /\/pulls$/.test(String(input))) spent += 6_000;
        return r;
      },
    });
    const code = await rotate.run(['--repo', c.fullName], {
      cwd: c.work,
      env: {
        HOME: c.work,
        GITHUB_API_URL: rbed.emu.apiUrl,
        GITHUB_SERVER_URL: rbed.emu.serverUrl,
        REKEY_TOKEN: rbed.token,
      },
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      stdin: async () => new Uint8Array(),
      now: () => new Date(due.getTime() + spent),
      isTty: false,
    });
    expect(code).toBe(0);
    expect(stdout.match(/^svc\/[a-d]: created/gm)).toHaveLength(4);
    expect(stderr.split('\n').filter((l) => l.startsWith('rotate: '))).toEqual([
      'rotate: 2/4 keys (50%), 12s elapsed, about 12s left',
      'rotate: 4/4 keys (100%), 24s elapsed, about 0s left',
      'rotate: 4/4 keys in 24s',
    ]);
    canary.scan({ stdout, stderr });
  }, 60_000);
});
