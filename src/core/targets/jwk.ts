/**
 * Public JWKs (RFC 7517/8037) from the SubjectPublicKeyInfo PEM in a version's clear `public`
 * field. Only public members are ever produced (`x`, `y`, `n`, `e`): this module never sees a
 * private key. A small DER reader is enough for the three SPKI shapes rekey generates, and it
 * checks the algorithm OID rather than trusting the key type alone.
 */
import type { KeyType } from '../formats/key.ts';

export type PublicJwk =
  | { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; use: 'sig'; alg: 'EdDSA' }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; use: 'sig'; alg: 'ES256' }
  | { kty: 'RSA'; n: string; e: string; kid: string; use: 'sig' };

export const JWK_TYPES: readonly KeyType[] = ['ed25519', 'ecdsa-p256', 'rsa-3072', 'rsa-4096'];

const OID_ED25519 = '06032b6570';
const OID_EC_PUBLIC_KEY = '06072a8648ce3d0201';
const OID_P256 = '06082a8648ce3d030107';
const OID_RSA = '06092a864886f70d010101';

export class JwkError extends Error {
  override readonly name = 'JwkError';
}

interface Tlv {
  tag: number;
  /** The whole element, tag and length included. */
  whole: Uint8Array;
  content: Uint8Array;
  rest: Uint8Array;
}

function readTlv(der: Uint8Array): Tlv {
  const tag = der[0];
  let len = der[1];
  if (tag === undefined || len === undefined) throw new JwkError('truncated DER');
  let offset = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3) throw new JwkError('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[offset + i] ?? 0);
    offset += n;
  }
  if (offset + len > der.length) throw new JwkError('truncated DER');
  return {
    tag,
    whole: der.subarray(0, offset + len),
    content: der.subarray(offset, offset + len),
    rest: der.subarray(offset + len),
  };
}

function children(content: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let rest = content;
  for (let i = 0; rest.length > 0 && i < 16; i++) {
    const t = readTlv(rest);
    out.push(t);
    rest = t.rest;
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

function pemToDer(pem: string): Uint8Array {
  const m =
    /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/.exec(
      pem.trim() + '\n',
    );
  if (!m?.[1]) throw new JwkError('not a PUBLIC KEY PEM');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** An unsigned big-endian integer without the DER sign byte. */
function unsigned(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** The public JWK of an SPKI PEM of `type`, with `kid` set to the version's fingerprint. */
export function publicJwk(type: KeyType, spkiPem: string, kid: string): PublicJwk {
  const spki = readTlv(pemToDer(spkiPem));
  const [algorithm, bits] = children(spki.content);
  if (spki.tag !== 0x30 || algorithm?.tag !== 0x30 || bits?.tag !== 0x03 || bits.content[0] !== 0)
    throw new JwkError('not a SubjectPublicKeyInfo');
  const params = children(algorithm.content).map((c) => hex(c.whole));
  const key = bits.content.subarray(1);
  switch (type) {
    case 'ed25519':
      if (params[0] !== OID_ED25519 || key.length !== 32)
        throw new JwkError('not an Ed25519 public key');
      return { kty: 'OKP', crv: 'Ed25519', x: b64url(key), kid, use: 'sig', alg: 'EdDSA' };
    case 'ecdsa-p256':
      if (params[0] !== OID_EC_PUBLIC_KEY || params[1] !== OID_P256)
        throw new JwkError('not a P-256 public key');
      if (key.length !== 65 || key[0] !== 0x04)
        throw new JwkError('not an uncompressed P-256 point');
      return {
        kty: 'EC',
        crv: 'P-256',
        x: b64url(key.subarray(1, 33)),
        y: b64url(key.subarray(33)),
        kid,
        use: 'sig',
        alg: 'ES256',
      };
    case 'rsa-3072':
    case 'rsa-4096': {
      if (params[0] !== OID_RSA) throw new JwkError('not an RSA public key');
      const seq = readTlv(key);
      const [n, e] = children(seq.content);
      if (seq.tag !== 0x30 || n?.tag !== 0x02 || e?.tag !== 0x02)
        throw new JwkError('not an RSAPublicKey');
      return {
        kty: 'RSA',
        n: b64url(unsigned(n.content)),
        e: b64url(unsigned(e.content)),
        kid,
        use: 'sig',
      };
    }
    default:
      throw new JwkError(`${type} keys have no JWK form; jwks takes ${JWK_TYPES.join(', ')}`);
  }
}
