/**
 * The audit action (DESIGN "Flows: audit"): the report of `rekey audit` over the checked-out
 * default branch, written to a folder (upload it as an artifact), its Markdown with a Mermaid
 * gantt per key in the job summary. Fails only when `fail-on-findings` asks it to.
 */
import * as core from '@actions/core';
import { z } from 'zod';
import { createGitHubClient } from '../adapters/github/client.ts';
import { resolveRef } from '../adapters/git/tree.ts';
import { audit, AUDIT_FORMATS, type AuditFormat } from '../commands/audit.ts';
import { summaryMarkdown } from '../core/audit/index.ts';
import { localAuditPorts, writeAuditFiles } from '../cli/commands/audit.ts';
import { actionProgress, booleanInput, inputs, runAction, runContext, summary } from './runtime.ts';

const schema = z.object({
  token: z.string().optional(),
  since: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/, 'expected a date like 2026-01-01')
    .refine((d) => !Number.isNaN(Date.parse(d)), 'not a real date')
    .optional(),
  formats: z.string().default(AUDIT_FORMATS.join(',')),
  'report-dir': z.string().default('rekey-audit'),
  'max-calls': z.coerce.number().int().min(0).optional(),
  'fail-on-findings': booleanInput.default(false),
});

await runAction(async () => {
  const ctx = runContext();
  const i = inputs(schema);
  const formats = i.formats.split(',').map((f) => f.trim());
  for (const f of formats)
    if (!(AUDIT_FORMATS as readonly string[]).includes(f))
      throw new Error(`formats: one or more of ${AUDIT_FORMATS.join(', ')}, not ${f}`);
  if (i.token) core.setSecret(i.token);
  const client = i.token
    ? createGitHubClient({ token: i.token, apiUrl: ctx.apiUrl, serverUrl: ctx.serverUrl })
    : undefined;
  const repo = ctx.event['repository'] as { default_branch?: unknown } | undefined;
  const branch =
    typeof repo?.default_branch === 'string'
      ? repo.default_branch
      : ctx.ref.replace(/^refs\/heads\//, '') || 'main';
  const ports = localAuditPorts(
    ctx.workspace,
    client ? { client, repository: ctx.repository } : undefined,
  );
  const report = await audit(
    {
      ref: 'HEAD',
      head: await resolveRef(ctx.workspace, 'HEAD'),
      now: new Date(),
      repository: ctx.repository,
      serverUrl: ctx.serverUrl,
      defaultBranch: branch,
      ...(i.since ? { since: new Date(i.since) } : {}),
      ...(i['max-calls'] !== undefined ? { maxCalls: i['max-calls'] } : {}),
      ...(client ? {} : { withoutGitHub: 'the token input is empty' }),
      progress: actionProgress(),
    },
    ports,
  );
  const dir = await writeAuditFiles(report, i['report-dir'], formats as AuditFormat[]);
  await summary(summaryMarkdown(report, i['report-dir']));
  const n = report.findings.length;
  core.setOutput('findings', String(n));
  core.setOutput('report-dir', i['report-dir']);
  for (const f of report.findings) core.warning(`${f.rule}: ${f.message}`, { title: f.rule });
  core.info(`rekey audit: ${n} finding${n === 1 ? '' : 's'}; wrote ${dir.join(', ')}`);
  if (n > 0 && i['fail-on-findings'])
    core.setFailed(`rekey audit: ${n} finding(s); see the job summary`);
});
