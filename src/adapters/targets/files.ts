/**
 * TargetFilesPort over one output folder. Writes go to a sibling temporary file (mode 0600,
 * created exclusively) that is renamed into place, so a reader sees the old file or the new
 * one, never half of one (the approach of ../workdir.ts). Paths are checked before any I/O:
 * nothing outside the folder is read, written or deleted, and a symbolic link on the way is
 * refused rather than followed.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { TargetFilesPort } from '../../core/ports/targets.ts';
import { SecretValue } from '../../core/targets/secret-value.ts';

export class OutsideOutputError extends RangeError {
  override readonly name = 'OutsideOutputError';
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

export function createTargetFiles(outputDir: string): TargetFilesPort {
  const root = resolve(outputDir);

  /** The absolute path of `path` under the folder; throws for anything that would leave it. */
  const inside = async (path: string): Promise<string> => {
    if (path.includes('\0') || path.startsWith('/') || path.includes('\\'))
      throw new OutsideOutputError(`refusing a path outside the output folder: ${path}`);
    const full = resolve(root, path);
    const rel = relative(root, full);
    if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..'))
      throw new OutsideOutputError(`refusing a path outside the output folder: ${path}`);
    // Every existing component below the root must be a real directory (or the file itself).
    const parts = rel.split(sep);
    let at = root;
    for (const [i, part] of parts.entries()) {
      at = join(at, part);
      try {
        const st = await lstat(at);
        if (st.isSymbolicLink() || (i < parts.length - 1 && !st.isDirectory()))
          throw new OutsideOutputError(`refusing a path through a link or file: ${path}`);
      } catch (e) {
        if (isMissing(e)) break;
        throw e;
      }
    }
    return full;
  };

  return {
    async readFile(path) {
      const full = await inside(path);
      try {
        return SecretValue.fromBytes(await readFile(full));
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },

    async writeFile(path, content) {
      const full = await inside(path);
      await mkdir(dirname(full), { recursive: true, mode: 0o700 });
      // mkdir may have created folders; the real location must still be under the root.
      const realRoot = await realpath(root);
      const realDir = await realpath(dirname(full));
      const rel = relative(realRoot, realDir);
      if (rel.startsWith('..') || rel.split(sep).includes('..'))
        throw new OutsideOutputError(`refusing a path outside the output folder: ${path}`);
      const tmp = join(dirname(full), `.${randomBytes(6).toString('hex')}.rekey-tmp`);
      const bytes = content.bytes();
      try {
        await writeFile(tmp, bytes, { flag: 'wx', mode: 0o600 });
        await rename(tmp, full);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      } finally {
        bytes.fill(0);
      }
    },

    async deleteFile(path) {
      const full = await inside(path);
      try {
        await lstat(full);
      } catch (e) {
        if (isMissing(e)) return 'absent';
        throw e;
      }
      await rm(full, { force: true });
      return 'deleted';
    },
  };
}
