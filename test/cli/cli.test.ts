import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { parseSopsConfig } from '../../src/core/sops-config.ts';
import { canary } from '../support/canary.ts';
import { demoIdentityFile, edit, git, rekey, templateRepo } from './harness.ts';

const repo = templateRepo();
afterAll(() => repo.cleanup());
beforeEach(() => {
  git(repo.dir, 'checkout', '-q', '--', '.');
  git(repo.dir, 'clean', '-qfd');
});
const PAY = 'keys-manifest/payments/webhook-signing/key.yaml';
const SSH = 'keys-manifest/infra/deploy-ssh/key.yaml';

describe('rekey validate', () => {
  it('passes on the template content', async () => {
    const r = await rekey(repo.dir, ['validate']);
    expect(r).toMatchObject({ code: 0, stdout: 'ok: 3 keys, 6 versions, 2 policies\n' });
  });

  it('reports every problem with file, line and rule, as JSON too', async () => {
    edit(repo.dir, PAY, (t) =>
      t.replace('state: deactivated', 'state: active').replace('policy: standard', 'policy: nope'),
    );
    const r = await rekey(repo.dir, ['validate', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ rekey: 1, command: 'validate', ok: false });
    const rules = out.diagnostics.map((d: { rule: string }) => d.rule);
    expect(rules).toContain('lifecycle/multiple-active');
    expect(rules).toContain('policy/unknown');
    for (const d of out.diagnostics)
      expect(d).toMatchObject({ file: PAY, line: expect.any(Number) });
  });

  it('checks every material file against the recipients of .sops.yaml', async () => {
    // Another valid recipient: the example recipient of age's own documentation.
    edit(repo.dir, '.sops.yaml', (t) =>
      t.replace(
        /age: age1\S+/,
        'age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
      ),
    );
    const r = await rekey(repo.dir, ['validate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /keys-manifest\/payments\/webhook-signing\/v2\.sops\.yaml:\d+:\d+: .*\[verify\/recipients-mismatch\]/,
    );
  });
});

describe('rekey verify', () => {
  const illegal: [string, string, (t: string) => string, string][] = [
    [
      'skipped state',
      SSH,
      (t) => t.replace('version: 3, state: active', 'version: 3, state: destroyed'),
      'lifecycle/skipped-state',
    ],
    [
      'resurrection',
      SSH,
      (t) => t.replace('version: 1, state: destroyed', 'version: 1, state: deactivated'),
      'lifecycle/resurrection',
    ],
    [
      'removed version entry',
      SSH,
      (t) => t.replace(/\n  - \{ version: 1,[^\n]*/, ''),
      'lifecycle/version-removed',
    ],
    [
      'two active versions',
      PAY,
      (t) => t.replace('state: deactivated', 'state: active'),
      'lifecycle/multiple-active',
    ],
    [
      'created in the future',
      PAY,
      (t) => t.replace('created: 2026-08-22T09:02:11Z', 'created: 2027-08-22T09:02:11Z'),
      'lifecycle/created-in-future',
    ],
  ];

  it.each(illegal)('%s exits 1 naming the file and rule', async (_name, file, change, rule) => {
    edit(repo.dir, file, change);
    const r = await rekey(repo.dir, ['verify', '--base', 'main']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`${file.replace(/[/.]/g, '\\$&')}:\\d+:\\d+: .*\\[${rule}\\]`),
    );
  });

  it('material edited in place and a destroyed version left with material exit 1', async () => {
    edit(repo.dir, 'keys-manifest/infra/deploy-ssh/v3.sops.yaml', (t) =>
      t.replace(/^version: 3$/m, 'version: 4'),
    );
    edit(repo.dir, SSH, (t) =>
      t.replace('version: 2, state: deactivated', 'version: 2, state: destroyed'),
    );
    const r = await rekey(repo.dir, ['verify', '--base', 'main', '--json']);
    expect(r.code).toBe(1);
    const rules = JSON.parse(r.stdout).diagnostics.map((d: { rule: string }) => d.rule);
    expect(rules).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(lifecycle|material)\//)]),
    );
    expect(rules.length).toBeGreaterThanOrEqual(2);
  });

  it('a correct rotation made by rekey exits 0 and is classified', async () => {
    git(repo.dir, 'checkout', '-q', '-b', 'rotation');
    try {
      const { prepareRotation } = await import('../../src/commands/changes.ts');
      const { readWorkingTree } = await import('../../src/adapters/files/working-tree.ts');
      const { applyToWorkdir } = await import('../../src/adapters/workdir.ts');
      const { loadSopsConfig } = await import('../../src/cli/sops.ts');
      const { BuiltinSopsCodec } = await import('../../src/crypto/sops/index.ts');
      const tree = await readWorkingTree(repo.dir);
      const change = await prepareRotation(
        tree,
        'payments/webhook-signing',
        {
          now: new Date('2026-11-20T10:00:00Z'),
          sopsConfig: loadSopsConfig(tree),
          prepublish: false,
        },
        { codec: new BuiltinSopsCodec({ identities: [] }) },
      );
      await applyToWorkdir(repo.dir, change.files);
      git(repo.dir, 'add', '-A');
      git(repo.dir, 'commit', '-q', '-m', change.message);
      const r = await rekey(repo.dir, ['verify', '--base', 'main', '--head', 'rotation']);
      expect(r.stdout).toContain('verify main..rotation: rotation');
      expect(r.stdout).toContain(
        'payments/webhook-signing: rotation (v3 new -> active, v2 active -> deactivated)',
      );
      expect(r.stdout).toContain('ok: no violations');
      expect(r.code).toBe(0);
    } finally {
      git(repo.dir, 'checkout', '-q', 'main');
      git(repo.dir, 'branch', '-q', '-D', 'rotation');
    }
  });

  it('usage and configuration errors exit 2', async () => {
    expect((await rekey(repo.dir, ['verify'])).code).toBe(2);
    const r = await rekey(repo.dir, ['verify', '--base', 'no-such-ref']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-ref');
    expect((await rekey(repo.dir, ['verify', '--base', 'main', '--bogus'])).code).toBe(2);
    expect((await rekey(repo.dir, ['frobnicate'])).code).toBe(2);
  });
});

describe('rekey plan', () => {
  it('prints due keys with reasons, and stable JSON', async () => {
    const text = await rekey(repo.dir, ['plan', '--now', '2026-12-10T10:00:00Z']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/rotate\s+payments\/webhook-signing -> v3 \(active, replaces v2\)/);
    const json = await rekey(repo.dir, ['plan', '--now', '2026-12-10T10:00:00Z', '--json']);
    const plan = JSON.parse(json.stdout);
    expect(plan).toMatchObject({
      rekey: 1,
      command: 'plan',
      ok: true,
      now: '2026-12-10T10:00:00Z',
    });
    expect(plan.steps.map((s: { keyId: string }) => s.keyId)).toEqual([
      'identity/token-signing',
      'infra/deploy-ssh',
      'payments/webhook-signing',
    ]);
    expect((await rekey(repo.dir, ['plan', '--now', 'tomorrow'])).code).toBe(2);
  });
});

describe('rekey new and rekey sops', () => {
  it('onboards a key, printing only the fingerprint, and the material verifies', async () => {
    const r = await rekey(repo.dir, [
      'new',
      'team/api-token',
      '--type',
      'random',
      '--policy',
      'standard',
      '--owner',
      '@acme/team',
      '--description',
      'API token',
      '--target',
      'kind=github-secret,repository=acme/api,name=API_TOKEN',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^created keys-manifest\/team\/api-token\/key\.yaml and keys-manifest\/team\/api-token\/v1\.sops\.yaml\nv1 fingerprint kcv:[0-9a-f]{16}\n/,
    );
    expect((await rekey(repo.dir, ['validate'])).code).toBe(0);

    const env = { SOPS_AGE_KEY_FILE: demoIdentityFile };
    const material = 'keys-manifest/team/api-token/v1.sops.yaml';
    const plain = await rekey(repo.dir, ['sops', 'decrypt', material], env);
    expect(plain.code).toBe(0);
    const secret = /secret: "?([^"\n]+)"?/.exec(plain.stdout)![1]!;
    canary.register(secret);
    canary.assertAbsent(r.stdout + r.stderr, 'rekey new output');
    canary.assertAbsent(
      readFileSync(join(repo.dir, 'keys-manifest/team/api-token/key.yaml'), 'utf8'),
      'key.yaml',
    );
    canary.assertAbsent(readFileSync(join(repo.dir, material), 'utf8'), 'material file');

    const check = await rekey(repo.dir, ['sops', 'verify', material], env);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/ok   fingerprint kcv:[0-9a-f]{16} equals key\.yaml's/);

    // A second onboarding of the same key writes nothing.
    const again = await rekey(repo.dir, [
      'new',
      'team/api-token',
      '--type',
      'random',
      '--policy',
      'standard',
      '--owner',
      '@a/b',
      '--description',
      'x',
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('sops verify fails on a tampered file and skips the MAC without an identity', async () => {
    const file = 'keys-manifest/payments/webhook-signing/v2.sops.yaml';
    const noKey = await rekey(repo.dir, ['sops', 'verify', file]);
    expect(noKey.code).toBe(0);
    expect(noKey.stdout).toContain('skip mac');
    edit(repo.dir, file, (t) => t.replace(/^version: 2$/m, 'version: 7'));
    const r = await rekey(repo.dir, ['sops', 'verify', file], {
      SOPS_AGE_KEY_FILE: demoIdentityFile,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL mac\s+sops\/mac-mismatch/);
    // decrypt agrees with verify and with its help: a MAC failure is a failed check, exit 1.
    const d = await rekey(repo.dir, ['sops', 'decrypt', file], {
      SOPS_AGE_KEY_FILE: demoIdentityFile,
    });
    expect(d).toMatchObject({ code: 1, stdout: '' });
    expect(d.stderr).toMatch(/^rekey sops decrypt: .*MAC mismatch/);
  });

  it('sops decrypt writes a binary-store file that is not UTF-8 byte for byte, like sops -d', async () => {
    const recipient = /age1[0-9a-z]+/.exec(readFileSync(join(repo.dir, '.sops.yaml'), 'utf8'))![0];
    const raw = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0a]);
    const enc = await new BuiltinSopsCodec({ identities: [] }).encrypt('blob.bin', raw, {
      rule: parseSopsConfig('.sops.yaml', YAML.parse(`creation_rules:\n  - age: ${recipient}\n`))
        .config!.creationRules[0]!,
      now: new Date('2026-11-22T12:00:00Z'),
    });
    const dec = await rekey(
      repo.dir,
      ['sops', 'decrypt', '-', '--path', 'blob.bin'],
      { SOPS_AGE_KEY_FILE: demoIdentityFile },
      enc,
    );
    expect(dec.code).toBe(0);
    expect([...dec.stdoutBytes]).toEqual([...raw]);
  });

  it('sops encrypt then decrypt round-trips through stdin and stdout', async () => {
    const enc = await rekey(
      repo.dir,
      ['sops', 'encrypt', '-', '--path', 'keys-manifest/x/y/v1.sops.yaml'],
      {},
      'id: x/y\nversion: 1\nsecret: hello\n',
    );
    expect(enc.code).toBe(0);
    expect(enc.stdout).toMatch(/^id: x\/y\nversion: 1\nsecret: ENC\[AES256_GCM,/);
    const dec = await rekey(
      repo.dir,
      ['sops', 'decrypt', '-', '--path', 'v1.sops.yaml'],
      { SOPS_AGE_KEY_FILE: demoIdentityFile },
      enc.stdout,
    );
    expect(dec).toMatchObject({ code: 0, stdout: 'id: x/y\nversion: 1\nsecret: hello\n' });
    expect(existsSync(join(repo.dir, 'keys-manifest/x'))).toBe(false);
    rmSync(join(repo.dir, 'keys-manifest/x'), { recursive: true, force: true });
  });
});
