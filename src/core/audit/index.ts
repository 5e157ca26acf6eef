export * from './model.ts';
export { auditFindings, type FindingInput } from './findings.ts';
export { sopsRecipients } from './findings-recipients.ts';
export { buildAuditReport, GITHUB_CHECKS, type AuditReportInput } from './report.ts';
export { destructions, keyReports, type CommitLinker, type Destruction } from './timeline.ts';
export { renderAuditCsv, writeAuditCsv, csvField, CSV_COLUMNS } from './render-csv.ts';
export { collect, type Emit } from './emit.ts';
export { renderAuditHtml, writeAuditHtml, escapeHtml } from './render-html.ts';
export { renderAuditJson, writeAuditJson, AUDIT_JSON_SCHEMA } from './render-json.ts';
export {
  renderAuditMarkdown,
  writeAuditMarkdown,
  mermaidGantt,
  summaryMarkdown,
  SUMMARY_LIMIT_BYTES,
} from './render-markdown.ts';
