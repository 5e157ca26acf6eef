/**
 * YAML 1.1 (still spoken by go-yaml, PyYAML, Ruby and many CI tools) reads some plain
 * scalars differently from the YAML 1.2 core schema we use: `no` is a boolean there and a
 * string here; `017` is 15 there and 17 here. A reviewer cannot tell which reading a tool in
 * the pipeline will apply, so such scalars must be quoted.
 *
 * Returns a description of the YAML 1.1 reading, or undefined when both readings agree.
 * Timestamps are deliberately not flagged: rekey's formats write `created:` times unquoted and
 * always read them as strings.
 */
export function yaml11Reading(source: string, value: unknown): string | undefined {
  const c = source.charCodeAt(0);
  const digitLike = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46; // 0-9 + - .
  if (typeof value === 'string') {
    // The YAML 1.1 booleans are at most three letters long.
    if (!digitLike) return source.length <= 3 && BOOL_11.test(source) ? 'a boolean' : undefined;
    if (SEXAGESIMAL_11.test(source)) return 'a base-60 number (like 1:30 = 90)';
    if (BINARY_11.test(source)) return 'a binary integer';
    if (source.includes('_') && UNDERSCORE_NUMBER_11.test(source))
      return 'a number (underscores are digit separators)';
    return undefined;
  }
  if (typeof value === 'number') {
    if (!digitLike || (c !== 48 && PLAIN_DECIMAL.test(source))) return undefined;
    if (LEADING_ZERO.test(source)) return 'an octal integer';
    if (OCTAL_12.test(source)) return 'a string';
    if (HEX.test(source)) return 'a hexadecimal integer, which readers often mistake';
    if (EXPONENT.test(source) && !FLOAT_11.test(source)) return 'a string';
  }
  return undefined;
}

/** 1-9 then digits: a plain decimal both readings agree on (none of the patterns below). */
const PLAIN_DECIMAL = /^[1-9][0-9]*$/;
const BOOL_11 = /^(?:y|n|yes|no|on|off)$/i;
const SEXAGESIMAL_11 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const BINARY_11 = /^[-+]?0b[01_]+$/;
const UNDERSCORE_NUMBER_11 = /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?$/;
const LEADING_ZERO = /^[-+]?0[0-9]+$/;
const OCTAL_12 = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const EXPONENT = /[eE]/;
const FLOAT_11 = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*[eE][-+][0-9]+$/;
