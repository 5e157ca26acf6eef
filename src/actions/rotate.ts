/**
 * The rotate action (DESIGN.md "Flows: rotate", "emergency"): schedule or dispatch, on a
 * checkout of the default branch with full history. The token is checked before anything is
 * read or written: rotation PRs need a GitHub App token (docs/actions.md explains why).
 */
import * as core from '@actions/core';
import { z } from 'zod';
import { readCheckout } from '../adapters/git/commits.ts';
import { assertCanOpenPulls } from '../adapters/github/token.ts';
import { outcomes, renderRotateSummary, rotate } from '../commands/rotate.ts';
import { InvalidInputError } from '../core/diagnostics.ts';
import { BuiltinSopsCodec } from '../crypto/sops/index.ts';
import { booleanInput, github, inputs, runAction, runContext } from './runtime.ts';

await runAction(async () => {
  const ctx = runContext();
  const i = inputs(
    z.object({
      token: z.string().min(1, 'a GitHub App installation token is required'),
      'github-token': z.string().optional(),
      'allow-github-token': booleanInput.default(false),
      'dry-run': booleanInput.default(false),
      key: z.string().optional(),
      reason: z.string().optional(),
      compromised: booleanInput.default(false),
    }),
  );
  if (i['github-token']) core.setSecret(i['github-token']);
  const { ports, tokenKind } = github(i.token, ctx, { githubToken: i['github-token'] });
  if (!i['dry-run']) assertCanOpenPulls(tokenKind, { allowGithubToken: i['allow-github-token'] });
  const { sha, tree, history, firstParent } = await readCheckout(ctx.workspace);
  const result = await rotate(
    {
      tree,
      sha,
      history,
      firstParent,
      now: new Date(),
      dryRun: i['dry-run'],
      run: `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}`,
      ...(i.key
        ? { emergency: { key: i.key, reason: i.reason ?? '', compromised: i.compromised } }
        : {}),
    },
    { ...ports, codec: new BuiltinSopsCodec({ identities: [] }) },
  );
  if (process.env.GITHUB_STEP_SUMMARY)
    await core.summary.addRaw(renderRotateSummary('rekey rotate', result)).write();
  if (result.kind === 'invalid') throw new InvalidInputError(result.diagnostics);
  if (result.kind === 'dry-run') core.info(result.text);
  const out = outcomes(result.kind === 'dry-run' ? [] : result.keys);
  for (const [name, value] of Object.entries(out)) core.setOutput(name, JSON.stringify(value));
  for (const k of result.kind === 'dry-run' ? [] : result.keys)
    core.info(`${k.keyId}: ${k.outcome}${'reason' in k ? ` (${k.reason})` : ''}`);
});
