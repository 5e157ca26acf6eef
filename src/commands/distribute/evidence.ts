/**
 * Evidence of a distribution run: the per-key and per-target reports, the JSON artifact
 * (`rekey.distribution/v1`) and the `rekey/distribution` status description.
 *
 * Nothing here can hold a value: reports are built from key.yaml (names, scopes, paths),
 * fingerprints and versions, what GitHub lets anyone see (secret names and `updated_at`,
 * deploy-key titles), describeStep lines and error messages (routes and paths).
 */
import type { KeyDocument, KeyState, Target } from '../../core/formats/index.ts';
import {
  describeStep,
  targetKind,
  type DesiredTarget,
  type Observation,
} from '../../core/targets/index.ts';
import type { ProbeRecord } from '../../core/targets/probe.ts';
import type { KeyRun } from './apply.ts';
import type { DistributeOutcome, KeyReport, RemovalReport, TargetReport } from './types.ts';

export const EVIDENCE_SCHEMA = 'rekey.distribution/v1';

export interface EvidenceStep {
  readonly step: string;
  readonly outcome: 'planned' | 'done' | 'failed';
  /** What the target said (created, updated, deleted, absent), when done. */
  readonly detail?: string;
  readonly error?: string;
}

export interface EvidenceTarget {
  readonly target: number;
  readonly kind: string;
  readonly where: string;
  /** What the run saw before writing, one line per slot, deploy key or file. */
  readonly observed: readonly string[];
  /** What the target should hold: `v3 -> API_TOKEN`, `nothing -> API_TOKEN_PREVIOUS`. */
  readonly desired: readonly string[];
  readonly outcome: TargetReport['outcome'];
  readonly steps: readonly EvidenceStep[];
  readonly errors: readonly string[];
  /** Which probes confirmed (or refuted) which version, when the target declares any. */
  readonly probes?: readonly ProbeRecord[];
}

export interface EvidenceKey {
  readonly key: string;
  readonly outcome: KeyReport['outcome'];
  readonly issue?: string;
  readonly versions: readonly {
    readonly version: number;
    readonly state: KeyState;
    readonly fingerprint: string;
  }[];
  readonly targets: readonly EvidenceTarget[];
  /** Orphaned material of this key: removed, found gone, or kept (with why). */
  readonly removals?: readonly RemovalReport[];
}

export interface DistributionEvidenceDocument {
  readonly schema: typeof EVIDENCE_SCHEMA;
  readonly commit: string;
  readonly run: string | null;
  readonly holder: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: DistributeOutcome;
  readonly status: 'success' | 'failure' | null;
  readonly problems: readonly string[];
  readonly keys: readonly EvidenceKey[];
  /** Every removal of orphaned material (each key's are in its entry too). */
  readonly removals: readonly RemovalReport[];
  /** How many receipts the run stored with the lease (null: none stored). */
  readonly receipts: number | null;
  /** Present when the state ref's head was not rekey's (DistributeResult.tampering). */
  readonly tampering?: string;
}

/** Where a target is, for people. */
export function targetWhere(t: Target): string {
  return targetKind(t.kind).where(t);
}

/** What the target should hold, by version and fingerprint. */
export function desiredLines(d: DesiredTarget | undefined): string[] {
  return d === undefined ? [] : targetKind(d.kind).desiredLines(d);
}

/** What the run observed of the target (before any write). */
export function observedLines(
  keyId: string,
  d: DesiredTarget | undefined,
  o: Observation | undefined,
): string[] {
  return d === undefined || o === undefined ? [] : targetKind(d.kind).observedLines(d, o, keyId);
}

export interface Reported {
  readonly report: KeyReport;
  readonly evidence: EvidenceKey;
}

const versionsOf = (key: KeyDocument) =>
  key.versions.map((v) => ({ version: v.version, state: v.state, fingerprint: v.fingerprint }));

