/**
 * Every version of every key.yaml on the first-parent history of a ref (what reached the
 * default branch, so what distribution may have written), as bytes: one `git log` and one
 * `git cat-file --batch`.
 */
import { readBlobs } from './cat-file.ts';
import { historyLogArgs, parseHistoryLog } from './history.ts';
import { exited, spawnGit } from './process.ts';

const ZERO = /^0+$/;

export async function keyFilesInHistory(
  repoDir: string,
  ref: string,
): Promise<{ path: string; bytes: Uint8Array }[]> {
  const child = spawnGit(historyLogArgs(ref), { cwd: repoDir });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end();
  await exited(child, `git log ${ref}`, err);
  const paths = new Map<string, string>();
  for (const commit of parseHistoryLog(Buffer.concat(out).toString('utf8')))
    for (const c of commit.changes)
      if (!ZERO.test(c.newOid) && c.newMode.startsWith('100')) paths.set(c.newOid, c.path);
  const blobs = await readBlobs(repoDir, paths.keys());
  return [...blobs].map(([oid, bytes]) => ({ path: paths.get(oid)!, bytes }));
}
