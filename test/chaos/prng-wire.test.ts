// The campaign's chance and its client-side faults: the PRNG is a pure function of its seed,
// forks are independent streams, and a dead process sends nothing more.
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/sandbox/chaos/prng.ts';
import { ProcessDeath, RunWire } from '../../src/sandbox/chaos/wire.ts';

const draws = (p: Prng, n: number) => Array.from({ length: n }, () => p.u32());

describe('Prng', () => {
  it('is a function of its seed', () => {
    expect(draws(new Prng(42), 8)).toEqual(draws(new Prng(42), 8));
    expect(draws(new Prng(42), 8)).not.toEqual(draws(new Prng(43), 8));
  });

  it('spreads over its range', () => {
    const p = new Prng(1);
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) buckets[p.int(4)]!++;
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });

  it('forks by label: one stream per label, the same for the same seed', () => {
    const a = new Prng(7).fork('world 3');
    const b = new Prng(7).fork('world 3');
    const c = new Prng(7).fork('world 4');
    expect(draws(a, 4)).toEqual(draws(b, 4));
    expect(draws(new Prng(7).fork('world 3'), 4)).not.toEqual(draws(c, 4));
  });
});

describe('RunWire', () => {
  it('dies before request dieAt and sends nothing after', async () => {
    const sent: string[] = [];
    const real = globalThis.fetch;
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0]) => {
      sent.push(String(input));
      return new Response('{}');
    }) as typeof fetch;
    try {
      const wire = new RunWire(new Prng(1), { rate: 0, dieAt: 2 });
      await wire.fetch('http://127.0.0.1/a');
      await wire.fetch('http://127.0.0.1/b');
      await expect(wire.fetch('http://127.0.0.1/c')).rejects.toBeInstanceOf(ProcessDeath);
      await expect(wire.fetch('http://127.0.0.1/d')).rejects.toBeInstanceOf(ProcessDeath);
      expect(sent).toEqual(['http://127.0.0.1/a', 'http://127.0.0.1/b']);
      expect(wire.dead).toBe(true);
      expect(wire.events).toEqual([{ kind: 'process-death', index: 2, detail: 'before GET' }]);
    } finally {
      globalThis.fetch = real;
    }
  });
});
