import { describe, expect, it } from 'vitest';
import { combine, mul, split } from '../../../src/crypto/sops/shamir.ts';
import {
  canonicalTime,
  goFormatFloat,
  parseTyped,
  resolvePlain,
  scalarText,
} from '../../../src/crypto/sops/values.ts';
import { macAad } from '../../../src/crypto/sops/metadata.ts';

describe('goFormatFloat = strconv.FormatFloat(v, f, -1, 64)', () => {
  it.each([
    [1.234568e9, '1234568000'],
    [25.4, '25.4'],
    [5, '5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-0.001, '-0.001'],
    [123456789.125, '123456789.125'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-0, '-0'],
    [Infinity, '+Inf'],
    [NaN, 'NaN'],
  ])('%s -> %s', (v, text) => {
    expect(goFormatFloat(v)).toBe(text);
  });
});

describe('resolvePlain follows go-yaml v3, not YAML 1.2 core', () => {
  it.each([
    ['0777', { t: 'int', v: 511n }],
    ['0o17', { t: 'int', v: 15n }],
    ['0x1F', { t: 'int', v: 31n }],
    ['1_000', { t: 'int', v: 1000n }],
    ['-42', { t: 'int', v: -42n }],
    ['08', { t: 'float', v: 8 }],
    ['1.50', { t: 'float', v: 1.5 }],
    ['1e3', { t: 'float', v: 1000 }],
    ['.5', { t: 'float', v: 0.5 }],
    ['.inf', { t: 'float', v: Infinity }],
    ['true', { t: 'bool', v: true }],
    ['TRUE', { t: 'bool', v: true }],
    ['tRuE', { t: 'str', v: 'tRuE' }],
    ['yes', { t: 'str', v: 'yes' }],
    ['off', { t: 'str', v: 'off' }],
    ['~', { t: 'null' }],
    ['', { t: 'null' }],
    ['2024-01-01', { t: 'time', v: '2024-01-01T00:00:00Z' }],
    ['2006-01-02T15:04:05+07:06', { t: 'time', v: '2006-01-02T15:04:05+07:06' }],
    ['2001-12-14 21:59:43.10', { t: 'time', v: '2001-12-14T21:59:43.1Z' }],
    ['2024-1-2T3:04:05.500Z', { t: 'time', v: '2024-01-02T03:04:05.5Z' }],
    ['2024-02-30', { t: 'str', v: '2024-02-30' }],
    ['18446744073709551615', { t: 'uint64' }],
    ['99999999999999999999', { t: 'float', v: 1e20 }],
    ['v1.2', { t: 'str', v: 'v1.2' }],
  ])('%s', (text, expected) => {
    expect(resolvePlain(text)).toEqual(expected);
  });
});

describe('serialization and typed parsing', () => {
  it.each([
    [{ t: 'bool', v: true } as const, 'True'],
    [{ t: 'bool', v: false } as const, 'False'],
    [{ t: 'int', v: -7n } as const, '-7'],
    [{ t: 'float', v: 1e21 } as const, '1000000000000000000000'],
    [{ t: 'time', v: '2024-01-01T00:00:00Z' } as const, '2024-01-01T00:00:00Z'],
  ])('%o -> %s and back', (s, text) => {
    expect(scalarText(s)).toBe(text);
    expect(parseTyped(s.t, text)).toEqual(s);
  });
  it.each([
    ['bool', 't', true],
    ['bool', '0', false],
  ])('ParseBool accepts %s %s', (type, text, v) => {
    expect(parseTyped(type, text)).toEqual({ t: 'bool', v });
  });
  it.each([
    ['int', '1.5'],
    ['int', '9223372036854775808'],
    ['bool', 'yes'],
    ['float', 'x'],
    ['time', '2024-01-01'],
    ['comment', 'x'],
    ['weird', 'x'],
  ])('refuses %s %s', (type, text) => {
    expect(parseTyped(type, text)).toBeUndefined();
  });
  it('RFC 3339 re-formatting for the MAC AAD drops fractions and writes Z for +00:00', () => {
    expect(macAad('2024-11-12T13:33:42Z')).toBe('2024-11-12T13:33:42Z');
    expect(macAad('2024-11-12T13:33:42.123+00:00')).toBe('2024-11-12T13:33:42Z');
    expect(macAad('2024-11-12T13:33:42+02:00')).toBe('2024-11-12T13:33:42+02:00');
    expect(macAad('yesterday')).toBeUndefined();
    expect(canonicalTime('2024-11-12T13:33:42.000000001+00:00', true)).toBe(
      '2024-11-12T13:33:42.000000001Z',
    );
  });
});

describe('Shamir over GF(2^8)', () => {
  it('multiplies in the AES field: FIPS-197 {57}x{83}={c1}, sops shamir_test mult(3,7)=9', () => {
    expect(mul(0x57, 0x83)).toBe(0xc1);
    expect(mul(0x57, 0x13)).toBe(0xfe);
    expect(mul(3, 7)).toBe(9);
    expect(mul(3, 0)).toBe(0);
  });

  it('any threshold-sized subset recovers the secret, the share layout ends with x', () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
    const shares = split(secret, 5, 3);
    expect(shares.map((s) => s[32])).toEqual([1, 2, 3, 4, 5]);
    for (const subset of [
      [0, 1, 2],
      [2, 3, 4],
      [0, 2, 4],
      [1, 2, 3, 4],
    ])
      expect(Buffer.from(combine(subset.map((i) => shares[i] as Uint8Array)))).toEqual(
        Buffer.from(secret),
      );
    expect(Buffer.from(combine([shares[0] as Uint8Array, shares[1] as Uint8Array]))).not.toEqual(
      Buffer.from(secret),
    );
    expect(() => combine([shares[0] as Uint8Array, shares[0] as Uint8Array])).toThrow(/duplicate/);
    expect(() => split(secret, 2, 1)).toThrow(RangeError);
  });
});
