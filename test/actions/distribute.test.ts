// The distribute action as the runner runs it: the esbuild bundle of src/actions/distribute.ts
// started with `node` in a child process, with a push event, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, INPUT_*, SOPS_AGE_KEY and a real clone of the emulator's repository as
// the workspace. The bundle uses Octokit's own fetch against the emulator on 127.0.0.1.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { undeclaredOperations } from '../../src/actions/runtime-operations.ts';
import { prepareNewKey } from '../../src/commands/new-key.ts';
import type { Target } from '../../src/core/formats/index.ts';
import {
  codec,
  dec,
  generate,
  identity,
  PIPELINE,
  POLICY,
  SOPS_YAML,
  sopsConfig,
  startBed,
  T0,
  type Bed,
  type Checkout,
} from '../commands/rotate-bed.ts';
import { canary } from '../support/canary.ts';
import { bundleAction, runBundle as run, runOnPush, type Ran } from './runner.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const PUT_SECRET = 'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}';

let bed: Bed;
let bundle: string;
let token: string;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('distribute', bed.tmp);
  // The repositories the targets live in (empty: they only hold secrets).
  for (const name of ['api', 'web', 'broken'])
    await bed.emu.addRepo({ fullName: `acme/${name}`, files: {} });
  token = bed.emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: { contents: 'write', statuses: 'write', issues: 'write', secrets: 'write' },
  });
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

/** A manifest of random keys at v1 with the given targets; every secret goes to the canary. */
async function manifest(keys: Record<string, Target[]>): Promise<Record<string, string>> {
  const tree = new Map<string, Uint8Array>([
    ['.sops.yaml', enc(SOPS_YAML)],
    ['policies/standard.yaml', enc(POLICY)],
    ['policies/pipeline.yaml', enc(PIPELINE)],
  ]);
  for (const [id, targets] of Object.entries(keys)) {
    const change = await prepareNewKey(
      tree,
      {
        id,
        type: 'random',
        policy: 'standard',
        owner: '@acme/team',
        description: `test key ${id}`,
        options: { bytes: 32, encoding: 'base64' },
        targets,
      },
      { now: T0, sopsConfig },
      { codec, generate },
    );
    for (const f of change.files)
      if (f.content === null) tree.delete(f.path);
      else tree.set(f.path, f.content);
  }
  return Object.fromEntries([...tree].map(([p, b]) => [p, dec(b)]));
}

/** The `secret` of keys-manifest/<id>/v1.sops.yaml, decrypted with the demo identity. */
async function material(c: Checkout, id: string): Promise<string> {
  const path = `keys-manifest/${id}/v1.sops.yaml`;
  const plain = YAML.parse(dec(await codec.decrypt(path, c.tree.get(path)!))) as {
    secret: string;
  };
  return plain.secret;
}

const secretTarget = (repository: string, name: string): Target => ({
  kind: 'github-secret',
  repository,
  app: 'actions',
  name,
});

function runBundle(c: Checkout, inputs: Record<string, string>): Promise<Ran> {
  return runOnPush(bed, bundle, c, inputs, { runId: '5151', env: { SOPS_AGE_KEY: identity } });
}

/**
 * Each value must be announced as `::add-mask::<value>` before any other line of stdout
 * contains it; returns the stdout without the add-mask lines, for the canary.
 */
function assertMaskedFirst(stdout: string, values: readonly string[]): string {
  const lines = stdout.split('\n');
  for (const v of values) {
    const announced = lines.indexOf(`::add-mask::${v}`);
    expect(announced, 'the value is announced with ::add-mask::').toBeGreaterThanOrEqual(0);
    const first = lines.findIndex((l) => l.includes(v));
    expect(first, 'no line mentions the value before its ::add-mask::').toBe(announced);
  }
  return lines.filter((l) => !l.startsWith('::add-mask::')).join('\n');
}

async function distributionStatus(c: Checkout): Promise<string | undefined> {
  const statuses = await bed.ports(c.fullName).statuses.listStatuses(c.sha, 'rekey/distribution');
  return statuses.find((s) => s.context === 'rekey/distribution')?.state;
}

