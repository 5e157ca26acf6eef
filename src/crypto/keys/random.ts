import { createHmac, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { randomOptions } from '../../core/formats/key.ts';
import { KeyMaterialError } from './errors.ts';

/** `options` of a random key in key.yaml: `{ bytes: 16..1024, encoding }`. */
export type RandomOptions = z.output<typeof randomOptions>;
export type RandomEncoding = RandomOptions['encoding'];

/**
 * The message of the key check value. A KCV proves two parties hold the same key without
 * revealing it: an HMAC keyed by the secret bytes over a fixed, public string, truncated to
 * 64 bits, which is enough to tell versions apart and far too little to help an attacker.
 */
export const KCV_MESSAGE = 'rekey key check value';

/** Validates random-key options; throws `options-invalid` with the reason, never a value. */
export function checkRandomOptions(options: unknown): RandomOptions {
  const parsed = randomOptions.safeParse(options);
  if (!parsed.success)
    throw new KeyMaterialError(
      'options-invalid',
      'random keys need options { bytes: 16..1024, encoding: base64 | base64url | hex }',
    );
  return parsed.data;
}

export function encodeRandom(bytes: Uint8Array, encoding: RandomEncoding): string {
  // base64 keeps its padding (RFC 4648 section 4); base64url is unpadded (section 5, as JOSE
  // and URLs use it); hex is lower case. Decoding below accepts exactly these forms.
  return Buffer.from(bytes).toString(encoding);
}

/**
 * Strict inverse of `encodeRandom`: Node's decoder silently skips characters it does not
 * know, so the result is re-encoded and must reproduce the input exactly. This rejects
 * whitespace, missing or extra padding, the other base64 alphabet and upper-case hex.
 */
export function decodeRandom(text: string, encoding: RandomEncoding): Uint8Array | undefined {
  if (text.length === 0) return undefined;
  const bytes = Buffer.from(text, encoding);
  return bytes.toString(encoding) === text ? new Uint8Array(bytes) : undefined;
}

export function generateRandom(options: RandomOptions): string {
  return encodeRandom(randomBytes(options.bytes), options.encoding);
}

/** `kcv:` + the first 16 hex digits of HMAC-SHA256(key = secret bytes, KCV_MESSAGE). */
export function kcv(secretBytes: Uint8Array): string {
  const mac = createHmac('sha256', secretBytes).update(KCV_MESSAGE, 'utf8').digest('hex');
  return `kcv:${mac.slice(0, 16)}`;
}

/** Decodes a stored random secret; `secret-malformed` when it is not `options` shaped. */
export function randomSecretBytes(secret: string, options: RandomOptions): Uint8Array {
  const bytes = decodeRandom(secret, options.encoding);
  if (bytes === undefined)
    throw new KeyMaterialError(
      'secret-malformed',
      `the secret is not canonical ${options.encoding} (as rekey writes it)`,
    );
  if (bytes.length !== options.bytes)
    throw new KeyMaterialError(
      'secret-malformed',
      `the secret decodes to a different length than options.bytes (${options.bytes})`,
    );
  return bytes;
}
