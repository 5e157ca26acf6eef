/** The doctor report as text for a terminal and as `--json`. Pure. */
import { type DoctorFinding, sortFindings } from './findings.ts';

export interface SkippedCheck {
  readonly check: string;
  readonly reason: string;
}

export interface DoctorReport {
  readonly findings: readonly DoctorFinding[];
  /** Checks that ran (names as in docs/doctor.md). */
  readonly checked: readonly string[];
  /** Checks that did not run, and why (no token, a permission the token lacks). */
  readonly skipped: readonly SkippedCheck[];
  readonly errors: number;
  readonly warnings: number;
}

export function doctorReport(
  findings: readonly DoctorFinding[],
  checked: readonly string[],
  skipped: readonly SkippedCheck[],
): DoctorReport {
  const sorted = sortFindings(findings);
  return {
    findings: sorted,
    checked,
    skipped,
    errors: sorted.filter((f) => f.severity === 'error').length,
    warnings: sorted.filter((f) => f.severity === 'warning').length,
  };
}

export function formatDoctorText(r: DoctorReport): string {
  const out: string[] = [];
  for (const f of r.findings)
    out.push(`${f.severity}: ${f.where}: ${f.message} [${f.rule}]`, `  fix: ${f.fix}`);
  if (r.findings.length > 0) out.push('');
  out.push(`checked: ${r.checked.join(', ')}`);
  for (const s of r.skipped) out.push(`skipped: ${s.check} (${s.reason})`);
  out.push(
    `${r.errors} error${r.errors === 1 ? '' : 's'}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}`,
  );
  return out.join('\n') + '\n';
}
