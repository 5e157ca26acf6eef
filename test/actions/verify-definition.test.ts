// The verify action's metadata and its workflow, read as GitHub reads them: the action.yml
// against GitHub's own action schema, the workflow for the properties DESIGN.md asks of a
// required check (test/workflows checks every workflow against the generic rules).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { root } from '../cli/harness.ts';
import '../workflows/validators.ts'; // registers the JSON import hook the parser needs

const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');
const { NoOperationTraceWriter } = await import('@actions/workflow-parser');

const actionFile = 'actions/verify/action.yml';
const workflowFile = '.github/workflows/verify.yml';
const read = (f: string) => readFileSync(join(root, f));

function actionErrors(content: string): string[] {
  const result = parseAction({ name: actionFile, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}

describe('actions/verify/action.yml', () => {
  const text = read(actionFile).toString('utf8');
  const action = parseYaml(actionFile, read(actionFile)).value as {
    inputs: Record<string, { default?: string; required?: boolean }>;
    outputs: Record<string, unknown>;
    runs: { using: string; main: string };
  };

  it("is valid per GitHub's action schema, which can say no", () => {
    expect(actionErrors(text)).toEqual([]);
    expect(actionErrors(text.replace('using: node24', 'using: node99')).join('\n')).toMatch(
      /node99/,
    );
  });

  it('runs the bundle of src/actions/verify.ts on Node 24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: '../../dist/verify.js' });
    // scripts/build.ts bundles src/actions/<name>.ts to dist/<name>.js.
    expect(existsSync(join(root, 'src/actions/verify.ts'))).toBe(true);
  });

  it("takes the workflow's token by default and names its outputs", () => {
    expect(action.inputs).toEqual({
      token: expect.objectContaining({ default: '${{ github.token }}', required: false }),
      'pull-request-path': expect.objectContaining({ default: '', required: false }),
    });
    expect(Object.keys(action.outputs).sort()).toEqual([
      'kind',
      'pipeline-code',
      'scope',
      'violations',
    ]);
  });
});

describe('.github/workflows/verify.yml', () => {
  const bytes = read(workflowFile);
  const wf = parseYaml(workflowFile, bytes).value as {
    on: Record<string, unknown>;
    permissions: unknown;
    jobs: Record<
      string,
      {
        permissions: unknown;
        steps: { uses?: string; with?: Record<string, unknown> }[];
        'timeout-minutes'?: number;
      }
    >;
  };
  const lines = bytes.toString('utf8').split('\n');
  const job = wf.jobs.verify!;

  it('runs on every pull request and merge group, with no path filter, never on pull_request_target', () => {
    expect(wf.on).toEqual({ pull_request: null, merge_group: null });
  });

  it('grants nothing at the top, contents and statuses read to the job, with comments', () => {
    expect(wf.permissions).toEqual({});
    expect(Object.keys(wf.jobs)).toEqual(['verify']);
    expect(job.permissions).toEqual({ contents: 'read', statuses: 'read' });
    const at = lines.flatMap((l, i) => (/^\s*permissions:/.test(l) ? [i] : []));
    expect(at).toHaveLength(2);
    for (const i of at) expect(lines[i - 1]).toMatch(/^\s*# \S/);
    expect(job['timeout-minutes']).toBeGreaterThan(0);
  });

  it("runs the base's code and reads the change, with full history, as data", () => {
    const [base, change, verify, ...rest] = job.steps;
    expect(rest).toEqual([]);
    // The workspace root, where ./actions/verify and its dist/verify.js come from: the base.
    expect(base?.uses).toMatch(/^actions\/checkout@[0-9a-f]{40}$/);
    expect(base?.with).toEqual({
      ref: '${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}',
      'persist-credentials': false,
    });
    // The merge ref (or merge group commit) beside it, only passed to git.
    expect(change?.uses).toBe(base?.uses);
    expect(change?.with).toEqual({
      path: '.rekey-pull-request',
      'fetch-depth': 0,
      'persist-credentials': false,
    });
    expect(verify?.uses).toBe('./actions/verify');
    expect(verify?.with).toEqual({
      token: '${{ github.token }}',
      'pull-request-path': '.rekey-pull-request',
    });
  });
});
