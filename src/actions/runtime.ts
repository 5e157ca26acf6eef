/**
 * What every action entrypoint shares, and the only place rekey reads the runner's
 * environment: inputs (validated with zod), the GitHub context, the GitHub ports, outputs, the
 * job summary, and failing once. Entrypoints stay thin: inputs -> adapters -> one command ->
 * outputs.
 */
import * as core from '@actions/core';
import { reviewerErrors } from '../commands/open-pull.ts';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createGitHubClient, serverUrlFor } from '../adapters/github/client.ts';
import { createGitHubPorts, parseRepository } from '../adapters/github/index.ts';
import { assertCanOpenPulls, classifyToken } from '../adapters/github/token.ts';
import { InvalidInputError } from '../core/diagnostics.ts';
import { createProgress, type Progress } from '../core/progress.ts';
import { timerHeartbeat } from '../cli/output.ts';

/** The runner's view of this run, from the GITHUB_* variables the runner sets. */
export interface RunContext {
  readonly repository: string;
  readonly sha: string;
  readonly ref: string;
  readonly eventName: string;
  readonly event: Record<string, unknown>;
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly runId: string;
  readonly runAttempt: string;
  readonly workspace: string;
}

const env = z.object({
  GITHUB_REPOSITORY: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  GITHUB_SHA: z.string().regex(/^[0-9a-f]{40}$/),
  GITHUB_REF: z.string().default(''),
  GITHUB_EVENT_NAME: z.string().default(''),
  GITHUB_EVENT_PATH: z.string().optional(),
  GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  GITHUB_SERVER_URL: z.string().url().optional(),
  GITHUB_RUN_ID: z.string().default('0'),
  GITHUB_RUN_ATTEMPT: z.string().default('1'),
  GITHUB_WORKSPACE: z.string().default('.'),
});

export function runContext(vars: NodeJS.ProcessEnv = process.env): RunContext {
  const e = env.parse(vars);
  const event = e.GITHUB_EVENT_PATH
    ? (JSON.parse(readFileSync(e.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>)
    : {};
  return {
    repository: e.GITHUB_REPOSITORY,
    sha: e.GITHUB_SHA,
    ref: e.GITHUB_REF,
    eventName: e.GITHUB_EVENT_NAME,
    event,
    apiUrl: e.GITHUB_API_URL,
    serverUrl: e.GITHUB_SERVER_URL ?? serverUrlFor(e.GITHUB_API_URL),
    runId: e.GITHUB_RUN_ID,
    runAttempt: e.GITHUB_RUN_ATTEMPT,
    workspace: e.GITHUB_WORKSPACE,
  };
}

/** Inputs by name, as the runner passes them (INPUT_<NAME>), validated by `schema`. */
export function inputs<S extends z.ZodObject>(schema: S): z.infer<S> {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const v = core.getInput(name);
    if (v !== '') raw[name] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `invalid inputs: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** `true`/`false` inputs, as GitHub's YAML 1.2 core schema writes them. */
export const booleanInput = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The four GitHub ports for this repository, the token masked and classified. */
export function github(token: string, ctx: RunContext, opts: { githubToken?: string } = {}) {
  core.setSecret(token);
  const client = createGitHubClient({
    token,
    apiUrl: ctx.apiUrl,
    serverUrl: ctx.serverUrl,
    userAgent: 'rekey',
  });
  return {
    ports: createGitHubPorts(client, parseRepository(ctx.repository)),
    tokenKind: classifyToken(token, { githubToken: opts.githubToken }),
  };
}

/** The inputs of every action that opens pull requests (rotate, revoke). */
export const pullOpenerInputs = {
  token: z.string().min(1, 'a GitHub App installation token is required'),
  'github-token': z.string().optional(),
  'allow-github-token': booleanInput.default(false),
  'dry-run': booleanInput.default(false),
};

/**
 * The GitHub ports of a run that opens pull requests. GITHUB_TOKEN is recognised (by
 * comparing with `github-token`) and refused before any request, unless allowed or a dry run:
 * events it causes start no workflows, so the required check would never run.
 */
export function pullOpener(
  ctx: RunContext,
  i: {
    token: string;
    'github-token'?: string | undefined;
    'allow-github-token': boolean;
    'dry-run': boolean;
  },
) {
  if (i['github-token']) core.setSecret(i['github-token']);
  const { ports, tokenKind } = github(i.token, ctx, { githubToken: i['github-token'] });
  if (!i['dry-run']) assertCanOpenPulls(tokenKind, { allowGithubToken: i['allow-github-token'] });
  return ports;
}

/** The run's page, recorded in commit trailers (`Rekey-Run`). */
export const runUrl = (ctx: RunContext): string =>
  `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}`;

/**
 * Per-key outcomes as JSON outputs and one log line each. A PR opened without any reviewer is
 * an error annotation and fails the step (the PR stays open; a person asks a reviewer).
 */
export function reportKeys(
  out: Record<string, unknown>,
  keys: readonly { keyId: string; outcome: string; reason?: string }[],
): void {
  for (const [name, value] of Object.entries(out)) core.setOutput(name, JSON.stringify(value));
  for (const k of keys) core.info(`${k.keyId}: ${k.outcome}${k.reason ? ` (${k.reason})` : ''}`);
  const errors = reviewerErrors(keys);
  for (const e of errors) core.error(e, { title: 'rekey: no reviewer requested' });
  if (errors.length > 0)
    core.setFailed(
      `${errors.length} pull request${errors.length === 1 ? '' : 's'} opened without a reviewer`,
    );
}

/**
 * Progress lines of long work in the action log, inside a collapsible group per task
 * (core.startGroup/endGroup) opened at the first line, on the runner's clock: at least one
 * line every 10 s, none for work that ends sooner. Lines carry names and counts only.
 */
export function actionProgress(
  log: Pick<typeof core, 'info' | 'startGroup' | 'endGroup'> = core,
  now: () => number = Date.now,
  /** null: no heartbeat, lines on ticks only. */
  every: ((fn: () => void, ms: number) => () => void) | null = timerHeartbeat,
): Progress {
  return createProgress({
    now,
    line: (text) => log.info(text),
    group: { start: (title) => log.startGroup(title), end: () => log.endGroup() },
    ...(every ? { every } : {}),
  });
}

/** Appends Markdown to the job summary when the runner provides one. */
export async function summary(markdown: string): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}

/** Runs an entrypoint: any failure fails the step once, with a message and no stack. */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof InvalidInputError)
      for (const d of e.diagnostics)
        core.error(d.message, {
          file: d.file,
          startLine: d.line || undefined,
          startColumn: d.column || undefined,
          title: d.rule,
        });
    core.setFailed(e instanceof Error ? e.message : String(e));
  }
}
