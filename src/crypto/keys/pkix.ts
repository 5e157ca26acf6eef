import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
} from 'node:crypto';
import { KeyMaterialError } from './errors.ts';

/** The key types stored as PKCS#8 (secret) and SubjectPublicKeyInfo (public) PEM. */
export type PkixKeyType = 'ed25519' | 'ecdsa-p256' | 'rsa-3072' | 'rsa-4096';

type Pem = { secret: string; public: string };
const settle =
  (resolve: (p: Pem) => void, reject: (e: Error) => void) =>
  (err: Error | null, publicKey: string, privateKey: string) =>
    err ? reject(err) : resolve({ secret: privateKey, public: publicKey });

/** Generates off the main thread (RSA-4096 takes seconds); returns PKCS#8 and SPKI PEM. */
export function generatePkix(type: PkixKeyType): Promise<Pem> {
  const encoding = {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  } as const;
  return new Promise((resolve, reject) => {
    switch (type) {
      case 'ed25519':
        return generateKeyPair('ed25519', encoding, settle(resolve, reject));
      case 'ecdsa-p256':
        return generateKeyPair(
          'ec',
          { namedCurve: 'prime256v1', ...encoding },
          settle(resolve, reject),
        );
      case 'rsa-3072':
      case 'rsa-4096':
        return generateKeyPair(
          'rsa',
          {
            modulusLength: type === 'rsa-3072' ? 3072 : 4096,
            publicExponent: 0x10001,
            ...encoding,
          },
          settle(resolve, reject),
        );
    }
  });
}

/**
 * One PEM block with exactly this label and nothing around it but an optional final
 * newline. Checked before node:crypto sees the text, because createPublicKey also accepts a
 * *private* key and would quietly derive a public one from it: a `public` field holding a
 * private key must be an error, not a match.
 */
function isPem(text: string, label: 'PRIVATE KEY' | 'PUBLIC KEY'): boolean {
  const b64 = '[A-Za-z0-9+/]';
  const lastLine = `(?:${b64}{4}){0,15}(?:${b64}{4}|${b64}{3}=|${b64}{2}==)`;
  const re = new RegExp(
    `^-----BEGIN ${label}-----\\n(?:${b64}{64}\\n)*${lastLine}\\n-----END ${label}-----\\n?$`,
  );
  return re.test(text);
}

/** Whether a parsed key is of `type` (algorithm, curve, modulus size). */
function matchesType(key: KeyObject, type: PkixKeyType): boolean {
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'ed25519':
      return key.asymmetricKeyType === 'ed25519';
    case 'ecdsa-p256':
      return key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1';
    // e = 65537 as everything generates it; a small exponent (3) invites padding attacks.
    case 'rsa-3072':
      return (
        key.asymmetricKeyType === 'rsa' &&
        details.modulusLength === 3072 &&
        details.publicExponent === 65537n
      );
    case 'rsa-4096':
      return (
        key.asymmetricKeyType === 'rsa' &&
        details.modulusLength === 4096 &&
        details.publicExponent === 65537n
      );
  }
}

/** The SubjectPublicKeyInfo DER of the key in a PKCS#8 PEM `secret`. */
export function pkixPublicFromSecret(type: PkixKeyType, secret: string): Buffer {
  let key: KeyObject | undefined;
  if (isPem(secret, 'PRIVATE KEY')) {
    try {
      key = createPrivateKey({ key: secret, format: 'pem' });
    } catch {
      // OpenSSL's reason is dropped on purpose: it can carry decoder context, and the
      // fixed message below says what was expected.
    }
  }
  if (key === undefined || !matchesType(key, type))
    throw new KeyMaterialError(
      'secret-malformed',
      `the secret is not an unencrypted PKCS#8 PEM ${type} private key (-----BEGIN PRIVATE KEY-----)`,
    );
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/**
 * The canonical SubjectPublicKeyInfo DER of a `public` PEM. Re-exported rather than
 * base64-decoded, so a P-256 point written compressed and the same point uncompressed give
 * one fingerprint (node:crypto and `openssl pkey -pubout` write uncompressed).
 */
export function pkixPublicDer(type: PkixKeyType, pub: string): Buffer {
  let key: KeyObject | undefined;
  if (isPem(pub, 'PUBLIC KEY')) {
    try {
      key = createPublicKey({ key: pub, format: 'pem' });
    } catch {
      // see pkixPublicFromSecret
    }
  }
  if (key === undefined || !matchesType(key, type))
    throw new KeyMaterialError(
      'public-malformed',
      `the public part is not a SubjectPublicKeyInfo PEM ${type} public key (-----BEGIN PUBLIC KEY-----)`,
    );
  return key.export({ type: 'spki', format: 'der' });
}

/** `sha256:` + hex SHA-256 of SubjectPublicKeyInfo DER (= `openssl pkey -pubout -outform DER | sha256sum`). */
export function spkiFingerprint(spkiDer: Uint8Array): string {
  return `sha256:${createHash('sha256').update(spkiDer).digest('hex')}`;
}
