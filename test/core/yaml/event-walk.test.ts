// The walk's shortcut for plain scalars that can only be strings, against js-yaml's own
// implicit resolution (the core schema): the shortcut may only skip a resolver that would
// not have matched.
import fc from 'fast-check';
import { CORE_SCHEMA } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isPlainString } from '../../../src/core/yaml/event-walk.ts';

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc
    .tuple(
      fc.constantFrom(...'~nNtTfFyYoO+-.0123456789aZ_<!&*@ "\'#'),
      fc.constantFrom('', 'ull', 'rue', 'alse', 'inf', 'nan', '1', 'x10', 'o17', '.5e3', 'es', 'o'),
    )
    .map(([a, b]) => a + b),
);

describe('isPlainString', () => {
  it('is true only for scalars the core schema resolves to themselves, as strings', () => {
    fc.assert(
      fc.property(scalar, (s) => {
        if (isPlainString(s)) expect(CORE_SCHEMA.resolveImplicitScalarTag(s).value).toBe(s);
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes the shortcut for ordinary keys and text, never for null, booleans or numbers', () => {
    for (const s of ['id', 'description', 'kind', 'github-secret', 'WEBHOOK_KEY', 'acme/api'])
      expect(isPlainString(s), s).toBe(true);
    for (const s of [
      '',
      '~',
      'null',
      'Null',
      'true',
      'False',
      '12',
      '-1',
      '+1',
      '.5',
      '.inf',
      '.NaN',
      '0x1f',
    ])
      expect(isPlainString(s), s).toBe(false);
  });
});
