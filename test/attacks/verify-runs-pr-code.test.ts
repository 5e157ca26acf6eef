// Attack: a pull request that makes its own required check pass. It hand-edits a key (a
// deactivated version made active again, which verify refuses) and, in the same change,
// replaces dist/verify.js with a script that reports "no violations". verify.yml used to check
// the merge ref out at the workspace root and run `./actions/verify` from it, i.e. the pull
// request's own dist/verify.js, so the check passed. Now the workflow checks the BASE commit out
// at the root (that code runs) and the change into .rekey-pull-request (read through git only),
// and the check fails on the hand edit, on pull_request and on merge_group alike.
//
// The workflow is run by a small simulated runner: it performs each actions/checkout step of
// the verify job the way actions/checkout does (which commit, which folder) from a real git
// repository, then loads the local action `./actions/verify` from the workspace, resolves its
// `runs.main`, and starts that file with node with the step's inputs, as the runner does.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLocal } from '../../src/core/doctor/local.ts';
import { checkWorkflowFile } from '../../src/core/workflow-lint/index.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { bundleAction, runBundle, type Ran } from '../actions/runner.ts';
import { edit, git, root } from '../cli/harness.ts';
import { goodRepo, tree, VERIFY_RUNS_PULL_REQUEST_CODE } from '../core/doctor/fixtures.ts';

const SSH = 'keys-manifest/infra/deploy-ssh/key.yaml';
const VERIFY_YML = '.github/workflows/verify.yml';
const MARKER = 'THE PULL REQUEST RAN ITS OWN CODE';

/** A dist/verify.js that reports success whatever the change is. */
const FORGED = `import { appendFileSync } from 'node:fs';
const out = process.env.GITHUB_OUTPUT;
appendFileSync(out, 'kind<<X\\nnone\\nX\\nviolations<<X\\n0\\nX\\n');
console.log(${JSON.stringify(MARKER)});
console.log('rekey verify: none, no violations');
`;

type Step = { uses?: string; with?: Record<string, unknown> };
type Workflow = { jobs: Record<string, { steps: Step[] }> };

let tmp: string;
let origin: string;
let base: string;
let head: string;
let merge: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'rekey-attack-pr-code-'));
  const bundle = await bundleAction('verify', join(tmp, 'bundle'));
  // The keys repository: the template's content, its verify action and the real bundle.
  origin = join(tmp, 'origin');
  mkdirSync(origin);
  git(origin, 'init', '-q', '-b', 'main');
  for (const p of ['.sops.yaml', 'policies', 'keys-manifest', 'actions/verify', VERIFY_YML])
    execFileSync('cp', ['-r', '--parents', p, origin], { cwd: root });
  writeFileSync(join(origin, 'package.json'), '{"type":"module"}\n');
  mkdirSync(join(origin, 'dist'));
  copyFileSync(bundle, join(origin, 'dist/verify.js'));
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'base');
  base = git(origin, 'rev-parse', 'HEAD');

  // The pull request: an illegal hand edit, and a dist/verify.js that says it is fine.
  git(origin, 'checkout', '-q', '-b', 'attack');
  edit(origin, SSH, (t) =>
    t.replace('version: 2, state: deactivated', 'version: 2, state: active'),
  );
  writeFileSync(join(origin, 'dist/verify.js'), FORGED);
  git(origin, 'commit', '-q', '-am', 'attack');
  head = git(origin, 'rev-parse', 'HEAD');
  // GitHub's test merge, which the merge ref (and a merge group's commit) points at.
  git(origin, 'checkout', '-q', '--detach', base);
  git(origin, 'merge', '-q', '--no-ff', '-m', 'Merge pull request #7', head);
  merge = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'branch', '-q', 'pull/7/merge', merge);
  git(origin, 'checkout', '-q', 'main');
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The value of a `${{ a || b }}` expression over the event, as far as this job needs. */
function evaluate(value: unknown, event: Record<string, unknown>): string {
  const text = String(value);
  const m = /^\$\{\{\s*(.+?)\s*\}\}$/.exec(text);
  if (!m) return text;
  for (const alt of m[1]!.split('||').map((s) => s.trim())) {
    if (alt === 'github.token') return 'ghs_simulated';
    const path = alt.replace(/^github\.event\./, '').split('.');
    let v: unknown = event;
    for (const k of path) v = (v as Record<string, unknown> | undefined)?.[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}

/**
 * Runs the verify job of `workflowText` for one event: each checkout step checks out `ref`
 * (no ref: GITHUB_SHA, the merge ref's commit) into its `path`, and `./actions/verify` is
 * started from the workspace, as the runner resolves a local action.
 */
async function runVerifyJob(
  workflowText: string,
  eventName: 'pull_request' | 'merge_group',
  event: Record<string, unknown>,
  sha: string,
): Promise<Ran> {
  const wf = parseYaml(VERIFY_YML, new TextEncoder().encode(workflowText)).value as Workflow;
  const workspace = mkdtempSync(join(tmp, 'workspace-'));
  let ran: Ran | undefined;
  for (const step of wf.jobs.verify!.steps) {
    const w = step.with ?? {};
    if (step.uses?.startsWith('actions/checkout@')) {
      const dir = join(workspace, String(w.path ?? '.'));
      const ref = w.ref === undefined ? sha : evaluate(w.ref, event);
      execFileSync('git', ['clone', '-q', '--no-checkout', origin, dir]);
      git(dir, 'fetch', '-q', 'origin', 'refs/heads/*:refs/remotes/origin/*');
      git(dir, 'checkout', '-q', '--detach', ref);
      continue;
    }
    if (step.uses?.startsWith('./')) {
      const actionDir = resolve(workspace, step.uses);
      const action = parseYaml('action.yml', readFileSync(join(actionDir, 'action.yml'))).value as {
        runs: { main: string };
      };
      const inputs = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, evaluate(v, event)]));
      ran = await runBundle({
        bundle: resolve(actionDir, action.runs.main),
        tmp,
        workspace,
        eventName,
        event,
        env: {
          GITHUB_REPOSITORY: 'acme/keys',
          GITHUB_SHA: sha,
          GITHUB_REF:
            eventName === 'merge_group'
              ? 'refs/heads/gh-readonly-queue/main/pr-7'
              : 'refs/pull/7/merge',
        },
        inputs,
      });
    }
  }
  if (!ran) throw new Error('the verify job ran no local action');
  return ran;
}

