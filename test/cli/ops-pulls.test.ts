// `rekey rotate` and `rekey revoke` end to end against the in-process emulator, from a clone of
// the manifest repository, with the token from the environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand, CliIo } from '../../src/cli/args.ts';
import { revokeCommandWith } from '../../src/cli/commands/revoke.ts';
import { rotateCommandWith } from '../../src/cli/commands/rotate.ts';
import { main } from '../../src/cli/main.ts';
import { prepareRotation } from '../../src/commands/changes.ts';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { canary } from '../support/canary.ts';
import {
  codec,
  days,
  dec,
  generate,
  manifest,
  sopsConfig,
  startBed,
  T0,
  type Bed,
} from '../commands/rotate-bed.ts';

let bed: Bed;
/** Marks a run through main() and the registered command (for refusals before any request). */
const registered: CliCommand = { name: 'rotate', summary: '', help: '', run: async () => 0 };
beforeAll(async () => {
  bed = await startBed();
}, 60_000);
afterAll(() => bed?.close());

const client = { throttle: { enabled: false }, retry: { baseDelayMs: 1 } } as const;

async function run(
  command: CliCommand,
  work: string,
  args: string[],
  now: Date,
  env: Record<string, string> = { REKEY_TOKEN: bed.token },
) {
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
    now: () => now,
    isTty: false,
  };
  // The test's instance of the command (no throttle); main() runs the registered one.
  const code =
    command === registered ? await main([command.name, ...args], io) : await command.run(args, io);
  return { code, stdout, stderr };
}

const mutating = (fullName: string) =>
  bed.emu.requestLog
    .filter((r) => r.path.includes(`/repos/${fullName}/`) && r.method !== 'GET')
    .map((r) => `${r.method} ${r.path}`);

describe('rekey rotate', () => {
  it('dry run writes nothing; then opens a PR for the due key', async () => {
    bed.at(T0);
    const c = await bed.repo('rot', await manifest(['svc/a']));
    const due = days(T0, 80);
    bed.at(due);
    const rotate = rotateCommandWith(client);
    bed.emu.clearLog();
    const dry = await run(rotate, c.work, ['--dry-run', '--repo', c.fullName], due);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('svc/a');
    expect(dry.stdout.match(/rekey plan at/g)).toHaveLength(1);
    expect(mutating(c.fullName)).toEqual([]);
    expect(await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX)).toEqual([]);

    const r = await run(rotate, c.work, ['--repo', c.fullName], due);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## rekey rotate');
    expect(r.stdout).toMatch(/^svc\/a: created/m);
    const pulls = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(pulls.map((p) => p.headRef)).toEqual(['rekey/rotate/svc/a']);
    canary.scan({ stdout: r.stdout, stderr: r.stderr });
  }, 60_000);

  it('refuses a recognised GITHUB_TOKEN before any request unless --allow-github-token', async () => {
    bed.at(T0);
    const c = await bed.repo('gh-token', await manifest(['svc/b']));
    const env = { GITHUB_ACTIONS: 'true', GITHUB_TOKEN: bed.token };
    bed.emu.clearLog();
    const r = await run(registered, c.work, ['--repo', c.fullName], days(T0, 80), env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Refusing to open pull requests with the workflow's GITHUB_TOKEN/);
    expect(bed.emu.requestLog).toEqual([]);

    const allowed = await run(
      rotateCommandWith(client),
      c.work,
      ['--repo', c.fullName, '--allow-github-token'],
      days(T0, 80),
      env,
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^svc\/b: created/m);
  }, 60_000);

  it('opens an emergency rotation with --key, --reason and --compromised', async () => {
    bed.at(T0);
    const c = await bed.repo('emergency', await manifest(['svc/c']));
    const now = days(T0, 1);
    bed.at(now);
    const r = await run(
      rotateCommandWith(client),
      c.work,
      ['--repo', c.fullName, '--key', 'svc/c', '--reason', 'leaked in a log', '--compromised'],
      now,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^svc\/c: created/m);
    const pulls = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(pulls.map((p) => p.headRef)).toEqual(['rekey/emergency/svc/c']);
    await expect(run(rotateCommandWith(client), c.work, ['--key', 'svc/c'], now)).rejects.toThrow(
      /needs --reason/,
    );
  }, 60_000);

  it('exits 2 without a token, naming the variables', async () => {
    let stderr = '';
    const code = await main(['rotate', '--repo', 'acme/x'], {
      cwd: bed.tmp,
      env: { HOME: bed.tmp },
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
      stdin: async () => new Uint8Array(),
      now: () => T0,
      isTty: false,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/rekey rotate: no token: set REKEY_TOKEN/);
  });
});

describe('rekey revoke', () => {
  it('keeps the gate closed without distribution proof, opens the PR once v2 is proven and grace passed', async () => {
    bed.at(T0);
    let c = await bed.repo('rev', await manifest(['svc/key']));
    const T1 = days(T0, 80);
    const change = await prepareRotation(
      c.tree,
      'svc/key',
      { now: T1, sopsConfig, prepublish: false },
      { codec, generate },
    );
    bed.at(T1);
    await bed.emu.commitFiles(
      c.fullName,
      'main',
      Object.fromEntries(change.files.map((f) => [f.path, f.content && dec(f.content)])),
      change.message,
    );
    c = await bed.refresh(c);
    const revoke = revokeCommandWith(client);

    const closed = await run(revoke, c.work, ['--repo', c.fullName], days(T1, 8));
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(/^svc\/key: skipped \(.*no rekey\/distribution success/m);

    await bed
      .ports(c.fullName)
      .statuses.createStatus(c.sha, { state: 'success', context: 'rekey/distribution' });
    const open = await run(revoke, c.work, ['--repo', c.fullName], days(T1, 8));
    expect(open.code).toBe(0);
    expect(open.stdout).toMatch(/^svc\/key: created/m);
    const pulls = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(pulls.map((p) => p.headRef)).toEqual(['rekey/revoke/svc/key']);
  }, 60_000);
});
