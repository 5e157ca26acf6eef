/** The JSON report: the typed report as it is, schema id `rekey.audit/v1`, stable key order. */
import type { AuditReport } from './model.ts';

export const AUDIT_JSON_SCHEMA = 'rekey.audit/v1';

export function renderAuditJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
