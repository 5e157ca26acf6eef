// The distribute action's metadata and its workflow, read as GitHub reads them: the action.yml
// against GitHub's own action schema, the workflow for what DESIGN.md asks of the one job that
// holds the decryption key (test/workflows checks every workflow against the generic rules).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWorkflowFile } from '../../src/core/workflow-lint/index.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { root } from '../cli/harness.ts';
import { githubParserErrors } from '../workflows/validators.ts'; // also registers the JSON hook

const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');
const { NoOperationTraceWriter } = await import('@actions/workflow-parser');

const actionFile = 'actions/distribute/action.yml';
const workflowFile = '.github/workflows/distribute.yml';
const read = (f: string) => readFileSync(join(root, f));

function actionErrors(content: string): string[] {
  const result = parseAction({ name: actionFile, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

describe('actions/distribute/action.yml', () => {
  const text = read(actionFile).toString('utf8');
  const action = parseYaml(actionFile, read(actionFile)).value as {
    inputs: Record<string, { description: string; default?: string; required?: boolean }>;
    outputs: Record<string, { description: string }>;
    runs: { using: string; main: string };
  };

  it("is valid per GitHub's action schema, which can say no", () => {
    expect(actionErrors(text)).toEqual([]);
    expect(actionErrors(text.replace('using: node24', 'using: node99')).join('\n')).toMatch(
      /node99/,
    );
  });

  it('runs the bundle of src/actions/distribute.ts on Node 24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: '../../dist/distribute.js' });
    expect(existsSync(join(root, 'src/actions/distribute.ts'))).toBe(true);
  });

  it('has the contract inputs and outputs, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([
      'concurrency',
      'dry-run',
      'evidence-path',
      'github-token',
      'lease-wait',
      'output-dir',
      'resume',
      'targets-token',
      'token',
    ]);
    expect(action.inputs.token?.required).toBe(true);
    expect(action.inputs['targets-token']?.default).toBe('');
    expect(action.inputs['github-token']?.default).toBe('${{ github.token }}');
    expect(Object.keys(action.outputs).sort()).toEqual([
      'evidence-path',
      'failed-keys',
      'outcome',
      'status',
    ]);
    for (const d of [...Object.values(action.inputs), ...Object.values(action.outputs)])
      expect(d.description.length).toBeGreaterThan(20);
  });
});

