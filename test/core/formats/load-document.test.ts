import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Diagnostic } from '../../../src/core/diagnostics.ts';
import { loadDocument, SCHEMA_RULES } from '../../../src/core/formats/index.ts';

const enc = new TextEncoder();
const brief = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.rule}@${d.line}:${d.column}`);

const schema = z
  .strictObject({
    name: z.string().regex(/^[a-z]+$/, 'expected lower-case letters'),
    size: z.int().min(1).max(10),
    mode: z.enum(['on', 'off']),
    tags: z.array(z.string()).max(2).default([]),
    nested: z.strictObject({ a: z.boolean() }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'off' && v.size > 5)
      ctx.addIssue({
        code: 'custom',
        path: ['size'],
        message: 'size must be at most 5 when off',
        params: { rule: 'schema/off-size' },
      });
    if (v.name === 'bad')
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'this name is reserved' });
  });

const load = (text: string) => loadDocument('f.yaml', enc.encode(text), schema);

describe('loadDocument', () => {
  it('returns the typed value, located', () => {
    const r = load('name: abc\nsize: 3\nmode: "on"\ntags: [x]\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.doc?.value).toEqual({ name: 'abc', size: 3, mode: 'on', tags: ['x'] });
    expect(r.doc?.file).toBe('f.yaml');
    expect(r.doc?.locate(['tags', 0])).toEqual({ file: 'f.yaml', line: 4, column: 8 });
  });

  it('reports every schema issue at its key, with a rule per kind', () => {
    const r = load(
      [
        'name: ABC', //                     invalid-format
        'size: 11', //                      too-big
        'mode: maybe', //                   invalid-value
        'tags: [a, b, c]', //               too-big (list)
        'nested:',
        '  a: "true"', //                   invalid-type
        '  extra: 1', //                    unknown-key (nested)
        'colour: red', //                   unknown-key
        '',
      ].join('\n'),
    );
    expect(r.doc).toBeUndefined();
    expect(brief(r.diagnostics)).toEqual([
      'schema/invalid-format@1:1',
      'schema/too-big@2:1',
      'schema/invalid-value@3:1',
      'schema/too-big@4:1',
      'schema/invalid-type@6:3',
      'schema/unknown-key@7:3',
      'schema/unknown-key@8:1',
    ]);
    const byRule = Object.fromEntries(r.diagnostics.map((d) => [`${d.rule}@${d.line}`, d.message]));
    expect(byRule['schema/invalid-type@6']).toBe('expected boolean, found a string (at nested.a)');
    expect(byRule['schema/unknown-key@7']).toMatch(/^unknown key "extra" in nested/);
    expect(byRule['schema/invalid-format@1']).toMatch(/expected lower-case letters/);
    for (const d of r.diagnostics) expect(Object.keys(SCHEMA_RULES)).toContain(d.rule);
  });

  it('names a missing key and points at its parent', () => {
    const r = load('nested:\n  {}\nname: abc\n');
    expect(r.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column} ${d.message}`)).toEqual([
      'schema/missing-key@1:1 missing required key "size" (expected number)',
      'schema/missing-key@1:1 missing required key "mode" (expected one of "on", "off")',
      'schema/missing-key@1:1 missing required key "a" in nested (expected boolean)',
    ]);
  });

  it('uses the rule a refinement names, and schema/invalid otherwise', () => {
    const r = load('name: bad\nsize: 7\nmode: "off"\n');
    expect(brief(r.diagnostics).sort()).toEqual(['schema/invalid@1:1', 'schema/off-size@2:1']);
  });

  it('reports YAML findings and schema findings together when the value is intact', () => {
    const r = load('name: abc\nsize: 017\nmode: on\n');
    expect(brief(r.diagnostics)).toEqual([
      'yaml/ambiguous-scalar@2:7',
      'yaml/ambiguous-scalar@3:7',
      'schema/too-big@2:1',
    ]);
  });

  it('validates nothing against a guessed value', () => {
    const r = load('name: abc\nname: xyz\n');
    expect(brief(r.diagnostics)).toEqual(['yaml/duplicate-key@2:1']);
    expect(r.doc).toBeUndefined();
  });

  it('rejects a root that is not a map', () => {
    expect(brief(load('- a\n').diagnostics)).toEqual(['schema/invalid-type@1:1']);
    expect(load('').diagnostics[0]?.message).toBe('expected object, found null (an empty value)');
  });
});
