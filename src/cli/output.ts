import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../core/diagnostics.ts';

/** The `--json` envelope: versioned so scripts can rely on it. */
export function jsonReport(command: string, body: Record<string, unknown>): string {
  return JSON.stringify({ rekey: 1, command, ...body }, null, 2) + '\n';
}

export function diagnosticsJson(ds: readonly Diagnostic[]): object[] {
  return sortDiagnostics(ds).map(({ file, line, column, rule, message }) => ({
    file,
    line,
    column,
    rule,
    message,
  }));
}

/** One line per finding, compiler style, then a count. */
export function diagnosticsText(ds: readonly Diagnostic[]): string {
  if (ds.length === 0) return '';
  const lines = sortDiagnostics(ds).map(formatDiagnostic);
  return `${lines.join('\n')}\n\n${ds.length} problem${ds.length === 1 ? '' : 's'}\n`;
}

/** Left-aligned columns for terminal tables. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return (
    rows
      .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
      .join('\n') + '\n'
  );
}
