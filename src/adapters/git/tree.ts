import { simpleGit } from 'simple-git';
import { fileTree } from '../../core/snapshot.ts';
import type { FileTree, IrregularEntry, IrregularReason } from '../../core/snapshot.ts';
import type { TreeReadOptions } from '../files/tree-filter.ts';
import {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_PREFIXES,
  isFolderRoot,
  selectedBy,
} from '../files/tree-filter.ts';
import type { CatFileOptions } from './cat-file.ts';
import { readBlobs } from './cat-file.ts';
import { GitReadError } from './process.ts';

export type GitOptions = CatFileOptions;

function git(repoDir: string, env: NodeJS.ProcessEnv | undefined) {
  const g = simpleGit({ baseDir: repoDir, trimmed: false });
  return env === undefined ? g : g.env(env);
}

/**
 * The commit a ref names (branch, tag, `HEAD`, `origin/main`, a sha), as a full object id.
 * Refuses names that start with `-` (they would be read as options).
 */
export async function resolveRef(
  repoDir: string,
  ref: string,
  options: GitOptions = {},
): Promise<string> {
  if (ref === '' || ref.startsWith('-') || /[\0\n]/.test(ref))
    throw new GitReadError('unknown-ref', `not a usable ref: ${JSON.stringify(ref)}`);
  let out: string;
  try {
    out = await git(repoDir, options.env).raw([
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${ref}^{commit}`,
    ]);
  } catch (cause) {
    // With --quiet git says nothing about an unknown ref; anything it does say (not a
    // repository, a corrupt object) is worth passing on.
    const said = cause instanceof Error ? cause.message.trim() : '';
    throw new GitReadError(
      'unknown-ref',
      `${JSON.stringify(ref)} does not name a commit in ${repoDir}${said ? `: ${said}` : ''}`,
      { cause },
    );
  }
  const oid = out.trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(oid))
    throw new GitReadError('unknown-ref', `${JSON.stringify(ref)} does not name a commit`);
  return oid;
}

interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly oid: string;
  readonly size: number;
  readonly path: string;
}

/** Parse `git ls-tree -r -z --long` output: `<mode> SP <type> SP <oid> SP+ <size> TAB <path> NUL`. */
export function parseLsTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split('\0')) {
    if (record === '') continue;
    const m = /^([0-7]{6}) (\w+) ([0-9a-f]{40,64}) +(\d+|-)\t([\s\S]+)$/.exec(record);
    if (!m)
      throw new GitReadError('bad-output', `ls-tree: unexpected record ${JSON.stringify(record)}`);
    entries.push({
      mode: m[1]!,
      type: m[2]!,
      oid: m[3]!,
      size: m[4] === '-' ? 0 : Number(m[4]),
      path: m[5]!,
    });
  }
  return entries;
}

/**
 * The files under `prefixes` at `ref`: ONE `git ls-tree -r -z` for the listing and ONE
 * `git cat-file --batch` for all blob contents. Symlinks, submodules, other non-blob entries
 * and blobs over the size cap are never read or followed: they come back in the tree's
 * `irregular` list, and the loader reports each one (a symlink in place of a selected folder
 * included).
 */
export async function readTreeAtRef(
  repoDir: string,
  ref: string,
  prefixes: readonly string[] = DEFAULT_PREFIXES,
  options: GitOptions & TreeReadOptions = {},
): Promise<FileTree> {
  const [tree] = await readTreesAtRefs(repoDir, [ref], prefixes, options);
  return tree!;
}

/**
 * {@link readTreeAtRef} for several refs at once (verify's base and head): one `git ls-tree`
 * per ref and ONE `git cat-file --batch` for the blobs of all of them, each blob read once.
 * A file the refs share (the same blob) is the same bytes object in every tree, so a change
 * of two files costs one tree's bytes plus two files, not two trees.
 */
export async function readTreesAtRefs(
  repoDir: string,
  refs: readonly string[],
  prefixes: readonly string[] = DEFAULT_PREFIXES,
  options: GitOptions & TreeReadOptions = {},
): Promise<FileTree[]> {
  const listed = await Promise.all(
    refs.map(async (ref) =>
      listTree(repoDir, await resolveRef(repoDir, ref, options), prefixes, options),
    ),
  );
  const blobs = await readBlobs(
    repoDir,
    listed.flatMap((l) => l.wanted.map((e) => e.oid)),
    options,
  );
  const byPath = (a: { path: string }, b: { path: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return listed.map(({ wanted, irregular }) =>
    fileTree(
      wanted.sort(byPath).map((e) => [e.path, blobs.get(e.oid)!] as const),
      irregular.sort(byPath),
    ),
  );
}

/** The blobs to read at `commit` under `prefixes`, and the entries refused. */
async function listTree(
  repoDir: string,
  commit: string,
  prefixes: readonly string[],
  options: GitOptions & TreeReadOptions,
): Promise<{ wanted: TreeEntry[]; irregular: IrregularEntry[] }> {
  // `--full-tree` makes paths repository-relative wherever repoDir is; `:(top,literal)` pathspecs
  // match prefixes as plain text. A folder prefix is given without its `/` so that a symlink
  // or submodule standing where the folder should be is listed too. The listing is filtered
  // again below: the exact-file rule (`.sops.yaml` but not `.sops.yaml.bak`) is ours, not git's.
  const pathspecs = prefixes.map((p) => `:(top,literal)${p.endsWith('/') ? p.slice(0, -1) : p}`);
  let listing: string;
  try {
    listing = await git(repoDir, options.env).raw([
      'ls-tree',
      '-r',
      '-z',
      '--long',
      '--full-tree',
      commit,
      '--',
      ...pathspecs,
    ]);
  } catch (cause) {
    throw new GitReadError('git-failed', `git ls-tree ${commit} failed: ${String(cause)}`, {
      cause,
    });
  }
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const wanted: TreeEntry[] = [];
  const irregular: IrregularEntry[] = [];
  for (const e of parseLsTree(listing)) {
    if (!selectedBy(e.path, prefixes) && !isFolderRoot(e.path, prefixes)) continue;
    if (options.exclude?.(e.path)) continue;
    const reason = irregularReason(e, max);
    if (reason) irregular.push({ path: e.path, reason });
    else if (selectedBy(e.path, prefixes)) wanted.push(e);
    // A regular file named like a selected folder (`keys-manifest` as a file) is simply
    // not under the prefix: the manifest is absent, as when the path does not exist.
  }
  return { wanted, irregular };
}

/** Why an ls-tree entry is not read, or undefined for a regular blob within the cap. */
function irregularReason(e: TreeEntry, max: number): IrregularReason | undefined {
  if (e.mode === '120000') return 'symlink';
  if (e.type === 'commit') return 'submodule';
  if (e.type !== 'blob' || !/^100(644|755)$/.test(e.mode)) return 'special-file';
  if (e.size > max) return 'too-large';
  return undefined;
}
