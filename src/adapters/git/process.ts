import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * How git is started. Injected so tests can count processes (history indexing promises
 * exactly two) and so callers pass the environment explicitly: adapters never read
 * `process.env`; when `env` is omitted the child inherits its parent's environment.
 */
export type SpawnGit = (
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv },
) => ChildProcessWithoutNullStreams;

export const spawnGit: SpawnGit = (args, options) =>
  spawn('git', args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });

export type GitReadErrorCode = 'unknown-ref' | 'git-failed' | 'bad-output';

/** A git read that could not be completed; `code` is what callers branch on, never the text. */
export class GitReadError extends Error {
  override readonly name = 'GitReadError';
  readonly code: GitReadErrorCode;
  constructor(code: GitReadErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Keep the end of stderr for error messages: git's own words, bounded in size. */
export function stderrTail(chunks: readonly Buffer[]): string {
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text.length > 500 ? `...${text.slice(-500)}` : text;
}

/**
 * Wait for a child to exit; reject with a {@link GitReadError} naming the command when it
 * fails to start or exits non-zero.
 */
export function exited(
  child: ChildProcessWithoutNullStreams,
  what: string,
  stderr: Buffer[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (cause) =>
      reject(new GitReadError('git-failed', `could not run ${what}: ${String(cause)}`, { cause })),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new GitReadError(
            'git-failed',
            `${what} exited with ${signal ?? `code ${code}`}: ${stderrTail(stderr)}`,
          ),
        );
    });
  });
}
