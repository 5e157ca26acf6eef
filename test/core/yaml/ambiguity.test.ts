// yaml11Reading's shortcuts (length of the YAML 1.1 booleans, plain decimals) against the
// plain regex version it replaced, kept here as the reference.
import fc from 'fast-check';
import { CORE_SCHEMA } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { yaml11Reading } from '../../../src/core/yaml/ambiguity.ts';

function reference(source: string, value: unknown): string | undefined {
  const c = source.charCodeAt(0);
  const digitLike = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46; // 0-9 + - .
  if (typeof value === 'string') {
    if (!digitLike) return BOOL_11.test(source) ? 'a boolean' : undefined;
    if (SEXAGESIMAL_11.test(source)) return 'a base-60 number (like 1:30 = 90)';
    if (BINARY_11.test(source)) return 'a binary integer';
    if (source.includes('_') && UNDERSCORE_NUMBER_11.test(source))
      return 'a number (underscores are digit separators)';
    return undefined;
  }
  if (typeof value === 'number') {
    if (!digitLike) return undefined;
    if (LEADING_ZERO.test(source)) return 'an octal integer';
    if (OCTAL_12.test(source)) return 'a string';
    if (HEX.test(source)) return 'a hexadecimal integer, which readers often mistake';
    if (EXPONENT.test(source) && !FLOAT_11.test(source)) return 'a string';
  }
  return undefined;
}

const BOOL_11 = /^(?:y|n|yes|no|on|off)$/i;
const SEXAGESIMAL_11 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const BINARY_11 = /^[-+]?0b[01_]+$/;
const UNDERSCORE_NUMBER_11 = /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?$/;
const LEADING_ZERO = /^[-+]?0[0-9]+$/;
const OCTAL_12 = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const EXPONENT = /[eE]/;
const FLOAT_11 = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*[eE][-+][0-9]+$/;

const scalar = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: fc.constantFrom(...'0123456789+-._:eEbxoXOyYnN'), maxLength: 8 }),
  fc.constantFrom(
    'yes',
    'No',
    'ON',
    'off',
    'y',
    'n',
    '017',
    '0o17',
    '0x1F',
    '1e3',
    '1.0e+3',
    '1:30',
    '0b101',
    '1_000',
    '12',
    '0',
  ),
);

describe('yaml11Reading', () => {
  it('says what the regex-only version says, for every plain scalar and its core value', () => {
    fc.assert(
      fc.property(scalar, (s) => {
        const value: unknown = CORE_SCHEMA.resolveImplicitScalarTag(s).value;
        return yaml11Reading(s, value) === reference(s, value);
      }),
      { numRuns: 30_000 },
    );
    expect(yaml11Reading('017', 17)).toBe('an octal integer');
    expect(yaml11Reading('Yes', 'Yes')).toBe('a boolean');
    expect(yaml11Reading('123', 123)).toBeUndefined();
  });
});
