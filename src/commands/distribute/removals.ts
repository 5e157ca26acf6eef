/**
 * Removing orphaned material (docs/distribute.md "Removing what no key claims"): what the
 * receipts prove rekey wrote, on targets no key of the commit claims any more
 * (src/core/targets/removals.ts decides; this observes, deletes and reports).
 *
 * - Observation: each orphan secret scope is listed once, each orphan deploy-key repository
 *   once; a read that fails makes its removals fail (visibly, like a failed write), never
 *   "removed".
 * - Apply: deletions one at a time, in order, before the keys are applied (compromised
 *   material that no key lists any more is the most urgent to remove). A removal of a halted
 *   key is skipped; `beforeKey` (the lease renewal) runs before each key's removals, and a
 *   lost lease skips the rest.
 * - The receipt a removal settles is dropped only once it is done or found done (receipts.ts),
 *   so a run that dies between the delete and storing the receipts finds the target gone
 *   next time and settles it then.
 */
import type { KeyDocument } from '../../core/formats/index.ts';
import { GitHubError } from '../../core/ports/github.ts';
import type { TargetPorts } from '../../core/ports/targets.ts';
import {
  claimsOf,
  describeRemoval,
  findOrphans,
  parseScopeId,
  planRemovals,
  removalWhere,
  type Receipt,
  type Removal,
  type Unobserved,
} from '../../core/targets/index.ts';
import type { Reported } from './evidence.ts';
import type { KeyReport, RemovalReport } from './types.ts';

export interface RemovalRun {
  readonly removal: Removal;
  /**
   * `planned` (dry run), `removed`, `absent` (already gone), `refused` (someone else's
   * write since: kept), `failed` (the read or the delete failed), `skipped` (halted key,
   * lease lost), `unreachable` (GitHub answers 404 for the target: nothing rekey can reach is
   * left there; reported, and settled like `absent`).
   */
  readonly outcome: RemovalReport['outcome'];
  readonly step: string;
  readonly error?: string;
}

const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';

/** A 404 means the target is gone or out of the token's sight: either way, nothing to reach. */
const unlisted = (e: unknown, what: string): Unobserved =>
  e instanceof GitHubError && e.status === 404
    ? {
        unreachable: `${what} answers 404: it was deleted, or the token cannot see it any more; nothing rekey can reach is left there, remove any copy by hand if it still exists`,
      }
    : { error: `${what} failed: ${message(e)}` };

/**
 * Observes the orphans of `receipts` (against every key of the commit) and plans their removal.
 *
 * `removalOnly` are receipts no commit rekey vouched for holds (state-auth.ts): they may name
 * material to remove, never prove that rekey wrote what a target holds. So where such a
 * receipt's secret carries another `updated_at`, it is not refused (which would fail every run
 * while the receipt stays): it is disowned, dropped with a notice. Nothing rekey can show it
 * wrote is there; a trusted receipt's mismatch is still refused and reported.
 */
export async function prepareRemovals(
  keys: readonly KeyDocument[],
  receipts: readonly Receipt[],
  ports: TargetPorts,
  opts: {
    readonly removalOnly?: ReadonlySet<Receipt>;
    readonly log?: { info(m: string): void } | undefined;
  } = {},
): Promise<Removal[]> {
  const planned = await observeAndPlan(keys, receipts, ports);
  const only = opts.removalOnly;
  if (only === undefined || only.size === 0) return planned;
  return planned.filter((r) => {
    if (r.action !== 'refuse' || !only.has(r.receipt)) return true;
    opts.log?.info(
      `${removalWhere(r)}: a receipt no vouched state holds names it, but the secret was written since (updated_at differs): not rekey's as far as rekey can show; the receipt is dropped and the secret kept`,
    );
    return false;
  });
}

async function observeAndPlan(
  keys: readonly KeyDocument[],
  receipts: readonly Receipt[],
  ports: TargetPorts,
): Promise<Removal[]> {
  const orphans = findOrphans(receipts, claimsOf(keys));
  const secrets = new Map<
    string,
    Awaited<ReturnType<TargetPorts['secrets']['listSecrets']>> | Unobserved
  >();
  for (const r of orphans.secrets) {
    if (secrets.has(r.scope)) continue;
    const scope = parseScopeId(r.scope);
    if (scope === null) continue;
    try {
      secrets.set(r.scope, await ports.secrets.listSecrets(scope));
    } catch (e) {
      secrets.set(r.scope, unlisted(e, `listing ${r.scope}`));
    }
  }
  const deployKeys = new Map<
    string,
    Awaited<ReturnType<TargetPorts['deployKeys']['listDeployKeys']>> | Unobserved
  >();
  for (const g of orphans.deployKeys.values()) {
    const repo = g.repository.toLowerCase();
    if (deployKeys.has(repo)) continue;
    try {
      deployKeys.set(repo, await ports.deployKeys.listDeployKeys(g.repository));
    } catch (e) {
      deployKeys.set(repo, unlisted(e, `listing the deploy keys of ${repo}`));
    }
  }
  return planRemovals(orphans, { secrets, deployKeys }, keys);
}

const settled = (r: Removal): RemovalRun['outcome'] | null =>
  r.action === 'gone'
    ? 'absent'
    : r.action === 'refuse'
      ? 'refused'
      : r.action === 'unreadable'
        ? 'failed'
        : r.action === 'unreachable'
          ? 'unreachable'
          : null;

