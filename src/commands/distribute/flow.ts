/**
 * The distribute use case in its order (docs/distribute.md):
 *
 * 1. validate the tree: invalid -> `invalid`, nothing read from or written to GitHub;
 * 2. look, without the lease (look()): the state ref (held by another run -> `busy`), the
 *    failure issues, the preflight with the stored receipts, the superseded check, the plans
 *    and the orphans. Nothing to write (no step, no removal, no receipt to change, no issue to
 *    close, the status already standing) -> done, nothing written, not even the lease;
 * 2b. take the lease by compare-and-swap on the state commit the look read. The look's reads
 *    are used only when the lease was taken on that very commit (no run held the lease in
 *    between, so no rekey run wrote a target); otherwise 3 to 6 run again under the lease;
 * 3. superseded check (when the look's reads are not used): the default branch head is not
 *    `commit` -> `superseded`, lease released;
 * 4. resume the keys asked for (such a run takes the lease first), then skip halted keys;
 * 5. preflight every other key (preflight.ts): any failure -> `preflight-failed`, status
 *    failure, a failure issue per affected key, and no write to any target;
 * 6. superseded check again (when the look's reads are not used);
 * 7. plan with the lease's receipts and apply (apply.ts), renewing the lease between keys;
 *    then run the probes of every applied key (probes.ts);
 * 8. status `rekey/distribution` on `commit`: success only when every key converged and none
 *    is halted or failed; description <= 140 characters; target_url the run; then
 *    recordDistribution: one issue per failed key (halted at the budget), converged keys'
 *    issues closed. Both while the lease is held, so two runs never record at once;
 * 9. store the receipts (receipts.ts) and release the lease, last.
 *
 * A dry run does 1, 4 (reads only), 5 and the plans, and writes nothing: no lease, no status,
 * no issue; its plans use the stored receipts read without the lease.
 */
import { formatDiagnostic } from '../../core/diagnostics.ts';
import { durationMs } from '../../core/duration.ts';
import type { SopsConfig } from '../../core/sops-config.ts';
import type { Receipt, Removal } from '../../core/targets/index.ts';
import { trustedCreators } from '../distribution-evidence.ts';
import { validateTree } from '../inspect.ts';
import { applyKeys, planKeys, type KeyRun } from './apply.ts';
import { plannedKey, unplannedKey, type Reported } from './evidence.ts';
import { preflight } from './preflight.ts';
import { kindProbes, probeKeys, probeLine, requiresProbes, withProbes } from './probes.ts';
import { nextReceipts } from './receipts.ts';
import {
  applyRemovals,
  plannedRemovals,
  prepareRemovals,
  receiptKeys,
  removalOrder,
  removalReport,
  unattributedProblems,
  withRemovals,
} from './removals.ts';
import { leaseRenewal } from './renewal.ts';
import { deferToRewrap, holdForRewrap, type RewrapHold } from './rewrap.ts';
import {
  buildResult,
  failureDetails,
  haltedReason,
  sopsConfigOf,
  statusNow,
  supersededBy,
  withIssues,
  writeStatus,
  type Finish,
} from './result.ts';
import type { LeaseState } from './lease.ts';
import type { DistributionState } from './state.ts';
import { DISTRIBUTION_CONTEXT } from '../distribution-evidence.ts';
import type {
  DistributeInput,
  DistributeOutcome,
  DistributePorts,
  DistributeResult,
} from './types.ts';

const DEFAULT_CONCURRENCY = 4;

/** The same receipts, whatever their order and the order of their fields. */
function sameReceipts(a: readonly Receipt[], b: readonly Receipt[]): boolean {
  const text = (r: Receipt) => JSON.stringify(r, Object.keys(r).sort());
  const x = a.map(text).sort();
  const y = b.map(text).sort();
  return x.length === y.length && x.every((t, i) => t === y[i]);
}
const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';

