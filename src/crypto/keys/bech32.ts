/**
 * Bech32 (BIP 173), as age uses it for `age1...` recipients and `AGE-SECRET-KEY-1...`
 * identities. Written here, rather than reached for inside age-encryption, for two reasons:
 * rekey validates stored identities strictly before handing them to age-encryption, and the
 * decoder age-encryption uses puts the input into its error messages, which for an identity
 * would print the secret. These functions throw fixed messages only.
 *
 * age does not apply BIP 173's 90-character limit, so neither do we.
 */
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
  }
  return chk >>> 0;
}

function expandPrefix(prefix: string): number[] {
  const out: number[] = [];
  for (const c of prefix) out.push(c.charCodeAt(0) >>> 5);
  out.push(0);
  for (const c of prefix) out.push(c.charCodeAt(0) & 31);
  return out;
}

function convertBits(data: Iterable<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (const value of data) {
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & max);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || ((acc << (to - bits)) & max) !== 0) {
    throw new Error('bech32: non-zero padding');
  }
  return out;
}

/** Lower-case bech32 of `bytes` under `prefix` (the human-readable part, lower case). */
export function bech32Encode(prefix: string, bytes: Uint8Array): string {
  const words = convertBits(bytes, 8, 5, true);
  const chk = polymod([...expandPrefix(prefix), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (chk >>> (5 * (5 - i))) & 31);
  return prefix + '1' + [...words, ...checksum].map((w) => CHARSET[w]).join('');
}

/**
 * Decodes a bech32 string that is entirely upper or entirely lower case. Returns the
 * lower-case prefix and the bytes; throws a fixed message (never the input) when the
 * string is not valid bech32.
 */
export function bech32Decode(text: string): { prefix: string; bytes: Uint8Array } {
  if (text !== text.toLowerCase() && text !== text.toUpperCase())
    throw new Error('bech32: mixed case');
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || s.length - sep - 1 < 6) throw new Error('bech32: no separator or too short');
  const prefix = s.slice(0, sep);
  for (const c of prefix) {
    const code = c.charCodeAt(0);
    if (code < 33 || code > 126) throw new Error('bech32: invalid prefix character');
  }
  const words: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const w = CHARSET.indexOf(c);
    if (w < 0) throw new Error('bech32: invalid character');
    words.push(w);
  }
  if (polymod([...expandPrefix(prefix), ...words]) !== 1) throw new Error('bech32: bad checksum');
  const bytes = Uint8Array.from(convertBits(words.slice(0, -6), 5, 8, false));
  return { prefix, bytes };
}