const pullRequest = () => ({
  action: 'synchronize',
  number: 7,
  pull_request: { number: 7, base: { ref: 'main', sha: base }, head: { ref: 'attack', sha: head } },
});
const mergeGroup = () => ({
  action: 'checks_requested',
  merge_group: {
    base_sha: base,
    head_sha: merge,
    base_ref: 'refs/heads/main',
    head_ref: 'refs/heads/gh-readonly-queue/main/pr-7',
  },
});
const errors = (r: Ran) => r.stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('a pull request that replaces dist/verify.js', () => {
  const template = readFileSync(join(root, VERIFY_YML), 'utf8');

  it('passes its own check under the old workflow (the attack is real)', async () => {
    const r = await runVerifyJob(
      VERIFY_RUNS_PULL_REQUEST_CODE,
      'pull_request',
      pullRequest(),
      merge,
    );
    expect(r.stdout).toContain(MARKER);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ kind: 'none', violations: '0' });
  }, 60_000);

  it("fails under the template's workflow: the base's code runs and reads the change", async () => {
    const r = await runVerifyJob(template, 'pull_request', pullRequest(), merge);
    expect(r.stdout).not.toContain(MARKER);
    expect(errors(r)).toContainEqual(
      expect.stringMatching(new RegExp(`^::error title=lifecycle/resurrection,file=${SSH},`)),
    );
    expect(r.code).toBe(1);
    expect(r.summary).toContain('the merge of the pull request into its base');
  }, 60_000);

  it('fails in the merge queue too, verifying the group commit against its base', async () => {
    const r = await runVerifyJob(template, 'merge_group', mergeGroup(), merge);
    expect(r.stdout).not.toContain(MARKER);
    expect(errors(r)).toContainEqual(
      expect.stringMatching(new RegExp(`^::error title=lifecycle/resurrection,file=${SSH},`)),
    );
    expect(r.code).toBe(1);
    expect(r.summary).toContain(merge.slice(0, 12));
  }, 60_000);

  it('passes an honest change in the merge queue', async () => {
    const r = await runVerifyJob(
      template,
      'merge_group',
      { merge_group: { base_sha: base, head_sha: base } },
      base,
    );
    expect(errors(r)).toEqual([]);
    expect(r.code).toBe(0);
  }, 60_000);

  it('is what the lint and doctor flag in the old workflow, and not in the template', () => {
    const old = checkWorkflowFile(
      VERIFY_YML,
      new TextEncoder().encode(VERIFY_RUNS_PULL_REQUEST_CODE),
    );
    expect(old.map((d) => [d.rule, d.line])).toEqual([['workflow/runs-pull-request-code', 16]]);
    expect(checkWorkflowFile(VERIFY_YML, new TextEncoder().encode(template))).toEqual([]);

    const files = goodRepo();
    files[VERIFY_YML] = VERIFY_RUNS_PULL_REQUEST_CODE;
    const found = checkLocal(tree(files)).findings;
    expect(found.map((f) => [f.rule, f.severity])).toEqual([
      ['workflow/runs-pull-request-code', 'error'],
    ]);
    files[VERIFY_YML] = template;
    expect(checkLocal(tree(files)).findings).toEqual([]);
  });
});
