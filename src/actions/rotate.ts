/**
 * The rotate action (DESIGN.md "Flows: rotate", "emergency"): schedule or dispatch, on a
 * checkout of the default branch with full history. The token is checked before anything is
 * read or written: rotation PRs need a GitHub App token (docs/actions.md explains why).
 */
import * as core from '@actions/core';
import { z } from 'zod';
import { readCheckout } from '../adapters/git/commits.ts';
import { haltedKeys } from '../commands/distribute/failures.ts';
import { outcomes, renderRotateSummary, rotate } from '../commands/rotate.ts';
import { InvalidInputError } from '../core/diagnostics.ts';
import { BuiltinSopsCodec } from '../crypto/sops/index.ts';
import {
  actionProgress,
  booleanInput,
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
  const i = inputs(
    z.object({
      ...pullOpenerInputs,
      key: z.string().optional(),
      reason: z.string().optional(),
      compromised: booleanInput.default(false),
    }),
  );
  const ports = pullOpener(ctx, i);
  const { sha, tree, history, firstParent } = await readCheckout(ctx.workspace);
  const result = await rotate(
    {
      tree,
      sha,
      history,
      firstParent,
      now: new Date(),
      dryRun: i['dry-run'],
      run: runUrl(ctx),
      // Keys whose distribution is halted stay untouched until a person resumes them; read
      // (1 call) only when some key is due.
      halted: () => haltedKeys(ports.issues),
      progress: actionProgress(),
      ...(i.key
        ? { emergency: { key: i.key, reason: i.reason ?? '', compromised: i.compromised } }
        : {}),
    },
    { ...ports, codec: new BuiltinSopsCodec({ identities: [] }) },
  );
  await summary(renderRotateSummary('rekey rotate', result));
  if (result.kind === 'invalid') throw new InvalidInputError(result.diagnostics);
  if (result.kind === 'dry-run') core.info(result.text);
  const keys = result.kind === 'dry-run' ? [] : result.keys;
  reportKeys(outcomes(keys), keys);
});
