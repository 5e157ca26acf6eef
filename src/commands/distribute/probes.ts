/**
 * Probes after apply (docs/targets.md "Probes"): every key that was applied (converged or
 * unchanged) has each declared HTTPS probe run against its active version, and each target
 * kind with its own probe (postgres-role's login test) asked too. The results go into the
 * key's evidence, per target. When the key's policy says `require-probes: true`, a probe that
 * did not confirm the active version fails its target, so the key fails (failure issue,
 * retried within the budget) and `rekey/distribution` is not success: that success is what the
 * revocation gate waits for.
 *
 * Probes send nothing secret (the port takes a URL only); results name versions and
 * fingerprints only.
 */
import type { PolicyDocument } from '../../core/formats/index.ts';
import type { TargetPorts } from '../../core/ports/targets.ts';
import { targetKind } from '../../core/targets/index.ts';
import { type ProbePort, type ProbeRecord, runHttpProbes } from '../../core/targets/probe.ts';
import type { KeyRun } from './apply.ts';
import type { EvidenceTarget, Reported } from './evidence.ts';
import type { KeyReport } from './types.ts';

/** A probe's line for the evidence and the failure issue. */
export const probeLine = (r: ProbeRecord): string =>
  `probe ${r.probe}: ${r.outcome} v${r.version} ${r.fingerprint}${r.detail ? ` (${r.detail})` : ''}`;

/** Extra probes a target kind runs itself (the seam's `probe` hook); none by default. */
export type KindProbes = (run: KeyRun) => Promise<ProbeRecord[]>;

/** The probes target kinds run themselves (postgres-role's login test), through the seam's hook. */
export async function kindProbes(run: KeyRun, ports: TargetPorts): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for (const d of run.prepared.desired.targets) {
    const kind = targetKind(d.kind);
    if (kind.probe === undefined) continue;
    try {
      out.push(...(await kind.probe(d, ports)));
    } catch (e) {
      const active = run.prepared.key.versions.find((v) => v.state === 'active');
      if (active !== undefined)
        out.push({
          target: d.target,
          version: active.version,
          fingerprint: active.fingerprint,
          probe: `${d.kind} probe`,
          outcome: 'failed',
          detail: e instanceof Error ? `${e.name}: ${e.message}` : 'failed',
        });
    }
  }
  return out;
}

/** The probe results of every applied key, by key id. Keys that failed or were skipped are not probed. */
export async function probeKeys(
  runs: readonly KeyRun[],
  opts: { readonly probes?: ProbePort | undefined; readonly kindProbes?: KindProbes },
): Promise<Map<string, ProbeRecord[]>> {
  const out = new Map<string, ProbeRecord[]>();
  for (const run of runs) {
    if (run.result === null || !run.result.ok) continue;
    const key = run.prepared.key;
    const wants = key.targets.some((t) => t.probe !== undefined);
    const results: ProbeRecord[] = [];
    if (wants) {
      if (opts.probes === undefined) {
        const active = key.versions.find((v) => v.state === 'active');
        for (const [target, t] of key.targets.entries())
          if (t.probe !== undefined && active !== undefined)
            results.push({
              target,
              version: active.version,
              fingerprint: active.fingerprint,
              probe: `GET ${t.probe.url} (${t.probe.expect})`,
              outcome: 'failed',
              detail: 'this run has no probe port (an entrypoint bug)',
            });
      } else results.push(...(await runHttpProbes(key, opts.probes)));
    }
    if (opts.kindProbes) results.push(...(await opts.kindProbes(run)));
    if (results.length > 0) out.set(key.id, results);
  }
  return out;
}

/**
 * The key's reports with its probe results: each target's evidence lists its probes; with
 * `required`, one that did not confirm is an error of its target, which fails.
 */
export function withProbes(
  r: Reported,
  results: readonly ProbeRecord[] | undefined,
  required: boolean,
): Reported {
  if (results === undefined || results.length === 0) return r;
  const errorsOf = (target: number) =>
    required
      ? results
          .filter((p) => p.target === target && p.outcome !== 'confirmed')
          .map((p) => `${probeLine(p)}: the policy requires probes to confirm the active version`)
      : [];
  const targets: EvidenceTarget[] = r.evidence.targets.map((t) => {
    const mine = results.filter((p) => p.target === t.target);
    if (mine.length === 0) return t;
    const errors = [...t.errors, ...errorsOf(t.target)];
    return {
      ...t,
      probes: mine,
      errors,
      outcome: errors.length > 0 ? 'failed' : t.outcome,
    };
  });
  const reportTargets = r.report.targets.map((t) => {
    const errors = [...t.errors, ...errorsOf(t.target)];
    return { ...t, errors, outcome: errors.length > 0 ? ('failed' as const) : t.outcome };
  });
  const outcome: KeyReport['outcome'] = reportTargets.some((t) => t.outcome === 'failed')
    ? 'failed'
    : r.report.outcome;
  return {
    report: { ...r.report, outcome, targets: reportTargets },
    evidence: { ...r.evidence, outcome, targets },
  };
}

/** Whether the key's policy requires probes. */
export const requiresProbes = (
  policies: ReadonlyMap<string, { readonly value: PolicyDocument }>,
  policy: string,
): boolean => policies.get(policy)?.value['require-probes'] === true;
