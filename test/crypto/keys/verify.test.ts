import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyType } from '../../../src/core/formats/key.ts';
import {
  fingerprintOf,
  generateKey,
  KeyMaterialError,
  verifyMaterial,
  type GeneratedKey,
  type KeyMaterial,
  type MaterialProblem,
  type RandomOptions,
} from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';

const keys = new Map<KeyType, GeneratedKey>();
beforeAll(async () => {
  for (const t of ['ed25519', 'ecdsa-p256', 'rsa-3072', 'ssh-ed25519', 'age-x25519'] as const) {
    const k = await generateKey(t);
    canary.register(k.secret, t);
    keys.set(t, k);
  }
  // Comment "abc" leaves the private section 2 bytes short of a block: padding 01 02.
  padded = await generateKey('ssh-ed25519', undefined, { comment: 'abc' });
  canary.register(padded.secret, 'ssh-ed25519 abc');
  const small = generateKeyPairSync('rsa', {
    modulusLength: 3072,
    publicExponent: 3,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  e3 = { secret: small.privateKey, public: small.publicKey };
  canary.register(e3.secret, 'rsa e=3');
});
let padded: GeneratedKey;
let e3: KeyMaterial;
const k = (t: KeyType) => keys.get(t)!;

/** Edits the openssh-key-v1 blob of an OpenSSH private key and re-armors it. */
function patchOpenSsh(secret: string, edit: (blob: Buffer) => Buffer): string {
  const body = secret.split('\n').slice(1, -2).join('');
  const blob = edit(Buffer.from(body, 'base64'));
  const lines = blob.toString('base64').match(/.{1,70}/g)!;
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
const flip = (offset: number) => (blob: Buffer) => {
  const b = Buffer.from(blob);
  const i = offset < 0 ? b.length + offset : offset;
  b[i] = b[i]! ^ 0x01;
  return b;
};
// Offsets in an unencrypted one-key ed25519 file: magic (15), "none" (8), "none" (8),
// empty kdf options (4), key count (4), public blob (4 + 51), private section length (4).
const CHECK_INTS = 98;
const SEED = CHECK_INTS + 8 + 15 + 36 + 4;

type Case = {
  name: string;
  type: KeyType;
  material: () => KeyMaterial;
  problem: MaterialProblem;
  options?: RandomOptions;
};

const cases: Case[] = [
  {
    name: 'a PKCS#1 RSA key (not PKCS#8)',
    type: 'rsa-3072',
    problem: 'secret-malformed',
    material: () => ({
      secret: createPrivateKey(k('rsa-3072').secret)
        .export({ type: 'pkcs1', format: 'pem' })
        .toString(),
      public: k('rsa-3072').public,
    }),
  },
  {
    name: 'an encrypted PKCS#8 key',
    type: 'ed25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: createPrivateKey(k('ed25519').secret)
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
        .toString(),
      public: k('ed25519').public,
    }),
  },
  {
    name: 'CRLF line endings',
    type: 'ecdsa-p256',
    problem: 'secret-malformed',
    material: () => ({
      secret: k('ecdsa-p256').secret.replaceAll('\n', '\r\n'),
      public: k('ecdsa-p256').public,
    }),
  },
  {
    name: 'an ed25519 key stored as ecdsa-p256',
    type: 'ecdsa-p256',
    problem: 'secret-malformed',
    material: () => ({ secret: k('ed25519').secret, public: k('ed25519').public }),
  },
  {
    name: 'an rsa-3072 key stored as rsa-4096',
    type: 'rsa-4096',
    problem: 'secret-malformed',
    material: () => ({ secret: k('rsa-3072').secret, public: k('rsa-3072').public }),
  },
  {
    name: 'an RSA key with public exponent 3',
    type: 'rsa-3072',
    problem: 'secret-malformed',
    material: () => e3,
  },
  {
    name: 'the private key in the public field',
    type: 'ed25519',
    problem: 'public-malformed',
    material: () => ({ secret: k('ed25519').secret, public: k('ed25519').secret }),
  },
  {
    name: 'a public key of another algorithm',
    type: 'ed25519',
    problem: 'public-malformed',
    material: () => ({ secret: k('ed25519').secret, public: k('ecdsa-p256').public }),
  },
  {
    name: 'text after the public PEM',
    type: 'ed25519',
    problem: 'public-malformed',
    material: () => ({ secret: k('ed25519').secret, public: `${k('ed25519').public}extra\n` }),
  },
  {
    name: 'no public part',
    type: 'rsa-3072',
    problem: 'public-missing',
    material: () => ({ secret: k('rsa-3072').secret }),
  },
  {
    name: 'OpenSSH check ints that differ',
    type: 'ssh-ed25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: patchOpenSsh(k('ssh-ed25519').secret, flip(CHECK_INTS + 7)),
      public: k('ssh-ed25519').public,
    }),
  },
  {
    name: 'an OpenSSH seed that does not derive the stored public key',
    type: 'ssh-ed25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: patchOpenSsh(k('ssh-ed25519').secret, flip(SEED)),
      public: k('ssh-ed25519').public,
    }),
  },
  {
    name: 'wrong OpenSSH padding',
    type: 'ssh-ed25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: patchOpenSsh(padded.secret, flip(-1)),
      public: padded.public,
    }),
  },
  {
    name: 'an encrypted OpenSSH key (cipher aes256-ctr)',
    type: 'ssh-ed25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: patchOpenSsh(k('ssh-ed25519').secret, (b) =>
        Buffer.concat([
          b.subarray(0, 15),
          Buffer.from('\0\0\0\x0aaes256-ctr', 'latin1'),
          b.subarray(23),
        ]),
      ),
      public: k('ssh-ed25519').public,
    }),
  },
  {
    name: 'a PKCS#8 key stored as ssh-ed25519',
    type: 'ssh-ed25519',
    problem: 'secret-malformed',
    material: () => ({ secret: k('ed25519').secret, public: k('ssh-ed25519').public }),
  },
  {
    name: 'an ssh public line of another type',
    type: 'ssh-ed25519',
    problem: 'public-malformed',
    material: () => ({
      secret: k('ssh-ed25519').secret,
      public: k('ssh-ed25519').public!.replace(/^ssh-ed25519/, 'ssh-rsa'),
    }),
  },
  {
    name: 'an age identity with a bad checksum',
    type: 'age-x25519',
    problem: 'secret-malformed',
    material: () => {
      const s = k('age-x25519').secret;
      return {
        secret: s.slice(0, -1) + (s.endsWith('Q') ? 'P' : 'Q'),
        public: k('age-x25519').public,
      };
    },
  },
  {
    name: 'a lower-case age identity',
    type: 'age-x25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: k('age-x25519').secret.toLowerCase(),
      public: k('age-x25519').public,
    }),
  },
  {
    name: 'a post-quantum age identity',
    type: 'age-x25519',
    problem: 'secret-malformed',
    material: () => ({
      secret: k('age-x25519').secret.replace('AGE-SECRET-KEY-1', 'AGE-SECRET-KEY-PQ-1'),
      public: k('age-x25519').public,
    }),
  },
  {
    name: 'a recipient with a bad checksum',
    type: 'age-x25519',
    problem: 'public-malformed',
    material: () => {
      const p = k('age-x25519').public!;
      return {
        secret: k('age-x25519').secret,
        public: p.slice(0, -1) + (p.endsWith('q') ? 'p' : 'q'),
      };
    },
  },
  {
    name: 'a random key with a public part',
    type: 'random',
    problem: 'public-unexpected',
    options: { bytes: 16, encoding: 'hex' },
    material: () => ({ secret: '00112233445566778899aabbccddeeff', public: 'x' }),
  },
  {
    name: 'upper-case hex',
    type: 'random',
    problem: 'secret-malformed',
    options: { bytes: 16, encoding: 'hex' },
    material: () => ({ secret: '00112233445566778899AABBCCDDEEFF' }),
  },
  {
    name: 'base64 without its padding',
    type: 'random',
    problem: 'secret-malformed',
    options: { bytes: 16, encoding: 'base64' },
    material: () => ({ secret: 'ABEiM0RVZneImaq7zN3u/w' }),
  },
  {
    name: 'base64url characters in base64',
    type: 'random',
    problem: 'secret-malformed',
    options: { bytes: 16, encoding: 'base64' },
    material: () => ({ secret: 'ABEiM0RVZneImaq7zN3u_w==' }),
  },
  {
    name: 'a trailing newline',
    type: 'random',
    problem: 'secret-malformed',
    options: { bytes: 16, encoding: 'hex' },
    material: () => ({ secret: '00112233445566778899aabbccddeeff\n' }),
  },
  {
    name: 'no options for a random key',
    type: 'random',
    problem: 'options-invalid',
    material: () => ({ secret: '00112233445566778899aabbccddeeff' }),
  },
  {
    name: 'random options for an asymmetric key',
    type: 'ed25519',
    problem: 'options-invalid',
    options: { bytes: 16, encoding: 'hex' },
    material: () => k('ed25519'),
  },
];

