/**
 * The dashboard-actions action: an `issues: edited` event on the dashboard, handled as
 * docs/dashboard.md "Ticking a box" says. The event gives only pointers (issue number, sender
 * login, the body before the edit); src/commands/dashboard-actions.ts asks the API whether the
 * issue is rekey's dashboard and the sender may write, then rotates (rotate's emergency path,
 * with this App token) or resumes, and says `distribute=true` for the workflow's distribution
 * job when a resume or retry needs one.
 */
import * as core from '@actions/core';
import { z } from 'zod';
import { readCheckout } from '../adapters/git/commits.ts';
import { createGitHubClient } from '../adapters/github/client.ts';
import { createDashboardRequestsAdapter } from '../adapters/github/dashboard-requests.ts';
import { parseRepository } from '../adapters/github/index.ts';
import { describeRotation, handleDashboardEdit } from '../commands/dashboard-actions.ts';
import { resumeKey } from '../commands/distribute/failures.ts';
import { rotate } from '../commands/rotate.ts';
import { BuiltinSopsCodec } from '../crypto/sops/index.ts';
import {
  inputs,
  pullOpener,
  pullOpenerInputs,
  runAction,
  runContext,
  runUrl,
  summary,
} from './runtime.ts';

const event = z.object({
  issue: z.object({ number: z.number().int().positive() }),
  sender: z.object({ login: z.string() }),
  changes: z.object({ body: z.object({ from: z.string() }).optional() }).optional(),
});

await runAction(async () => {
  const ctx = runContext();
  if (ctx.eventName !== 'issues')
    throw new Error(`dashboard-actions handles issues events, not ${ctx.eventName || 'none'}`);
  const e = event.parse(ctx.event);
  const i = inputs(z.object(pullOpenerInputs));
  const ports = pullOpener(ctx, i);
  const client = createGitHubClient({
    token: i.token,
    apiUrl: ctx.apiUrl,
    serverUrl: ctx.serverUrl,
    userAgent: 'rekey',
  });
  const { sha, tree, history, firstParent } = await readCheckout(ctx.workspace);
  const now = new Date();
  const result = await handleDashboardEdit(
    {
      edit: {
        issue: e.issue.number,
        sender: e.sender.login,
        ...(e.changes?.body ? { before: e.changes.body.from } : {}),
      },
      tree,
      now,
    },
    {
      requests: createDashboardRequestsAdapter(client, parseRepository(ctx.repository)),
      rotate: async (key, reason) =>
        describeRotation(
          await rotate(
            {
              tree,
              sha,
              history,
              firstParent,
              now,
              run: runUrl(ctx),
              emergency: { key, reason, compromised: false },
            },
            { ...ports, codec: new BuiltinSopsCodec({ identities: [] }) },
          ),
          key,
        ),
      resume: (key, by) => resumeKey(ports.issues, key, by),
    },
  );
  const lines =
    result.kind === 'handled'
      ? result.outcomes.map(
          (o) => `- ${o.request.kind} ${o.request.keyId}: ${o.result}, ${o.detail}`,
        )
      : [result.reason];
  await summary([`# rekey dashboard request: ${result.kind}`, '', ...lines, ''].join('\n'));
  for (const line of lines) core.info(line);
  core.setOutput('result', result.kind);
  core.setOutput('requested-by', result.kind === 'ignored' ? '' : result.requester);
  core.setOutput('distribute', String(result.kind === 'handled' && result.distribute));
});
