/** `rekey validate --json`: `rekey.validate/v1`. */
import { z } from 'zod';
import type { Diagnostic } from '../diagnostics.ts';
import { diagnosticJson, diagnosticsJson, envelope } from './common.ts';

export const validateReportSchema = z.object({
  ...envelope('validate'),
  keys: z.number().int().min(0),
  versions: z.number().int().min(0),
  policies: z.number().int().min(0),
  diagnostics: z.array(diagnosticJson),
});
export type ValidateReport = z.infer<typeof validateReportSchema>;

/** What `validateTree` returns, as far as the report needs it. */
export interface ValidationCounts {
  readonly counts: { readonly keys: number; readonly versions: number; readonly policies: number };
  readonly diagnostics: readonly Diagnostic[];
}

export function validateReport(v: ValidationCounts): ValidateReport {
  return {
    schema: 'rekey.validate/v1',
    rekey: 1,
    command: 'validate',
    ok: v.diagnostics.length === 0,
    ...v.counts,
    diagnostics: diagnosticsJson(v.diagnostics),
  };
}
