import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetFiles, OutsideOutputError } from '../../../src/adapters/targets/files.ts';
import type { TargetPorts } from '../../../src/core/ports/targets.ts';
import { applyTargetPlan } from '../../../src/core/targets/apply.ts';
import { desiredState } from '../../../src/core/targets/desired.ts';
import { observeTargets } from '../../../src/core/targets/observe.ts';
import { planTargets } from '../../../src/core/targets/plan.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { canary } from '../../support/canary.ts';
import { testKey } from '../../core/targets/fixtures.ts';

let root: string;
let out: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rekey-files-'));
  out = join(root, 'out');
  await mkdir(out);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const unused = () => {
  throw new Error('not used by file targets');
};
const ports = (): TargetPorts => ({
  secrets: {
    publicKey: unused,
    listSecrets: unused,
    selectedRepositories: unused,
    putSecret: unused,
    deleteSecret: unused,
  },
  deployKeys: { listDeployKeys: unused, addDeployKey: unused, deleteDeployKey: unused },
  files: createTargetFiles(out),
});

const TARGETS = [
  { kind: 'file', path: 'raw/token', format: 'raw' },
  { kind: 'file', path: 'token.env', format: 'env', name: 'SIGNING_KEY' },
  { kind: 'file', path: 'token.json', format: 'json' },
  { kind: 'file', path: 'k8s/secret.yaml', format: 'kubernetes-secret', name: 'signing.pem' },
  { kind: 'file', path: 'jwks.json', format: 'jwks' },
];

describe('file targets in an output folder', () => {
  it('writes every format, then plans nothing; removes files when no version is active', async () => {
    const k = await testKey(
      'ecdsa-p256',
      ['pre-activation', 'active', 'deactivated', 'compromised'],
      TARGETS,
      'signing/api',
    );
    const desired = desiredState(k.doc, k.live);
    expect(desired.problems).toEqual([]);
    const plan = planTargets(k.doc, desired, await observeTargets(desired, ports()));
    const applied = await applyTargetPlan(plan, ports());
    expect(applied.ok).toBe(true);
    const active = k.secret.get(3)!;
    expect(await readFile(join(out, 'raw/token'), 'utf8')).toBe(active);
    expect(await readFile(join(out, 'token.env'), 'utf8')).toBe(`SIGNING_KEY='${active}'\n`);
    expect(JSON.parse(await readFile(join(out, 'token.json'), 'utf8'))).toEqual({
      SIGNING_API: active,
    });
    expect(await readFile(join(out, 'k8s/secret.yaml'), 'utf8')).toContain(
      `  signing.pem: ${Buffer.from(active).toString('base64')}\n`,
    );
    const jwks = JSON.parse(await readFile(join(out, 'jwks.json'), 'utf8')) as {
      keys: { kid: string; d?: string }[];
    };
    // pre-activation, active and deactivated are published; the compromised v1 is not.
    expect(jwks.keys.map((j) => j.kid)).toEqual([4, 3, 2].map((v) => k.fingerprint.get(v)));
    expect(jwks.keys.every((j) => j.d === undefined)).toBe(true);
    expect((await lstat(join(out, 'token.env'))).mode & 0o777).toBe(0o600);
    expect((await readdir(out)).filter((n) => n.endsWith('.rekey-tmp'))).toEqual([]);
    canary.scan({
      plan: JSON.stringify(plan) + inspect(plan, { depth: 10 }),
      applied: JSON.stringify(applied),
      jwks: JSON.stringify(jwks),
    });

    const again = planTargets(k.doc, desired, await observeTargets(desired, ports()));
    expect(again.steps).toEqual([]);
    expect(again.current).toBe(5);

    await writeFile(join(out, 'token.json'), '{}\n');
    expect(
      planTargets(k.doc, desired, await observeTargets(desired, ports())).steps.map((s) => [
        s.kind,
        s.reason,
      ]),
    ).toEqual([['write-file', 'content differs']]);

    const gone = {
      ...k.doc,
      versions: k.doc.versions.map((v) => ({ ...v, state: 'compromised' as const })),
    };
    const d2 = desiredState(gone, k.live);
    const p2 = planTargets(gone, d2, await observeTargets(d2, ports()));
    expect(p2.steps.map((s) => s.kind)).toEqual([
      'delete-file',
      'delete-file',
      'delete-file',
      'delete-file',
      'write-file',
    ]);
    expect((await applyTargetPlan(p2, ports())).ok).toBe(true);
    expect(JSON.parse(await readFile(join(out, 'jwks.json'), 'utf8'))).toEqual({ keys: [] });
    await expect(lstat(join(out, 'token.env'))).rejects.toThrow();
  }, 60_000);

  it.each(['../escape', 'a/../../escape', '/etc/passwd', 'a\\b', ''])(
    'refuses %j',
    async (path) => {
      const files = createTargetFiles(out);
      await expect(files.writeFile(path, SecretValue.of('x'))).rejects.toThrow(OutsideOutputError);
      await expect(files.readFile(path)).rejects.toThrow(OutsideOutputError);
      await expect(files.deleteFile(path)).rejects.toThrow(OutsideOutputError);
    },
  );

  it('refuses to write through a symbolic link', async () => {
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await symlink(elsewhere, join(out, 'link'));
    const files = createTargetFiles(out);
    await expect(files.writeFile('link/x', SecretValue.of('x'))).rejects.toThrow(
      OutsideOutputError,
    );
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('deleting an absent file is "absent"', async () => {
    expect(await createTargetFiles(out).deleteFile('nothing-here')).toBe('absent');
  });
});
