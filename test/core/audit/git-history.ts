// A real git repository in a temporary folder for audit tests: files written, commits made at
// given times (committer and author), first-parent history read by the real adapter. git runs
// through async execFile, so an in-process emulator keeps serving meanwhile.
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const POLICY = `name: standard
cryptoperiod: 90d
rotate-before: 14d
grace: 7d
approvals: 1
`;

export const SOPS_CONFIG = (recipients: string[]) =>
  `creation_rules:\n  - path_regex: ^keys-manifest/\n    encrypted_regex: ^secret$\n    age: ${recipients.join(',')}\n`;

export type V = [version: number, state: string];

export function keyYaml(id: string, versions: V[]): string {
  return (
    `id: ${id}\ndescription: test key\nowner: "@acme/security"\npolicy: standard\ntype: random\n` +
    `options: { bytes: 32, encoding: base64 }\nversions:\n` +
    versions
      .map(
        ([n, s]) =>
          `  - { version: ${n}, state: ${s}, created: 2026-01-01T00:00:00Z, fingerprint: "kcv:${n.toString(16).padStart(16, '0')}" }\n`,
      )
      .join('')
  );
}

/** Stand-in material: encrypted-looking values only (the audit never reads material files). */
export const material = (id: string, n: number) =>
  `id: ${id}\nversion: ${n}\nsecret: ENC[AES256_GCM,data:${'A'.repeat(44)},iv:${'B'.repeat(22)},tag:${'C'.repeat(22)},type:str]\n`;

export class GitRepo {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async git(args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await run('git', args, {
      cwd: this.dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        ...env,
      },
    });
    return stdout.trim();
  }

  static async init(dir: string): Promise<GitRepo> {
    await mkdir(dir, { recursive: true });
    const r = new GitRepo(dir);
    await r.git(['init', '-q', '-b', 'main']);
    return r;
  }

  async write(path: string, content: string): Promise<void> {
    await mkdir(dirname(join(this.dir, path)), { recursive: true });
    await writeFile(join(this.dir, path), content);
  }

  async remove(path: string): Promise<void> {
    await rm(join(this.dir, path));
  }

  /** Commits everything at `time` (ISO, UTC); returns the sha. */
  async commit(
    message: string,
    time: string,
    who = 'Rekey Bot <bot@example.com>',
  ): Promise<string> {
    const [, name, email] = /^(.*) <(.*)>$/.exec(who)!;
    const when = `${Math.floor(Date.parse(time) / 1000)} +0000`;
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '--no-gpg-sign', '--allow-empty', '-m', message], {
      GIT_AUTHOR_NAME: name!,
      GIT_AUTHOR_EMAIL: email!,
      GIT_COMMITTER_NAME: name!,
      GIT_COMMITTER_EMAIL: email!,
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    });
    return this.git(['rev-parse', 'HEAD']);
  }
}
