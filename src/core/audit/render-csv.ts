/**
 * The CSV report (RFC 4180): one row per finding and one per version event, CRLF line ends,
 * every field quoted when it holds a comma, quote or line break. Cells that a spreadsheet would
 * take for a formula (starting with = + - @, or a tab or carriage return) get a leading `'`,
 * so opening the file never runs anything an author name or PR title smuggled in.
 */
import { collect, type Emit } from './emit.ts';
import type { AuditReport } from './model.ts';

export const CSV_COLUMNS = [
  'record',
  'rule',
  'severity',
  'key',
  'version',
  'event',
  'commit',
  'time',
  'commit_url',
  'pull',
  'pull_url',
  'message',
] as const;

/** One CSV field: formula-guarded, then quoted as RFC 4180 asks. */
export function csvField(value: string | number | undefined): string {
  let s = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderAuditCsv(report: AuditReport): string {
  return collect((emit) => writeAuditCsv(report, emit));
}

/** The CSV report, written row by row (each ending in CRLF) to `emit`. */
export function writeAuditCsv(report: AuditReport, emit: Emit): void {
  const rows = {
    push: (row: (string | number | undefined)[]) => emit(`${row.map(csvField).join(',')}\r\n`),
  };
  rows.push([...CSV_COLUMNS]);
  for (const f of report.findings) {
    const c = f.commits[0];
    rows.push([
      'finding',
      f.rule,
      f.severity,
      f.key,
      f.version,
      undefined,
      f.commits.map((x) => x.sha).join(' '),
      c?.time,
      f.commits
        .map((x) => x.url ?? '')
        .filter((u) => u !== '')
        .join(' '),
      f.pull?.number,
      f.pull?.url,
      f.message,
    ]);
  }
  for (const k of report.keys)
    for (const v of k.versions)
      for (const e of v.events)
        rows.push([
          'event',
          undefined,
          undefined,
          k.key,
          v.version,
          e.kind,
          e.commit.sha,
          e.commit.time,
          e.commit.url,
          e.pull?.number,
          e.pull?.url,
          e.pull
            ? `${e.pull.title} (by ${e.pull.author}, merged by ${e.pull.mergedBy ?? 'unknown'}, approved by ${e.pull.approvedBy.join(' ') || 'nobody'})`
            : undefined,
        ]);
}
