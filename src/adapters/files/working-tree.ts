import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileTree } from '../../core/snapshot.ts';
import type { FileTree, IrregularEntry, IrregularReason } from '../../core/snapshot.ts';
import type { TreeReadOptions } from './tree-filter.ts';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_PREFIXES } from './tree-filter.ts';

/**
 * The files under `prefixes` in a checkout, as the same {@link FileTree} a git ref gives.
 * Symlinks are never followed, at any depth (a link could point the manifest at files
 * outside the repository): like special files and files over the size cap they are left out
 * and listed in the tree's `irregular` list, which the loader reports. Files are opened with
 * O_NOFOLLOW, so a file swapped for a link between listing and reading is refused too.
 * Missing prefixes are simply absent from the tree; a missing `dir` is an error.
 */
export async function readWorkingTree(
  dir: string,
  prefixes: readonly string[] = DEFAULT_PREFIXES,
  options: TreeReadOptions = {},
): Promise<FileTree> {
  const irregular: IrregularEntry[] = [];
  const skip = (path: string, reason: IrregularReason) => irregular.push({ path, reason });
  const files: string[] = [];
  // A missing or mistyped --dir must not read as "an empty manifest". The root itself may be
  // a link (the user chose it); links inside it are what is refused.
  const root = await stat(dir).catch(() => undefined);
  if (!root?.isDirectory()) throw new RangeError(`not a directory: ${dir}`);

  // Synchronous listing, like the reads below: 10,000 key folders are 10,000 thread-pool round
  // trips otherwise, and the walk awaits each one before the next.
  const walk = (rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if (isCode(e, 'ENOENT')) return;
      throw e;
    }
    for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = `${rel}/${d.name}`;
      if (options.exclude?.(path)) continue;
      if (d.isSymbolicLink()) skip(path, 'symlink');
      else if (d.isDirectory()) walk(path);
      else if (d.isFile()) files.push(path);
      else skip(path, 'special-file');
    }
  };

  for (const prefix of prefixes) {
    const isFolder = prefix.endsWith('/');
    const segments = prefix.split('/').filter((s) => s !== '');
    if (segments.length === 0 || segments.some((s) => s === '.' || s === '..'))
      throw new RangeError(`not a repository-relative prefix: ${JSON.stringify(prefix)}`);
    // Every component on the way must be a real directory (or, last, a real file).
    let rel = '';
    let ok = true;
    for (const [i, seg] of segments.entries()) {
      rel = rel === '' ? seg : `${rel}/${seg}`;
      const last = i === segments.length - 1;
      const st = await lstat(join(dir, rel)).catch((e: unknown) => {
        if (isCode(e, 'ENOENT') || isCode(e, 'ENOTDIR')) return undefined;
        throw e;
      });
      if (st === undefined) {
        ok = false;
        break;
      }
      if (st.isSymbolicLink()) {
        skip(rel, 'symlink');
        ok = false;
        break;
      }
      if (!last || isFolder) {
        if (!st.isDirectory()) {
          ok = false;
          break;
        }
      } else if (!st.isFile()) {
        if (!st.isDirectory()) skip(rel, 'special-file');
        ok = false;
      }
    }
    if (!ok) continue;
    if (isFolder) walk(rel);
    else files.push(rel);
  }

  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const unique = [...new Set(files)].sort();
  // Synchronous reads: a manifest file is a few KiB, and for 30,000 of them four thread-pool
  // round trips each (open, fstat, read, close) cost more than the reads themselves.
  const read: [string, Uint8Array][] = [];
  for (const path of unique) {
    const bytes = readNoFollow(join(dir, path), max);
    if (typeof bytes === 'string') skip(path, bytes);
    else read.push([path, bytes]);
  }
  const seen = new Set<string>();
  const refused = irregular
    .filter((e) => !seen.has(e.path) && seen.add(e.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return fileTree(read, refused);
}

function readNoFollow(file: string, max: number): Uint8Array | IrregularReason {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    if (isCode(e, 'ELOOP')) return 'symlink';
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'special-file';
    if (st.size > max) return 'too-large';
    const bytes = readFileSync(fd);
    return bytes.length > max ? 'too-large' : bytes;
  } finally {
    closeSync(fd);
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}
