/**
 * GitDataPort over the Git Data API: commits are built server-side (no checkout, no git
 * binary, no push credentials) and land with one ref write, so a branch either points at a
 * complete commit or does not exist. Ref creation is atomic on GitHub: of two runs creating
 * `rekey/rotate/<key>`, one gets 201 and the other 422; the loser learns where the ref points
 * and adopts or stops (DESIGN principle 1).
 */
import type {
  BranchHead,
  CommitFilesInput,
  CommitFilesResult,
  CreateRefResult,
  FileChange,
  GitDataPort,
} from '../../core/ports/github.ts';
import type { GitHubClient } from './client.ts';
import { isGitHubError } from './errors.ts';
import type { RepoCoordinates } from './paginate.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text to send inline, or null when the bytes must go up as a base64 blob. */
export function inlineText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

type TreeEntry =
  | { path: string; mode: '100644'; type: 'blob'; sha: string | null }
  | { path: string; mode: '100644'; type: 'blob'; content: string };

export function createGitDataAdapter(client: GitHubClient, at: RepoCoordinates): GitDataPort {
  const { octokit } = client;
  const { owner, repo } = at;

  const readRef = async (branch: string): Promise<string | null> => {
    try {
      const r = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
        owner,
        repo,
        ref: `heads/${branch}`,
      });
      return r.data.object.sha;
    } catch (e) {
      if (isGitHubError(e, 'not-found')) return null;
      throw e;
    }
  };

  const createBranch = async (branch: string, sha: string): Promise<CreateRefResult> => {
    try {
      await octokit.request('POST /repos/{owner}/{repo}/git/refs', {
        owner,
        repo,
        ref: `refs/heads/${branch}`,
        sha,
      });
      return { result: 'created' };
    } catch (e) {
      // 422 also means "bad ref name" or "no such object": decide by looking, not by message.
      if (!isGitHubError(e, 'unprocessable')) throw e;
      const existing = await readRef(branch);
      if (existing === null) throw e;
      return { result: 'exists', sha: existing };
    }
  };

  const fastForwardBranch = async (branch: string, sha: string): Promise<void> => {
    await octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      owner,
      repo,
      ref: `heads/${branch}`,
      sha,
      force: false,
    });
  };

  const treeEntry = async (change: FileChange): Promise<TreeEntry> => {
    const base = { path: change.path, mode: '100644', type: 'blob' } as const;
    if (change.content === null) return { ...base, sha: null };
    const text = inlineText(change.content);
    if (text !== null) return { ...base, content: text };
    const blob = await octokit.request('POST /repos/{owner}/{repo}/git/blobs', {
      owner,
      repo,
      content: Buffer.from(change.content).toString('base64'),
      encoding: 'base64',
    });
    return { ...base, sha: blob.data.sha };
  };

  return {
    async getBranchHead(branch: string): Promise<BranchHead | null> {
      try {
        const r = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', {
          owner,
          repo,
          branch,
        });
        return { commit: r.data.commit.sha, tree: r.data.commit.commit.tree.sha };
      } catch (e) {
        if (isGitHubError(e, 'not-found')) return null;
        throw e;
      }
    },

    createBranch,
    fastForwardBranch,

    async deleteBranch(branch: string): Promise<'deleted' | 'absent'> {
      try {
        await octokit.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', {
          owner,
          repo,
          ref: `heads/${branch}`,
        });
        return 'deleted';
      } catch (e) {
        // GitHub answers 422 for a ref that does not exist, and for other refusals too; a 404
        // means the repository itself is out of reach, which is not "absent".
        if (!isGitHubError(e, 'unprocessable')) throw e;
        if ((await readRef(branch)) === null) return 'absent';
        throw e;
      }
    },

    async commitFiles(input: CommitFilesInput): Promise<CommitFilesResult> {
      if (input.changes.length === 0) throw new Error('commitFiles: no changes to commit');
      const paths = new Set(input.changes.map((c) => c.path));
      if (paths.size !== input.changes.length)
        throw new Error('commitFiles: a path appears more than once');
      // Blobs one at a time: they are writes, and GitHub asks for writes to be serial.
      const entries: TreeEntry[] = [];
      for (const change of input.changes) entries.push(await treeEntry(change));
      const tree = await octokit.request('POST /repos/{owner}/{repo}/git/trees', {
        owner,
        repo,
        base_tree: input.base.tree,
        tree: entries,
      });
      const commit = await octokit.request('POST /repos/{owner}/{repo}/git/commits', {
        owner,
        repo,
        message: input.message,
        tree: tree.data.sha,
        parents: [input.base.commit],
        ...(input.author ? { author: { ...input.author } } : {}),
      });
      const sha = commit.data.sha;
      const result = { commit: sha, tree: tree.data.sha };
      if (input.branch.mode === 'fast-forward') {
        await fastForwardBranch(input.branch.name, sha);
        return { ...result, ref: 'updated' };
      }
      const made = await createBranch(input.branch.name, sha);
      if (made.result === 'created') return { ...result, ref: 'created' };
      // Our own create whose answer was lost (then retried) finds the ref at our commit.
      if (made.sha === sha) return { ...result, ref: 'created' };
      return { ...result, ref: 'exists', existing: made.sha };
    },

    async getCommitMessage(sha: string): Promise<string | null> {
      try {
        const r = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
          owner,
          repo,
          commit_sha: sha,
        });
        return r.data.message;
      } catch (e) {
        if (isGitHubError(e, 'not-found')) return null;
        throw e;
      }
    },
  };
}
