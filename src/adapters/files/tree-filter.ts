/**
 * Which repository paths a tree reader keeps, and what it reports about the ones it will
 * not read. Shared by the git tree reader and the working-tree reader so both see the same
 * files.
 */

/** The paths rekey reads: the manifest, the policies and the SOPS configuration. */
export const DEFAULT_PREFIXES: readonly string[] = ['keys-manifest/', 'policies/', '.sops.yaml'];

/** A prefix ending in `/` selects a folder; anything else selects that exact file. */
export function selectedBy(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

export type SkipReason = 'symlink' | 'submodule' | 'special-file' | 'too-large';

/** A path a reader refused to read, and why; the caller shows these (they are never silent). */
export interface SkippedPath {
  readonly path: string;
  readonly reason: SkipReason;
}

export interface TreeReadOptions {
  /** Called for every path that was selected but not read. */
  readonly onSkipped?: (skipped: SkippedPath) => void;
  /**
   * Files larger than this are reported as `too-large` and not read (default 4 MiB; a
   * manifest file is a few KiB). The loader has its own, smaller, cap per document.
   */
  readonly maxFileBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;
