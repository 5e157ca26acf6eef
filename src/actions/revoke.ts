/**
 * The revoke action (DESIGN.md "Flows: revoke"): schedule or dispatch, on a checkout of the
 * default branch with full history. Opens `rekey/revoke/<key-id>` PRs for versions the
 * revocation gate lets go; the token is checked before anything is read or written.
 */
import { z } from 'zod';
import { readCheckout } from '../adapters/git/commits.ts';
import { renderRevokeSummary, revoke } from '../commands/revoke.ts';
import { outcomes } from '../commands/rotate.ts';
import { InvalidInputError } from '../core/diagnostics.ts';
import {
  inputs,
  pullOpener,
  pullOpenerInputs,
  reportKeys,
  runAction,
  runContext,
  runUrl,
  summary,
} from './runtime.ts';

await runAction(async () => {
  const ctx = runContext();
  const i = inputs(z.object(pullOpenerInputs));
  const ports = pullOpener(ctx, i);
  const { sha, tree, history, firstParent } = await readCheckout(ctx.workspace);
  const result = await revoke(
    { tree, sha, history, firstParent, now: new Date(), dryRun: i['dry-run'], run: runUrl(ctx) },
    ports,
  );
  await summary(renderRevokeSummary(result));
  if (result.kind === 'invalid') throw new InvalidInputError(result.diagnostics);
  reportKeys(outcomes(result.keys), result.keys);
});
