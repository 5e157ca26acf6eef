/**
 * The HTML report: one self-contained file an auditor can archive and open offline. Inline
 * CSS, an inline SVG timeline per key, no script, no external stylesheet, image or font: the
 * page fetches nothing. Every interpolated string is HTML-escaped, attributes included, and
 * links are written only for http(s) URLs.
 */
import type { KeyState } from '../formats/key.ts';
import { collect, lineWriter, type Emit } from './emit.ts';
import type { AuditReport, Finding, FindingCommit, KeyReport } from './model.ts';
import { segments, span } from './segments.ts';

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;
const short = (sha: string) => sha.slice(0, 12);
const safeUrl = (u: string | undefined) => (u && /^https?:\/\/[^\s"'<>]+$/.test(u) ? u : undefined);
const link = (text: string, url: string | undefined) => {
  const u = safeUrl(url);
  return u ? `<a href="${e(u)}">${e(text)}</a>` : e(text);
};
const commit = (c: FindingCommit) => `<code>${link(short(c.sha), c.url)}</code>`;

const COLORS: Record<Exclude<KeyState, 'destroyed'>, string> = {
  'pre-activation': '#9aa5b1',
  active: '#2f9e44',
  deactivated: '#f59f00',
  compromised: '#e03131',
};

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1f2328;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-size:12px}.high{color:#c92a2a;font-weight:600}.medium{color:#e67700}.review{color:#1864ab}
svg{display:block;margin:.5em 0}.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}`;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** An SVG chart of one key: a row per version, a bar per state it held. */
export function timelineSvg(k: KeyReport, from: number, to: number, now: number): string {
  const rows = k.versions
    .map((v) => ({ v, segs: segments(v, now) }))
    .filter((r) => r.segs.length > 0);
  const W = 900;
  const L = 60;
  const H = 22;
  const height = rows.length * H + 24;
  const x = (t: number) => L + ((t - from) / Math.max(1, to - from)) * (W - L - 10);
  const parts = [
    `<svg width="${W}" height="${height}" role="img" aria-label="${e(`timeline of ${k.key}`)}">`,
  ];
  rows.forEach(({ v, segs }, i) => {
    const y = i * H + 4;
    parts.push(`<text x="4" y="${y + 14}" font-size="12">v${v.version}</text>`);
    for (const s of segs) {
      const x0 = x(s.from);
      const w = Math.max(2, x(s.to) - x0);
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${H - 6}" fill="${COLORS[s.state]}"><title>${e(`v${v.version} ${s.state} ${new Date(s.from).toISOString()} – ${s.open ? 'now' : new Date(s.to).toISOString()}`)}</title></rect>`,
      );
    }
  });
  const base = rows.length * H + 18;
  parts.push(`<text x="${L}" y="${base}" font-size="11">${e(day(from))}</text>`);
  parts.push(
    `<text x="${W - 10}" y="${base}" font-size="11" text-anchor="end">${e(day(to))}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

function findingRow(f: Finding): string {
  const pull = f.pull ? ` ${link(`#${f.pull.number}`, f.pull.url)}` : '';
  return `<tr><td><code>${e(f.rule)}</code></td><td class="${e(f.severity)}">${e(f.severity)}</td><td>${e(f.key ?? '')}${f.version ? ` v${f.version}` : ''}</td><td>${f.commits.map(commit).join(' ')}${pull}</td><td>${e(f.message)}</td></tr>`;
}

export function renderAuditHtml(report: AuditReport): string {
  return collect((emit) => writeAuditHtml(report, emit));
}

/** The HTML report, written line by line to `emit`. */
export function writeAuditHtml(report: AuditReport, emit: Emit): void {
  const now = Date.parse(report.generatedAt);
  const all = report.keys.flatMap((k) => k.versions.flatMap((v) => segments(v, now)));
  const { from, to } = span(all, now);
  const title = `rekey audit${report.repository ? ` of ${report.repository}` : ''}`;
  const h = lineWriter(emit, '\n');
  h.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${e(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p>Generated ${e(report.generatedAt)} from <code>${e(report.ref)}</code>${report.head ? ` (<code>${e(short(report.head))}</code>)` : ''}${report.since ? `, findings since ${e(report.since)}` : ''}: ${report.keys.length} keys, ${report.manifestCommits} manifest commits, <strong>${report.findings.length} findings</strong>.</p>`,
    `<p>${report.github.enriched ? `GitHub was asked about pull requests, reviews and distribution statuses (${report.github.calls} of at most ${report.github.budget} calls).` : 'GitHub was not asked: the checks listed below were not made.'}</p>`,
  );
  if (report.findings.length > 0) {
    h.push(
      '<h2>Findings</h2><table><tr><th>Rule</th><th>Severity</th><th>Key</th><th>Commits</th><th>What happened</th></tr>',
    );
    for (const f of report.findings) h.push(findingRow(f));
    h.push('</table>');
  } else h.push('<p>No findings.</p>');
  if (report.github.notChecked.length > 0)
    h.push(
      '<h2>Not checked</h2><ul>',
      ...report.github.notChecked.map((s) => `<li>${e(s)}</li>`),
      '</ul>',
    );
  h.push(
    '<h2>Keys</h2><p class="legend">',
    ...Object.entries(COLORS).map(
      ([s, c]) => `<span><i style="background:${c}"></i>${e(s)}</span>`,
    ),
    '</p>',
  );
  for (const k of report.keys) {
    h.push(`<h3>${e(k.key)}</h3>`);
    if (k.policy)
      h.push(
        `<p>Policy <code>${e(k.policy.name)}</code>: cryptoperiod ${e(k.policy.cryptoperiod)}, grace ${e(k.policy.grace)}, ${k.policy.approvals} approvals.</p>`,
      );
    if (k.versions.length === 0) {
      h.push('<p>No versions in the reported period.</p>');
      continue;
    }
    h.push(timelineSvg(k, from, to, now));
    h.push(
      '<table><tr><th>Version</th><th>State</th><th>Event</th><th>When</th><th>Commit</th><th>Pull request</th></tr>',
    );
    for (const v of k.versions)
      for (const ev of v.events)
        h.push(
          `<tr><td>v${v.version}</td><td>${e(v.state)}</td><td>${e(ev.kind)}</td><td>${e(ev.commit.time)}</td><td>${commit(ev.commit)}</td><td>${ev.pull ? `${link(`#${ev.pull.number}`, ev.pull.url)} ${e(ev.pull.title)} by ${e(ev.pull.author)}; merged by ${e(ev.pull.mergedBy ?? 'unknown')}; approved by ${e(ev.pull.approvedBy.join(', ') || 'nobody')}` : ''}</td></tr>`,
        );
    h.push('</table>');
  }
  h.push('</body></html>', '');
}
