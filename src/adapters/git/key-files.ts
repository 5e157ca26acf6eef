/**
 * Every version of every key.yaml on the first-parent history of a ref (what reached the
 * default branch, so what distribution may have written), as bytes: one `git log` and one
 * `git cat-file --batch`. The log is limited by a literal prefix, not a `**` glob (git
 * matches a glob against every path it compares; see indexLogArgs), and key.yaml files are
 * picked out by the loader's own path rule (parseKeyFilePath), so a file counts as a key
 * file here exactly when it does for the loader. Material files the prefix also lists are
 * never read.
 */
import { parseKeyFilePath } from '../../core/formats/key-id.ts';
import { readBlobs } from './cat-file.ts';
import { indexLogArgs, parseHistoryLog } from './history.ts';
import { exited, spawnGit } from './process.ts';

const ZERO = /^0+$/;

export async function keyFilesInHistory(
  repoDir: string,
  ref: string,
): Promise<{ path: string; bytes: Uint8Array }[]> {
  const child = spawnGit(indexLogArgs(ref), { cwd: repoDir });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end();
  await exited(child, `git log ${ref}`, err);
  const paths = new Map<string, string>();
  for (const commit of parseHistoryLog(Buffer.concat(out).toString('utf8')))
    for (const c of commit.changes)
      if (
        !ZERO.test(c.newOid) &&
        c.newMode.startsWith('100') &&
        parseKeyFilePath(c.path) !== undefined
      )
        paths.set(c.newOid, c.path);
  const blobs = await readBlobs(repoDir, paths.keys());
  return [...blobs].map(([oid, bytes]) => ({ path: paths.get(oid)!, bytes }));
}
