import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../core/diagnostics.ts';
import { createProgress, type Progress } from '../core/progress.ts';

/**
 * A versioned `--json` report (src/core/reports: `rekey.<command>/v1`), as printed on stdout.
 * Prose (notes, progress) goes to stderr, so stdout parses as one JSON document.
 */
export function printJson(report: object): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** The `--json` envelope of the commands without a report schema (`new`, `sops verify`). */
export function jsonReport(command: string, body: Record<string, unknown>): string {
  return JSON.stringify({ rekey: 1, command, ...body }, null, 2) + '\n';
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

/** A real timer for progress heartbeats; unref'd, so it never keeps the process alive. */
export function timerHeartbeat(fn: () => void, ms: number): () => void {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}

/**
 * Progress lines of long work (distribute, audit, rotate) on stderr, so stdout stays the
 * command's result; at least one every 10 s of work, on the CLI's clock.
 */
export function cliProgress(
  io: { readonly now: () => Date; readonly stderr: (text: string) => void },
  /** null: no heartbeat, lines on ticks only. */
  every: ((fn: () => void, ms: number) => () => void) | null = timerHeartbeat,
): Progress {
  return createProgress({
    now: () => io.now().getTime(),
    line: (text) => io.stderr(`${text}\n`),
    ...(every ? { every } : {}),
  });
}
