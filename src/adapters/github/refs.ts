/**
 * StateRefPort over the Git Data API: a ref outside `refs/heads` whose commit holds a few
 * small text files (the distribution lease and its receipts). Nothing is checked out and no
 * branch is involved, so no workflow and no branch rule fires when it moves.
 *
 * Writes are compare-and-swap by construction: the new commit's parent is the commit that
 * was read, and the ref moves with `force: false`, which GitHub only allows as a fast-forward.
 * If another run moved the ref in between, our commit is a sibling of theirs, not a
 * descendant, and GitHub answers 422; creating a ref that exists is a 422 too. Both become
 * `conflict`, after one read that tells them apart from our own write whose answer was lost.
 *
 * Calls: read = ref + tree (GET trees accepts the commit's sha) + one blob per file not seen
 * before (blobs are content-addressed, so a cache keyed by sha is never stale). write = tree
 * (content inline, no blob uploads) + commit + ref, plus one ref read after a 422.
 *
 * Anyone who may push to the repository may move this ref, so a commit on it is rekey's only
 * when rekey vouched for it with a commit status on the commit's own sha (`vouch`; its
 * `creator.login` is set by GitHub). `vouchers`, `parents` and `readCommit` let the state
 * module find the newest such commit (src/commands/distribute/state-auth.ts).
 */
import type { StateRefPort, StateRefSnapshot, StateRefWrite } from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { isGitHubError } from './errors.ts';
import type { RepoCoordinates } from './paginate.ts';
import { createStatusAdapter } from './statuses.ts';

/** Blobs kept by sha; a state ref has two files, so a few dozen covers many versions. */
const BLOB_CACHE_SIZE = 32;

const text = new TextDecoder('utf-8');

/**
 * GitHub's rule for a ref it will create ("must start with 'refs' and have at least two
 * slashes"), plus ours: never a branch (a branch would trigger workflows and branch rules)
 * and nothing git itself would refuse.
 */
export function assertStateRef(ref: string): void {
  const ok =
    /^refs\/[A-Za-z0-9._-]+\/[A-Za-z0-9._/-]+$/.test(ref) &&
    !ref.startsWith('refs/heads/') &&
    !ref.split('/').some((s) => s === '' || s.startsWith('.') || s.endsWith('.lock')) &&
    !ref.includes('..');
  if (!ok)
    throw new RangeError(
      `state ref ${JSON.stringify(ref)} must be fully qualified outside refs/heads, like refs/rekey/distribution`,
    );
}

function assertFileName(path: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(path))
    throw new RangeError(`state ref file ${JSON.stringify(path)} must be a plain top-level name`);
}

export function createStateRefAdapter(client: GitHubClient, at: RepoCoordinates): StateRefPort {
  const { octokit } = client;
  const { owner, repo } = at;
  const blobs = new Map<string, string>();
  const statuses = createStatusAdapter(client, at);

  /** Where the ref points, or null when it does not exist. */
  const refSha = async (ref: string): Promise<{ sha: string; type: string } | null> => {
    try {
      const r = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
        owner,
        repo,
        ref: ref.slice('refs/'.length),
      });
      return { sha: r.data.object.sha, type: r.data.object.type };
    } catch (e) {
      if (isGitHubError(e, 'not-found')) return null;
      throw e;
    }
  };

  const blob = async (sha: string): Promise<string> => {
    const hit = blobs.get(sha);
    if (hit !== undefined) return hit;
    const r = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
      owner,
      repo,
      file_sha: sha,
    });
    const bytes =
      r.data.encoding === 'base64'
        ? Buffer.from(r.data.content, 'base64')
        : Buffer.from(r.data.content, 'utf8');
    const content = text.decode(bytes);
    if (blobs.size >= BLOB_CACHE_SIZE) blobs.delete(blobs.keys().next().value!);
    blobs.set(sha, content);
    return content;
  };

  /** The files of a commit (GET trees accepts the commit's sha). */
  const filesOf = async (sha: string, what: string): Promise<StateRefSnapshot> => {
    const tree = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      owner,
      repo,
      tree_sha: sha,
    });
    if (tree.data.truncated)
      throw new Error(`${what}: the tree of ${sha} is too large to be rekey state`);
    const files = new Map<string, string>();
    // One at a time: a state tree has two or three files, and most reads hit the cache.
    for (const e of tree.data.tree) {
      if (e.type !== 'blob' || !e.path || !e.sha) continue;
      files.set(e.path, await blob(e.sha));
    }
    return { commit: sha, files };
  };

  return {
    async read(ref: string): Promise<StateRefSnapshot | null> {
      assertStateRef(ref);
      const at = await refSha(ref);
      if (at === null) return null;
      if (at.type !== 'commit')
        throw new Error(`${ref} points at a ${at.type}, not a commit: rekey did not write it`);
      return filesOf(at.sha, ref);
    },

    readCommit: (sha) => filesOf(sha, `commit ${sha}`),

    async parents(sha: string): Promise<readonly string[]> {
      const r = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
        owner,
        repo,
        commit_sha: sha,
      });
      return r.data.parents.map((p) => p.sha);
    },

    async vouchers(sha: string, context: string): Promise<readonly string[]> {
      return (await statuses.listStatuses(sha, context)).flatMap((s) =>
        s.state === 'success' && s.creator !== null ? [s.creator] : [],
      );
    },

    vouch: (sha, context, description) =>
      statuses.createStatus(sha, { state: 'success', context, description }),

    async write(ref, parent, files, message): Promise<StateRefWrite> {
      assertStateRef(ref);
      if (files.size === 0) throw new RangeError('a state ref commit needs at least one file');
      for (const path of files.keys()) assertFileName(path);
      const tree = await octokit.request('POST /repos/{owner}/{repo}/git/trees', {
        owner,
        repo,
        // No base_tree: the commit holds exactly `files`.
        tree: [...files].map(([path, content]) => ({
          path,
          mode: '100644' as const,
          type: 'blob' as const,
          content,
        })),
      });
      const commit = await octokit.request('POST /repos/{owner}/{repo}/git/commits', {
        owner,
        repo,
        message,
        tree: tree.data.sha,
        parents: parent === null ? [] : [parent],
      });
      const sha = commit.data.sha;
      try {
        if (parent === null) {
          await octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo, ref, sha });
        } else {
          await octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
            owner,
            repo,
            ref: ref.slice('refs/'.length),
            sha,
            force: false,
          });
        }
        return { result: 'written', commit: sha };
      } catch (e) {
        // 422: not a fast-forward, the ref exists (create) or is gone (update). A retried
        // request whose first answer was lost finds the ref at our own commit: that is ours.
        if (!isGitHubError(e, 'unprocessable')) throw e;
        const now = await refSha(ref);
        if (now?.sha === sha) return { result: 'written', commit: sha };
        // Creating, and still no ref: the 422 was about the request (a bad name), not a race.
        if (parent === null && now === null) throw e;
        return { result: 'conflict' };
      }
    },
  };
}
