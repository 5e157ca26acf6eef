// A bare git repository driven through the git CLI. Every object the emulator serves is a real
// git object, so history seen through the API is real git history, and ref updates use
// `git update-ref` with an old-value check: that check is what makes "create the branch" an
// atomic ownership claim, exactly as on GitHub.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitError, runGit, type RunOptions } from './git-cli.ts';

export { GitError };

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 */
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  path: string;
  size?: number;
}

/** A change to a tree: content or blob sha sets a file, `sha: null` deletes path (file or dir). */
export interface TreeChange {
  path: string;
  mode: string;
  sha: string | null;
  /** A `tree` sha replaces the whole folder at `path`. */
  type?: 'blob' | 'tree';
}

export class GitStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  static async create(dir: string, defaultBranch: string): Promise<GitStore> {
    const store = new GitStore(dir);
    await runGit(null, ['init', '-q', '--bare', `--initial-branch=${defaultBranch}`, dir]);
    return store;
  }

  run(args: readonly string[], opts: RunOptions = {}): Promise<Buffer> {
    return runGit(this.dir, args, opts);
  }

  async tryRun(args: readonly string[], opts: RunOptions = {}): Promise<Buffer | null> {
    try {
      return await this.run(args, opts);
    } catch (e) {
      if (e instanceof GitError) return null;
      throw e;
    }
  }

  /** The object a full ref name points at, or null. */
  async readRef(ref: string): Promise<string | null> {
    const out = await this.tryRun(['rev-parse', '-q', '--verify', ref]);
    return out ? out.toString().trim() : null;
  }

  /** Refs under a prefix (`refs/heads/rekey/`), sorted by name. */
  async listRefs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    const out = await this.run(['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
    return lines(out).map((l) => {
      const [ref = '', sha = ''] = l.split(' ');
      return { ref, sha };
    });
  }

  /**
   * Atomically point `ref` at `sha` when it currently points at `expected` (`null`: must not
   * exist). Returns false when the ref moved or is locked by a concurrent writer.
   */
  async updateRef(ref: string, sha: string, expected: string | null): Promise<boolean> {
    const out = await this.tryRun(['update-ref', ref, sha, expected ?? ZERO_SHA]);
    return out !== null;
  }

  async deleteRef(ref: string, expected: string): Promise<boolean> {
    return (await this.tryRun(['update-ref', '-d', ref, expected])) !== null;
  }

  async objectType(sha: string): Promise<string | null> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    const out = await this.tryRun(['cat-file', '-t', sha]);
    return out ? out.toString().trim() : null;
  }

  /** Resolves a sha or a branch/tag/full ref name to a commit sha, or null. */
  async resolveCommit(rev: string): Promise<string | null> {
    if (rev.startsWith('-')) return null;
    const out = await this.tryRun(['rev-parse', '-q', '--verify', `${rev}^{commit}`]);
    return out ? out.toString().trim() : null;
  }

  async readBlob(sha: string): Promise<Buffer> {
    return this.run(['cat-file', 'blob', sha]);
  }

  async writeBlob(content: Uint8Array): Promise<string> {
    return (await this.run(['hash-object', '-w', '--stdin'], { input: content })).toString().trim();
  }

  /** Entries of a tree; recursive includes sub-trees themselves, as GitHub does. */
  async readTree(treeish: string, recursive: boolean): Promise<TreeEntry[]> {
    const args = ['ls-tree', '-z', '-l', ...(recursive ? ['-r', '-t'] : []), treeish];
    const out = await this.run(args);
    return out
      .toString()
      .split('\0')
      .filter((l) => l !== '')
      .map((l) => {
        const tab = l.indexOf('\t');
        const [mode = '', type = '', sha = '', size = '-'] = l.slice(0, tab).split(/ +/);
        const entry: TreeEntry = {
          mode,
          type: type as TreeEntry['type'],
          sha,
          path: l.slice(tab + 1),
        };
        if (size !== '-') entry.size = Number(size);
        return entry;
      });
  }

  /** Applies changes on top of a base tree (or an empty one) through a private index file. */
  async writeTree(base: string | null, changes: readonly TreeChange[]): Promise<string> {
    const scratch = await mkdtemp(path.join(tmpdir(), 'rekey-emu-index-'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    try {
      if (base) await this.run(['read-tree', base], { env });
      else await this.run(['read-tree', '--empty'], { env });
      const existing = base ? lines(await this.run(['ls-tree', '-r', '--name-only', base])) : [];
      const info: string[] = [];
      for (const c of changes) {
        if (c.type === 'tree' && c.sha !== null) {
          for (const p of existing)
            if (p === c.path || p.startsWith(`${c.path}/`)) info.push(`0 ${ZERO_SHA}\t${p}`);
          // Expand the sub-tree into index entries (read-tree --prefix needs a work tree).
          for (const e of await this.readTree(c.sha, true))
            if (e.type !== 'tree') info.push(`${e.mode} ${e.sha}\t${c.path}/${e.path}`);
        } else if (c.sha === null) {
          for (const p of existing)
            if (p === c.path || p.startsWith(`${c.path}/`)) info.push(`0 ${ZERO_SHA}\t${p}`);
        } else {
          // A file replacing a directory (or the reverse) must drop the old entries first.
          for (const p of existing)
            if (p.startsWith(`${c.path}/`)) info.push(`0 ${ZERO_SHA}\t${p}`);
          info.push(`${c.mode} ${c.sha}\t${c.path}`);
        }
      }
      if (info.length > 0)
        await this.run(['update-index', '--index-info'], { env, input: `${info.join('\n')}\n` });
      return (await this.run(['write-tree'], { env })).toString().trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async readCommit(sha: string): Promise<CommitObject> {
    const raw = (await this.run(['cat-file', 'commit', sha])).toString();
    const split = raw.indexOf('\n\n');
    const header = split === -1 ? raw : raw.slice(0, split);
    const message = split === -1 ? '' : raw.slice(split + 2);
    const commit: CommitObject = {
      sha,
      tree: '',
      parents: [],
      author: { name: '', email: '', date: '' },
      committer: { name: '', email: '', date: '' },
      message,
    };
    for (const line of header.split('\n')) {
      const sp = line.indexOf(' ');
      const key = line.slice(0, sp);
      const value = line.slice(sp + 1);
      if (key === 'tree') commit.tree = value;
      else if (key === 'parent') commit.parents.push(value);
      else if (key === 'author') commit.author = parsePerson(value);
      else if (key === 'committer') commit.committer = parsePerson(value);
    }
    return commit;
  }

  async writeCommit(c: Omit<CommitObject, 'sha'>): Promise<string> {
    const args = ['commit-tree', c.tree, ...c.parents.flatMap((p) => ['-p', p]), '-F', '-'];
    const gitDate = (iso: string): string => `${Math.floor(Date.parse(iso) / 1000)} +0000`;
    const env = {
      GIT_AUTHOR_NAME: c.author.name,
      GIT_AUTHOR_EMAIL: c.author.email,
      GIT_AUTHOR_DATE: gitDate(c.author.date),
      GIT_COMMITTER_NAME: c.committer.name,
      GIT_COMMITTER_EMAIL: c.committer.email,
      GIT_COMMITTER_DATE: gitDate(c.committer.date),
    };
    return (await this.run(args, { env, input: c.message })).toString().trim();
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.tryRun(['merge-base', '--is-ancestor', ancestor, descendant])) !== null;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const out = await this.tryRun(['merge-base', a, b]);
    return out ? out.toString().trim() : null;
  }

  /** Three-way merge without a work tree (git >= 2.38). Null tree when it conflicts. */
  async mergeTree(ours: string, theirs: string): Promise<string | null> {
    const out = await this.tryRun(['merge-tree', '--write-tree', '--no-messages', ours, theirs]);
    return out ? (lines(out)[0] ?? null) : null;
  }

  /** Commits reachable from `to` but not `from`, oldest first. */
  async revList(from: string, to: string): Promise<string[]> {
    return lines(await this.run(['rev-list', '--reverse', `${from}..${to}`]));
  }

  /** Changed paths between two trees-ish: status letter A/M/D/T and path. */
  async diffNames(from: string, to: string): Promise<{ status: string; path: string }[]> {
    const out = (
      await this.run(['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to])
    )
      .toString()
      .split('\0');
    const result: { status: string; path: string }[] = [];
    for (let i = 0; i + 1 < out.length; i += 2)
      result.push({ status: out[i] ?? '', path: out[i + 1] ?? '' });
    return result;
  }
}

function lines(out: Buffer): string[] {
  return out
    .toString()
    .split('\n')
    .filter((l) => l !== '');
}

function parsePerson(value: string): GitPerson {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!m) return { name: value, email: '', date: '' };
  return {
    name: m[1] ?? '',
    email: m[2] ?? '',
    date: new Date(Number(m[3]) * 1000).toISOString().replace('.000Z', 'Z'),
  };
}
