/** `rekey doctor --json`: `rekey.doctor/v1`, every finding with its fix, and what was checked. */
import { z } from 'zod';
import type { DoctorReport } from '../doctor/report.ts';
import { envelope, severity } from './common.ts';

export const doctorReportSchema = z.object({
  ...envelope('doctor'),
  findings: z
    .array(
      z.object({
        file: z
          .string()
          .nullable()
          .describe('The repository file; null when the finding is about a GitHub setting.'),
        line: z.number().int().min(0).describe('1-based; 0 when unknown.'),
        column: z.number().int().min(0).describe('1-based; 0 when unknown.'),
        rule: z.string().describe('Stable rule id (doctor/name); docs/doctor.md lists them.'),
        severity,
        message: z.string(),
        where: z.string().describe('file:line, or the GitHub setting, for people.'),
        fix: z.string(),
      }),
    )
    .describe('Sorted: errors first, then by where and rule.'),
  checked: z.array(z.string()),
  skipped: z.array(z.object({ check: z.string(), reason: z.string() })),
  errors: z.number().int().min(0),
  warnings: z.number().int().min(0),
});
export type DoctorReportJson = z.infer<typeof doctorReportSchema>;

export function doctorReportJson(r: DoctorReport): DoctorReportJson {
  return {
    schema: 'rekey.doctor/v1',
    rekey: 1,
    command: 'doctor',
    ok: r.errors === 0,
    findings: r.findings.map((f) => ({
      file: f.file ?? null,
      line: f.line ?? 0,
      column: f.column ?? 0,
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      where: f.where,
      fix: f.fix,
    })),
    checked: [...r.checked],
    skipped: r.skipped.map((s) => ({ ...s })),
    errors: r.errors,
    warnings: r.warnings,
  };
}
