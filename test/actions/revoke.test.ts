// The revoke action as the runner runs it: the esbuild bundle of src/actions/revoke.ts started
// with `node` in a child process, with a schedule event, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
// INPUT_* and a real clone of the emulator's repository as the workspace. The bundle uses
// Octokit's own fetch (nothing is injected) against the emulator on 127.0.0.1.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { canary } from '../support/canary.ts';
import { prepareRotation } from '../../src/commands/changes.ts';
import {
  callsFor,
  codec,
  days,
  dec,
  generate,
  manifest,
  root,
  sopsConfig,
  startBed,
  type Bed,
  type Checkout,
} from '../commands/rotate-bed.ts';

let bed: Bed;
let bundle: string;

beforeAll(async () => {
  bed = await startBed();
  // The same esbuild options as scripts/build.ts, into a folder of our own: `npm run build`
  // replaces dist/ wholesale, which other work in this checkout may be reading.
  mkdirSync(join(bed.tmp, 'dist'));
  writeFileSync(join(bed.tmp, 'package.json'), '{"type":"module"}\n');
  bundle = join(bed.tmp, 'dist/revoke.js');
  await build({
    entryPoints: [join(root, 'src/actions/revoke.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    banner: {
      js: "import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

interface Ran {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

function runBundle(c: Checkout, inputs: Record<string, string>): Promise<Ran> {
  const dir = mkdtempSync(join(bed.tmp, 'run-'));
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify({ schedule: '43 7 * * *' }));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: dir,
    ...bed.emu.actionsEnv(c.fullName),
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_EVENT_PATH: event,
    GITHUB_SHA: c.sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: c.work,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: dir,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle], { env, cwd: c.work, timeout: 60_000 }, (error, stdout) => {
      const text = readFileSync(output, 'utf8');
      const outputs: Record<string, string> = {};
      for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
        stdout,
        outputs,
        summary: readFileSync(summary, 'utf8'),
      });
    });
  });
}

describe('the revoke action bundle', () => {
  it('opens one revocation PR once the gate is open, reports outputs and summary', async () => {
    const now = new Date();
    bed.at(days(now, -100));
    let c = await bed.repo('revoke-bundle', await manifest(['svc/key']));
    const change = await prepareRotation(
      c.tree,
      'svc/key',
      { now: days(now, -20), sopsConfig, prepublish: false },
      { codec, generate },
    );
    bed.at(days(now, -20));
    await bed.emu.commitFiles(
      c.fullName,
      'main',
      Object.fromEntries(change.files.map((f) => [f.path, f.content && dec(f.content)])),
      change.message,
    );
    c = await bed.refresh(c);
    bed.at(days(now, -19));
    await bed
      .ports(c.fullName)
      .statuses.createStatus(c.sha, { state: 'success', context: 'rekey/distribution' });
    bed.at(now);
    bed.emu.clearLog();
    const r = await runBundle(c, { token: bed.token });
    const calls = callsFor(bed.emu, c.fullName);
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.outputs.created!)).toEqual(['svc/key']);
    expect(calls.length).toBeLessThanOrEqual(9);
    expect(r.summary).toContain('| svc/key | v1 (deactivated) | open |');
    const open = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open.map((p) => p.headRef)).toEqual(['rekey/revoke/svc/key']);
    console.log(`revoke bundle: ${calls.length} REST calls: ${calls.join(', ')}`);
    canary.scan({ stdout: r.stdout, summary: r.summary, outputs: JSON.stringify(r.outputs) });
    bed.emu.assertNoInvalidRequests();
  }, 120_000);

  it("refuses the workflow's GITHUB_TOKEN before any call to GitHub", async () => {
    bed.at(days(new Date(), -80));
    const c = await bed.repo('revoke-refuse', await manifest(['svc/key']));
    const actions = bed.emu.addToken({
      kind: 'github-actions',
      permissions: { contents: 'write', pull_requests: 'write' },
    });
    bed.emu.clearLog();
    const r = await runBundle(c, { token: actions, 'github-token': actions });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("Refusing to open pull requests with the workflow's GITHUB_TOKEN");
    expect(callsFor(bed.emu, c.fullName)).toEqual([]);
  }, 60_000);
});
