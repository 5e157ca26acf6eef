/**
 * Shamir secret sharing over GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1 (0x11B), laid
 * out as sops's shamir package does (reference §7): each share is the y-values for every
 * secret byte followed by its x-coordinate (group index + 1) as the LAST byte; the secret is
 * the interpolated polynomial at x = 0.
 */
import { randomBytes } from 'node:crypto';

/** Multiplication in GF(2^8) mod 0x11B (exported for its known-answer test). */
export function mul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return p;
}

/** a^254 = a^-1 in GF(2^8); a must not be 0. */
function inv(a: number): number {
  let r = 1;
  let base = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) r = mul(r, base);
    base = mul(base, base);
  }
  return r;
}

/** Splits `secret` into `parts` shares, any `threshold` of which recover it (2 <= t <= n <= 255). */
export function split(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  if (threshold < 2 || threshold > parts || parts > 255 || secret.length === 0)
    throw new RangeError('Shamir needs 2 <= threshold <= parts <= 255 and a non-empty secret');
  const out = Array.from({ length: parts }, (_, i) => {
    const s = new Uint8Array(secret.length + 1);
    s[secret.length] = i + 1;
    return s;
  });
  secret.forEach((byte, idx) => {
    const coeffs = [byte, ...randomBytes(threshold - 1)];
    out.forEach((share, i) => {
      const x = i + 1;
      // Horner's rule, highest coefficient first.
      let y = 0;
      for (let c = coeffs.length - 1; c >= 0; c--) y = mul(y, x) ^ (coeffs[c] as number);
      share[idx] = y;
    });
  });
  return out;
}

/** Recombines shares (each ending with its x-coordinate); throws on duplicates or bad sizes. */
export function combine(shares: readonly Uint8Array[]): Uint8Array {
  const len = shares[0]?.length ?? 0;
  if (shares.length < 2 || len < 2 || shares.some((s) => s.length !== len))
    throw new RangeError('Shamir needs at least two shares of equal length');
  const xs = shares.map((s) => s[len - 1] as number);
  if (new Set(xs).size !== xs.length || xs.includes(0))
    throw new RangeError('duplicate Shamir share');
  const secret = new Uint8Array(len - 1);
  for (let idx = 0; idx < len - 1; idx++) {
    let acc = 0;
    shares.forEach((s, i) => {
      const xi = xs[i] as number;
      let basis = 1;
      xs.forEach((xj, j) => {
        if (j !== i) basis = mul(basis, mul(xj, inv(xi ^ xj)));
      });
      acc ^= mul(s[idx] as number, basis);
    });
    secret[idx] = acc;
  }
  return secret;
}
