import { describe, expect, it, vi } from 'vitest';
import { parseEvents } from 'js-yaml';
import type * as JsYaml from 'js-yaml';
import { parseYaml, YAML_RULES } from '../../../src/core/yaml/index.ts';
import type { Diagnostic } from '../../../src/core/diagnostics.ts';

// A pass-through spy on the deciding parser (js-yaml's event parser): the size cap test
// proves it acts before any parsing.
vi.mock('js-yaml', async (importOriginal) => {
  const real = await importOriginal<typeof JsYaml>();
  return { ...real, parseEvents: vi.fn(real.parseEvents) };
});

const enc = new TextEncoder();
const parse = (text: string, limits?: Parameters<typeof parseYaml>[2]) =>
  parseYaml('f.yaml', enc.encode(text), limits);
/** `rule@line:column`, the part of a finding every test pins down. */
const brief = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.rule}@${d.line}:${d.column}`);

describe('parseYaml accepts the plain subset', () => {
  it('builds JSON-like values', () => {
    const r = parse(
      'id: a/b\nnum: 3\nf: 1.5\nt: true\nz: ~\nlist:\n  - x\n  - {k: "yes"}\nblock: |\n  line\ncreated: 2026-11-20T09:14:03Z\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual({
      id: 'a/b',
      num: 3,
      f: 1.5,
      t: true,
      z: null,
      list: ['x', { k: 'yes' }],
      block: 'line\n',
      created: '2026-11-20T09:14:03Z',
    });
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });

  it('reads an empty file as null', () => {
    expect(parse('')).toMatchObject({ value: null, diagnostics: [] });
  });

  it('locates keys, list items and missing paths at their nearest ancestor', () => {
    const r = parse('a:\n  b:\n    c: [1, 2, {d: 3}]\n  e: x\n');
    expect(r.locate([])).toEqual({ file: 'f.yaml', line: 1, column: 1 });
    expect(r.locate(['a', 'e'])).toEqual({ file: 'f.yaml', line: 4, column: 3 });
    expect(r.locate(['a', 'b', 'c', 2, 'd'])).toEqual({ file: 'f.yaml', line: 3, column: 16 });
    expect(r.locate(['a', 'b', 'c', 1])).toEqual({ file: 'f.yaml', line: 3, column: 12 });
    expect(r.locate(['a', 'b', 'missing', 0])).toEqual({ file: 'f.yaml', line: 2, column: 3 });
  });
});

describe('parseYaml rejects', () => {
  const billionLaughs = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    '',
  ].join('\n');

  it.each([
    ['a duplicate key', 'a: 1\nb: 2\na: 3\n', ['yaml/duplicate-key@3:1']],
    ['a duplicate key in a flow map', 'x: {k: 1, "k": 2}\n', ['yaml/duplicate-key@1:11']],
    ['a __proto__ key', 'ok: 1\n__proto__: {admin: true}\n', ['yaml/forbidden-key@2:1']],
    ['a constructor key', 'a:\n  constructor: x\n', ['yaml/forbidden-key@2:3']],
    ['a prototype key', '{prototype: 1}\n', ['yaml/forbidden-key@1:2']],
    ['a merge key', 'base: {a: 1}\nx:\n  <<: {a: 2}\n', ['yaml/merge-key@3:3']],
    ['an unknown tag', 'a: !foo x\n', ['yaml/tag@1:4']],
    ['!!binary', 'a: !!binary aGk=\n', ['yaml/tag@1:4']],
    ['even !!str', 'a: !!str 017\n', ['yaml/tag@1:4']],
    ['a tagged map', 'a: !!map {b: 1}\n', ['yaml/tag@1:4']],
    ['an anchor alone', 'a: &x 1\n', ['yaml/anchor@1:4']],
    ['an alias used as a key', 'a: &k x\n*k : 1\n', ['yaml/anchor@1:4', 'yaml/alias@2:1']],
    ['a number key', 'a: 1\n2: b\n', ['yaml/non-string-key@2:1']],
    ['a boolean key', 'true: b\n', ['yaml/non-string-key@1:1']],
    ['a null key', '~: b\n', ['yaml/non-string-key@1:1']],
    ['a list key', '? [a]\n: b\n', ['yaml/non-string-key@1:3']],
    ['an empty key', 'a: 1\n: x\n', ['yaml/non-string-key@2:1']],
    ['an empty key in a flow map', '{: x}\n', ['yaml/non-string-key@1:2']],
    ['.inf', 'a: .inf\n', ['yaml/non-finite-number@1:4']],
    ['.nan', 'a: [.NaN]\n', ['yaml/non-finite-number@1:5']],
    ['two documents', 'a: 1\n---\nb: 2\n', ['yaml/multiple-documents@2:1']],
    ['a %YAML 1.1 directive', '%YAML 1.1\n---\na: yes\n', ['yaml/directive@1:1']],
    ['a %TAG directive', '%TAG !e! tag:e.com,2000:\n---\na: 1\n', ['yaml/directive@1:1']],
    ['a syntax error', 'a: [1\n', ['yaml/syntax@2:1']],
    ['tab indentation', 'a:\n\tb: 1\n', ['yaml/syntax@2:1']],
    // Syntax js-yaml and the yaml package read differently (found by differential.test.ts):
    ['a tab-indented blank line', 'a: 1\n\t\n', ['yaml/ambiguous-syntax@2:1']],
    ['an indented ---', '  ---\n', ['yaml/ambiguous-syntax@1:3']],
    ['a top-level block indentation indicator', '|1-\n !\n', ['yaml/ambiguous-syntax@1:1']],
    ['content after ...', '...\na: 1\n', ['yaml/multiple-documents@2:1']],
  ])('%s', (_, text, expected) => {
    const r = parse(text);
    expect(brief(r.diagnostics)).toEqual(expected);
    for (const d of r.diagnostics) expect(d.file).toBe('f.yaml');
  });

  it('the billion laughs, without expanding anything', () => {
    const r = parse(billionLaughs);
    expect(r.value).toBeUndefined();
    const rules = brief(r.diagnostics);
    expect(rules.filter((x) => x.startsWith('yaml/anchor'))).toEqual([
      'yaml/anchor@1:4',
      'yaml/anchor@2:4',
      'yaml/anchor@3:4',
      'yaml/anchor@4:4',
    ]);
    expect(rules.filter((x) => x.startsWith('yaml/alias'))).toHaveLength(36);
    expect(rules).toContain('yaml/alias@2:8');
  });

  it('a 10 MB file by its size, before decoding or parsing', () => {
    const parserRun = vi.mocked(parseEvents);
    parserRun.mockClear();
    const big = new Uint8Array(10 * 1024 * 1024).fill(0x61);
    const r = parseYaml('big.yaml', big);
    expect(parserRun).not.toHaveBeenCalled();
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toEqual([
      {
        rule: 'yaml/too-large',
        message: 'file is 10485760 bytes; the limit is 1048576 bytes',
        file: 'big.yaml',
        line: 0,
        column: 0,
      },
    ]);
    // the cap is a parameter, and a file under it is parsed
    expect(brief(parseYaml('s.yaml', enc.encode('a: 1\n'), { maxBytes: 4 }).diagnostics)).toEqual([
      'yaml/too-large@0:0',
    ]);
    expect(parseYaml('s.yaml', enc.encode('a: 1\n'), { maxBytes: 5 }).value).toEqual({ a: 1 });
    expect(parserRun).toHaveBeenCalledTimes(1);
  });

  it('1000 levels of flow nesting, at the first level past the cap', () => {
    const r = parse('['.repeat(1000) + ']'.repeat(1000));
    expect(brief(r.diagnostics)).toEqual(['yaml/too-deep@1:33']);
    expect(r.value).toBeUndefined();
  });

  it('1000 levels of block nesting', () => {
    let text = '';
    for (let i = 0; i < 1000; i++) text += `${' '.repeat(i)}k:\n`;
    const r = parse(text);
    expect(brief(r.diagnostics)).toEqual(['yaml/too-deep@33:33']);
  });

  it('nesting at the cap, and a lower cap', () => {
    expect(parse('['.repeat(32) + ']'.repeat(32)).diagnostics).toEqual([]);
    expect(brief(parse('a: {b: {c: 1}}\n', { maxDepth: 2 }).diagnostics)).toEqual([
      'yaml/too-deep@1:8',
    ]);
  });

  it('more values than the node cap', () => {
    const r = parse('[1, 2, 3, 4, 5]', { maxNodes: 4 });
    expect(brief(r.diagnostics)).toEqual(['yaml/too-many-nodes@1:11']);
    expect(r.value).toBeUndefined();
  });

  it('a BOM, and still reads the file', () => {
    const r = parseYaml('f.yaml', new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('a: 1\n')]));
    expect(brief(r.diagnostics)).toEqual(['yaml/bom@1:1']);
    expect(r.value).toEqual({ a: 1 });
  });

  it('CRLF line endings, once, at the first carriage return', () => {
    const r = parse('a: 1\r\nb: 2\r\n');
    expect(brief(r.diagnostics)).toEqual(['yaml/crlf@1:5']);
    expect(r.value).toEqual({ a: 1, b: 2 });
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x3a, 0x20, 0x80, 0x0a], '1:4'],
    ['Latin-1 on line 2', [...enc.encode('a: 1\nb: caf'), 0xe9, 0x0a], '2:7'],
    ['an overlong encoding', [...enc.encode('a: '), 0xc0, 0xaf], '1:4'],
    ['a UTF-16 surrogate', [...enc.encode('a: '), 0xed, 0xa0, 0x80], '1:4'],
    ['a truncated sequence', [...enc.encode('a: '), 0xe2, 0x82], '1:4'],
  ])('non-UTF-8 bytes: %s', (_, bytes, at) => {
    const r = parseYaml('f.yaml', new Uint8Array(bytes));
    expect(brief(r.diagnostics)).toEqual([`yaml/encoding@${at}`]);
    expect(r.value).toBeUndefined();
  });
});

describe('YAML 1.1 ambiguity', () => {
  it.each([
    ['yes where a string is expected', 'enabled: yes\n', '1:10'],
    ['No, in any case', 'a: No\n', '1:4'],
    ['on as a key', 'on: push\n', '1:1'],
    ['OFF', '- OFF\n', '1:3'],
    ['y', 'a: y\n', '1:4'],
    ['a leading-zero integer where a number is expected', 'version: 017\n', '1:10'],
    ['sexagesimal', 'at: 1:30\n', '1:5'],
    ['a clock time', 'at: 09:00\n', '1:5'],
    ['0o octal', 'a: 0o17\n', '1:4'],
    ['0x hex', 'a: 0x1F\n', '1:4'],
    ['0b binary', 'a: 0b101\n', '1:4'],
    ['digit separators', 'a: 1_000\n', '1:4'],
    ['an exponent without a dot', 'a: 1e3\n', '1:4'],
  ])('%s', (_, text, at) => {
    const r = parse(text);
    expect(brief(r.diagnostics)).toEqual([`yaml/ambiguous-scalar@${at}`]);
    expect(r.diagnostics[0]!.message).toMatch(/quote it/);
  });

  it.each([
    'a: "yes"\n',
    "a: 'no'\n",
    'a: true\n',
    'a: False\n',
    'a: ~\n',
    'a: null\n',
    'a:\n',
    'a: 17\n',
    'a: 0\n',
    'a: -3\n',
    'a: 0.5\n',
    'a: 1.5e+3\n',
    'a: 09:00-16:00\n',
    'a: yesterday\n',
    'a: "017"\n',
    'a: 2026-11-20T09:14:03Z\n',
    'a: 1.2.3\n',
  ])('leaves %j alone', (text) => {
    expect(parse(text).diagnostics).toEqual([]);
  });
});

describe('parseYaml reports every finding in a file', () => {
  it('several errors, all located, in source order', () => {
    const r = parse(
      [
        'a: 1',
        'a: 2',
        'b: yes',
        '__proto__: x',
        'c: !!str z',
        'd: &x [1]',
        'e: *x',
        'f:',
        '  <<: {g: 1}',
        '  h: 017',
        '',
      ].join('\n'),
    );
    expect(brief(r.diagnostics)).toEqual([
      'yaml/duplicate-key@2:1',
      'yaml/ambiguous-scalar@3:4',
      'yaml/forbidden-key@4:1',
      'yaml/tag@5:4',
      'yaml/anchor@6:4',
      'yaml/alias@7:4',
      'yaml/merge-key@9:3',
      'yaml/ambiguous-scalar@10:6',
    ]);
    expect(r.value).toBeUndefined();
  });

  it('stops after 100 findings and says so', () => {
    const r = parse(Array.from({ length: 300 }, (_, i) => `k${i}: yes`).join('\n'));
    expect(r.diagnostics).toHaveLength(101);
    expect(r.diagnostics.at(-1)).toMatchObject({ rule: 'yaml/too-many-problems', line: 101 });
  });

  it('never repeats text from the file in a message', () => {
    const r = parse(
      'k: 0o7777777\nj: !!binary c2VjcmV0\nhunter2: 1\nhunter2: 2\nm: &hunter3 1\nw: *hunter3\nz: !hunter4 q\n',
    );
    expect(brief(r.diagnostics)).toEqual([
      'yaml/ambiguous-scalar@1:4',
      'yaml/tag@2:4',
      'yaml/duplicate-key@4:1',
      'yaml/anchor@5:4',
      'yaml/alias@6:4',
      'yaml/tag@7:4',
    ]);
    const syntax = parse('a: "unterminated \\q hunter5\n');
    for (const d of [...r.diagnostics, ...syntax.diagnostics])
      expect(d.message).not.toMatch(/7777777|c2VjcmV0|hunter|binary/);
    expect(syntax.diagnostics.length).toBeGreaterThan(0);
  });

  it('every rule it reports is in the catalogue', () => {
    const seen = [
      parse('a: 1\na: 2\n__proto__: 1\n<<: {}\nb: !x 1\nc: &q 1\nd: *q\n1: 2\ne: .inf\nf: yes\n'),
      parse('a: 99999999999999999999\n'),
    ].flatMap((r) => r.diagnostics.map((d) => d.rule));
    expect(seen.length).toBeGreaterThan(9);
    for (const rule of seen) expect(Object.keys(YAML_RULES)).toContain(rule);
  });
});
