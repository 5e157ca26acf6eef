/**
 * The demo's last step: the `audit` command over the sandbox repository's history (the
 * checkout's first-parent line, with the pull requests, approvals and `rekey/distribution`
 * statuses read from the emulator), rendered as HTML and Markdown by the audit renderers into
 * the output folder. The folder is created only here, so a demo that stops earlier leaves
 * nothing behind.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstParentCommits } from '../../adapters/git/commits.ts';
import { buildAuditHistory } from '../../adapters/git/history.ts';
import { readTreeAtRef } from '../../adapters/git/tree.ts';
import { createAuditPullsAdapter } from '../../adapters/github/audit.ts';
import { createStatusAdapter } from '../../adapters/github/statuses.ts';
import { audit, AUDIT_FILE_NAMES, renderAudit, type AuditFormat } from '../../commands/audit.ts';
import { KEYS_REPO, type Sandbox } from './sandbox.ts';

export interface AuditRun {
  readonly files: readonly string[];
  /** What the narrative prints: the findings, one line each. */
  readonly lines: readonly string[];
}

const FORMATS: readonly AuditFormat[] = ['html', 'md'];

export async function writeAuditReport(
  sb: Sandbox,
  outDir: string | undefined,
  now: Date,
): Promise<AuditRun> {
  const main = await sb.checkout();
  const [owner, repo] = KEYS_REPO.split('/') as [string, string];
  const report = await audit(
    {
      ref: main.sha,
      head: main.sha,
      now,
      repository: KEYS_REPO,
      serverUrl: sb.emu.serverUrl,
      defaultBranch: 'main',
    },
    {
      history: (ref) => buildAuditHistory(sb.clone, ref),
      tree: (ref) => readTreeAtRef(sb.clone, ref),
      github: {
        pulls: createAuditPullsAdapter(sb.auditor, { owner, repo }),
        statuses: createStatusAdapter(sb.auditor, { owner, repo }),
        firstParent: (ref) => firstParentCommits(sb.clone, ref),
      },
    },
  );
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), 'rekey-demo-report-')));
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const f of FORMATS) {
    const path = join(dir, AUDIT_FILE_NAMES[f]);
    await writeFile(path, renderAudit(report, f));
    files.push(path);
  }
  const lines = [
    `${report.manifestCommits} manifest commits, ${report.keys.length} keys, ${report.github.calls} GitHub calls; ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}${report.findings.length ? ':' : ''}`,
    ...report.findings.map(
      (f) =>
        `  ${f.rule}${f.key ? ` ${f.key}${f.version ? ` v${f.version}` : ''}` : ''}: ${f.message}`,
    ),
    ...report.github.notChecked.map((n) => `  not checked: ${n}`),
  ];
  return { files, lines };
}
