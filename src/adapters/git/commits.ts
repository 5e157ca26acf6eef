/**
 * Commit lists the rotate, revoke and verify entrypoints read from their checkout: the
 * first-parent history of a commit (the default branch as DESIGN defines time), a commit's
 * parents, and the whole state a scheduled run plans from.
 */
import { simpleGit } from 'simple-git';
import type { HistoryIndex } from '../../core/history/model.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { buildHistoryIndex, isShallowRepository } from './history.ts';
import { readTreeAtRef, resolveRef } from './tree.ts';

const lines = (out: string) => out.split('\n').filter((l) => l !== '');

/** First-parent commits of `commit`, oldest first. */
export async function firstParentCommits(repoDir: string, commit: string): Promise<string[]> {
  return lines(
    await simpleGit({ baseDir: repoDir }).raw([
      'rev-list',
      '--first-parent',
      '--reverse',
      '--end-of-options',
      commit,
    ]),
  );
}

/** The parents of one commit, in order. */
export async function parentsOf(repoDir: string, commit: string): Promise<string[]> {
  const out = await simpleGit({ baseDir: repoDir }).raw([
    'rev-list',
    '--parents',
    '--max-count=1',
    '--end-of-options',
    commit,
  ]);
  return out.trim().split(/\s+/).slice(1);
}

export interface CheckoutState {
  readonly sha: string;
  readonly tree: FileTree;
  readonly history: HistoryIndex;
  readonly firstParent: readonly string[];
}

/**
 * What a scheduled run plans from: HEAD of a full-history checkout of the default branch, its
 * manifest files, the history index and the first-parent commits. A shallow clone is refused:
 * every version would seem to start at the clone's cut-off.
 */
export async function readCheckout(repoDir: string): Promise<CheckoutState> {
  if (await isShallowRepository(repoDir))
    throw new Error('the checkout is shallow; use actions/checkout with fetch-depth: 0');
  const sha = await resolveRef(repoDir, 'HEAD');
  const [tree, history, firstParent] = await Promise.all([
    readTreeAtRef(repoDir, sha),
    buildHistoryIndex(repoDir, sha),
    firstParentCommits(repoDir, sha),
  ]);
  return { sha, tree, history, firstParent };
}
