/**
 * The campaign's only source of chance: xoshiro128** (Blackman and Vigna), seeded through
 * splitmix32, in a few lines so that a seed means the same history on every machine and
 * every Node version. `fork` derives an independent stream (one per run), so what one run
 * draws never shifts what another run sees.
 */
export class Prng {
  readonly #s: Uint32Array;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s = new Uint32Array([next(), next(), next(), next()]);
  }

  /** A uniform 32-bit integer. */
  u32(): number {
    const s = this.#s;
    const [a = 0, b = 0, c0 = 0, d0 = 0] = s;
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    const c = (c0 ^ a) >>> 0;
    const d = (d0 ^ b) >>> 0;
    s[1] = b ^ c;
    s[0] = a ^ d;
    s[2] = c ^ t;
    s[3] = rotl(d, 11);
    return result;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4_294_967_296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** An independent stream for `label` (a run, a step), stable under the parent's later draws. */
  fork(label: string): Prng {
    let h = this.u32();
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Prng(h);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
