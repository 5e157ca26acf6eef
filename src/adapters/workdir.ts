/**
 * Applying a computed change to a checkout: each file is written to a sibling temporary name
 * and renamed into place (a crash leaves the old file or the new one, never half of one), and
 * deletions are idempotent. Only encrypted material and manifests pass through here; no
 * plaintext secret is ever written.
 */
import { mkdir, rename, rm, writeFile, lstat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface WorkdirChange {
  readonly path: string;
  readonly content: Uint8Array | null;
}

function inside(root: string, path: string): string {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..'))
    throw new RangeError(`refusing to write outside the repository: ${path}`);
  return full;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Writes and deletes `changes` under `root`. With `createOnly`, refuses (before writing
 * anything) when any file to write already exists.
 */
export async function applyToWorkdir(
  root: string,
  changes: readonly WorkdirChange[],
  opts: { createOnly?: boolean } = {},
): Promise<void> {
  const targets = changes.map((c) => ({ ...c, full: inside(root, c.path) }));
  if (opts.createOnly)
    for (const t of targets)
      if (t.content !== null && (await exists(t.full)))
        throw new RangeError(`${t.path} already exists; nothing was written`);
  for (const t of targets) {
    if (t.content === null) {
      await rm(t.full, { force: true });
      continue;
    }
    await mkdir(dirname(t.full), { recursive: true });
    const tmp = join(dirname(t.full), `.${randomBytes(6).toString('hex')}.rekey-tmp`);
    await writeFile(tmp, t.content, { flag: 'wx', mode: 0o644 });
    await rename(tmp, t.full);
  }
}
