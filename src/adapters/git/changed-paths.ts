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
