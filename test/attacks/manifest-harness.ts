// What the manifest attack tests share: a real git repository holding the template's example
// content, pull-request branches built with real git (symlinks and gitlinks included), and the
// three ways a change is judged: `rekey validate` and `rekey verify` (the CLI, in-process),
// verifyPull (the use case behind the verify action) and the verify action bundle itself, run
// as the runner runs it, whose `::error` lines are the annotations on the pull request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { verifyPull, type VerifyPullResult } from '../../src/commands/verify-pull.ts';
import { bundleAction, runBundle } from '../actions/runner.ts';
import { git, rekey, templateRepo, type Run } from '../cli/harness.ts';

export { edit, git } from '../cli/harness.ts';

export interface AttackRepo {
  readonly dir: string;
  /** The default branch's commit: the template, valid. */
  readonly main: string;
  /**
   * A branch from main with `make` applied to the working tree, `git add -A`, then `stage`
   * (index-only entries such as gitlinks), committed; returns its commit.
   */
  branch(name: string, make: (dir: string) => void, stage?: (dir: string) => void): string;
  cleanup(): void;
}

export function attackRepo(): AttackRepo {
  const { dir, cleanup } = templateRepo();
  const main = git(dir, 'rev-parse', 'HEAD');
  return {
    dir,
    main,
    branch(name, make, stage) {
      git(dir, 'checkout', '-q', '-b', name, main);
      try {
        make(dir);
        git(dir, 'add', '-A');
        stage?.(dir);
        git(dir, 'commit', '-q', '-m', name);
        return git(dir, 'rev-parse', 'HEAD');
      } finally {
        git(dir, 'checkout', '-q', '-f', main);
        git(dir, 'clean', '-qfdx');
      }
    },
    cleanup,
  };
}

/** Stages a submodule entry (a gitlink, mode 160000) at `path`, pointing at `commit`. */
export function stageGitlink(dir: string, path: string, commit: string): void {
  git(dir, 'update-index', '--add', '--cacheinfo', `160000,${commit},${path}`);
}

export interface Finding {
  readonly rule: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** `rekey validate --json` at `ref` (or the working tree): exit code and findings. */
export async function cliValidate(
  dir: string,
  ref?: string,
): Promise<{ run: Run; findings: Finding[] }> {
  const run = await rekey(dir, ['validate', '--json', ...(ref ? ['--ref', ref] : [])]);
  return { run, findings: findingsOf(run) };
}

/** `rekey verify --json --base main --head <head>`: exit code and findings. */
export async function cliVerify(
  dir: string,
  base: string,
  head: string,
): Promise<{ run: Run; findings: Finding[] }> {
  const run = await rekey(dir, ['verify', '--json', '--base', base, '--head', head]);
  return { run, findings: findingsOf(run) };
}

function findingsOf(run: Run): Finding[] {
  const report = JSON.parse(run.stdout) as { diagnostics?: Finding[] };
  return (report.diagnostics ?? []).map(({ rule, file, line, message }) => ({
    rule,
    file,
    line,
    message,
  }));
}

/** verifyPull on the two commits, with no GitHub (a change that destroys nothing needs none). */
export async function pullVerdict(
  dir: string,
  base: string,
  head: string,
): Promise<VerifyPullResult> {
  const [baseTree, headTree] = await Promise.all([
    readTreeAtRef(dir, base),
    readTreeAtRef(dir, head),
  ]);
  const none = () => Promise.reject(new Error('no GitHub in this test'));
  return verifyPull(
    {
      base: { sha: base, tree: baseTree },
      head: { sha: head, tree: headTree },
      now: new Date('2026-11-22T12:00:00Z'),
    },
    { history: none, firstParent: none },
  );
}

/** What one run of the verify action left: exit code, `::error` annotations, outputs, summary. */
export interface VerifyActionRun {
  readonly code: number | null;
  readonly errors: string[];
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** The verify action bundle, built once per test file. */
export async function verifyActionRunner(): Promise<{
  /** `author`: the event's pull_request.user.login (default `octocat`). */
  run(
    dir: string,
    base: string,
    head: string,
    opts?: { readonly author?: string },
  ): Promise<VerifyActionRun>;
  close(): void;
}> {
  const tmp = mkdtempSync(join(tmpdir(), 'rekey-attack-verify-'));
  const bundle = await bundleAction('verify', tmp);
  return {
    async run(dir, base, head, opts = {}) {
      const ran = await runBundle({
        bundle,
        tmp,
        workspace: dir,
        eventName: 'pull_request',
        event: {
          action: 'synchronize',
          number: 1,
          pull_request: {
            number: 1,
            user: { login: opts.author ?? 'octocat' },
            base: { ref: 'main', sha: base },
            head: { ref: 'pr', sha: head },
          },
        },
        env: { GITHUB_REPOSITORY: 'acme/keys', GITHUB_SHA: head, GITHUB_REF: 'refs/pull/1/merge' },
        inputs: {},
      });
      return {
        code: ran.code,
        errors: ran.stdout.split('\n').filter((l) => l.startsWith('::error')),
        outputs: ran.outputs,
        summary: ran.summary,
      };
    },
    close: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
