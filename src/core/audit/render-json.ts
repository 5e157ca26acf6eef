/** The JSON report: the typed report as it is, schema id `rekey.audit/v1`, stable key order. */
import { collect, type Emit } from './emit.ts';
import type { AuditReport } from './model.ts';

export const AUDIT_JSON_SCHEMA = 'rekey.audit/v1';

export function renderAuditJson(report: AuditReport): string {
  return collect((emit) => writeAuditJson(report, emit));
}

/**
 * `JSON.stringify(report, null, 2)` and a newline, byte for byte, written to `emit` one array
 * element at a time (the key and finding lists are most of a large report). Raw newlines in
 * JSON text are only ever layout (a newline in a string is escaped), so re-indenting an
 * element's own text is safe.
 */
export function writeAuditJson(report: AuditReport, emit: Emit): void {
  const fields = Object.entries(report).filter(([, v]) => JSON.stringify(v) !== undefined);
  const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);
  emit('{\n');
  fields.forEach(([name, value], i) => {
    const comma = i < fields.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0) {
      emit(`  ${JSON.stringify(name)}: [\n`);
      value.forEach((item: unknown, j) => {
        const text = JSON.stringify(item, null, 2) ?? 'null';
        emit(`    ${indent(text, '    ')}${j < value.length - 1 ? ',' : ''}\n`);
      });
      emit(`  ]${comma}\n`);
    } else
      emit(`  ${JSON.stringify(name)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`);
  });
  emit('}\n');
}
