import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  prepareEmergency,
  preparePromotion,
  prepareRevocation,
  prepareRotation,
  type PreparedChange,
} from '../../src/commands/changes.ts';
import { prepareNewKey } from '../../src/commands/new-key.ts';
import { verifyTrees } from '../../src/core/verify/verify-trees.ts';
import type { FileTree } from '../../src/core/snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../../src/core/sops-config.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { parseMaterialPlaintext, verifyMaterial } from '../../src/crypto/keys/index.ts';
import { canary } from '../support/canary.ts';

const root = resolve(import.meta.dirname, '../..');
const identity = readFileSync(resolve(root, 'demo/age-identity.txt'), 'utf8')
  .split('\n')
  .find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
const recipient = /public key: (age1\S+)/.exec(
  readFileSync(resolve(root, 'demo/age-identity.txt'), 'utf8'),
)![1]!;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const sopsYaml = `creation_rules:\n  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$\n    encrypted_regex: ^secret$\n    age: ${recipient}\n`;
const policy = `name: standard\ncryptoperiod: 90d\nrotate-before: 14d\ngrace: 7d\napprovals: 1\n`;

let config: SopsConfig;
const codec = new BuiltinSopsCodec({ identities: [identity] });
const now = new Date('2026-11-20T09:00:00Z');

beforeAll(() => {
  const parsed = parseYaml('.sops.yaml', enc(sopsYaml));
  config = parseSopsConfig({
    file: '.sops.yaml',
    value: parsed.value,
    locate: parsed.locate,
  }).config!;
});

function apply(tree: FileTree, change: PreparedChange): Map<string, Uint8Array> {
  const next = new Map(tree);
  for (const f of change.files) {
    if (f.content === null) next.delete(f.path);
    else next.set(f.path, f.content);
  }
  return next;
}

async function onboarded(
  type: 'random' | 'ed25519' | 'ssh-ed25519' = 'random',
): Promise<Map<string, Uint8Array>> {
  const base: FileTree = new Map([
    ['.sops.yaml', enc(sopsYaml)],
    ['policies/standard.yaml', enc(policy)],
  ]);
  const change = await prepareNewKey(
    base,
    {
      id: 'team/api',
      type,
      policy: 'standard',
      owner: '@acme/team',
      description: 'API token',
      options: type === 'random' ? { bytes: 32, encoding: 'base64' } : undefined,
      targets: [
        { kind: 'github-secret', repository: 'acme/api', app: 'actions', name: 'API_TOKEN' },
      ],
    },
    { now: new Date('2026-08-01T10:00:00Z'), sopsConfig: config },
    { codec },
  );
  return apply(base, change);
}

async function material(tree: FileTree, version: number) {
  const path = `keys-manifest/team/api/v${version}.sops.yaml`;
  return parseMaterialPlaintext(dec(await codec.decrypt(path, tree.get(path)!)));
}

