/**
 * The `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` value string (reference §2): AES-256-GCM
 * under the file's data key, a 32-byte IV (any length is accepted on decrypt, as Go does),
 * the 16-byte tag split off, standard padded base64, AAD = the key path.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

export interface EncValue {
  readonly data: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly type: string;
}

export const IV_BYTES = 32;
const TAG_BYTES = 16;
// Anchored at the start only and greedy, like sops's regex; base64 has no commas.
const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

export const isEncString = (s: string): boolean => s.startsWith('ENC[');

/** Parses an ENC string; undefined when it is not one (the caller reports where). */
export function parseEnc(s: string): EncValue | undefined {
  const m = ENC_RE.exec(s);
  if (!m) return undefined;
  const [, data = '', iv = '', tag = '', type = ''] = m;
  if (![data, iv, tag].every(isPaddedBase64)) return undefined;
  const out = {
    data: Buffer.from(data, 'base64'),
    iv: Buffer.from(iv, 'base64'),
    tag: Buffer.from(tag, 'base64'),
    type,
  };
  return out.iv.length > 0 && out.tag.length === TAG_BYTES ? out : undefined;
}

/**
 * Standard padded base64, as Go's `base64.StdEncoding` accepts it. One character class
 * repeated (which V8 matches in a loop without a backtracking stack, so a multi-megabyte value
 * is fine), not a repeated group (which overflowed the stack: "Maximum call stack size
 * exceeded"; sops itself has no size limit on a value).
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
export function isPaddedBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64.test(s);
}

export function formatEnc(v: EncValue): string {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return `ENC[AES256_GCM,data:${b64(v.data)},iv:${b64(v.iv)},tag:${b64(v.tag)},type:${v.type}]`;
}

/** Encrypts with a given IV. Callers pass a fresh random IV, or a stored one only to re-check. */
export function sealWithIv(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: string,
  type: string,
): string {
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  c.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([c.update(plaintext), c.final()]);
  return formatEnc({ data, iv, tag: c.getAuthTag(), type });
}

/**
 * Fresh random IVs, cut from a block of CSPRNG output (one `randomFillSync` per 128 IVs
 * rather than one per value). Every IV is its own range of a block that is never written
 * again (a full block is replaced by a new one, not refilled), so no two values share IV
 * bytes and an IV handed out never changes. Only IVs come from here; data keys do not.
 */
const IV_BLOCK = IV_BYTES * 128;
let ivBlock = new Uint8Array(0);
let ivNext = IV_BLOCK;
export function freshIv(): Uint8Array {
  if (ivNext + IV_BYTES > ivBlock.length) {
    ivBlock = randomFillSync(new Uint8Array(IV_BLOCK));
    ivNext = 0;
  }
  const iv = ivBlock.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
}

/** Encrypts with a fresh random 32-byte IV, as sops does. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string, type: string): string {
  return sealWithIv(key, freshIv(), plaintext, aad, type);
}

/** Decrypts and authenticates; undefined when authentication fails (wrong key, AAD or bytes). */
export function open(key: Uint8Array, v: EncValue, aad: string): Uint8Array | undefined {
  try {
    const d = createDecipheriv('aes-256-gcm', key, v.iv, { authTagLength: TAG_BYTES });
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(v.tag);
    return Buffer.concat([d.update(v.data), d.final()]);
  } catch {
    return undefined;
  }
}