export async function runDistribution(
  input: DistributeInput,
  ports: DistributePorts,
  state: DistributionState,
): Promise<DistributeResult> {
  const startedAt = input.now();
  const log = input.log;
  const concurrency = Math.max(1, input.concurrency ?? DEFAULT_CONCURRENCY);
  const finish = (f: Finish): DistributeResult => buildResult(input, startedAt, f);

  // 1. The tree.
  const validation = validateTree(input.tree, startedAt);
  const { snapshot } = validation;
  const sops = sopsConfigOf(snapshot);
  const findings =
    'config' in sops
      ? deferToRewrap(validation.diagnostics, snapshot, input.tree, sops.config)
      : validation.diagnostics;
  if (findings.length > 0 || !('config' in sops)) {
    const problems = [
      ...findings.map(formatDiagnostic),
      ...('config' in sops ? [] : sops.problems),
    ];
    log?.warn(`the manifest at ${input.commit.slice(0, 12)} is invalid; nothing was written`);
    return finish({ outcome: 'invalid', problems });
  }
  const ids = [...snapshot.keys.keys()].sort();
  const keyOf = (id: string) => snapshot.keys.get(id)!.value;
  const allKeys = ids.map(keyOf);
  const ttlMs = durationMs(snapshot.pipeline['lease-ttl']);
  // failures.ts counts at least one attempt before halting; a budget of 0 halts at the first.
  const budget = Math.max(1, snapshot.pipeline['retry-budget']);
  // Whose statuses vouch for the state ref's commits (state-auth.ts), as for the evidence.
  const trusted = trustedCreators(snapshot.pipeline);

  if (input.dryRun) {
    const halted = await state.haltedKeys(ports.issues);
    const resume = new Set(input.resume ?? []);
    const skipped = ids.filter((id) => halted.has(id) && !resume.has(id));
    const receipts = await state.readReceipts(ports.state, trusted);
    const hold = await rewrapHold(true);
    const run = await check(
      ids.filter((id) => !skipped.includes(id) && !hold.held.has(id)),
      receipts,
    );
    const removals = plannedRemovals(
      removalOrder(await prepareRemovals(allKeys, receipts, ports.targets)),
      log,
    );
    const reported = withRemovals(
      [
        ...skipped.map((id) =>
          unplannedKey(keyOf(id), 'halted', [haltedReason(halted, id)], halted.get(id)?.url),
        ),
        ...heldReports(hold, new Set(skipped)),
        ...run.failedReports,
        ...planKeys(run.passed, receipts).map((p) => plannedKey({ ...p, result: null })),
      ],
      removals,
      halted,
    );
    return finish({
      outcome: run.failed.length > 0 ? 'preflight-failed' : 'dry-run',
      reported,
      problems: run.problems,
      removals: removals.map(removalReport),
    });
  }

  // 2. Look first, without the lease: a run with nothing to do writes nothing, not even
  // the lease (look(), below). What it read is reused once the lease is taken on the very
  // state commit it read.
  const pre = (input.resume ?? []).length === 0 ? await look() : null;
  if (pre !== null && 'finished' in pre) return pre.finished;

  // The lease, by compare-and-swap against the state `look` read when it looked.
  const got = await state.acquireLease(ports.state, {
    holder: input.holder,
    ...(input.runUrl === undefined ? {} : { run: input.runUrl }),
    ttlMs,
    now: input.now,
    ...(input.leaseWaitMs === undefined ? {} : { waitMs: input.leaseWaitMs }),
    ...(input.sleep === undefined ? {} : { sleep: input.sleep }),
    ...trusted,
    ...(pre === null ? {} : { from: { state: pre.read } }),
  });
  if (got.result === 'busy') {
    const why = `the distribution lease is held by ${got.holder} until ${got.expiresAt}`;
    log?.warn(`${why}; nothing was written`);
    return finish({ outcome: 'busy', problems: [why] });
  }
  const lease = got.lease;
  const tampering = lease.tampering ?? undefined;
  if (tampering) log?.warn(tampering);
  let released = false;
  // What to store if a later step throws: the receipts of the writes made so far.
  let latest: readonly Receipt[] = lease.receipts;
  const release = async (receipts: readonly Receipt[]) => {
    await lease.release(receipts);
    released = true;
  };
  // Nobody wrote the state between the look and the lease: no other run held the lease in
  // between, so what the look read of the targets is what a read now would show.
  const seen = pre !== null && lease.base === (pre.read?.commit ?? null) ? pre : null;
  try {
    // 3. Superseded? (The look checked already, after its preflight.)
    const moved = seen === null ? await supersededBy(ports.git, input) : null;
    if (moved !== null) {
      await release(lease.receipts);
      log?.warn(`${moved}; nothing was written`);
      return finish({ outcome: 'superseded', problems: [moved], tampering });
    }

    // 4. Halted keys, after resuming the ones asked for.
    const gone = receiptKeys(lease.receipts);
    for (const id of input.resume ?? [])
      if (!snapshot.keys.has(id) && !gone.has(id))
        log?.warn(`resume: there is no key ${id} in this commit or its receipts`);
      else {
        const r = await state.resumeKey(ports.issues, id, input.holder);
        log?.info(`${id}: ${r === 'resumed' ? 'resumed' : 'was not halted'}`);
      }
    // One list of the failure issues: the halted keys now, the records at the end (step 8).
    const { halted, open } = seen ?? (await state.failureIssues(ports.issues));
    const skipped = ids.filter((id) => halted.has(id));
    const haltedReports = skipped.map((id) =>
      unplannedKey(keyOf(id), 'halted', [haltedReason(halted, id)], halted.get(id)?.url),
    );

    // 4b. Keys whose material .sops.yaml wants re-wrapped: held, and the rekey/rewrap PR
    // opened or updated (rewrap.ts); the others go on.
    const hold = await rewrapHold(false);
    const held = heldReports(hold, new Set(skipped));

    // 5. Preflight.
    const run =
      seen?.run ??
      (await check(
        ids.filter((id) => !halted.has(id) && !hold.held.has(id)),
        lease.receipts,
      ));
    if (run.failed.length > 0) {
      const records = await state.recordDistribution(ports.issues, {
        failed: run.failed,
        converged: [],
        budget,
        commit: input.commit,
        now: input.now(),
        ...(input.runUrl ? { runUrl: input.runUrl } : {}),
      });
      const reported = [
        ...haltedReports,
        ...held,
        ...withIssues(run.failedReports, records),
        ...run.passed.map((p) => unplannedKey(p.key, 'skipped', [])),
      ];
      const status = await writeStatus(
        ports.statuses,
        input,
        'preflight-failed',
        reported,
        snapshot.pipeline['status-creators'],
      );
      await release(lease.receipts);
      return finish({
        outcome: 'preflight-failed',
        reported,
        problems: [...hold.problems, ...run.problems],
        status,
        rewrap: hold.pull,
        tampering,
      });
    }

    // 6. Superseded while preflight ran?
    const movedLater = seen === null ? await supersededBy(ports.git, input) : null;
    if (movedLater !== null) {
      await release(lease.receipts);
      log?.warn(`${movedLater}; nothing was written`);
      return finish({ outcome: 'superseded', problems: [movedLater], tampering });
    }

    // 7. Remove what no key claims any more, then plan and apply.
    const problems: string[] = [...hold.problems];
    const renewal = leaseRenewal(lease, { ttlMs, now: input.now, problems });
    const removed = await applyRemovals(
      seen?.removals ??
        removalOrder(
          await prepareRemovals(allKeys, [...lease.receipts, ...lease.unvouched], ports.targets),
        ),
      {
        targets: ports.targets,
        // A held key's targets are not written, removals included.
        halted: new Set([...halted.keys(), ...hold.held.keys()]),
        beforeKey: renewal.beforeKey,
        log,
      },
    );
    const runs = await applyKeys(planKeys(run.passed, lease.receipts), {
      targets: ports.targets,
      concurrency,
      beforeKey: renewal.beforeKey,
      log,
      progress: input.progress,
    });

    // 7b. Probes: is the active version in use? (probes.ts; with require-probes a probe
    // that does not confirm it fails the key.)
    const probed =
      seen?.probed ??
      (await probeKeys(runs, {
        probes: ports.probes,
        kindProbes: (r) => kindProbes(r, ports.targets),
      }));
    for (const [id, results] of probed)
      for (const p of results)
        (p.outcome === 'confirmed' ? log?.info : log?.warn)?.call(log, `${id}: ${probeLine(p)}`);

    // 8. The status and the failure issues, written while the lease is held (two runs
    // recording at once could otherwise both create an issue for one key).
    const receipts = nextReceipts(lease.receipts, runs, removed);
    latest = receipts;
    const lost = renewal.lost();
    if (lost) problems.push("the receipts were not stored: the lease is another run's now");
    problems.push(...unattributedProblems(removed));
    const applied = withRemovals(
      [
        ...haltedReports,
        ...held,
        ...runs.map((r) =>
          withProbes(
            plannedKey(r),
            probed.get(r.prepared.id),
            requiresProbes(snapshot.policies, r.prepared.key.policy),
          ),
        ),
      ],
      removed,
      halted,
    );
    // Keys skipped because the lease was lost were not attempted: no issue, no attempt counted.
    const failed = applied
      .filter((r) => r.report.outcome === 'failed')
      .map((r) => ({ key: r.report.key, details: failureDetails(r.report) }));
    const done = (r: Reported) =>
      r.report.outcome === 'converged' || r.report.outcome === 'unchanged';
    const converged = applied.filter(done).map((r) => r.report.key);
    // A held key is not distributed: the run (and the status) says so until the PR merges.
    const outcome: DistributeOutcome =
      applied.every(done) && problems.length === 0 ? 'converged' : 'failed';
    const status = await writeStatus(
      ports.statuses,
      input,
      outcome,
      applied,
      snapshot.pipeline['status-creators'],
    );
    const records = await state.recordDistribution(ports.issues, {
      failed,
      converged,
      budget,
      commit: input.commit,
      now: input.now(),
      open,
      ...(input.runUrl ? { runUrl: input.runUrl } : {}),
    });

    // 9. Store the receipts and release the lease, last. A lease lost here costs only the
    // receipts (the next run rewrites those secrets once); the targets are as reported.
    let stored: number | undefined;
    if (lost) released = true;
    else
      try {
        await release(receipts);
        stored = receipts.length;
      } catch (e) {
        problems.push(`the receipts were not stored: ${message(e)}`);
        released = true; // the lease is not ours any more; nothing left to release
      }
    return finish({
      outcome,
      reported: withIssues(applied, records),
      problems,
      status,
      removals: removed.map(removalReport),
      ...(stored === undefined ? {} : { receipts: stored }),
      rewrap: hold.pull,
      tampering,
    });
  } catch (e) {
    // Not a crash of the process: give the lease back (with the receipts it had) so the next
    // run need not wait for it to expire; the error itself is the caller's.
    if (!released) await lease.release(latest).catch(() => undefined);
    throw e;
  }

  /**
   * The run up to its first write, without the lease: the state, the failure issues, the
   * preflight, the superseded check, the plans and the orphans. `finished` when there is
   * nothing to write (no step, no removal, no receipt to change, no issue to close, the
   * status already standing) or nothing may be written (superseded, busy); otherwise what it
   * read, for the run to go on with under the lease. null: look under the lease instead (a
   * resume writes first; material awaiting re-wrap opens a pull request).
   */
  async function look(): Promise<
    | { finished: DistributeResult }
    | {
        read: LeaseState | null;
        halted: Awaited<ReturnType<DistributionState['failureIssues']>>['halted'];
        open: Awaited<ReturnType<DistributionState['failureIssues']>>['open'];
        run: Awaited<ReturnType<typeof check>>;
        removals: Removal[];
        /** The probes, when the look ran them (nothing to write but the status). */
        probed?: Awaited<ReturnType<typeof probeKeys>>;
      }
    | null
  > {
    const read = await state.readLeaseState(ports.state, { ...trusted, now: input.now });
    if (read !== null && !read.lease.released) {
      const expires = Date.parse(read.lease.expiresAt);
      if (expires >= input.now().getTime()) {
        if (input.leaseWaitMs !== undefined && input.leaseWaitMs > 0) return null;
        const why = `the distribution lease is held by ${read.lease.holder} until ${read.lease.expiresAt}`;
        log?.warn(`${why}; nothing was written`);
        return { finished: finish({ outcome: 'busy', problems: [why] }) };
      }
    }
    if ((await rewrapHold(true)).held.size > 0) return null;
    // What the lease would carry: the vouched receipts, and those only good for removals.
    const receipts = read?.auth?.receipts ?? [];
    const unvouched = read?.auth?.unvouched ?? [];
    // A state ref not taken at its word is reported by the run under the lease.
    const suspect = (read?.auth?.tampering ?? null) !== null;
    const { halted, open } = await state.failureIssues(ports.issues);
    const run = await check(
      ids.filter((id) => !halted.has(id)),
      receipts,
    );
    const moved = await supersededBy(ports.git, input);
    if (moved !== null) {
      log?.warn(`${moved}; nothing was written`);
      return { finished: finish({ outcome: 'superseded', problems: [moved] }) };
    }
    const removals = removalOrder(
      await prepareRemovals(allKeys, [...receipts, ...unvouched], ports.targets),
    );
    const goOn = { read, halted, open, run, removals };
    const planned = planKeys(run.passed, receipts);
    if (
      suspect ||
      run.failed.length > 0 ||
      removals.length > 0 ||
      planned.some((p) => p.plan.steps.length > 0)
    )
      return goOn;
    // Nothing to write to a target. Still work: receipts to store, issues to close (every open
    // issue not a halted key's belongs to a key that converges now), a status to write.
    const runs: KeyRun[] = planned.map((p) => ({
      ...p,
      result: { key: p.plan.key, results: [], receipts: [], ok: true },
    }));
    if (!sameReceipts(nextReceipts(receipts, runs, []), receipts)) return goOn;
    if (open.length > halted.size) return goOn;
    const probed = await probeKeys(runs, {
      probes: ports.probes,
      kindProbes: (r) => kindProbes(r, ports.targets),
    });
    const reported = withRemovals(
      [
        ...ids
          .filter((id) => halted.has(id))
          .map((id) =>
            unplannedKey(keyOf(id), 'halted', [haltedReason(halted, id)], halted.get(id)?.url),
          ),
        ...runs.map((r) =>
          withProbes(
            plannedKey(r),
            probed.get(r.prepared.id),
            requiresProbes(snapshot.policies, r.prepared.key.policy),
          ),
        ),
      ],
      [],
      halted,
    );
    if (reported.some((r) => r.report.outcome === 'failed')) return goOn;
    const outcome: DistributeOutcome = reported.every(
      (r) => r.report.outcome === 'converged' || r.report.outcome === 'unchanged',
    )
      ? 'converged'
      : 'failed';
    const now = await statusNow(
      ports.statuses,
      input,
      outcome,
      reported,
      snapshot.pipeline['status-creators'],
    );
    if (!now.standing) return { ...goOn, probed };
    for (const [id, results] of probed)
      for (const p of results)
        (p.outcome === 'confirmed' ? log?.info : log?.warn)?.call(log, `${id}: ${probeLine(p)}`);
    log?.info(
      `nothing to write: every target is current and ${DISTRIBUTION_CONTEXT} says so already; the lease was not taken`,
    );
    return { finished: finish({ outcome, reported, problems: [], status: now.state }) };
  }

  function rewrapHold(dryRun: boolean) {
    return holdForRewrap(
      {
        snapshot,
        tree: input.tree,
        sopsConfig: (sops as { config: SopsConfig }).config,
        defaultBranch: input.defaultBranch,
        codec: ports.rewrap?.codec ?? { rewrap: () => Promise.reject(new Error('no codec')) },
        dryRun,
        log,
      },
      ports.rewrap,
    );
  }

  /** Held keys' reports; a halted key is reported as halted (it is skipped either way). */
  function heldReports(hold: RewrapHold, halted: ReadonlySet<string>): Reported[] {
    return [...hold.held]
      .filter(([id]) => !halted.has(id))
      .map(([id, why]) => unplannedKey(keyOf(id), 'held', [why]));
  }

  async function check(keys: readonly string[], receipts: readonly Receipt[]) {
    const pf = await preflight(
      {
        snapshot,
        tree: input.tree,
        sopsConfig: (sops as { config: SopsConfig }).config,
        keys,
        concurrency,
        receipts,
        mask: input.mask,
      },
      ports,
    );
    const failed = [...pf.problems].map(([key, details]) => ({ key, details }));
    for (const f of failed) for (const d of f.details) log?.warn(`${f.key}: preflight: ${d}`);
    return {
      passed: pf.keys,
      failed,
      failedReports: failed.map((f) => unplannedKey(keyOf(f.key), 'failed', f.details)),
      problems: failed.flatMap((f) => f.details.map((d) => `${f.key}: ${d}`)),
    };
  }
}
