import { beforeAll, describe, expect, it } from 'vitest';
import { FINGERPRINT_PATTERNS, KEY_TYPES, type KeyType } from '../../../src/core/formats/key.ts';
import {
  fingerprintOf,
  generateKey,
  KeyMaterialError,
  verifyMaterial,
  type GeneratedKey,
  type RandomOptions,
} from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';

const RANDOM: RandomOptions = { bytes: 32, encoding: 'base64' };
const optionsFor = (t: KeyType) => (t === 'random' ? RANDOM : undefined);

/** What `secret` and `public` look like per type (docs/key-types.md). */
const SHAPES: Record<KeyType, { secret: RegExp; public: RegExp | undefined }> = {
  random: { secret: /^[A-Za-z0-9+/]{43}=$/, public: undefined },
  ed25519: { secret: /^-----BEGIN PRIVATE KEY-----\n/, public: /^-----BEGIN PUBLIC KEY-----\n/ },
  'ecdsa-p256': {
    secret: /^-----BEGIN PRIVATE KEY-----\n/,
    public: /^-----BEGIN PUBLIC KEY-----\n/,
  },
  'rsa-3072': { secret: /^-----BEGIN PRIVATE KEY-----\n/, public: /^-----BEGIN PUBLIC KEY-----\n/ },
  'rsa-4096': { secret: /^-----BEGIN PRIVATE KEY-----\n/, public: /^-----BEGIN PUBLIC KEY-----\n/ },
  'ssh-ed25519': {
    secret: /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n$/,
    public: /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]{48} rekey$/,
  },
  'age-x25519': { secret: /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/, public: /^age1[a-z0-9]{58}$/ },
};

// Two keys of every type, generated once (RSA-4096 is the slow one: these are its only two).
const pairs = new Map<KeyType, [GeneratedKey, GeneratedKey]>();
beforeAll(async () => {
  await Promise.all(
    KEY_TYPES.map(async (t) => {
      const both = await Promise.all([
        generateKey(t, optionsFor(t)),
        generateKey(t, optionsFor(t)),
      ]);
      for (const k of both) canary.register(k.secret, t);
      pairs.set(t, both);
    }),
  );
}, 120_000);

describe.each(KEY_TYPES)('%s', (type) => {
  const [a, b] = [() => pairs.get(type)![0], () => pairs.get(type)![1]];

  it('generates the documented shapes and a fingerprint of the right form', () => {
    expect(a().secret).toMatch(SHAPES[type].secret);
    if (SHAPES[type].public === undefined) expect(a().public).toBeUndefined();
    else expect(a().public).toMatch(SHAPES[type].public!);
    expect(a().fingerprint).toMatch(FINGERPRINT_PATTERNS[type]);
  });

  it('two generations differ in secret, public and fingerprint', () => {
    expect(a().secret).not.toBe(b().secret);
    expect(a().fingerprint).not.toBe(b().fingerprint);
    if (a().public !== undefined) expect(a().public).not.toBe(b().public);
  });

  it('verifyMaterial passes for the pair and returns the fingerprint', async () => {
    expect(await verifyMaterial(type, a(), optionsFor(type))).toEqual({
      ok: true,
      fingerprint: a().fingerprint,
    });
  });

  it('fingerprintOf recomputes the fingerprint from stored material', async () => {
    expect(await fingerprintOf(type, a(), optionsFor(type))).toBe(a().fingerprint);
    // From the secret alone, the same fingerprint (the public part is derived).
    expect(await fingerprintOf(type, { secret: a().secret }, optionsFor(type))).toBe(
      a().fingerprint,
    );
  });

  it('neither the public part nor the fingerprint carries the secret', () => {
    canary.scan({ public: a().public ?? '', fingerprint: a().fingerprint });
  });
});

describe.each(KEY_TYPES.filter((t) => t !== 'random'))('%s pairs', (type) => {
  it('verifyMaterial rejects a mismatched pair', async () => {
    const [a, b] = pairs.get(type)!;
    const result = await verifyMaterial(type, { secret: a.secret, public: b.public });
    expect(result).toMatchObject({ ok: false, problem: 'mismatch' });
    if (!result.ok) canary.assertAbsent(result.message, 'verifyMaterial message');
  });
});

describe('random keys', () => {
  it.each([
    [16, 'hex', /^[0-9a-f]{32}$/],
    [32, 'base64url', /^[A-Za-z0-9_-]{43}$/],
    [64, 'base64', /^[A-Za-z0-9+/]{86}==$/],
    [1024, 'hex', /^[0-9a-f]{2048}$/],
  ] as const)('%i bytes as %s', async (bytes, encoding, shape) => {
    const k = await generateKey('random', { bytes, encoding });
    expect(k.secret).toMatch(shape);
    expect(k.fingerprint).toMatch(FINGERPRINT_PATTERNS.random);
    expect(await verifyMaterial('random', k, { bytes, encoding })).toEqual({
      ok: true,
      fingerprint: k.fingerprint,
    });
  });

  it('verifyMaterial rejects a random key of another length', async () => {
    const result = await verifyMaterial('random', pairs.get('random')![0], {
      bytes: 48,
      encoding: 'base64',
    });
    expect(result).toMatchObject({ ok: false, problem: 'secret-malformed' });
  });

  it('the kcv is over the decoded bytes: the same key in two encodings has one kcv', async () => {
    const k = await generateKey('random', { bytes: 32, encoding: 'hex' });
    const asBase64 = Buffer.from(k.secret, 'hex').toString('base64');
    expect(await fingerprintOf('random', { secret: asBase64 }, RANDOM)).toBe(k.fingerprint);
  });

  it.each([
    ['missing', undefined],
    ['too few bytes', { bytes: 15, encoding: 'hex' }],
    ['too many bytes', { bytes: 1025, encoding: 'hex' }],
    ['an unknown encoding', { bytes: 32, encoding: 'base32' }],
  ])('refuses options: %s', async (_, options) => {
    await expect(generateKey('random', options as RandomOptions)).rejects.toMatchObject({
      problem: 'options-invalid',
    });
  });
});

describe('generateKey options', () => {
  it('refuses random options for other types, as key.yaml does', async () => {
    await expect(generateKey('ed25519', RANDOM)).rejects.toBeInstanceOf(KeyMaterialError);
  });

  it('writes the ssh comment into both the public line and the private key', async () => {
    const k = await generateKey('ssh-ed25519', undefined, { comment: 'deploy@acme api' });
    expect(k.public).toMatch(/ deploy@acme api$/);
    canary.register(k.secret);
    expect(await verifyMaterial('ssh-ed25519', k)).toMatchObject({ ok: true });
  });

  it.each(['', 'two\nlines', ' leading', 'x'.repeat(101), 'tab\there'])(
    'refuses the ssh comment %j',
    async (comment) => {
      await expect(generateKey('ssh-ed25519', undefined, { comment })).rejects.toMatchObject({
        problem: 'options-invalid',
      });
    },
  );
});
