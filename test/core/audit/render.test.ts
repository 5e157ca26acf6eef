import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  renderAuditCsv,
  renderAuditHtml,
  renderAuditJson,
  renderAuditMarkdown,
  summaryMarkdown,
  type AuditReport,
} from '../../../src/core/audit/index.ts';
import { mdText } from '../../../src/core/audit/render-markdown.ts';
import { writeAuditFiles } from '../../../src/cli/commands/audit.ts';
import { AUDIT_FORMATS, renderAudit } from '../../../src/commands/audit.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EVIL = '<script>alert(1)</script>';
const sha = 'a'.repeat(40);

/** A report whose every free-text field carries markup, a formula or a delimiter. */
const report: AuditReport = {
  schema: 'rekey.audit/v1',
  generatedAt: '2026-04-15T00:00:00Z',
  repository: 'acme/infra',
  ref: 'main',
  head: sha,
  manifestCommits: 2,
  github: { enriched: true, calls: 3, budget: 300, notChecked: [`note ${EVIL}`] },
  keys: [
    {
      key: `pay${EVIL}`,
      policy: { name: 'standard', cryptoperiod: '90d', grace: '7d', approvals: 1 },
      versions: [
        {
          version: 2,
          state: 'active',
          active: { from: '2026-02-01T00:00:00Z' },
          events: [
            {
              kind: 'active',
              commit: {
                sha,
                time: '2026-02-01T00:00:00Z',
                url: `https://github.com/acme/infra/commit/${sha}`,
              },
              pull: {
                number: 7,
                url: 'javascript:alert(1)',
                title: `=HYPERLINK("http://evil") ${EVIL}`,
                author: `mallory${EVIL}`,
                mergedBy: '@SUM(1)',
                approvedBy: ['carol'],
              },
            },
          ],
        },
        {
          version: 1,
          state: 'destroyed',
          events: [
            { kind: 'active', commit: { sha, time: '2026-01-01T00:00:00Z' } },
            { kind: 'destroyed', commit: { sha, time: '2026-02-09T00:00:00Z' } },
          ],
        },
      ],
    },
  ],
  findings: [
    {
      rule: 'audit/direct-push',
      severity: 'high',
      key: 'pay',
      commits: [
        { sha, time: '2026-02-01T00:00:00Z', url: `https://github.com/acme/infra/commit/${sha}` },
      ],
      message: `-1+2 pushed by Eve ${EVIL} "quoted", with | pipe\nand a newline`,
    },
  ],
};

