// A simulated GitHub Actions runner for the action bundles: the entrypoint bundled with the
// same esbuild options as scripts/build.ts (into a folder of the test's own, since
// `npm run build` replaces dist/ wholesale), then started with `node` in a child process with
// an event payload file, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and INPUT_*, as the runner does.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** Bundles src/actions/<name>.ts into <dir>/dist/<name>.js and returns its path. */
export async function bundleAction(name: string, dir: string): Promise<string> {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const bundle = join(dir, `dist/${name}.js`);
  await build({
    entryPoints: [join(root, `src/actions/${name}.ts`)],
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
  return bundle;
}

export interface Ran {
  code: number | null;
  stdout: string;
  /** GITHUB_OUTPUT as written. */
  outputsText: string;
  /** GITHUB_OUTPUT's `name<<delimiter` records. */
  outputs: Record<string, string>;
  summary: string;
}

/** `name<<delimiter\nvalue\ndelimiter` records of GITHUB_OUTPUT, as a map. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!;
  return out;
}

/**
 * Runs `bundle` in `workspace` for one event. `env` carries the GITHUB_* variables of the
 * repository (the emulator's `actionsEnv`) and any overrides; `inputs` become INPUT_<NAME>.
 */
export function runBundle(opts: {
  bundle: string;
  tmp: string;
  workspace: string;
  eventName: string;
  event: object;
  env: Record<string, string | undefined>;
  inputs: Record<string, string>;
}): Promise<Ran> {
  const dir = mkdtempSync(join(opts.tmp, 'run-'));
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify(opts.event));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: dir,
    GITHUB_EVENT_NAME: opts.eventName,
    GITHUB_EVENT_PATH: event,
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: dir,
    ...opts.env,
    ...Object.fromEntries(
      Object.entries(opts.inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
    ),
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      [opts.bundle],
      { env, cwd: opts.workspace, timeout: 60_000 },
      (error, stdout) => {
        const outputsText = readFileSync(output, 'utf8');
        done({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          outputsText,
          outputs: parseOutputs(outputsText),
          summary: readFileSync(summary, 'utf8'),
        });
      },
    );
  });
}

/**
 * `bundle` as a scheduled run (`cron`) on a checkout of a bed repository's default branch:
 * the emulator's GITHUB_* variables for it, the checkout's commit, run `runId`.
 */
export function runScheduled(
  bed: {
    readonly emu: { actionsEnv(fullName: string): Record<string, string> };
    readonly tmp: string;
  },
  bundle: string,
  checkout: { readonly fullName: string; readonly work: string; readonly sha: string },
  inputs: Record<string, string>,
  opts: { readonly cron: string; readonly runId: string },
): Promise<Ran> {
  return runBundle({
    bundle,
    tmp: bed.tmp,
    workspace: checkout.work,
    eventName: 'schedule',
    event: { schedule: opts.cron },
    env: {
      ...bed.emu.actionsEnv(checkout.fullName),
      GITHUB_SHA: checkout.sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: opts.runId,
    },
    inputs,
  });
}

/**
 * `bundle` as the distribute workflow runs it after a merge: a push to main of a checkout of
 * the bed repository, the workflow's own GITHUB_TOKEN as `github-token` (so the action can
 * recognise and refuse it), `env` (e.g. SOPS_AGE_KEY) on top of the emulator's variables.
 */
export function runOnPush(
  bed: {
    readonly emu: { actionsEnv(fullName: string): Record<string, string> };
    readonly tmp: string;
  },
  bundle: string,
  checkout: { readonly fullName: string; readonly work: string; readonly sha: string },
  inputs: Record<string, string>,
  opts: { readonly runId: string; readonly env?: Record<string, string> },
): Promise<Ran> {
  return runBundle({
    bundle,
    tmp: bed.tmp,
    workspace: checkout.work,
    eventName: 'push',
    event: {
      ref: 'refs/heads/main',
      after: checkout.sha,
      repository: { full_name: checkout.fullName, default_branch: 'main' },
    },
    env: {
      ...bed.emu.actionsEnv(checkout.fullName),
      GITHUB_SHA: checkout.sha,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: opts.runId,
      ...opts.env,
    },
    inputs: { 'github-token': 'ghs_theworkflowsowntokenxxxxxxxxxxxxxx', ...inputs },
  });
}
