import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expressionsIn, referencesIn } from '../../src/core/workflow-lint/expressions.ts';

describe('expressionsIn', () => {
  it.each([
    ['echo hi', []],
    ['a ${{ x }} b ${{y}}', [' x ', 'y']],
    ["${{ format('}}', a) }} ${{ b }}", [" format('}}', a) ", ' b ']],
    ["${{ 'it''s }}' }}", [" 'it''s }}' "]],
    ['${{ unclosed', [' unclosed']],
    ['$ {{ not }} ${ { no } }', []],
  ])('%j', (text, expected) => {
    expect(expressionsIn(text)).toEqual(expected);
  });
});

describe('referencesIn', () => {
  it.each([
    ['github.event.pull_request.title', [['github', 'event', 'pull_request', 'title']]],
    ["GitHub['Event'].Issue.BODY", [['github', 'event', 'issue', 'body']]],
    ['github . head_ref', [['github', 'head_ref']]],
    ['steps.*.outputs.x', [['steps', '*', 'outputs', 'x']]],
    ["contains(github.event.labels.*.name, 'x')", [['github', 'event', 'labels', '*', 'name']]],
    ["'github.event.issue.title'", []],
    // A computed index ends the path; the index and what follows are scanned on their own.
    ['matrix.list[matrix.i].name', [['matrix', 'list'], ['matrix', 'i'], ['name']]],
    ['secrets[matrix.name]', [['secrets'], ['matrix', 'name']]],
    ['1.5e3 == 0x1F && true', [['true']]],
    ['toJSON(github)', [['github']]],
  ])('%s', (expression, expected) => {
    expect(referencesIn(expression)).toEqual(expected);
  });

  it('terminates on any text and returns lower-case, non-empty paths', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const e of expressionsIn(text))
          for (const path of referencesIn(e)) {
            expect(path.length).toBeGreaterThan(0);
            expect(path[0]).toBe(path[0]!.toLowerCase());
          }
        for (const path of referencesIn(text)) expect(path[0]).toMatch(/^[a-z_][a-z0-9_-]*$/);
      }),
      { numRuns: 2000 },
    );
  });
});
