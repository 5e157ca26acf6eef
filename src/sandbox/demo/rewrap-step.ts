/**
 * The demo's re-wrap step (issue #11, deliverable 3): the security team adds a break-glass
 * recipient to `.sops.yaml`. The next distribution run holds every key whose material is not
 * yet wrapped for it (nothing written to their targets) and opens one `rekey/rewrap` PR that
 * re-wraps the data keys, values and MAC unchanged; verify-pull judges it a `rewrap`, alice and
 * bob approve and merge, and the following run distributes again. The break-glass identity is
 * generated and thrown away: only its public recipient is used.
 */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import type { DistributeResult } from '../../commands/distribute/index.ts';
import type { Rewrapper } from '../../commands/rewrap.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import { REWRAP_BRANCH } from '../../core/verify/rewrap.ts';
import { runDistribution } from './distribution.ts';
import { reviewAndMerge } from './pull-life.ts';
import { KEYS_REPO, PEOPLE, type Sandbox } from './sandbox.ts';

export interface RewrapStepContext {
  readonly say: (line: string) => void;
  readonly problems: string[];
  readonly codec: Parameters<typeof runDistribution>[2];
  readonly rewrapper: Rewrapper;
  readonly mask: (value: string) => void;
  readonly runUrl: string;
  /** The scenario's distribution job on main's head, with its read-back of the targets. */
  readonly distribute: () => Promise<void>;
}

export async function rewrapStep(sb: Sandbox, ctx: RewrapStepContext): Promise<void> {
  const { say, problems } = ctx;
  const breakGlass = await identityToRecipient(await generateIdentity());
  const before = await sb.checkout();
  const sops = new TextDecoder().decode(before.tree.get('.sops.yaml'));
  const changed = sops.replace(/^(\s+age: )(age1\S+)$/m, `$1$2,${breakGlass}`);
  if (changed === sops) {
    problems.push('the re-wrap step found no age: line in .sops.yaml');
    return;
  }
  await sb.emu.commitFiles(
    KEYS_REPO,
    'main',
    { '.sops.yaml': changed },
    'sops: add the break-glass recipient\n',
    { name: PEOPLE[0], email: `${PEOPLE[0]}@users.noreply.github.com` },
  );
  say(`  ${PEOPLE[0]} adds a break-glass recipient (${breakGlass.slice(0, 16)}…) to .sops.yaml`);
  say('  (a configuration change, reviewed like any other; its review is not shown)');

  const main = await sb.checkout();
  const run: DistributeResult = await runDistribution(
    sb,
    main,
    ctx.codec,
    ctx.mask,
    ctx.runUrl,
    ctx.rewrapper,
  );
  const held = run.keys.filter((k) => k.outcome === 'held').map((k) => k.key);
  say(
    `    distribution job on ${main.sha.slice(0, 12)}: ${held.length} keys held (nothing written to their targets); status rekey/distribution = ${run.status ?? 'not written'}`,
  );
  if (run.rewrap === undefined || held.length === 0) {
    problems.push(`the re-wrap step: no ${REWRAP_BRANCH} PR (${run.outcome})`);
    return;
  }
  say(
    `    it re-wraps their material and opens PR #${run.rewrap.number} on ${REWRAP_BRANCH}: only the age stanzas change`,
  );
  const policy = loadSnapshot(main.tree).snapshot.policies.get('strict')?.value;
  if (!policy) {
    problems.push('the re-wrap step: no strict policy');
    return;
  }
  const end = await reviewAndMerge(
    sb,
    { keyId: held.join(', '), action: 'rotate', branch: REWRAP_BRANCH, number: run.rewrap.number },
    main,
    policy,
    say,
  );
  if (!end.merged) {
    problems.push(`the ${REWRAP_BRANCH} PR: ${end.reason}`);
    return;
  }
  if (end.verify.kind !== 'rewrap') problems.push(`the ${REWRAP_BRANCH} PR is ${end.verify.kind}`);
  say('  the push to main starts the distribution workflow: the held keys are distributed again');
  await ctx.distribute();
}
