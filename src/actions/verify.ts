/**
 * The verify action: the required status check on every pull request (DESIGN.md "Flows:
 * verify"). Runs on `pull_request` (never `pull_request_target`) in a checkout with full
 * history. Reads base and head from the event payload, the trees through git, and the
 * `rekey/distribution` statuses through the GitHub API only when the change destroys a version.
 *
 * Which head: GitHub checks out `refs/pull/<n>/merge`, a test merge of the PR into its base,
 * and sets GITHUB_SHA to it. When that commit's parents are exactly the payload's base and
 * head, verify reads the MERGE commit's tree: what merging will put on the base branch, so a
 * PR branched from an older base is not blamed for changes made on the base since. Otherwise
 * it reads the PR's head commit. For a PR from a fork the head commit lives in the fork; the
 * checkout fetches it as the merge ref's second parent, so it is present either way.
 */
import * as core from '@actions/core';
import { z } from 'zod';
import { buildHistoryIndex, isShallowRepository } from '../adapters/git/history.ts';
import { changedPaths, commitsWriting } from '../adapters/git/changed-paths.ts';
import { firstParentCommits, parentsOf } from '../adapters/git/commits.ts';
import { readTreeAtRef, resolveRef } from '../adapters/git/tree.ts';
import {
  renderVerifySummary,
  verifyPull,
  type GateEvidencePorts,
  type SummaryContext,
} from '../commands/verify-pull.ts';
import { scopesTouched } from '../core/verify/change-scope.ts';
import { github, inputs, runAction, runContext, summary } from './runtime.ts';

const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/);
const pullRequestEvent = z.object({
  pull_request: z.object({
    base: z.object({ sha }),
    head: z.object({ sha }),
    // Who opened the PR: the provenance check (change/manual-rotation) refuses a new version
    // from anyone but pipeline.yaml `pull-authors`. Missing: unknown, which that check refuses.
    user: z.object({ login: z.string() }).nullish(),
  }),
});

async function present(workspace: string, commit: string, what: string): Promise<string> {
  try {
    return await resolveRef(workspace, commit);
  } catch (e) {
    throw new Error(
      `the ${what} commit ${commit} is not in the checkout; check out with actions/checkout and fetch-depth: 0 (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

await runAction(async () => {
  const ctx = runContext();
  const { token } = inputs(z.object({ token: z.string().optional() }));
  const event = pullRequestEvent.safeParse(ctx.event);
  if (!event.success)
    throw new Error(
      `verify runs on pull_request events; the ${ctx.eventName || 'unknown'} event has no pull_request.base.sha and head.sha`,
    );
  const { base, head, user } = event.data.pull_request;
  const workspace = ctx.workspace;
  const baseSha = await present(workspace, base.sha, 'base');
  const headSha = await present(workspace, head.sha, 'head');
  const merge =
    ctx.sha !== headSha &&
    (await parentsOf(workspace, ctx.sha).catch(() => [])).join(' ') === `${baseSha} ${headSha}`;
  const at: SummaryContext = {
    base: baseSha,
    head: merge ? ctx.sha : headSha,
    headKind: merge ? 'merge' : 'head',
  };

  const [baseTree, headTree, paths] = await Promise.all([
    readTreeAtRef(workspace, at.base),
    readTreeAtRef(workspace, at.head),
    changedPaths(workspace, at.base, at.head),
  ]);
  const ports: GateEvidencePorts = {
    history: async (ref) => {
      if (await isShallowRepository(workspace))
        throw new Error(
          'the checkout is shallow, so history cannot show when a version became active; use fetch-depth: 0',
        );
      return buildHistoryIndex(workspace, ref);
    },
    firstParent: (ref) => firstParentCommits(workspace, ref),
    statuses: token ? github(token, ctx).ports.statuses : undefined,
    // The PR's own commits (base..head, not the test merge) that wrote new material.
    materialCommits: (files) => commitsWriting(workspace, baseSha, headSha, files),
  };
  const result = await verifyPull(
    {
      base: { sha: at.base, tree: baseTree },
      head: { sha: at.head, tree: headTree },
      now: new Date(),
      changedPaths: paths,
      author: user?.login ?? null,
    },
    ports,
  );

  for (const d of result.diagnostics)
    core.error(d.message, {
      file: d.file,
      startLine: d.line > 0 ? d.line : undefined,
      startColumn: d.column > 0 ? d.column : undefined,
      title: d.rule,
    });
  await summary(renderVerifySummary(result, at));
  core.setOutput('kind', result.kind);
  core.setOutput('violations', String(result.diagnostics.length));
  core.setOutput('scope', scopesTouched(result.scope).join(','));
  core.setOutput('pipeline-code', String(result.scope['pipeline-code'].length > 0));
  const n = result.diagnostics.length;
  if (n > 0)
    core.setFailed(
      `rekey verify: ${n} violation${n === 1 ? '' : 's'}, each annotated at its file and line (change classified as ${result.kind})`,
    );
  else core.info(`rekey verify: ${result.kind}, no violations`);
});
