/**
 * The demo's repository: a real git repository in a temporary folder, driven through the git
 * CLI with a virtual clock (every commit carries the scenario's time, so the history index
 * and the revocation gate see the timeline the narrative tells).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class LocalGit {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async git(args: string[], at?: Date): Promise<string> {
    const when = at ? `${Math.floor(at.getTime() / 1000)} +0000` : undefined;
    const { stdout } = await run('git', args, {
      cwd: this.dir,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'rekey-bot',
        GIT_AUTHOR_EMAIL: 'rekey-bot@sandbox.invalid',
        GIT_COMMITTER_NAME: 'rekey-bot',
        GIT_COMMITTER_EMAIL: 'rekey-bot@sandbox.invalid',
        ...(when ? { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when } : {}),
      },
    });
    return stdout.trim();
  }

  init(): Promise<string> {
    return this.git(['init', '-q', '-b', 'main']);
  }

  /** Commits everything in the work tree on the current branch; returns the commit id. */
  async commitAll(message: string, at: Date): Promise<string> {
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '--no-gpg-sign', '-m', message], at);
    return this.git(['rev-parse', 'HEAD']);
  }

  checkout(branch: string, create = false): Promise<string> {
    return this.git(create ? ['checkout', '-q', '-b', branch] : ['checkout', '-q', branch]);
  }

  /** A merge commit on main, as GitHub's "Create a merge commit" makes. */
  async merge(branch: string, title: string, at: Date): Promise<string> {
    await this.checkout('main');
    await this.git(['merge', '-q', '--no-ff', '--no-gpg-sign', '-m', title, branch], at);
    await this.git(['branch', '-q', '-D', branch]);
    return this.git(['rev-parse', 'HEAD']);
  }

  /** First-parent commits of main, oldest first. */
  async firstParent(): Promise<string[]> {
    return (await this.git(['rev-list', '--first-parent', '--reverse', 'main']))
      .split('\n')
      .filter(Boolean);
  }
}
