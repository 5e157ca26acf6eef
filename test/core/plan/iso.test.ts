// The planner's time formatter against Date's own: same text for every instant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iso, isoByDate } from '../../../src/core/plan/plan.ts';

const LAST = Date.UTC(10_000, 0, 1);

describe('iso', () => {
  it('writes what toISOString writes, to the second, for any instant', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: LAST + 10 }),
          fc.integer({ min: -1e15, max: 1e15 }),
          fc.double({ min: -1e14, max: 3e14, noNaN: true }),
        ),
        (ms) => iso(ms) === isoByDate(ms),
      ),
      { numRuns: 50_000 },
    );
  });

  it('at the edges: epoch, leap days, century years, the last second of 9999', () => {
    const edges = [
      '1970-01-01T00:00:00Z',
      '2000-02-29T23:59:59Z',
      '2100-03-01T00:00:00Z',
      '2024-12-31T23:59:59Z',
      '9999-12-31T23:59:59Z',
    ];
    for (const e of edges) expect(iso(Date.parse(e))).toBe(e);
    expect(iso(Date.parse('9999-12-31T23:59:59.999Z'))).toBe('9999-12-31T23:59:59Z');
    expect(iso(LAST)).toBe('+010000-01-01T00:00:00Z');
    expect(iso(-1)).toBe('1969-12-31T23:59:59Z');
    expect(() => iso(Number.NaN)).toThrow(RangeError);
  });
});
