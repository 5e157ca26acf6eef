/**
 * The runs the campaign starts, each the real command through the real adapters, as the
 * workflows and people start them: the scheduled rotate and revoke workflows, an emergency
 * dispatch, the verify workflow plus a person's approval and merge, the distribution job on a
 * push (or a dispatch that resumes a halted key), and the dashboard.
 *
 * A run's outcome is what the command returned (its named outcome), `died` when the wire
 * killed its process, or `aborted:<error>` when it threw a typed error (the job fails).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { firstParentCommits } from '../../adapters/git/commits.ts';
import { buildHistoryIndex } from '../../adapters/git/history.ts';
import { readTreeAtRef } from '../../adapters/git/tree.ts';
import { createStateRefAdapter } from '../../adapters/github/refs.ts';
import { createTargetPorts } from '../../adapters/targets/index.ts';
import { updateDashboard } from '../../commands/dashboard.ts';
import { distribute, type DistributeResult } from '../../commands/distribute/index.ts';
import { haltedKeys } from '../../commands/distribute/failures.ts';
import { revoke } from '../../commands/revoke.ts';
import { rotate, type EmergencyRequest } from '../../commands/rotate.ts';
import { verifyPull } from '../../commands/verify-pull.ts';
import type { GitHubLog } from '../../adapters/github/index.ts';
import type { Pull } from '../emulator/state.ts';
import { KEYS_REPO, type World } from './world.ts';
import type { RunWire } from './wire.ts';

const [owner, repo] = KEYS_REPO.split('/') as [string, string];

export interface RunEnd {
  readonly outcome: string;
  /** Distribution only: the result, when the command returned one. */
  readonly distribution?: DistributeResult;
  readonly commit?: string;
  /** Why the run aborted (a typed error's message: routes and statuses, never a value). */
  readonly error?: string;
}

/** Lines logged by a run (clients, commands), for the canary. */
export function runLog(lines: string[]): GitHubLog {
  const add = (m: string) => void lines.push(m);
  return { debug: add, info: add, warn: add, error: add };
}

async function ended(wire: RunWire, body: () => Promise<RunEnd>): Promise<RunEnd> {
  try {
    const end = await body();
    return wire.dead ? { ...end, outcome: 'died' } : end;
  } catch (e) {
    if (wire.dead) return { outcome: 'died' };
    return {
      outcome: `aborted:${e instanceof Error ? e.name : typeof e}`,
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

export function rotateRun(
  w: World,
  wire: RunWire,
  log: string[],
  emergency?: EmergencyRequest,
): Promise<RunEnd> {
  return ended(wire, async () => {
    const base = await w.checkout();
    const ports = w.clients(wire.fetch, runLog(log)).rekey;
    const r = await rotate(
      {
        ...base,
        now: w.now(),
        run: w.runUrl(),
        halted: () => haltedKeys(ports.issues),
        ...(emergency ? { emergency } : {}),
      },
      { ...ports, codec: w.encryptOnly, generate: (k) => w.generate(k) },
    );
    return { outcome: outcomeOf(r.kind, 'keys' in r ? r.keys : []), commit: base.sha };
  });
}

export function revokeRun(w: World, wire: RunWire, log: string[]): Promise<RunEnd> {
  return ended(wire, async () => {
    const base = await w.checkout();
    const ports = w.clients(wire.fetch, runLog(log)).rekey;
    const r = await revoke({ ...base, now: w.now(), run: w.runUrl() }, ports);
    return { outcome: outcomeOf(r.kind, 'keys' in r ? r.keys : []), commit: base.sha };
  });
}

function outcomeOf(kind: string, keys: readonly { outcome: string }[]): string {
  if (kind !== 'applied') return kind;
  const opened = keys.filter((k) => k.outcome === 'created' || k.outcome === 'adopted').length;
  return opened > 0 ? 'opened' : 'unchanged';
}

/** The distribution job on `commit` (a push), or an operator's dispatch resuming keys. */
export function distributeRun(
  w: World,
  wire: RunWire,
  log: string[],
  commit: string,
  resume?: readonly string[],
): Promise<RunEnd> {
  return ended(wire, async () => {
    const tree = await readTreeAtRef(w.clone, commit);
    const c = w.clients(wire.fetch, runLog(log));
    const runUrl = w.runUrl();
    const r = await distribute(
      {
        commit,
        tree,
        defaultBranch: 'main',
        holder: `${runUrl}/attempts/1`,
        now: () => w.now(),
        runUrl,
        mask: () => {},
        log: { info: (m) => void log.push(m), warn: (m) => void log.push(m) },
        ...(resume ? { resume } : {}),
        sleep: async () => {},
      },
      {
        git: c.dist.ports.git,
        statuses: c.dist.ports.statuses,
        issues: c.dist.ports.issues,
        state: createStateRefAdapter(c.dist.client, { owner, repo }),
        targets: createTargetPorts(c.dist.targets, `${w.clone}-output`),
        sops: w.codec,
      },
    );
    for (const p of r.problems) log.push(p);
    return { outcome: r.outcome, distribution: r, commit };
  });
}

/**
 * The verify workflow on an open rekey PR (base: the merge base, as the PR's diff shows it),
 * its result as the required check, a person's approval, then the merge.
 */
export function reviewRun(w: World, wire: RunWire, log: string[], pull: Pull): Promise<RunEnd> {
  return ended(wire, async () => {
    const c = w.clients(wire.fetch, runLog(log));
    const head = await w.readBranch(pull.headRef);
    const main = (await w.checkout()).sha;
    const baseSha = await git(w.clone, 'merge-base', main, head.sha).catch(() => '');
    if (!baseSha) return { outcome: 'not-mergeable' };
    const base = { sha: baseSha, tree: await readTreeAtRef(w.clone, baseSha) };
    const result = await verifyPull(
      { base, head, now: w.now() },
      {
        history: (sha) => buildHistoryIndex(w.clone, sha),
        firstParent: (sha) => firstParentCommits(w.clone, sha),
        statuses: c.rekey.statuses,
      },
    );
    const passed = result.diagnostics.length === 0;
    await c.rekey.statuses.createStatus(head.sha, {
      state: passed ? 'success' : 'failure',
      context: 'rekey/verify',
      description: passed ? 'verified' : `${result.diagnostics.length} violations`,
    });
    if (!passed) {
      for (const d of result.diagnostics) log.push(`${d.rule} ${d.message}`);
      return { outcome: 'verify-refused' };
    }
    const req = c.person.octokit.request;
    await req('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner,
      repo,
      pull_number: pull.number,
      commit_id: head.sha,
      event: 'APPROVE',
    });
    await req('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
      owner,
      repo,
      pull_number: pull.number,
      merge_method: 'merge',
      sha: head.sha,
    });
    return { outcome: 'merged' };
  });
}

export function dashboardRun(w: World, wire: RunWire, log: string[]): Promise<RunEnd> {
  return ended(wire, async () => {
    const base = await w.checkout();
    const ports = w.clients(wire.fetch, runLog(log)).rekey;
    const r = await updateDashboard(
      { tree: base.tree, history: base.history, now: w.now() },
      { pulls: ports.pulls, issues: ports.issues, halted: () => haltedKeys(ports.issues) },
    );
    log.push(r.body);
    return { outcome: `dashboard-${r.issue?.result ?? 'none'}` };
  });
}

const run = promisify(execFile);
async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], {
    env: {
      PATH: process.env['PATH'],
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
    },
  });
  return stdout.trim();
}
