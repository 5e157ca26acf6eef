/** The `--json` reports of the CLI, one versioned shape per command (docs/cli.md, "JSON output"). */
import type { z } from 'zod';
import { auditReportSchema } from './audit.ts';
import type { ReportCommand } from './common.ts';
import { doctorReportSchema } from './doctor.ts';
import { planReportSchema } from './plan.ts';
import { validateReportSchema } from './validate.ts';
import { verifyReportSchema } from './verify.ts';

export * from './common.ts';
export { auditReportSchema } from './audit.ts';
export { doctorReportJson, doctorReportSchema, type DoctorReportJson } from './doctor.ts';
export { planReport, planReportSchema, type PlanReport } from './plan.ts';
export { validateReport, validateReportSchema, type ValidateReport } from './validate.ts';
export { verifyReport, verifyReportSchema, type VerifyReport } from './verify.ts';

/** Each report's zod schema; schemas/rekey.<command>.v1.schema.json is generated from it. */
export const REPORT_SCHEMAS: Readonly<Record<ReportCommand, z.ZodType>> = {
  validate: validateReportSchema,
  plan: planReportSchema,
  verify: verifyReportSchema,
  doctor: doctorReportSchema,
  audit: auditReportSchema,
};

/** The committed JSON Schema file of a report. */
export const reportSchemaFile = (command: ReportCommand): string =>
  `rekey.${command}.v1.schema.json`;
