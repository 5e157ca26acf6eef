// Where the CLI finds things: the repository root (`--dir`, else the working directory), and
// the trees it reads. Building adapters happens here, in the entrypoint layer.
import { isAbsolute, resolve } from 'node:path';
import type { FileTree } from '../core/snapshot.ts';
import { readTreeAtRef } from '../adapters/git/tree.ts';
import { readWorkingTree } from '../adapters/files/working-tree.ts';
import { DEFAULT_PREFIXES } from '../adapters/files/tree-filter.ts';
import type { CliIo } from './args.ts';

export function repoDir(io: CliIo, dir: string | undefined): string {
  return dir === undefined ? io.cwd : isAbsolute(dir) ? dir : resolve(io.cwd, dir);
}

/**
 * The manifest files at `ref`, or in the working tree when `ref` is undefined. Entries the
 * reader refuses (symlinks, submodules, special or oversized files) travel with the tree and
 * are reported by the loader as violations, like every other finding.
 */
export function readTree(dir: string, ref: string | undefined): Promise<FileTree> {
  return ref === undefined
    ? readWorkingTree(dir, DEFAULT_PREFIXES)
    : readTreeAtRef(dir, ref, DEFAULT_PREFIXES);
}
