/**
 * The dashboard action: on a schedule, one issue that shows every key, what is due, the open
 * rekey PRs and the halted keys (docs/dashboard.md). It reads the checkout (full history, for
 * ages), lists open PRs and halted-key issues, and writes the one issue only when its text
 * changed. The workflow's GITHUB_TOKEN is enough: it writes an issue, and the events an issue
 * edit causes need to start no workflow.
 */
import * as core from '@actions/core';
import { z } from 'zod';
import { readCheckout } from '../adapters/git/commits.ts';
import { updateDashboard } from '../commands/dashboard.ts';
import { FAILURE_LABEL, haltedKeys } from '../commands/distribute/failures.ts';
import { booleanInput, github, inputs, runAction, runContext, summary } from './runtime.ts';

await runAction(async () => {
  const ctx = runContext();
  const i = inputs(
    z.object({
      token: z.string().min(1, 'a token with issues: write is required'),
      'dry-run': booleanInput.default(false),
    }),
  );
  const { ports } = github(i.token, ctx);
  const { tree, history } = await readCheckout(ctx.workspace);
  const result = await updateDashboard(
    { tree, history, now: new Date(), dryRun: i['dry-run'] },
    {
      pulls: ports.pulls,
      issues: ports.issues,
      halted: () => haltedKeys(ports.issues),
      failures: () => ports.issues.listIssues(FAILURE_LABEL),
    },
  );
  await summary(result.body);
  if (result.diagnostics.length > 0)
    core.warning(
      `the manifest on the default branch is invalid (${result.diagnostics.length} problems); the dashboard shows where`,
    );
  if (result.issue) {
    core.setOutput('issue', String(result.issue.number));
    core.setOutput('url', result.issue.url);
    core.info(`dashboard #${result.issue.number}: ${result.issue.result} (${result.issue.url})`);
  } else core.info(result.body);
  core.setOutput('result', result.issue?.result ?? 'dry-run');
});
