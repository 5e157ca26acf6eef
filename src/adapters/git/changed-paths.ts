/**
 * Every path a change touches, for verify's scope (src/core/verify/change-scope.ts): the tree
 * reader selects only the manifest, policies and .sops.yaml, but verify must also see pipeline
 * code (`.github/`, `actions/`, `dist/`, `src/`, `package*.json`). Renames count as a removal
 * and an addition, so both paths are judged.
 */
import { simpleGit } from 'simple-git';

export async function changedPaths(repoDir: string, base: string, head: string): Promise<string[]> {
  const out = await simpleGit({ baseDir: repoDir, trimmed: false }).raw([
    'diff',
    '--name-only',
    '--no-renames',
    '-z',
    '--end-of-options',
    base,
    head,
  ]);
  return out.split('\0').filter((p) => p !== '');
}

/** A commit that wrote a file, with its git identities (free text: forgeable). */
export interface FileCommit {
  readonly sha: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly committer: { readonly name: string; readonly email: string };
}

/** Per file, the commits in `base..head` that changed it (`git log`, newest first). */
export async function commitsWriting(
  repoDir: string,
  base: string,
  head: string,
  files: readonly string[],
): Promise<Map<string, FileCommit[]>> {
  const g = simpleGit({ baseDir: repoDir, trimmed: false });
  const out = new Map<string, FileCommit[]>();
  for (const file of files) {
    const log = await g.raw([
      'log',
      '-z',
      '--format=%H%x00%an%x00%ae%x00%cn%x00%ce',
      `${base}..${head}`,
      '--',
      file,
    ]);
    const f = log.split('\0');
    const commits: FileCommit[] = [];
    for (let i = 0; i + 4 < f.length; i += 5)
      commits.push({
        sha: f[i]!.trim(),
        author: { name: f[i + 1]!, email: f[i + 2]! },
        committer: { name: f[i + 3]!, email: f[i + 4]! },
      });
    out.set(file, commits);
  }
  return out;
}
