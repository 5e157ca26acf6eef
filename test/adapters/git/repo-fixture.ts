import { execFileSync } from 'node:child_process';
import type { SpawnGit } from '../../../src/adapters/git/process.ts';
import { spawnGit } from '../../../src/adapters/git/process.ts';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A real git repository in os.tmpdir() for adapter tests. Commits get fixed author and
 * committer dates through the child's environment, so times in assertions are exact; the
 * user's global and system git configuration is ignored (no signing, no hooks, no templates).
 */
export class TempRepo {
  readonly dir: string;

  constructor(prefix = 'rekey-git-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.git(['init', '-q', '-b', 'main']);
  }

  env(date = '2026-01-01T00:00:00Z', author = 'Alice <alice@example.com>'): NodeJS.ProcessEnv {
    const m = /^(.*) <(.*)>$/.exec(author)!;
    return {
      PATH: process.env.PATH,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: m[1],
      GIT_AUTHOR_EMAIL: m[2],
      GIT_COMMITTER_NAME: m[1],
      GIT_COMMITTER_EMAIL: m[2],
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    };
  }

  git(args: string[], date?: string, author?: string): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: this.env(date, author),
      encoding: 'utf8',
    });
  }

  /** Write (string or bytes) or delete (null) files, then commit them; returns the sha. */
  commit(
    files: Record<string, string | Uint8Array | null>,
    message: string,
    date: string,
    author?: string,
  ): string {
    this.write(files);
    this.git(['add', '-A'], date, author);
    this.git(['commit', '-q', '--allow-empty', '-m', message], date, author);
    return this.git(['rev-parse', 'HEAD']).trim();
  }

  write(files: Record<string, string | Uint8Array | null>): void {
    for (const [path, content] of Object.entries(files)) {
      const abs = join(this.dir, path);
      if (content === null) unlinkSync(abs);
      else {
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Wraps the real spawn and records each git invocation's arguments. */
export function countingSpawn(): { spawn: SpawnGit; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    spawn: (args, options) => {
      calls.push([...args]);
      return spawnGit(args, options);
    },
  };
}