/** A key that was not planned (halted, or failed preflight): its targets with `skipped`. */
export function unplannedKey(
  key: KeyDocument,
  outcome: KeyReport['outcome'],
  errors: readonly string[],
  issue?: string,
): Reported {
  const targets = key.targets.map((t, i) => ({
    key: key.id,
    target: i,
    kind: t.kind,
    where: targetWhere(t),
    outcome: 'skipped' as const,
    steps: [],
    errors: i === 0 ? errors : [],
  }));
  return {
    report: { key: key.id, outcome, targets, ...(issue ? { issue } : {}) },
    evidence: {
      key: key.id,
      outcome,
      ...(issue ? { issue } : {}),
      versions: versionsOf(key),
      targets: targets.map((t) => ({ ...t, observed: [], desired: [], steps: [] })),
    },
  };
}

/** Reports of a planned key; `applied` false for a dry run or a key skipped mid-run. */
export function plannedKey(run: KeyRun): Reported {
  const { prepared, plan, result } = run;
  const key = prepared.key;
  const targets: EvidenceTarget[] = key.targets.map((t, i) => {
    const desired = prepared.desired.targets.find((d) => d.target === i);
    const steps: EvidenceStep[] = [];
    plan.steps.forEach((s, n) => {
      if (s.target !== i) return;
      const r = result?.results[n];
      steps.push(
        r === undefined
          ? { step: describeStep(s), outcome: 'planned' }
          : {
              step: r.step,
              outcome: r.outcome,
              ...(r.detail ? { detail: r.detail } : {}),
              ...(r.error ? { error: r.error } : {}),
            },
      );
    });
    const errors = [
      ...plan.problems.filter((p) => p.target === i).map((p) => p.message),
      ...steps
        .filter((s) => s.outcome === 'failed')
        .map((s) => `${s.step}: ${s.error ?? 'failed'}`),
    ];
    const outcome: TargetReport['outcome'] =
      errors.length > 0
        ? 'failed'
        : steps.length === 0
          ? 'unchanged'
          : result === null
            ? 'skipped'
            : 'converged';
    return {
      target: i,
      kind: t.kind,
      where: targetWhere(t),
      observed: observedLines(key.id, desired, prepared.observed),
      desired: desiredLines(desired),
      outcome,
      steps,
      errors,
    };
  });
  const outcome: KeyReport['outcome'] = targets.some((t) => t.outcome === 'failed')
    ? 'failed'
    : targets.some((t) => t.outcome === 'skipped')
      ? 'skipped'
      : targets.some((t) => t.outcome === 'converged')
        ? 'converged'
        : 'unchanged';
  return {
    report: {
      key: key.id,
      outcome,
      targets: targets.map((t) => ({
        key: key.id,
        target: t.target,
        kind: t.kind,
        where: t.where,
        outcome: t.outcome,
        steps: t.steps.map((s) => s.step),
        errors: t.errors,
      })),
    },
    evidence: { key: key.id, outcome, versions: versionsOf(key), targets },
  };
}

const MAX_DESCRIPTION = 140;

/** The `rekey/distribution` description: what happened in at most 140 characters. */
export function statusDescription(outcome: DistributeOutcome, keys: readonly KeyReport[]): string {
  const count = (o: KeyReport['outcome']) => keys.filter((k) => k.outcome === o).length;
  const failed = keys.filter((k) => k.outcome === 'failed' || k.outcome === 'halted');
  // After preflight, skipped keys were never attempted (another key failed preflight); in a
  // run that applied, they were skipped because the lease was lost: not distributed either.
  const missing =
    outcome === 'preflight-failed'
      ? failed
      : [...failed, ...keys.filter((k) => k.outcome === 'skipped' || k.outcome === 'held')];
  const n = keys.length;
  let text: string;
  if (outcome === 'converged')
    // Not how many this run changed: the commit's state, the same for the run that wrote and
    // a run after it that found everything current (which then writes nothing, not even this).
    text = `${n} key${n === 1 ? '' : 's'} converged: every target current`;
  else if (outcome === 'preflight-failed')
    text = `preflight failed for ${count('failed')} of ${n} keys; nothing written: ${failed.map((k) => k.key).join(', ')}`;
  else
    text = `${missing.length} of ${n} keys not distributed${count('halted') ? ` (${count('halted')} halted)` : ''}${count('held') ? ` (${count('held')} held for the re-wrap PR)` : ''}${missing.length ? `: ${missing.map((k) => k.key).join(', ')}` : ''}`;
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}
