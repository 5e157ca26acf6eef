// Runs the git CLI with a clean environment: no system or global configuration, C locale, and
// input on stdin. Everything the git store does goes through here.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';

export class GitError extends Error {
  readonly code: number;
  readonly stderr: string;
  constructor(args: readonly string[], code: number, stderr: string) {
    super(`git ${args[0] ?? ''} exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
    this.code = code;
    this.stderr = stderr;
  }
}

export interface RunOptions {
  input?: string | Uint8Array;
  env?: Record<string, string>;
}

export function runGit(
  gitDir: string | null,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', gitDir ? ['--git-dir', gitDir, ...args] : [...args], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: tmpdir(),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        LC_ALL: 'C',
        ...opts.env,
      },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(args, code ?? -1, Buffer.concat(err).toString()));
    });
    // A git command may exit before reading all its input; its exit code tells what happened.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input);
  });
}
