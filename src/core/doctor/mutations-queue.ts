/**
 * `doctor/mutations-queue`: a job running rotate, revoke or distribute in `rekey-mutations`
 * must queue (`queue: max`). Without it GitHub keeps one pending run per group and cancels it
 * when the next run arrives; a scheduled run converges, so losing one is harmless, but an
 * emergency dispatch carries its key and reason (and a dashboard tick who asked) and is not
 * repeated by anyone (docs/workflows.md, "No dropped emergencies"). Pure.
 *
 * The linter's `workflow/rekey-queue` says the same about any `rekey...` group; doctor reports
 * its own rule, which names the action at stake, and drops the linter's finding at that place.
 */
import type { DoctorFinding } from './findings.ts';
import { finding } from './findings.ts';

type YamlMap = { readonly [key: string]: unknown };
const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type At = (path: (string | number)[]) => { file: string; line?: number; column?: number };

/** The finding for one mutating job whose `rekey-mutations` group does not queue, or none. */
export function checkMutationsQueue(
  workflow: YamlMap,
  jobId: string,
  job: YamlMap,
  action: string,
  at: At,
): DoctorFinding[] {
  const own = isMap(job['concurrency']) ? 'job' : 'workflow';
  const value = own === 'job' ? job['concurrency'] : workflow['concurrency'];
  if (!isMap(value) || value['queue'] === 'max') return [];
  const base = own === 'job' ? ['jobs', jobId, 'concurrency'] : ['concurrency'];
  return [
    finding(
      'doctor/mutations-queue',
      `job \`${jobId}\` runs rekey ${action} in \`rekey-mutations\` without \`queue: max\`: a pending run is cancelled when the next one arrives, and a dispatched emergency (its key and reason) is lost`,
      at('queue' in value ? [...base, 'queue'] : base),
    ),
  ];
}

/** The findings less the linter's `workflow/rekey-queue` where doctor's own rule says it. */
export function withoutRepeatedQueueFindings(findings: readonly DoctorFinding[]): DoctorFinding[] {
  const ours = new Set(
    findings.filter((f) => f.rule === 'doctor/mutations-queue').map((f) => f.where),
  );
  return findings.filter((f) => f.rule !== 'workflow/rekey-queue' || !ours.has(f.where));
}
