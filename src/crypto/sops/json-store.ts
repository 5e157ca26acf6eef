/**
 * JSON store (reference §8.1): a strict, order-preserving parser that tells integers from
 * floats like sops 3.13.2 (an integer literal that fits int64 is `int`, any other number is
 * `float`; `JSON.parse` would reorder integer-like keys and break the MAC order), and an
 * emitter in sops's layout (tab indent, `": "`, trailing newline). The binary store wraps a
 * whole file as the single string `data` in the same JSON envelope.
 */
import type { SourceLocation } from '../../core/diagnostics.ts';
import { MalformedSopsFileError, UnsupportedSopsFeatureError } from '../../core/ports/sops.ts';
import type { EmitOptions, LoadedFile, Store } from './store.ts';
import type { Branch, Leaf, Pair, Value } from './tree.ts';
import { fitsInt64, goFormatFloat } from './values.ts';

type Json =
  | { t: 'obj'; entries: [string, Json][]; at: number }
  | { t: 'arr'; items: Json[] }
  | { t: 'lit'; v: Value; at: number };

class JsonParser {
  #i = 0;
  readonly #s: string;
  readonly #file: string;
  constructor(file: string, s: string) {
    this.#file = file;
    this.#s = s;
  }

  loc(offset: number): SourceLocation {
    const before = this.#s.slice(0, offset);
    const line = before.split('\n').length;
    return { file: this.#file, line, column: offset - before.lastIndexOf('\n') };
  }

  fail(what: string): never {
    throw new MalformedSopsFileError(this.loc(this.#i), `invalid JSON: ${what}`);
  }

  ws(): void {
    while (/[ \t\r\n]/.test(this.#s[this.#i] ?? '')) this.#i++;
  }

  document(): Json {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.#i !== this.#s.length) this.fail('unexpected content after the document');
    return v;
  }

  value(depth: number): Json {
    if (depth > 200) this.fail('nested too deeply');
    this.ws();
    const c = this.#s[this.#i];
    const at = this.#i;
    if (c === '{') {
      this.#i++;
      const entries: [string, Json][] = [];
      const seen = new Set<string>();
      this.ws();
      if (this.#s[this.#i] === '}') {
        this.#i++;
        return { t: 'obj', entries, at };
      }
      for (;;) {
        this.ws();
        if (this.#s[this.#i] !== '"') this.fail('expected a string key');
        const key = this.string();
        if (seen.has(key)) this.fail('duplicate key');
        seen.add(key);
        this.ws();
        if (this.#s[this.#i++] !== ':') this.fail('expected ":"');
        entries.push([key, this.value(depth + 1)]);
        this.ws();
        const d = this.#s[this.#i++];
        if (d === '}') return { t: 'obj', entries, at };
        if (d !== ',') this.fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      this.#i++;
      const items: Json[] = [];
      this.ws();
      if (this.#s[this.#i] === ']') {
        this.#i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(this.value(depth + 1));
        this.ws();
        const d = this.#s[this.#i++];
        if (d === ']') return { t: 'arr', items };
        if (d !== ',') this.fail('expected "," or "]"');
      }
    }
    if (c === '"') return { t: 'lit', v: { t: 'str', v: this.string() }, at };
    for (const [word, v] of [
      ['true', { t: 'bool', v: true }],
      ['false', { t: 'bool', v: false }],
      ['null', { t: 'null' }],
    ] as const) {
      if (this.#s.startsWith(word, this.#i)) {
        this.#i += word.length;
        return { t: 'lit', v, at };
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.#s.slice(this.#i, this.#i + 400));
    if (!m) this.fail('unexpected character');
    this.#i += m[0].length;
    if (!m[2] && !m[3] && fitsInt64(BigInt(m[0])))
      return { t: 'lit', v: { t: 'int', v: BigInt(m[0]) }, at };
    return { t: 'lit', v: { t: 'float', v: Number(m[0]) }, at };
  }

  string(): string {
    const start = this.#i;
    this.#i++;
    for (;;) {
      const c = this.#s[this.#i];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') this.#i++;
      else if (c < ' ') this.fail('control character in a string');
      this.#i++;
    }
    this.#i++;
    try {
      return JSON.parse(this.#s.slice(start, this.#i)) as string;
    } catch {
      return this.fail('invalid escape in a string');
    }
  }
}

function toTree(j: Json, locations: WeakMap<Leaf, SourceLocation>, p: JsonParser): Value {
  if (j.t === 'obj') return toBranch(j, locations, p);
  if (j.t === 'arr') return { t: 'list', items: j.items.map((x) => toTree(x, locations, p)) };
  if (j.v.t !== 'null' && j.v.t !== 'map' && j.v.t !== 'list') locations.set(j.v, p.loc(j.at));
  return j.v;
}

function toBranch(
  j: Json & { t: 'obj' },
  locations: WeakMap<Leaf, SourceLocation>,
  p: JsonParser,
): Branch {
  return {
    t: 'map',
    items: j.entries.map(([key, v]): Pair => ({ t: 'pair', key, value: toTree(v, locations, p) })),
  };
}

/** The plain object behind metadata (maps to objects, lists to arrays, scalars to JS). */
function toPlain(j: Json): unknown {
  if (j.t === 'obj') return Object.fromEntries(j.entries.map(([k, v]) => [k, toPlain(v)]));
  if (j.t === 'arr') return j.items.map(toPlain);
  const v = j.v;
  if (v.t === 'int') return Number(v.v);
  if (v.t === 'null') return null;
  return 'v' in v ? v.v : undefined;
}

function loadJson(file: string, text: string): LoadedFile & { top: Json & { t: 'obj' } } {
  const p = new JsonParser(file, text);
  const doc = p.document();
  if (doc.t !== 'obj')
    throw new UnsupportedSopsFeatureError(file, 'a JSON document must be an object');
  const locations = new WeakMap<Leaf, SourceLocation>();
  const meta = doc.entries.find(([k]) => k === 'sops');
  const data = { ...doc, entries: doc.entries.filter(([k]) => k !== 'sops') };
  return {
    branches: [toBranch(data, locations, p)],
    metadata: meta ? toPlain(meta[1]) : undefined,
    reserved: meta !== undefined,
    locations,
    top: data,
  };
}

export const jsonStore: Store = {
  name: 'json',
  load: (file, text) => loadJson(file, text),
  emit(branches, metadata, options: EmitOptions): string {
    const b = branches[0] ?? { t: 'map', items: [] };
    const items: Pair[] = b.items.filter((i): i is Pair => i.t === 'pair');
    const withMeta = metadata
      ? [...items, { t: 'pair' as const, key: 'sops', value: plainToValue(metadata) }]
      : items;
    const ind =
      options.indent === undefined || options.indent < 0 ? '\t' : ' '.repeat(options.indent);
    return `${emitJson({ t: 'map', items: withMeta }, '', ind)}\n`;
  },
};

function plainToValue(v: unknown): Value {
  if (Array.isArray(v)) return { t: 'list', items: v.map(plainToValue) };
  if (v !== null && typeof v === 'object')
    return {
      t: 'map',
      items: Object.entries(v).map(([key, x]) => ({ t: 'pair', key, value: plainToValue(x) })),
    };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return { t: 'int', v: BigInt(v) };
  if (v === null || v === undefined) return { t: 'null' };
  return { t: 'str', v: String(v) };
}

function emitJson(v: Value, pad: string, ind: string): string {
  switch (v.t) {
    case 'map': {
      const pairs = v.items.filter((i): i is Pair => i.t === 'pair');
      if (pairs.length === 0) return '{}';
      const inner = pad + ind;
      return `{\n${pairs.map((p) => `${inner}${JSON.stringify(p.key)}: ${emitJson(p.value, inner, ind)}`).join(',\n')}\n${pad}}`;
    }
    case 'list': {
      const items = v.items.filter((i): i is Value => i.t !== 'comment');
      if (items.length === 0) return '[]';
      const inner = pad + ind;
      return `[\n${items.map((i) => `${inner}${emitJson(i, inner, ind)}`).join(',\n')}\n${pad}]`;
    }
    case 'null':
      return 'null';
    case 'str':
      return JSON.stringify(v.v);
    case 'time':
      return JSON.stringify(v.v);
    case 'int':
      return v.v.toString();
    case 'bool':
      return String(v.v);
    case 'float': {
      if (!Number.isFinite(v.v))
        throw new UnsupportedSopsFeatureError('json', 'JSON cannot hold NaN or Infinity');
      const a = Math.abs(v.v);
      // encoding/json: 'f' format in [1e-6, 1e21), exponent form outside.
      return a === 0 || (a >= 1e-6 && a < 1e21) ? goFormatFloat(v.v) : String(v.v);
    }
  }
}

/** Binary store: the whole file is the string `data` inside a JSON envelope (AAD `data:`). */
export const binaryStore: Store = {
  name: 'binary',
  plaintextEncoding: 'latin1',
  load(file, text) {
    return {
      branches: [{ t: 'map', items: [{ t: 'pair', key: 'data', value: { t: 'str', v: text } }] }],
      metadata: undefined,
      reserved: false,
      locations: new WeakMap(),
    };
  },
  loadEncrypted: (file, text) => loadBinaryEnvelope(file, text),
  emit(branches, metadata, options) {
    if (metadata) return jsonStore.emit(branches, metadata, options);
    const data = branches[0]?.items.find((i): i is Pair => i.t === 'pair' && i.key === 'data');
    return data && data.value.t === 'str' ? data.value.v : '';
  },
};

/** Reads an encrypted binary-store file: the JSON envelope with `data` and `sops`. */
export function loadBinaryEnvelope(file: string, text: string): LoadedFile {
  const loaded = loadJson(file, text);
  const keys = loaded.top.entries.map(([k]) => k);
  if (keys.length !== 1 || keys[0] !== 'data')
    throw new MalformedSopsFileError(
      { file, line: 1, column: 1 },
      'a binary-store file must hold exactly "data" and "sops"',
    );
  return loaded;
}
