/**
 * Which repository paths a tree reader keeps, and how big a file it reads. Shared by the git
 * tree reader and the working-tree reader so both see the same files and refuse the same
 * entries (returned as the tree's `irregular` list, see core/snapshot.ts).
 */

/** The paths rekey reads: the manifest, the policies and the SOPS configuration. */
export const DEFAULT_PREFIXES: readonly string[] = ['keys-manifest/', 'policies/', '.sops.yaml'];

/** A prefix ending in `/` selects a folder; anything else selects that exact file. */
export function selectedBy(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

/**
 * True when `path` is where a selected folder should be (`keys-manifest` for the prefix
 * `keys-manifest/`): a symlink or submodule there is refused, never read as "no folder".
 */
export function isFolderRoot(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => p.endsWith('/') && path === p.slice(0, -1));
}

export interface TreeReadOptions {
  /**
   * Files larger than this are listed as `too-large` and not read (default 4 MiB; a
   * manifest file is a few KiB). The loader has its own, smaller, cap per document.
   */
  readonly maxFileBytes?: number;
  /**
   * Paths this read leaves out entirely: never read, not in the tree, not listed as irregular
   * (plan leaves out material files, which it does not judge).
   */
  readonly exclude?: (path: string) => boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;