describe('.github/workflows/distribute.yml', () => {
  const bytes = read(workflowFile);
  const text = bytes.toString('utf8');
  const wf = parseYaml(workflowFile, bytes).value as {
    on: Record<string, Record<string, unknown> | null>;
    permissions: unknown;
    concurrency: unknown;
    env?: unknown;
    jobs: Record<
      string,
      {
        permissions: unknown;
        environment: unknown;
        env?: unknown;
        steps: Step[];
        'timeout-minutes'?: number;
      }
    >;
  };
  const lines = text.split('\n');
  const job = wf.jobs.distribute!;
  const step = (pred: (s: Step) => boolean) => job.steps.find(pred);

  it('runs on manifest pushes to the default branch, a daily retry and dispatch', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(wf.on.push).toEqual({ branches: ['main'], paths: ['keys-manifest/**', '.sops.yaml'] });
    const inputs = (wf.on.workflow_dispatch as { inputs: Record<string, { type: string }> }).inputs;
    expect(Object.keys(inputs).sort()).toEqual(['dry-run', 'resume']);
    expect(inputs['dry-run']?.type).toBe('boolean');
  });

  it('shares the mutating group without cancelling or dropping a pending run, grants contents: read alone, in the environment', () => {
    expect(wf.permissions).toEqual({});
    expect(wf.concurrency).toEqual({
      group: 'rekey-mutations',
      'cancel-in-progress': false,
      queue: 'max',
    });
    expect(Object.keys(wf.jobs)).toEqual(['distribute']);
    // id-token: write is for the AWS OIDC exchange of aws-secret targets (no other use): the
    // template has none, so it is not granted until one is added (doctor/id-token-missing).
    expect(job.permissions).toEqual({ contents: 'read' });
    expect(job.environment).toBe('rekey-distribution');
    const at = lines.flatMap((l, i) => (/^\s*permissions:/.test(l) ? [i] : []));
    expect(at).toHaveLength(2);
    for (const i of at) expect(lines[i - 1]).toMatch(/^\s*# \S/);
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(job['timeout-minutes']).toBeLessThan(60); // the App token lives one hour
  });

  it('gets AWS credentials through OIDC only when a role is configured, SHA-pinned, before distribute', () => {
    const i = job.steps.findIndex(
      (s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') ?? false,
    );
    const aws = job.steps[i]!;
    expect(aws.uses).toBe(
      'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c',
    );
    expect((aws as { if?: string }).if).toBe("vars.REKEY_AWS_ROLE_ARN != ''");
    expect(aws.with).toMatchObject({ 'role-to-assume': '${{ vars.REKEY_AWS_ROLE_ARN }}' });
    // No long-lived keys anywhere in the workflow.
    expect(JSON.stringify(wf)).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/,
    );
    expect(i).toBeLessThan(job.steps.findIndex((s) => s.uses === './actions/distribute'));
  });

  it('reads SOPS_AGE_KEY from secrets in the distribute step only', () => {
    expect(wf.env).toBeUndefined();
    expect(job.env).toBeUndefined();
    const readers = job.steps.filter((s) => JSON.stringify(s).includes('SOPS_AGE_KEY'));
    expect(readers.map((s) => s.uses)).toEqual(['./actions/distribute']);
    expect(readers[0]?.env).toEqual({ SOPS_AGE_KEY: '${{ secrets.SOPS_AGE_KEY }}' });
  });

  it('checks out full history without credentials and mints two scoped App tokens', () => {
    const checkout = step((s) => s.uses?.startsWith('actions/checkout@') ?? false);
    expect(checkout?.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    const pin = 'actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3';
    const app = {
      'client-id': '${{ vars.REKEY_APP_CLIENT_ID }}',
      'private-key': '${{ secrets.REKEY_APP_PRIVATE_KEY }}',
    };
    // The keys repository: this repository only (no owner), no target permission.
    const keys = step((s) => s.id === 'app-token');
    expect(keys?.uses).toBe(pin);
    expect(keys?.with).toEqual({
      ...app,
      'permission-contents': 'write',
      'permission-statuses': 'write',
      'permission-issues': 'write',
      'permission-pull-requests': 'write',
    });
    // The targets: the repositories rekey computed from this checkout, secrets only.
    const targets = step((s) => s.id === 'targets');
    expect(targets?.run).toMatch(
      /node bin\/rekey\.js targets --repositories --repository "\$GITHUB_REPOSITORY"/,
    );
    const targetsToken = step((s) => s.id === 'targets-token');
    expect(targetsToken?.uses).toBe(pin);
    expect(targetsToken?.with).toEqual({
      ...app,
      owner: '${{ github.repository_owner }}',
      repositories: '${{ steps.targets.outputs.repositories }}',
      'permission-secrets': 'write',
      // Environment secrets: GitHub's data lists their routes under environments too.
      'permission-environments': 'write',
      // Deploy keys: the template's infra/deploy-ssh (test/workflows/token-grants.test.ts).
      'permission-administration': 'write',
    });
    expect(job.steps.indexOf(targets!)).toBeLessThan(job.steps.indexOf(targetsToken!));
    const distribute = step((s) => s.uses === './actions/distribute');
    expect(distribute?.with?.token).toBe('${{ steps.app-token.outputs.token }}');
    expect(distribute?.with?.['targets-token']).toBe('${{ steps.targets-token.outputs.token }}');
  });

  it('uploads the evidence file the action writes, pinned by SHA, also after a failure', () => {
    const distribute = step((s) => s.uses === './actions/distribute');
    const upload = step((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
    expect(upload?.uses).toMatch(/^actions\/upload-artifact@[0-9a-f]{40}$/);
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.path).toBe(distribute?.with?.['evidence-path']);
    expect(job.steps.indexOf(upload!)).toBeGreaterThan(job.steps.indexOf(distribute!));
  });

  it('passes the validators, and the secret rule fails without the environment', async () => {
    expect(checkWorkflowFile(workflowFile, bytes)).toEqual([]);
    expect(await githubParserErrors(workflowFile, text)).toEqual([]);
    const bare = text.replace(/^ {4}environment: rekey-distribution\n/m, '');
    expect(bare).not.toBe(text);
    const rules = checkWorkflowFile(workflowFile, Buffer.from(bare)).map((d) => d.rule);
    expect(rules).toContain('workflow/secret-outside-environment');
  });
});