describe('prepared changes pass verify and decrypt to what key.yaml fingerprints', () => {
  it('onboarding then rotation', async () => {
    const v1 = await onboarded();
    expect(
      verifyTrees(new Map([...v1].filter(([p]) => !p.startsWith('keys-manifest/'))), v1, { now })
        .diagnostics,
    ).toEqual([]);

    const change = await prepareRotation(
      v1,
      'team/api',
      { now, sopsConfig: config, prepublish: false },
      { codec },
    );
    const v2 = apply(v1, change);
    const result = verifyTrees(v1, v2, { now });
    expect(result.diagnostics).toEqual([]);
    expect(result.kind).toBe('rotation');
    expect(change.moves).toEqual([
      { version: 2, from: undefined, to: 'active' },
      { version: 1, from: 'active', to: 'deactivated' },
    ]);
    expect(change.message).toMatch(
      /^rekey: rotate team\/api to v2\n\nRekey-Key: team\/api\nRekey-Action: rotate\nRekey-Version: 2\nRekey-Fingerprint: (\S+)\n$/,
    );
    expect(change.message).toContain(`Rekey-Fingerprint: ${change.fingerprint}\n`);

    const m = await material(v2, 2);
    expect(m).toMatchObject({ id: 'team/api', version: 2 });
    const check = await verifyMaterial('random', m, { bytes: 32, encoding: 'base64' });
    expect(check).toMatchObject({ ok: true, fingerprint: change.fingerprint });
    expect(dec(v2.get('keys-manifest/team/api/key.yaml')!)).toContain(
      `fingerprint: "${change.fingerprint}"`,
    );

    // Nothing that leaves the function in clear carries the secret.
    canary.register(m.secret);
    canary.assertAbsent(change.message, 'commit message');
    canary.assertAbsent(dec(v2.get('keys-manifest/team/api/key.yaml')!), 'key.yaml');
    canary.assertAbsent(
      dec(v2.get('keys-manifest/team/api/v2.sops.yaml')!),
      'encrypted material file',
    );
  });

  it('prepublish adds a pre-activation version, promotion activates it', async () => {
    const v1 = await onboarded('ed25519');
    const pre = apply(
      v1,
      await prepareRotation(
        v1,
        'team/api',
        { now, sopsConfig: config, prepublish: true },
        { codec },
      ),
    );
    expect(dec(pre.get('keys-manifest/team/api/key.yaml')!)).toMatch(
      /version: 2, state: pre-activation[\s\S]*version: 1, state: active/,
    );
    const promotion = preparePromotion(pre, 'team/api');
    const promoted = apply(pre, promotion);
    expect(promotion.files.map((f) => f.path)).toEqual(['keys-manifest/team/api/key.yaml']);
    const result = verifyTrees(pre, promoted, { now });
    expect(result.diagnostics).toEqual([]);
    expect(result.kind).toBe('promotion');
  });

  it('revocation destroys a deactivated version and deletes its material', async () => {
    const v1 = await onboarded();
    const v2 = apply(
      v1,
      await prepareRotation(
        v1,
        'team/api',
        { now, sopsConfig: config, prepublish: false },
        { codec },
      ),
    );
    const change = prepareRevocation(v2, 'team/api', 1);
    expect(change.files).toContainEqual({
      path: 'keys-manifest/team/api/v1.sops.yaml',
      content: null,
    });
    const revoked = apply(v2, change);
    const open = verifyTrees(v2, revoked, {
      now,
      gate: () => ({ open: true, reason: 'test: distributed' }),
    });
    expect(open.diagnostics).toEqual([]);
    expect(open.kind).toBe('revocation');
    // Without evidence the same change is refused (fail closed).
    expect(verifyTrees(v2, revoked, { now }).diagnostics.map((d) => d.rule)).toContain(
      'lifecycle/revocation-gate-unchecked',
    );
    expect(() => prepareRevocation(v2, 'team/api', 2)).toThrow(/only deactivated or compromised/);
    expect(() => prepareRevocation(v2, 'team/api', [])).toThrow(/no version/);
  });

  it('one revocation destroys several versions of a key in one change', async () => {
    const v1 = await onboarded();
    const v2 = apply(
      v1,
      await prepareRotation(
        v1,
        'team/api',
        { now, sopsConfig: config, prepublish: false },
        { codec },
      ),
    );
    const v3 = apply(
      v2,
      await prepareRotation(
        v2,
        'team/api',
        { now, sopsConfig: config, prepublish: false },
        { codec },
      ),
    );
    const change = prepareRevocation(v3, 'team/api', [1, 2]);
    expect(change.moves).toEqual([
      { version: 2, from: 'deactivated', to: 'destroyed' },
      { version: 1, from: 'deactivated', to: 'destroyed' },
    ]);
    expect(change.message).toMatch(/^rekey: revoke team\/api v2, v1\n/);
    const after = apply(v3, change);
    expect(
      [...after.keys()].filter((p) => p.startsWith('keys-manifest/') && p.endsWith('.sops.yaml')),
    ).toEqual(['keys-manifest/team/api/v3.sops.yaml']);
    const result = verifyTrees(v3, after, {
      now,
      gate: () => ({ open: true, reason: 'test: distributed' }),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.kind).toBe('revocation');
  });

  it('an emergency marks the active version compromised and adds a new active one', async () => {
    const v1 = await onboarded('ssh-ed25519');
    const change = await prepareEmergency(
      v1,
      'team/api',
      { now, sopsConfig: config, reason: 'laptop stolen\nRekey-Action: forged', compromised: true },
      { codec },
    );
    const after = apply(v1, change);
    const result = verifyTrees(v1, after, { now });
    expect(result.diagnostics).toEqual([]);
    expect(result.kind).toBe('emergency');
    expect(dec(after.get('keys-manifest/team/api/key.yaml')!)).toMatch(
      /version: 2, state: active[\s\S]*version: 1, state: compromised/,
    );
    // A newline in the reason cannot forge a trailer.
    expect(change.message.match(/^Rekey-Action:/gm)).toHaveLength(1);
    expect(change.message).toContain('Rekey-Reason: laptop stolen Rekey-Action: forged');
    await expect(
      prepareEmergency(
        v1,
        'team/api',
        { now, sopsConfig: config, reason: '  ', compromised: true },
        { codec },
      ),
    ).rejects.toThrow(/needs a reason/);
  });

  it('onboarding refuses an existing or nested key and an unknown policy, writing nothing', async () => {
    const v1 = await onboarded();
    const input = {
      id: 'team/api',
      type: 'random' as const,
      policy: 'standard',
      owner: '@a/b',
      description: 'x',
      options: { bytes: 32 },
      targets: [],
    };
    const opts = { now, sopsConfig: config };
    await expect(prepareNewKey(v1, input, opts, { codec })).rejects.toThrow(/already exists/);
    await expect(
      prepareNewKey(v1, { ...input, id: 'team/api/inner' }, opts, { codec }),
    ).rejects.toThrow(/would be inside the key team\/api/);
    await expect(prepareNewKey(v1, { ...input, id: 'team' }, opts, { codec })).rejects.toThrow(
      /already exists/,
    );
    await expect(
      prepareNewKey(v1, { ...input, id: 'other/key', policy: 'nope' }, opts, { codec }),
    ).rejects.toThrow(/policy nope does not exist/);
  });
});

describe('key.yaml of a new key', () => {
  it('quotes ids and values a YAML 1.1 reader would misread', async () => {
    const { renderKeyYaml } = await import('../../src/commands/new-key.ts');
    const text = renderKeyYaml({
      id: 'on',
      type: 'random',
      policy: 'standard',
      owner: '@acme/team',
      description: 'yes',
      options: { bytes: 32, encoding: 'hex' },
      targets: [{ kind: 'file', path: 'out/017', format: 'raw' }],
    });
    expect(text).toContain('id: "on"\n');
    expect(text).toContain('description: "yes"\n');
    expect(text).toContain('owner: "@acme/team"\n');
  });
});
