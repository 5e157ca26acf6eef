/**
 * The verify action: the required status check on every pull request (DESIGN.md "Flows:
 * verify"). Runs on `pull_request` (never `pull_request_target`) and `merge_group`. Reads base
 * and head from the event payload, the trees through git, and the `rekey/distribution`
 * statuses through the GitHub API only when the change destroys a version.
 *
 * Trusted code only: the workflow checks the BASE commit out at the workspace root (this
 * bundle is its dist/verify.js) and the change into `pull-request-path`, which is only ever
 * passed to git as the repository to read. Nothing under it is run, imported or installed, so
 * a pull request that edits dist/ or actions/ cannot make its own check pass.
 *
 * A merge group's commit (`merge_group.head_sha`) is what the queue will put on the base
 * branch (`merge_group.base_sha`); it is verified as the head, like a test merge.
 *
 * Which head: GitHub checks out `refs/pull/<n>/merge`, a test merge of the PR into its base,
 * and sets GITHUB_SHA to it. When that commit's parents are exactly the payload's base and
 * head, verify reads the MERGE commit's tree: what merging will put on the base branch, so a
 * PR branched from an older base is not blamed for changes made on the base since. Otherwise
 * it reads the PR's head commit. For a PR from a fork the head commit lives in the fork; the
 * checkout fetches it as the merge ref's second parent, so it is present either way.
 */
import * as core from '@actions/core';
import path from 'node:path';
import { z } from 'zod';
import { buildHistoryIndex, isShallowRepository } from '../adapters/git/history.ts';
import { changedPaths, commitsWriting } from '../adapters/git/changed-paths.ts';
import { firstParentCommits, parentsOf } from '../adapters/git/commits.ts';
import { readTreesAtRefs, resolveRef } from '../adapters/git/tree.ts';
import {
  renderVerifySummary,
  verifyPull,
  type GateEvidencePorts,
  type SummaryContext,
} from '../commands/verify-pull.ts';
import type { FileTree } from '../core/snapshot.ts';
import { scopesTouched } from '../core/verify/change-scope.ts';
import { github, inputs, runAction, runContext, summary } from './runtime.ts';

const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/);
const pullRequestEvent = z.object({
  pull_request: z.object({
    base: z.object({ sha }),
    // The head branch only ever makes verify stricter (rekey/rewrap carries a pure re-wrap).
    head: z.object({ sha, ref: z.string().max(255).optional() }),
    // Who opened the PR: the provenance check (change/manual-rotation) refuses a new version
    // from anyone but pipeline.yaml `pull-authors`. Missing: unknown, which that check refuses.
    user: z.object({ login: z.string() }).nullish(),
  }),
});
const mergeGroupEvent = z.object({
  merge_group: z.object({ base_sha: sha, head_sha: sha }),
});

/** Base and head of the change, and whether the head is already what merging produces. */
function changeOf(
  eventName: string,
  event: unknown,
): {
  base: string;
  head: string;
  group: boolean;
  author: string | null | undefined;
  headRef?: string;
} {
  if (eventName === 'merge_group') {
    const g = mergeGroupEvent.safeParse(event);
    if (!g.success)
      throw new Error('the merge_group event has no merge_group.base_sha and merge_group.head_sha');
    // No author: a merge group holds pull requests whose own check already judged their
    // provenance (a push to one takes it out of the queue), so that check is not repeated.
    return {
      base: g.data.merge_group.base_sha,
      head: g.data.merge_group.head_sha,
      group: true,
      author: undefined,
    };
  }
  const e = pullRequestEvent.safeParse(event);
  if (!e.success)
    throw new Error(
      `verify runs on pull_request and merge_group events; the ${eventName || 'unknown'} event has no pull_request.base.sha and head.sha`,
    );
  const pr = e.data.pull_request;
  return {
    base: pr.base.sha,
    head: pr.head.sha,
    group: false,
    author: pr.user?.login ?? null,
    ...(pr.head.ref === undefined ? {} : { headRef: pr.head.ref }),
  };
}

async function present(repo: string, commit: string, what: string): Promise<string> {
  try {
    return await resolveRef(repo, commit);
  } catch (e) {
    throw new Error(
      `the ${what} commit ${commit} is not in the checkout; check the change out (pull-request-path) with actions/checkout and fetch-depth: 0 (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

await runAction(async () => {
  const ctx = runContext();
  const i = inputs(
    z.object({ token: z.string().optional(), 'pull-request-path': z.string().optional() }),
  );
  const token = i.token;
  const change = changeOf(ctx.eventName, ctx.event);
  // The git repository the change is read from: data only, never a working directory.
  const repo = path.resolve(ctx.workspace, i['pull-request-path'] ?? '.');
  const baseSha = await present(repo, change.base, 'base');
  const headSha = await present(repo, change.head, 'head');
  const merge =
    change.group ||
    (ctx.sha !== headSha &&
      (await parentsOf(repo, ctx.sha).catch(() => [])).join(' ') === `${baseSha} ${headSha}`);
  const at: SummaryContext = {
    base: baseSha,
    head: merge && !change.group ? ctx.sha : headSha,
    headKind: merge ? 'merge' : 'head',
  };

  // One cat-file for both sides: a blob they share is read, and held, once.
  const [trees, paths] = await Promise.all([
    readTreesAtRefs(repo, [at.base, at.head]),
    changedPaths(repo, at.base, at.head),
  ]);
  const [baseTree, headTree] = trees as [FileTree, FileTree];
  const ports: GateEvidencePorts = {
    history: async (ref) => {
      if (await isShallowRepository(repo))
        throw new Error(
          'the checkout is shallow, so history cannot show when a version became active; use fetch-depth: 0',
        );
      return buildHistoryIndex(repo, ref);
    },
    firstParent: (ref) => firstParentCommits(repo, ref),
    statuses: token ? github(token, ctx).ports.statuses : undefined,
    // The PR's own commits (base..head, not the test merge) that wrote new material.
    materialCommits: (files) => commitsWriting(repo, baseSha, headSha, files),
  };
  const result = await verifyPull(
    {
      base: { sha: at.base, tree: baseTree },
      head: { sha: at.head, tree: headTree },
      now: new Date(),
      changedPaths: paths,
      author: change.author,
      ...(change.headRef === undefined ? {} : { headRef: change.headRef }),
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
