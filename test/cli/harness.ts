// Runs the CLI's main() in-process against a real temporary git repository, capturing
// stdout/stderr as the terminal would show them.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.ts';

export const root = resolve(import.meta.dirname, '../..');
export const demoIdentityFile = join(root, 'demo/age-identity.txt');

export interface Run {
  code: number;
  stdout: string;
  /** stdout exactly as written, for output that need not be text. */
  stdoutBytes: Uint8Array;
  stderr: string;
}

export async function rekey(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  stdin: string | Uint8Array = '',
): Promise<Run> {
  const out: Uint8Array[] = [];
  let stderr = '';
  const code = await main(args, {
    cwd,
    env: { HOME: cwd, ...env },
    stdout: (t) => void out.push(typeof t === 'string' ? new TextEncoder().encode(t) : t),
    stderr: (t) => (stderr += t),
    stdin: async () => (typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin),
    now: () => new Date('2026-11-22T12:00:00Z'),
    isTty: false,
  });
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: new TextDecoder().decode(stdoutBytes), stdoutBytes, stderr };
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
      GIT_AUTHOR_DATE: '1790000000 +0000',
      GIT_COMMITTER_DATE: '1790000000 +0000',
    },
  }).trim();
}

/** A git repository holding the template's own example content, committed on main. */
export function templateRepo(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-cli-'));
  for (const p of ['.sops.yaml', 'policies', 'keys-manifest'])
    cpSync(join(root, p), join(dir, p), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'template');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function edit(dir: string, path: string, f: (text: string) => string): void {
  const full = join(dir, path);
  writeFileSync(full, f(readFileSync(full, 'utf8')));
}