describe('the mask-order check', () => {
  it('says no when a line shows a value before its ::add-mask::, or none announces it', () => {
    const v = 'c2VjcmV0LXZhbHVlLWZvci10aGUtY2hlY2s=';
    expect(assertMaskedFirst(`a\n::add-mask::${v}\nb ${v}`, [v])).toBe(`a\nb ${v}`);
    expect(() => assertMaskedFirst(`a ${v}\n::add-mask::${v}`, [v])).toThrow(/before/);
    expect(() => assertMaskedFirst(`a ${v}`, [v])).toThrow(/announced/);
  });
});

describe('the distribute action bundle', () => {
  it('converges, reports outputs and summary, and masks every value before anything else', async () => {
    const c = await bed.repo(
      'distribute-ok',
      await manifest({
        'svc/api-token': [
          secretTarget('acme/api', 'API_TOKEN'),
          secretTarget('acme/web', 'API_TOKEN'),
        ],
        'svc/signing': [
          secretTarget('acme/api', 'SIGNING_KEY'),
          { kind: 'file', path: 'svc/signing.env', format: 'env', name: 'SIGNING_KEY' },
        ],
      }),
    );
    const values = [await material(c, 'svc/api-token'), await material(c, 'svc/signing')];
    bed.emu.clearLog();
    const r = await runBundle(c, { token, 'output-dir': 'out' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.outcome).toBe('converged');
    // Every route the run called is declared, so the workflow's grants are checked for it.
    expect(undeclaredOperations('distribute', bed.emu.requestLog)).toEqual([]);
    expect(r.outputs.status).toBe('success');
    expect(JSON.parse(r.outputs['failed-keys']!)).toEqual([]);
    expect(await distributionStatus(c)).toBe('success');

    // Every sealed secret opens to the manifest's material; the file holds it, mode 0600.
    expect(bed.emu.openSecret({ repository: 'acme/api' }, 'API_TOKEN')).toBe(values[0]);
    expect(bed.emu.openSecret({ repository: 'acme/web' }, 'API_TOKEN')).toBe(values[0]);
    expect(bed.emu.openSecret({ repository: 'acme/api' }, 'SIGNING_KEY')).toBe(values[1]);
    const file = join(c.work, 'out/svc/signing.env');
    expect(readFileSync(file, 'utf8')).toContain(values[1]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(bed.emu.calls(PUT_SECRET)).toBe(3);

    // The evidence file the workflow uploads, and the summary, one row per key.
    const evidencePath = r.outputs['evidence-path']!;
    expect(existsSync(evidencePath)).toBe(true);
    const evidence = readFileSync(evidencePath, 'utf8');
    expect(JSON.parse(evidence)).toMatchObject({ schema: 'rekey.distribution/v1' });
    expect(r.summary).toContain('svc/api-token');
    expect(r.summary).toContain('svc/signing');

    const clean = assertMaskedFirst(r.stdout, values);
    expect(canary.size).toBeGreaterThanOrEqual(2); // the material of both keys, registered
    canary.scan({
      stdout: clean,
      summary: r.summary,
      outputs: r.outputsText,
      evidence,
    });
    bed.emu.assertNoInvalidRequests();

    // A second run finds every target current and writes nothing to the targets.
    bed.emu.clearLog();
    const again = await runBundle(c, { token, 'output-dir': 'out' });
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs.outcome).toBe('converged');
    expect(bed.emu.calls(PUT_SECRET)).toBe(0);
    expect(undeclaredOperations('distribute', bed.emu.requestLog)).toEqual([]);
  }, 120_000);

  it("refuses the workflow's GITHUB_TOKEN before any call to GitHub, saying why", async () => {
    const c = await bed.repo(
      'distribute-refuse',
      await manifest({ 'svc/key': [secretTarget('acme/api', 'REFUSED')] }),
    );
    const actions = bed.emu.addToken({
      kind: 'github-actions',
      permissions: { contents: 'write', statuses: 'write' },
    });
    bed.emu.clearLog();
    const r = await runBundle(c, { token: actions, 'github-token': actions });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("Distribution cannot use the workflow's GITHUB_TOKEN");
    expect(r.stdout).toMatch(/secrets.*administration/);
    expect(bed.emu.requestLog).toEqual([]);
    expect(r.outputs.outcome).toBeUndefined();
  }, 60_000);

  it('fails the step at the preflight and writes to no target when one cannot be observed', async () => {
    const c = await bed.repo(
      'distribute-preflight',
      await manifest({
        'svc/fine': [secretTarget('acme/api', 'FINE')],
        'svc/nowhere': [secretTarget('acme/does-not-exist', 'NOWHERE')],
      }),
    );
    bed.emu.clearLog();
    const r = await runBundle(c, { token });
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.outcome).toBe('preflight-failed');
    expect(r.outputs.status).toBe('failure');
    // The first read of the repository that fails: its secret list, or (with no receipt
    // there, when nothing depends on the list) its public key.
    expect(r.stdout).toMatch(
      /^::error::svc\/nowhere: (observing the targets failed|the public key of actions:repo:acme\/does-not-exist could not be fetched)/m,
    );
    expect(r.stdout).not.toMatch(/^::error::svc\/fine/m);
    expect(r.summary).toContain('acme/does-not-exist');
    expect(bed.emu.calls(PUT_SECRET)).toBe(0);
    expect(bed.emu.secretNames({ repository: 'acme/api' })).not.toContain('FINE');
    expect(await distributionStatus(c)).toBe('failure');
  }, 120_000);

  it('stops as superseded, a neutral notice, when main has moved on; refuses other refs', async () => {
    const c = await bed.repo(
      'distribute-stale',
      await manifest({ 'svc/stale': [secretTarget('acme/api', 'STALE')] }),
    );
    await bed.emu.commitFiles(c.fullName, 'main', { 'README.md': 'moved on\n' }, 'docs: later');
    bed.emu.clearLog();
    const r = await runBundle(c, { token });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.outcome).toBe('superseded');
    expect(r.outputs.status).toBe('');
    expect(r.stdout).toMatch(/^::notice::rekey distribute: superseded/m);
    expect(bed.emu.calls(PUT_SECRET)).toBe(0);
    expect(await distributionStatus(c)).toBeUndefined();

    bed.emu.clearLog();
    const branch = await run({
      bundle,
      tmp: bed.tmp,
      workspace: c.work,
      eventName: 'workflow_dispatch',
      event: { ref: 'refs/heads/topic', repository: { default_branch: 'main' } },
      env: {
        ...bed.emu.actionsEnv(c.fullName),
        GITHUB_SHA: c.sha,
        GITHUB_REF: 'refs/heads/topic',
        SOPS_AGE_KEY: identity,
      },
      inputs: { token },
    });
    expect(branch.code).toBe(1);
    expect(branch.stdout).toContain('runs on the default branch main only');
    expect(bed.emu.requestLog).toEqual([]);
  }, 120_000);

  it('fails the step when a target fails: exit 1, outputs, summary, failure status', async () => {
    const c = await bed.repo(
      'distribute-fail',
      await manifest({
        'svc/good': [secretTarget('acme/api', 'GOOD')],
        'svc/bad': [secretTarget('acme/broken', 'BAD')],
      }),
    );
    const values = [await material(c, 'svc/good'), await material(c, 'svc/bad')];
    // Every write to acme/broken is refused (403 is never retried).
    bed.emu.inject({
      method: 'PUT',
      path: /\/repos\/acme\/broken\/actions\/secrets\/BAD$/,
      status: 403,
      times: 10,
    });
    const r = await runBundle(c, { token });
    expect(r.code, r.stdout).toBe(1);
    expect(r.outputs.outcome).toBe('failed');
    expect(r.outputs.status).toBe('failure');
    expect(JSON.parse(r.outputs['failed-keys']!)).toEqual(['svc/bad']);
    expect(r.stdout).toMatch(/::error::rekey distribute: failed/);
    expect(r.summary).toContain('svc/bad');
    expect(r.stdout).toMatch(
      /^svc\/bad: failed \(http:\/\/127\.0\.0\.1:\d+\/acme\/distribute-fail\/issues\/\d+\)$/m,
    );
    expect(await distributionStatus(c)).toBe('failure');
    expect(bed.emu.openSecret({ repository: 'acme/api' }, 'GOOD')).toBe(values[0]);
    const evidence = readFileSync(r.outputs['evidence-path']!, 'utf8');
    canary.scan({
      stdout: assertMaskedFirst(r.stdout, values),
      summary: r.summary,
      outputs: r.outputsText,
      evidence,
    });
  }, 120_000);
});
