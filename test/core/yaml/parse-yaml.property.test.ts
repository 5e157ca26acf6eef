import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { needsQuoting, parseYaml, YAML_RULES } from '../../../src/core/yaml/index.ts';

const enc = new TextEncoder();
const RULES = Object.keys(YAML_RULES);

// Fragments that exercise the parser's corners: indicators, anchors, tags, quotes, breaks.
const yamlish = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      ': ',
      '- ',
      '\n',
      '  ',
      '[',
      ']',
      '{',
      '}',
      ', ',
      '&x ',
      '*x',
      '!t ',
      '!!str ',
      '"',
      "'",
      '#',
      '<<: ',
      '? ',
      '---\n',
      '%YAML 1.1\n',
      'yes',
      '017',
      '\t',
      '\r\n',
      '|\n',
      '__proto__',
      '.inf',
      '\\',
      '\u00e9',
      '\ufeff',
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('parseYaml never throws', () => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = parseYaml('f.yaml', bytes);
        for (const d of r.diagnostics) {
          expect(RULES).toContain(d.rule);
          expect(d.line).toBeGreaterThanOrEqual(0);
        }
        r.locate(['a', 0, 'b']);
      }),
      { numRuns: 300 },
    );
  });

  it('on YAML-like text, and a value comes only without findings that make it a guess', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const r = parseYaml('f.yaml', enc.encode(text));
        for (const d of r.diagnostics) expect(RULES).toContain(d.rule);
        if (r.value !== undefined) expect(() => JSON.stringify(r.value)).not.toThrow();
        const guessing = ['yaml/alias', 'yaml/merge-key', 'yaml/duplicate-key', 'yaml/syntax'];
        if (r.diagnostics.some((d) => guessing.includes(d.rule))) expect(r.value).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('JSON-like values written by the yaml library read back', () => {
  it('identically, with findings only for what a YAML 1.1 reader would misread', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const r = parseYaml('f.yaml', enc.encode(stringify(value)));
        const rules = new Set(r.diagnostics.map((d) => d.rule));
        for (const rule of rules)
          expect(['yaml/ambiguous-scalar', 'yaml/forbidden-key', 'yaml/unsafe-integer']).toContain(
            rule,
          );
        if (!rules.has('yaml/forbidden-key'))
          expect(JSON.stringify(r.value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('without findings when writers quote what needsQuoting() names', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 12 })),
        (value) => {
          const text = Object.entries(value)
            .map(([k, v]) => `${needsQuoting(k) ? JSON.stringify(k) : k}: ${JSON.stringify(v)}`)
            .join('\n');
          const r = parseYaml('f.yaml', enc.encode(text));
          expect(r.diagnostics).toEqual([]);
          expect(r.value).toEqual(text === '' ? null : value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['yes', true],
    ['No', true],
    ['on', true],
    ['y', true],
    ['017', true],
    ['null', true],
    ['a: b', true],
    [' x', true],
    ['x #y', true],
    ['', true],
    ['1:30', true],
    ['1_000', true],
    ['yesterday', false],
    ['standard', false],
  ])('needsQuoting(%j) is %s', (s, expected) => expect(needsQuoting(s)).toBe(expected));
});
