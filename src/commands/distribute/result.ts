/**
 * Assembling what a run returns: the result with its evidence document, the failure details
 * a key's issue lists, and the issue (and `halted`) recordDistribution reports for each key.
 */
import { formatDiagnostic } from '../../core/diagnostics.ts';
import type { ManifestSnapshot } from '../../core/snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../../core/sops-config.ts';
import { countingStatus, DISTRIBUTION_CONTEXT } from '../distribution-evidence.ts';
import { EVIDENCE_SCHEMA, statusDescription, type Reported } from './evidence.ts';
import type { RewrapPull } from './rewrap.ts';
import type { FailureRecord } from './state.ts';
import type {
  DistributeInput,
  DistributeOutcome,
  DistributePorts,
  DistributeResult,
  KeyReport,
  RemovalReport,
} from './types.ts';

export interface Finish {
  readonly outcome: DistributeOutcome;
  readonly reported?: readonly Reported[];
  readonly problems?: readonly string[];
  readonly status?: 'success' | 'failure';
  /** Receipts stored with the lease, when they were. */
  readonly receipts?: number;
  readonly removals?: readonly RemovalReport[];
  readonly rewrap?: RewrapPull | undefined;
  /** The state ref's head was not rekey's (state-auth.ts): what was found and done. */
  readonly tampering?: string | undefined;
}

export function buildResult(input: DistributeInput, startedAt: Date, f: Finish): DistributeResult {
  const reported = f.reported ?? [];
  return {
    outcome: f.outcome,
    commit: input.commit,
    keys: reported.map((r) => r.report),
    problems: f.problems ?? [],
    removals: f.removals ?? [],
    ...(f.status ? { status: f.status } : {}),
    ...(f.rewrap ? { rewrap: f.rewrap } : {}),
    ...(f.tampering ? { tampering: f.tampering } : {}),
    evidence: {
      schema: EVIDENCE_SCHEMA,
      commit: input.commit,
      run: input.runUrl ?? null,
      holder: input.holder,
      startedAt: startedAt.toISOString(),
      finishedAt: input.now().toISOString(),
      outcome: f.outcome,
      status: f.status ?? null,
      problems: f.problems ?? [],
      keys: reported.map((r) => r.evidence),
      removals: f.removals ?? [],
      receipts: f.receipts ?? null,
      ...(f.tampering ? { tampering: f.tampering } : {}),
    },
  };
}

export function sopsConfigOf(
  snapshot: ManifestSnapshot,
): { config: SopsConfig } | { problems: string[] } {
  if (snapshot.sopsConfig === undefined)
    return {
      problems: ['.sops.yaml is missing: the creation rules say who may read the material'],
    };
  const parsed = parseSopsConfig(snapshot.sopsConfig);
  return parsed.config
    ? { config: parsed.config }
    : { problems: parsed.diagnostics.map(formatDiagnostic) };
}

export function haltedReason(
  halted: ReadonlyMap<string, { issue: number; url: string; reason: string }>,
  id: string,
): string {
  const h = halted.get(id);
  return `halted (issue #${h?.issue ?? '?'}): ${h?.reason ?? 'the retry budget is spent'}; dispatch with resume to retry`;
}

/** One line per failed step or problem (already secret-free). */
export function failureDetails(report: KeyReport): string[] {
  const lines = [
    ...report.targets.flatMap((t) =>
      t.outcome === 'skipped'
        ? [`target ${t.target} (${t.where}): not applied`]
        : t.errors.map((e) => `target ${t.target} (${t.where}): ${e}`),
    ),
    ...(report.removals ?? [])
      .filter((r) => r.outcome === 'failed' || r.outcome === 'refused' || r.outcome === 'skipped')
      .map(
        (r) =>
          `removal (${r.where}): ${r.outcome}: ${r.step}${r.error && !r.step.endsWith(r.error) ? `: ${r.error}` : ''}`,
      ),
  ];
  return lines.length > 0 ? lines : ['not distributed'];
}

/** Attaches each key's failure issue, and `halted` when the budget ran out with this run. */
export function withIssues(
  reported: readonly Reported[],
  records: readonly FailureRecord[],
): Reported[] {
  const byKey = new Map(records.map((r) => [r.key, r]));
  return reported.map((r) => {
    const rec = byKey.get(r.report.key);
    if (rec === undefined) return r;
    const outcome: KeyReport['outcome'] = rec.halted ? 'halted' : r.report.outcome;
    return {
      report: { ...r.report, outcome, issue: rec.url },
      evidence: { ...r.evidence, outcome, issue: rec.url },
    };
  });
}

/** Null while the default branch head is `input.commit`; otherwise why this run is moot. */
export async function supersededBy(
  git: DistributePorts['git'],
  input: Pick<DistributeInput, 'defaultBranch' | 'commit'>,
): Promise<string | null> {
  const head = await git.getBranchHead(input.defaultBranch);
  if (head === null) return `the default branch ${input.defaultBranch} does not exist on GitHub`;
  if (head.commit === input.commit) return null;
  return `${input.defaultBranch} moved to ${head.commit.slice(0, 12)} after this run started on ${input.commit.slice(0, 12)}; the run for the newer commit distributes`;
}

/**
 * The status a run with this outcome would write, and whether the commit already carries it
 * (`standing`: the newest status that counts has that state and description). 1 call.
 */
export async function statusNow(
  statuses: DistributePorts['statuses'],
  input: Pick<DistributeInput, 'commit'>,
  outcome: DistributeOutcome,
  reported: readonly Reported[],
  trusted?: readonly string[],
): Promise<{ state: 'success' | 'failure'; description: string; standing: boolean }> {
  const state = outcome === 'converged' ? 'success' : 'failure';
  const description = statusDescription(
    outcome,
    reported.map((r) => r.report),
  );
  const newest = (await statuses.listStatuses(input.commit, DISTRIBUTION_CONTEXT)).find(
    countingStatus(trusted),
  );
  return {
    state,
    description,
    standing: newest?.state === state && newest.description === description,
  };
}

/**
 * `rekey/distribution` on the commit: success only for `converged`. Written only when the
 * newest status of that context that counts (`trusted`: pipeline.yaml `status-creators`, the
 * rule revoke, verify and audit read statuses by) has another state or description: GitHub
 * keeps at most 1,000 statuses per sha and context and refuses more, and distribution runs on
 * every push to main, also when nothing changed (issue #14, item 6). 1 call, +1 when written.
 */
export async function writeStatus(
  statuses: DistributePorts['statuses'],
  input: Pick<DistributeInput, 'commit' | 'runUrl' | 'log'>,
  outcome: DistributeOutcome,
  reported: readonly Reported[],
  trusted?: readonly string[],
): Promise<'success' | 'failure'> {
  const { state, description, standing } = await statusNow(
    statuses,
    input,
    outcome,
    reported,
    trusted,
  );
  if (standing) {
    input.log?.info(`${DISTRIBUTION_CONTEXT}: ${state}: ${description} (already on the commit)`);
    return state;
  }
  await statuses.createStatus(input.commit, {
    state,
    context: DISTRIBUTION_CONTEXT,
    description,
    ...(input.runUrl ? { targetUrl: input.runUrl } : {}),
  });
  input.log?.info(`${DISTRIBUTION_CONTEXT}: ${state}: ${description}`);
  return state;
}
