import type { KeyType } from '../../core/formats/key.ts';
import { ageRecipientOf, checkRecipient } from './age.ts';
import { KeyMaterialError, type MaterialProblem } from './errors.ts';
import { parseOpenSshPrivateKey, parseSshPublicLine, sshFingerprint } from './openssh.ts';
import { pkixPublicDer, pkixPublicFromSecret, spkiFingerprint } from './pkix.ts';
import { checkRandomOptions, kcv, randomSecretBytes, type RandomOptions } from './random.ts';

/** Decrypted material: the `secret` and `public` fields of a `v<N>.sops.yaml`. */
export interface KeyMaterial {
  readonly secret: string;
  readonly public?: string | undefined;
}

/**
 * The fingerprint key.yaml records for this material, computed from the public part when
 * the type has one (and the material carries it), otherwise from the secret:
 *
 * - ed25519, ecdsa-p256, rsa-*: `sha256:` + hex SHA-256 of the SubjectPublicKeyInfo DER;
 * - ssh-ed25519: `SHA256:` + unpadded base64, exactly as `ssh-keygen -l` prints;
 * - age-x25519: the `age1...` recipient;
 * - random: `kcv:` + 16 hex of HMAC-SHA256(key = decoded secret bytes, "rekey key check value").
 *
 * `options` (key.yaml's) is required for random keys: hex and base64 overlap, so the
 * encoding cannot be guessed. This does not check that secret and public belong together;
 * `verifyMaterial` does. Throws `KeyMaterialError`, whose messages never quote material.
 */
export async function fingerprintOf(
  type: KeyType,
  material: KeyMaterial,
  options?: RandomOptions,
): Promise<string> {
  const pub = material.public;
  switch (type) {
    case 'random': {
      if (pub !== undefined) throw publicUnexpected();
      return kcv(randomSecretBytes(material.secret, checkRandomOptions(options)));
    }
    case 'ed25519':
    case 'ecdsa-p256':
    case 'rsa-3072':
    case 'rsa-4096':
      return spkiFingerprint(
        pub !== undefined ? pkixPublicDer(type, pub) : pkixPublicFromSecret(type, material.secret),
      );
    case 'ssh-ed25519':
      return sshFingerprint(
        pub !== undefined
          ? parseSshPublicLine(pub).publicKey
          : parseOpenSshPrivateKey(material.secret).publicKey,
      );
    case 'age-x25519':
      return pub !== undefined ? checkRecipient(pub) : ageRecipientOf(material.secret);
  }
}

export type MaterialCheck =
  | { readonly ok: true; readonly fingerprint: string }
  | { readonly ok: false; readonly problem: MaterialProblem; readonly message: string };

/**
 * Checks that material is well formed for `type` and that its public part is the one its
 * private part derives (the public key is recomputed from the private key and compared, so
 * a swapped `public` field cannot pass). On success returns the fingerprint, for the caller
 * to compare with key.yaml. Never throws for bad material and never quotes it.
 */
export async function verifyMaterial(
  type: KeyType,
  material: KeyMaterial,
  options?: RandomOptions,
): Promise<MaterialCheck> {
  try {
    return { ok: true, fingerprint: await check(type, material, options) };
  } catch (e) {
    if (e instanceof KeyMaterialError) return { ok: false, problem: e.problem, message: e.message };
    throw e;
  }
}

async function check(type: KeyType, m: KeyMaterial, options?: RandomOptions): Promise<string> {
  if (type === 'random') return fingerprintOf(type, m, options);
  if (options !== undefined)
    throw new KeyMaterialError('options-invalid', `options apply to random keys only, not ${type}`);
  if (m.public === undefined)
    throw new KeyMaterialError('public-missing', `${type} material needs its public part`);
  const pub = m.public;
  switch (type) {
    case 'ed25519':
    case 'ecdsa-p256':
    case 'rsa-3072':
    case 'rsa-4096': {
      const derived = pkixPublicFromSecret(type, m.secret);
      const stated = pkixPublicDer(type, pub);
      if (!derived.equals(stated)) throw mismatch(type);
      return spkiFingerprint(stated);
    }
    case 'ssh-ed25519': {
      const derived = parseOpenSshPrivateKey(m.secret).publicKey;
      const stated = parseSshPublicLine(pub).publicKey;
      if (!Buffer.from(derived).equals(stated)) throw mismatch(type);
      return sshFingerprint(stated);
    }
    case 'age-x25519': {
      const derived = await ageRecipientOf(m.secret);
      if (derived !== checkRecipient(pub)) throw mismatch(type);
      return derived;
    }
  }
}

const publicUnexpected = () =>
  new KeyMaterialError('public-unexpected', 'random keys have no public part');

const mismatch = (type: KeyType) =>
  new KeyMaterialError(
    'mismatch',
    `the public part is not the public key of the secret (${type}): they belong to different keys`,
  );