/** The dry run's view: what each removal would do (and a log line for each). */
export function plannedRemovals(
  removals: readonly Removal[],
  log?: { info(m: string): void } | undefined,
): RemovalRun[] {
  return removals.map((removal) => {
    const step = describeRemoval(removal);
    log?.info(`${removal.key ?? '(key unknown)'}: dry run: ${step}`);
    return { removal, outcome: settled(removal) ?? 'planned', step };
  });
}

export async function applyRemovals(
  removals: readonly Removal[],
  opts: {
    readonly targets: TargetPorts;
    readonly halted: ReadonlySet<string>;
    readonly beforeKey: () => Promise<boolean>;
    readonly log?: { info(m: string): void; warn(m: string): void } | undefined;
  },
): Promise<RemovalRun[]> {
  const out: RemovalRun[] = [];
  let last: string | null | undefined;
  let stopped = false;
  for (const removal of removals) {
    const step = describeRemoval(removal);
    const label = removal.key ?? '(key unknown)';
    if (removal.key !== last) {
      last = removal.key;
      if (!stopped && !(await opts.beforeKey())) stopped = true;
    }
    if (stopped || (removal.key !== null && opts.halted.has(removal.key))) {
      out.push({ removal, outcome: 'skipped', step });
      continue;
    }
    const now = settled(removal);
    if (now !== null) {
      if (now !== 'absent') opts.log?.warn(`${label}: ${step}`);
      out.push({
        removal,
        outcome: now,
        step,
        ...(now === 'failed' ? { error: removal.reason } : {}),
      });
      continue;
    }
    try {
      const r =
        removal.kind === 'github-secret'
          ? await opts.targets.secrets.deleteSecret(removal.scope, removal.name)
          : await opts.targets.deployKeys.deleteDeployKey(removal.repository, removal.id);
      opts.log?.info(`${label}: ${step}: ${r}`);
      out.push({ removal, outcome: r === 'deleted' ? 'removed' : 'absent', step });
    } catch (e) {
      opts.log?.warn(`${label}: ${step}: ${message(e)}`);
      out.push({ removal, outcome: 'failed', step, error: message(e) });
    }
  }
  return out;
}

/** A removal that leaves material in place (or unknown): the run is not a success. */
export const removalFailed = (r: RemovalRun): boolean =>
  r.outcome === 'failed' || r.outcome === 'refused' || r.outcome === 'skipped';

/** One line for a key's failure issue, secret-free. */
export const removalDetail = (r: RemovalRun): string =>
  `removal (${removalWhere(r.removal)}): ${r.step}${r.error !== undefined && r.error !== r.removal.reason ? `: ${r.error}` : ''}`;

/** Removals in apply order: grouped by key (unknown last), the key order given. */
export function removalOrder(removals: readonly Removal[]): Removal[] {
  const rank = (r: Removal) => (r.key === null ? '\uffff' : r.key);
  return [...removals].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}

export function removalReport(r: RemovalRun): RemovalReport {
  return {
    key: r.removal.key,
    kind: r.removal.kind,
    where: removalWhere(r.removal),
    version: r.removal.version,
    outcome: r.outcome,
    step: r.step,
    ...(r.error === undefined || r.error === r.removal.reason ? {} : { error: r.error }),
  };
}

const failedReport = (r: RemovalReport) =>
  r.outcome === 'failed' || r.outcome === 'refused' || r.outcome === 'skipped';

/**
 * Each key's removals joined to its report: a key whose removal failed, was refused or
 * skipped is `failed` (a halted one stays `halted`); one whose only changes were removals is
 * `converged`. A key that is gone from the commit but left material gets a report of its own
 * (no targets), so it has a failure issue and a retry budget like any other.
 */
export function withRemovals(
  reported: readonly Reported[],
  runs: readonly RemovalRun[],
  halted: ReadonlyMap<string, { readonly url: string }>,
): Reported[] {
  const byKey = new Map<string, RemovalReport[]>();
  for (const r of runs.map(removalReport))
    if (r.key !== null) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const join = (outcome: KeyReport['outcome'], mine: readonly RemovalReport[]) =>
    mine.length === 0 || outcome === 'halted'
      ? outcome
      : mine.some(failedReport)
        ? 'failed'
        : outcome === 'unchanged' && mine.some((r) => r.outcome === 'removed')
          ? 'converged'
          : outcome;
  const out = reported.map((r): Reported => {
    const mine = byKey.get(r.report.key) ?? [];
    byKey.delete(r.report.key);
    if (mine.length === 0) return r;
    const outcome = join(r.report.outcome, mine);
    return {
      report: { ...r.report, outcome, removals: mine },
      evidence: { ...r.evidence, outcome, removals: mine },
    };
  });
  for (const [key, mine] of byKey) {
    const h = halted.get(key);
    const outcome = h !== undefined ? 'halted' : join('unchanged', mine);
    const issue = h === undefined ? {} : { issue: h.url };
    out.push({
      report: { key, outcome, targets: [], removals: mine, ...issue },
      evidence: { key, outcome, versions: [], targets: [], removals: mine, ...issue },
    });
  }
  return out;
}

/** Removals no key can be named for (old receipts): their failures are the run's problems. */
export const unattributedProblems = (runs: readonly RemovalRun[]): string[] =>
  runs
    .filter((r) => r.removal.key === null && removalFailed(r))
    .map((r) => `${r.outcome}: ${removalDetail(r)}`);

/** Key ids the receipts name, for `resume` of a key that only left material behind. */
export const receiptKeys = (receipts: readonly Receipt[]): Set<string> =>
  new Set(receipts.flatMap((r) => (r.key === undefined ? [] : [r.key])));
