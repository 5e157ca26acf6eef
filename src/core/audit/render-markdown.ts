/**
 * The Markdown report, also the job summary: totals, the findings with their commits, what
 * could not be checked, and per key a Mermaid gantt of its versions and a table of events.
 * Text from history (author names, PR titles) is escaped so it cannot break a table or
 * inject HTML into the rendered page.
 */
import type { AuditReport, Finding, FindingCommit, KeyReport } from './model.ts';
import { collect, lineWriter, type Emit } from './emit.ts';
import { segments } from './segments.ts';

const MD_SPECIAL = /[&<>\\`*_[\]|#\n]/;

/** Escapes text for a Markdown table cell: no HTML, no pipes, no line breaks. */
export function mdText(s: string): string {
  // Most cells (ids, times, sentences) hold none of these: no five copies of each.
  if (!MD_SPECIAL.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

const short = (sha: string) => sha.slice(0, 12);
const commitLink = (c: FindingCommit) =>
  c.url && /^https?:\/\/[^\s()<>]+$/.test(c.url)
    ? `[\`${short(c.sha)}\`](${c.url})`
    : `\`${short(c.sha)}\``;

function findingRow(f: Finding): string {
  const pull =
    f.pull && /^https?:\/\/[^\s()<>]+$/.test(f.pull.url)
      ? ` [#${f.pull.number}](${f.pull.url})`
      : '';
  return `| \`${f.rule}\` | ${f.severity} | ${f.key ? mdText(f.key) : ''}${f.version ? ` v${f.version}` : ''} | ${f.commits.map(commitLink).join(' ')}${pull} | ${mdText(f.message)} |`;
}

const SECONDS = (ms: number) => Math.floor(ms / 1000);

/** A Mermaid gantt of one key: a section per version, a bar per state it held. */
export function mermaidGantt(k: KeyReport, now: number): string {
  const lines = [
    '```mermaid',
    'gantt',
    `  title ${k.key.replace(/[^a-z0-9/-]/g, '')}`,
    '  dateFormat X',
    '  axisFormat %Y-%m-%d',
  ];
  for (const v of [...k.versions].reverse()) {
    const segs = segments(v, now);
    if (segs.length === 0) continue;
    lines.push(`  section v${v.version}`);
    segs.forEach((s, i) => {
      const tag =
        s.state === 'active'
          ? 'active, '
          : s.state === 'compromised'
            ? 'crit, '
            : s.state === 'deactivated'
              ? 'done, '
              : '';
      const end = Math.max(SECONDS(s.to), SECONDS(s.from) + 1);
      lines.push(`    ${s.state} :${tag}v${v.version}s${i}, ${SECONDS(s.from)}, ${end}`);
    });
  }
  lines.push('```');
  return lines.join('\n');
}

export function renderAuditMarkdown(report: AuditReport): string {
  return collect((emit) => writeAuditMarkdown(report, emit));
}

/** The Markdown report, written line by line to `emit`. */
export function writeAuditMarkdown(report: AuditReport, emit: Emit): void {
  const now = Date.parse(report.generatedAt);
  const out = lineWriter(emit, '\n');
  const n = report.findings.length;
  out.push(`# rekey audit${report.repository ? ` of ${mdText(report.repository)}` : ''}`, '');
  out.push(
    `Generated ${report.generatedAt} from \`${mdText(report.ref)}\`${report.head ? ` (${short(report.head)})` : ''}` +
      `${report.since ? `, findings since ${report.since}` : ''}: ${report.keys.length} key${report.keys.length === 1 ? '' : 's'}, ` +
      `${report.manifestCommits} manifest commit${report.manifestCommits === 1 ? '' : 's'}, **${n} finding${n === 1 ? '' : 's'}**.`,
    '',
  );
  out.push(
    report.github.enriched
      ? `GitHub was asked about pull requests, reviews and distribution statuses (${report.github.calls} of at most ${report.github.budget} calls).`
      : 'GitHub was not asked: the checks below that need it were not made.',
    '',
  );
  if (n > 0) {
    out.push(
      '## Findings',
      '',
      '| Rule | Severity | Key | Commits | What happened |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const f of report.findings) out.push(findingRow(f));
    out.push('');
  } else out.push('No findings.', '');
  if (report.github.notChecked.length > 0) {
    out.push('## Not checked', '');
    for (const s of report.github.notChecked) out.push(`- ${mdText(s)}`);
    out.push('');
  }
  out.push('## Keys', '');
  for (const k of report.keys) {
    out.push(`### ${mdText(k.key)}`, '');
    if (k.policy)
      out.push(
        `Policy \`${mdText(k.policy.name)}\`: cryptoperiod ${k.policy.cryptoperiod}, grace ${k.policy.grace}, ${k.policy.approvals} approval${k.policy.approvals === 1 ? '' : 's'}.`,
        '',
      );
    if (k.removed)
      out.push(`key.yaml removed at ${k.removed.time} (${commitLink(k.removed)}).`, '');
    if (k.versions.length === 0) {
      out.push('No versions in the reported period.', '');
      continue;
    }
    out.push(mermaidGantt(k, now), '');
    out.push(
      '| Version | State | Event | When | Commit | Pull request |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const v of k.versions)
      for (const e of v.events)
        out.push(
          `| v${v.version} | ${v.state} | ${e.kind} | ${e.commit.time} | ${commitLink(e.commit)} | ${e.pull ? `#${e.pull.number} ${mdText(e.pull.title)} by ${mdText(e.pull.author)}, merged by ${mdText(e.pull.mergedBy ?? 'unknown')}, approved by ${mdText(e.pull.approvedBy.join(', ') || 'nobody')}` : ''} |`,
        );
    out.push('');
  }
}

/** GitHub refuses a job summary over 1 MiB; leave room for what other steps add. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;

/**
 * The Markdown for a job summary: the whole report when it fits in `limit` bytes, else the
 * totals and the first findings, pointing at the report files for the rest. Each attempt stops
 * rendering once past the limit: a 100,000-commit report's 50 MB of Markdown is never built
 * only to learn that it does not fit.
 */
export function summaryMarkdown(
  report: AuditReport,
  where: string,
  limit = SUMMARY_LIMIT_BYTES,
): string {
  const full = markdownWithin(report, limit);
  if (full !== undefined) return full;
  const note = (shown: number) =>
    `\n> The full report (${report.keys.length} keys, ${report.findings.length} findings) is too large for a job summary: ${shown < report.findings.length ? `the first ${shown} findings are above; ` : ''}see the report files in ${mdText(where)}.\n`;
  for (let shown = report.findings.length; ; shown = Math.floor(shown / 2)) {
    const tail = note(shown);
    const brief = { ...report, keys: [], findings: report.findings.slice(0, shown) };
    const body = markdownWithin(brief, limit - Buffer.byteLength(tail));
    if (body !== undefined) return body + tail;
    if (shown === 0) return renderAuditMarkdown(brief) + tail;
  }
}

const TOO_LARGE = new Error('the Markdown is over the limit');

/** The Markdown report when its UTF-8 form is at most `limit` bytes; undefined once it is not. */
function markdownWithin(report: AuditReport, limit: number): string | undefined {
  const parts: string[] = [];
  let bytes = 0;
  try {
    writeAuditMarkdown(report, (text) => {
      bytes += Buffer.byteLength(text);
      if (bytes > limit) throw TOO_LARGE;
      parts.push(text);
    });
  } catch (e) {
    if (e === TOO_LARGE) return undefined;
    throw e;
  }
  return parts.join('');
}
