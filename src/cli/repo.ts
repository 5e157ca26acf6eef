// Where the CLI finds things: the repository root (`--dir`, else the working directory), and
// the trees it reads. Building adapters happens here, in the entrypoint layer.
import { isAbsolute, resolve } from 'node:path';
import type { FileTree } from '../core/snapshot.ts';
import { readTreeAtRef, readTreesAtRefs } from '../adapters/git/tree.ts';
import { readWorkingTree } from '../adapters/files/working-tree.ts';
import { DEFAULT_PREFIXES } from '../adapters/files/tree-filter.ts';
import { parseMaterialPath } from '../core/formats/index.ts';
import type { CliIo } from './args.ts';

export function repoDir(io: CliIo, dir: string | undefined): string {
  return dir === undefined ? io.cwd : isAbsolute(dir) ? dir : resolve(io.cwd, dir);
}

/**
 * The manifest files at `ref`, or in the working tree when `ref` is undefined. Entries the
 * reader refuses (symlinks, submodules, special or oversized files) travel with the tree and
 * are reported by the loader as violations, like every other finding. With `material: false`
 * the material files (keys-manifest/<id>/v<N>.sops.yaml) are neither read nor listed: plan
 * needs key.yaml, the policies and pipeline.yaml only.
 */
export function readTree(
  dir: string,
  ref: string | undefined,
  opts: { readonly material?: boolean } = {},
): Promise<FileTree> {
  const options = opts.material === false ? { exclude: isMaterial } : {};
  return ref === undefined
    ? readWorkingTree(dir, DEFAULT_PREFIXES, options)
    : readTreeAtRef(dir, ref, DEFAULT_PREFIXES, options);
}

const isMaterial = (path: string): boolean => parseMaterialPath(path) !== undefined;

/**
 * verify's two trees: `base` at a ref, `head` at a ref or (undefined) the working tree. Two
 * refs are read together, each shared blob once and one bytes object in both trees
 * (readTreesAtRefs): a 2-file change holds one tree's bytes, not two.
 */
export async function readTreePair(
  dir: string,
  base: string,
  head: string | undefined,
): Promise<[FileTree, FileTree]> {
  if (head === undefined)
    return Promise.all([readTreeAtRef(dir, base, DEFAULT_PREFIXES), readTree(dir, undefined)]);
  const [b, h] = await readTreesAtRefs(dir, [base, head], DEFAULT_PREFIXES);
  return [b!, h!];
}
