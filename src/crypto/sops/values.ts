/**
 * SOPS leaf values and their byte forms (reference/sops-format.md §2.1). The same bytes are
 * the AES-GCM plaintext of an encrypted value and the MAC input of every value, so they must
 * match Go's formatting exactly: `strconv.FormatFloat(v, 'f', -1, 64)` for floats (never an
 * exponent), `True`/`False` for bools, RFC 3339 with trimmed nanoseconds for times.
 */

export type Scalar =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'int'; readonly v: bigint }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  /** `v` is the canonical RFC3339Nano text Go's time.MarshalText writes. */
  | { readonly t: 'time'; readonly v: string };

export type ScalarType = Scalar['t'];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
export const fitsInt64 = (n: bigint): boolean => n >= INT64_MIN && n <= INT64_MAX;

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, no exponent. */
export function goFormatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // toExponential() without digits gives the shortest digits that round-trip, like Go.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(v.toExponential());
  if (!m) throw new Error('unreachable: toExponential format');
  const [, sign, d0, rest = '', expText] = m;
  const digits = `${d0}${rest}`;
  const exp = Number(expText);
  let out: string;
  if (exp >= digits.length - 1) out = digits + '0'.repeat(exp - (digits.length - 1));
  else if (exp >= 0) out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  else out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${out}`;
}

/** `ToBytes` / the encrypt-side serialization: the bytes that are encrypted and hashed. */
export function scalarText(s: Scalar): string {
  switch (s.t) {
    case 'str':
    case 'time':
      return s.v;
    case 'int':
      return s.v.toString();
    case 'float':
      return goFormatFloat(s.v);
    case 'bool':
      return s.v ? 'True' : 'False';
  }
}

/** The decrypt side: plaintext text of a given `type:` back to a value; undefined if invalid. */
export function parseTyped(type: string, text: string): Scalar | undefined {
  switch (type) {
    case 'str':
    case 'bytes':
      return { t: 'str', v: text };
    case 'int': {
      // strconv.Atoi: optional sign, decimal digits, int64 range.
      if (!/^[+-]?\d+$/.test(text)) return undefined;
      const n = BigInt(text);
      return fitsInt64(n) ? { t: 'int', v: n } : undefined;
    }
    case 'float': {
      const v = parseGoFloat(text);
      return v === undefined ? undefined : { t: 'float', v };
    }
    case 'bool': {
      // strconv.ParseBool
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return { t: 'bool', v: true };
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return { t: 'bool', v: false };
      return undefined;
    }
    case 'time': {
      const v = canonicalTime(text, true);
      return v === undefined ? undefined : { t: 'time', v };
    }
    default:
      return undefined;
  }
}

function parseGoFloat(text: string): number | undefined {
  const t = text.replaceAll('_', '');
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/**
 * A timestamp's canonical RFC3339Nano text, or undefined. `strict` accepts only RFC 3339
 * (Go's UnmarshalText); otherwise the go-yaml v3 forms: `2006-1-2`, `2006-1-2T15:4:5.9Z07:00`,
 * `t` for `T`, and a space-separated form without zone (UTC).
 */
export function canonicalTime(text: string, strict: boolean): string | undefined {
  const re = strict
    ? /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/
    : /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?))?$/;
  const m = re.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  const spaced = !strict && m[9] !== undefined;
  const h = Number((spaced ? m[9] : m[4]) ?? 0);
  const mi = Number((spaced ? m[10] : m[5]) ?? 0);
  const s = Number((spaced ? m[11] : m[6]) ?? 0);
  const frac = (spaced ? m[12] : m[7]) ?? '';
  const zone = spaced ? 'Z' : (m[8] ?? 'Z');
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59) return undefined;
  let offset = 'Z';
  if (zone !== 'Z' && zone !== 'z') {
    const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    if (oh !== 0 || om !== 0) offset = zone;
  }
  const p2 = (n: number) => String(n).padStart(2, '0');
  const f = frac.replace(/0+$/, '');
  return `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}${f ? '.' + f : ''}${offset}`;
}

export type PlainResolution = Scalar | { readonly t: 'null' } | { readonly t: 'uint64' };

/**
 * How go-yaml v3 resolves an untagged plain scalar when decoding into interface{}
 * (reference §8.1): YAML 1.1 octal `0777`, `_` ignored in numbers, timestamps as time.Time,
 * only true/false (three spellings) as bools, `yes`/`no`/`on`/`off` stay strings.
 */
const NULLS: ReadonlySet<string> = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES: ReadonlySet<string> = new Set(['true', 'True', 'TRUE']);
const FALSES: ReadonlySet<string> = new Set(['false', 'False', 'FALSE']);
const NANS: ReadonlySet<string> = new Set(['.nan', '.NaN', '.NAN']);

export function resolvePlain(text: string): PlainResolution {
  // Most keys and values start with a letter: then only the null and boolean words resolve to
  // something else (numbers, .inf/.nan and timestamps start with a digit, a sign or a dot).
  const c = text.charCodeAt(0) | 0x20;
  if (c >= 0x61 && c <= 0x7a) {
    if (text.length > 5) return { t: 'str', v: text };
    if (NULLS.has(text)) return { t: 'null' };
    if (TRUES.has(text)) return { t: 'bool', v: true };
    if (FALSES.has(text)) return { t: 'bool', v: false };
    return { t: 'str', v: text };
  }
  if (NULLS.has(text)) return { t: 'null' };
  if (TRUES.has(text)) return { t: 'bool', v: true };
  if (FALSES.has(text)) return { t: 'bool', v: false };
  if (NANS.has(text)) return { t: 'float', v: NaN };
  if (/^\+?\.(inf|Inf|INF)$/.test(text)) return { t: 'float', v: Infinity };
  if (/^-\.(inf|Inf|INF)$/.test(text)) return { t: 'float', v: -Infinity };
  const first = text[0] ?? '';
  if (/[-+.\d]/.test(first)) {
    const plain = text.replaceAll('_', '');
    const int = goParseInt(plain);
    if (int !== undefined) return fitsInt64(int) ? { t: 'int', v: int } : { t: 'uint64' };
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain))
      return { t: 'float', v: Number(plain) };
  }
  if (/^\d{4}-/.test(text)) {
    const time = canonicalTime(text, false);
    if (time !== undefined) return { t: 'time', v: time };
  }
  return { t: 'str', v: text };
}

/** strconv.ParseInt(s, 0, 64) / ParseUint: 0x, 0o, 0b prefixes, leading 0 is octal. */
function goParseInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9]\d*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, body = ''] = m;
  let n: bigint;
  if (/^0[oO]/.test(body)) n = BigInt('0o' + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) n = BigInt('0o' + body.slice(1));
  else n = BigInt(body);
  if (sign === '-') n = -n;
  // Values above uint64 fall through to float in go-yaml.
  return n <= 2n ** 64n - 1n && n >= INT64_MIN ? n : undefined;
}