describe('verifyMaterial rejects', () => {
  it.each(cases)('$name ($type): $problem', async ({ type, material, problem, options }) => {
    const m = material();
    const result = await verifyMaterial(type, m, options);
    expect(result).toMatchObject({ ok: false, problem });
    if (!result.ok) canary.assertAbsent(result.message, `verifyMaterial message (${problem})`);
  });
});

it('the unpatched keys the cases start from are valid', async () => {
  expect(await verifyMaterial('ssh-ed25519', padded)).toMatchObject({ ok: true });
  expect(await verifyMaterial('ssh-ed25519', k('ssh-ed25519'))).toMatchObject({ ok: true });
});

describe('fingerprintOf', () => {
  it('throws a typed error for malformed material, never quoting it', async () => {
    const id = k('age-x25519').secret;
    const s = id.slice(0, -1) + (id.endsWith('Z') ? 'Q' : 'Z'); // one changed character
    const error = await fingerprintOf('age-x25519', { secret: s }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyMaterialError);
    expect(error).toMatchObject({ problem: 'secret-malformed' });
    canary.assertAbsent(String((error as Error).message), 'fingerprintOf error');
    canary.assertAbsent(String((error as Error).stack), 'fingerprintOf stack');
  });

  it('takes the public part when there is one: it does not prove the pair', async () => {
    // Pairing is verifyMaterial's job; fingerprintOf reports what key.yaml would record.
    const crossed = { secret: k('ed25519').secret, public: (await generateKey('ed25519')).public };
    expect(await fingerprintOf('ed25519', crossed)).not.toBe(k('ed25519').fingerprint);
  });
});
