// `rekey distribute` end to end against the in-process emulator: a clone of acme/keys at the
// head of main, a token in REKEY_TOKEN, the identity in SOPS_AGE_KEY; the run converges, the
// secret lands in acme/r1, and no generated secret appears in stdout or stderr.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/args.ts';
import { distributeCommandWith } from '../../src/cli/commands/distribute.ts';
import { main } from '../../src/cli/main.ts';
import { canary } from '../support/canary.ts';
import { identity } from '../commands/rotate-bed.ts';
import {
  REPO,
  simpleKeys,
  simpleRepos,
  startDistBed,
  TOKEN_PERMISSIONS,
  type DistBed,
} from '../commands/distribute/bed.ts';

let bed: DistBed;
let token: string;
let work: string;
beforeAll(async () => {
  bed = await startDistBed({ keys: simpleKeys(1), repos: simpleRepos(1) });
  token = bed.emu.addToken({ kind: 'app', login: 'rekey', permissions: TOKEN_PERMISSIONS });
  work = (await bed.checkout()).work;
});
afterAll(() => bed.close());

async function run(args: string[], env: Record<string, string | undefined>) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd: work,
    env: {
      HOME: work,
      GITHUB_API_URL: bed.emu.apiUrl,
      GITHUB_SERVER_URL: bed.emu.serverUrl,
      ...env,
    },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: async () => new Uint8Array(),
    now: () => bed.now(),
    isTty: false,
  };
  const writes: string[] = [];
  const cmd = distributeCommandWith({
    throttle: { enabled: false },
    retry: { baseDelayMs: 1 },
    fetch: async (input, init) => {
      if (init?.method && init.method !== 'GET') writes.push(`${init.method} ${String(input)}`);
      return fetch(input, init);
    },
  });
  const code = await cmd.run(args, io);
  return { code, stdout, stderr, writes };
}

describe('rekey distribute', () => {
  it('is registered, and refuses without a token (exit 2, says which variables)', async () => {
    let stderr = '';
    const code = await main(['distribute', '--dir', work, '--repo', REPO], {
      cwd: work,
      env: { HOME: work },
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
      stdin: async () => new Uint8Array(),
      now: () => bed.now(),
      isTty: false,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/no token: set REKEY_TOKEN/);
  });

  it('refuses without an age identity', async () => {
    // main() turns a UsageError into exit 2; the command itself throws it.
    await expect(run(['--repo', REPO], { REKEY_TOKEN: token })).rejects.toThrow(
      /no age identity .*SOPS_AGE_KEY/,
    );
  });

  it('refuses a clone that is not at the head of main, with a clear message', async () => {
    await bed.rotate('svc/key-1');
    await bed.commit('rotate');
    const r = await run(['--repo', REPO], { REKEY_TOKEN: token, SOPS_AGE_KEY: identity });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /is not the head of main on GitHub .*git fetch origin.*Nothing was written/,
    );
    expect(r.writes).toEqual([]);
  });

  it('--dry-run on the stale clone plans and writes nothing', async () => {
    const r = await run(['--repo', REPO, '--dry-run'], {
      REKEY_TOKEN: token,
      SOPS_AGE_KEY: identity,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rekey distribute: dry-run at/);
    expect(r.writes).toEqual([]);
  });

  it('converges from the head, writing the secret; no secret in stdout or stderr', async () => {
    await bed.checkout(); // fetch the new head into the clone
    const r = await run(['--repo', REPO, '--concurrency', '2'], {
      REKEY_TOKEN: token,
      SOPS_AGE_KEY: identity,
    });
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(r.writes.some((w) => w.includes('/repos/acme/r1/actions/secrets/TOKEN'))).toBe(true);
    expect(r.stdout).toContain('## rekey distribute');
    expect(r.stdout).toMatch(/svc\/key-1: converged/);
    expect(r.stdout).toMatch(
      /rekey distribute: converged at [0-9a-f]{40}, rekey\/distribution = success/,
    );
    const evidence = join(work, 'rekey-distribution.json');
    expect(existsSync(evidence)).toBe(true);
    expect(JSON.parse(readFileSync(evidence, 'utf8')).commit).toBe(bed.head());
    expect(canary.size).toBeGreaterThan(0);
    canary.scan({ stdout: r.stdout, stderr: r.stderr, evidence: readFileSync(evidence, 'utf8') });
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