describe('CSV', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=a,"b"', `"'=a,""b"""`],
    ['plain', 'plain'],
  ])('%j -> %j', (input, out) => {
    expect(csvField(input)).toBe(out);
  });

  it('has one row per finding and per version event, CRLF-terminated, no cell starting a formula', () => {
    const csv = renderAuditCsv(report);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = csv.split('\r\n').filter((r) => r !== '');
    expect(rows[0]).toBe(
      'record,rule,severity,key,version,event,commit,time,commit_url,pull,pull_url,message',
    );
    // the message holds a newline inside quotes: 1 header + 1 finding + 3 events = 5 records
    expect(rows.filter((r) => /^(finding|event),/.test(r))).toHaveLength(4);
    expect(csv).toContain(`"'-1+2 pushed by Eve`);
    expect(csv).not.toMatch(/(^|,)[=+\-@]/m);
  });
});

describe('HTML', () => {
  const html = renderAuditHtml(report);

  it('escapes markup from key ids, PR titles, author names and messages', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('pay&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('mallory&lt;script&gt;');
    expect(html).toContain('=HYPERLINK(&quot;http://evil&quot;)');
  });

  it('links only to http(s) URLs', () => {
    expect(html).not.toContain('javascript:');
    expect(html).toContain(`<a href="https://github.com/acme/infra/commit/${sha}">`);
  });

  it('is self-contained: nothing to fetch, and a timeline chart per key', () => {
    for (const fetchable of ['<script', '<link', 'url(', 'src=', '@import', '<iframe', '<img'])
      expect(html.toLowerCase()).not.toContain(fetchable);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html.match(/<rect /g)!.length).toBeGreaterThanOrEqual(2);
  });
});

describe('JSON', () => {
  it('carries the schema id and round-trips', () => {
    const json = JSON.parse(renderAuditJson(report)) as AuditReport;
    expect(json.schema).toBe('rekey.audit/v1');
    expect(json).toEqual(report);
  });
});

describe('written piece by piece', () => {
  const empty: AuditReport = { ...report, keys: [], findings: [] };
  it('the JSON is JSON.stringify(report, null, 2) byte for byte, whole or empty', () => {
    for (const r of [report, empty, { ...report, github: { ...report.github, notChecked: [] } }])
      expect(renderAuditJson(r)).toBe(`${JSON.stringify(r, null, 2)}\n`);
  });

  it('every format written to a file is the text renderAudit gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rekey-audit-files-'));
    try {
      const paths = await writeAuditFiles(report, dir);
      expect(paths).toHaveLength(AUDIT_FORMATS.length);
      for (const [i, f] of AUDIT_FORMATS.entries())
        expect(readFileSync(paths[i]!, 'utf8')).toBe(renderAudit(report, f));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Markdown', () => {
  const md = renderAuditMarkdown(report);
  it('has a Mermaid gantt per key and escapes table text', () => {
    expect(md).toContain('```mermaid\ngantt');
    expect(md).toContain('  title pay'); // the title keeps the key-id alphabet only
    expect(md).not.toContain('<script');
    expect(md).toContain('with \\| pipe and a newline');
    expect(md).not.toContain('javascript:');
  });
});

describe('the job summary', () => {
  it('is the whole Markdown when it fits', () => {
    expect(summaryMarkdown(report, 'rekey-audit')).toBe(renderAuditMarkdown(report));
  });

  it('keeps totals and findings, drops the timelines, and says where the rest is, when it does not', () => {
    const many: AuditReport = {
      ...report,
      findings: Array.from({ length: 40 }, (_, i) => ({
        ...report.findings[0]!,
        message: `finding ${i}`,
      })),
    };
    const full = renderAuditMarkdown(many);
    const limit = Math.floor(new TextEncoder().encode(full).length / 3);
    const text = summaryMarkdown(many, 'rekey-audit', limit);
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(limit);
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('finding 0');
    expect(text).not.toContain('finding 39');
    expect(text).toMatch(
      /too large for a job summary: the first \d+ findings are above; see the report files in rekey-audit/,
    );
  });

  it('stops rendering past the limit yet picks what rendering everything would pick, at any limit', () => {
    // The summary as it was chosen before: render all of it, measure, halve the findings.
    const bytes = (t: string) => new TextEncoder().encode(t).length;
    const reference = (r: AuditReport, where: string, limit: number) => {
      const full = renderAuditMarkdown(r);
      if (bytes(full) <= limit) return full;
      for (let shown = r.findings.length; ; shown = Math.floor(shown / 2)) {
        const text =
          renderAuditMarkdown({ ...r, keys: [], findings: r.findings.slice(0, shown) }) +
          `\n> The full report (${r.keys.length} keys, ${r.findings.length} findings) is too large for a job summary: ${shown < r.findings.length ? `the first ${shown} findings are above; ` : ''}see the report files in ${where}.\n`;
        if (bytes(text) <= limit || shown === 0) return text;
      }
    };
    const many: AuditReport = {
      ...report,
      findings: Array.from({ length: 25 }, (_, i) => ({
        ...report.findings[0]!,
        message: `finding ${i} é`,
      })),
    };
    const full = bytes(renderAuditMarkdown(many));
    for (const limit of [0, 50, 400, 1000, 2500, full - 1, full, full + 1])
      expect(summaryMarkdown(many, 'out', limit)).toBe(reference(many, 'out', limit));
  });
});

describe('mdText', () => {
  // The escaping chain as it was before the fast path for cells with nothing to escape.
  const reference = (s: string) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([\\`*_[\]|#])/g, '\\$1')
      .replace(/\r?\n/g, ' ');

  it('escapes every string as the full chain does, special characters or none', () => {
    const alphabet = [...'ab1 -:/.&<>\\`*_[]|#\r\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }), (chars) => {
        const s = chars.join('');
        expect(mdText(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
  });
});
