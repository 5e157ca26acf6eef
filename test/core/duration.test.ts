import { describe, expect, it } from 'vitest';
import { describeMs, durationMs } from '../../src/core/duration.ts';
import {
  formatDiagnostic,
  InvalidInputError,
  sortDiagnostics,
} from '../../src/core/diagnostics.ts';

describe('durationMs', () => {
  it.each([
    ['0d', 0],
    ['15m', 15 * 60_000],
    ['12h', 12 * 3_600_000],
    ['90d', 90 * 86_400_000],
    ['2w', 14 * 86_400_000],
  ])('%s', (text, ms) => expect(durationMs(text)).toBe(ms));

  it.each(['', '90', 'd', '1.5d', '-1d', '01d', '90D', '90 d', '1y', '1234567d'])(
    'rejects %j',
    (text) => expect(() => durationMs(text)).toThrow(RangeError),
  );
});

describe('describeMs', () => {
  it('uses the largest unit with one decimal', () => {
    expect(describeMs(83 * 86_400_000)).toBe('83 d');
    expect(describeMs(36 * 3_600_000)).toBe('1.5 d');
    expect(describeMs(90 * 60_000)).toBe('1.5 h');
    expect(describeMs(5 * 60_000)).toBe('5 min');
  });
});

describe('diagnostics', () => {
  const a = { rule: 'b/x', message: 'm', file: 'b.yaml', line: 2, column: 1 };
  const b = { rule: 'a/x', message: 'm', file: 'a.yaml', line: 9, column: 3 };
  const c = { rule: 'a/y', message: 'whole file', file: 'a.yaml', line: 0, column: 0 };
  it('sorts by file, line, column, rule', () => {
    expect(sortDiagnostics([a, b, c])).toEqual([c, b, a]);
  });
  it('formats like a compiler, file-level without a position', () => {
    expect(formatDiagnostic(b)).toBe('a.yaml:9:3: m [a/x]');
    expect(formatDiagnostic(c)).toBe('a.yaml: whole file [a/y]');
  });
  it('InvalidInputError carries every finding', () => {
    const e = new InvalidInputError([a, b]);
    expect(e.diagnostics).toHaveLength(2);
    expect(e.message).toContain('2 problems found');
  });
});
