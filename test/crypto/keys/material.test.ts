import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/core/diagnostics.ts';
import { KEY_TYPES } from '../../../src/core/formats/key.ts';
import {
  generateKey,
  materialPlaintext,
  parseMaterialPlaintext,
  MATERIAL_MAX_BYTES,
} from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';

const RSA_LIKE_PEM = `-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPaplfAjV3KD1x+Qfc=\n-----END PUBLIC KEY-----\n`;

/** The findings of a rejected document, each checked to carry no registered secret. */
function rejection(text: string): { rule: string; line: number }[] {
  try {
    parseMaterialPlaintext(text, 'keys-manifest/a/v1.sops.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    const err = e as InvalidInputError;
    canary.assertAbsent(err.message, 'InvalidInputError message');
    for (const d of err.diagnostics) expect(d.file).toBe('keys-manifest/a/v1.sops.yaml');
    return err.diagnostics.map((d) => ({ rule: d.rule, line: d.line }));
  }
  throw new Error('expected the material to be rejected');
}

describe('materialPlaintext', () => {
  it('writes id, version, secret, public in that order, PEM as a literal block', () => {
    const text = materialPlaintext({
      id: 'payments/signing',
      version: 3,
      secret: 'c2VjcmV0LWJ5dGVzLWZvci10ZXN0cy1vbmx5',
      public: RSA_LIKE_PEM,
    });
    expect(text).toBe(
      [
        'id: "payments/signing"',
        'version: 3',
        'secret: "c2VjcmV0LWJ5dGVzLWZvci10ZXN0cy1vbmx5"',
        'public: |',
        '  -----BEGIN PUBLIC KEY-----',
        '  MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPaplfAjV3KD1x+Qfc=',
        '  -----END PUBLIC KEY-----',
        '',
      ].join('\n'),
    );
  });

  it('quotes values a YAML reader could take for numbers or booleans', () => {
    const text = materialPlaintext({ id: 'yes', version: 1, secret: '12e45678901234567890' });
    expect(text).toBe('id: "yes"\nversion: 1\nsecret: "12e45678901234567890"\n');
    expect(parseMaterialPlaintext(text)).toEqual({
      id: 'yes',
      version: 1,
      secret: '12e45678901234567890',
    });
  });

  // rsa-4096 is left out: its PEM has the shape of rsa-3072's and it is slow to generate.
  it.each(KEY_TYPES.filter((t) => t !== 'rsa-4096'))(
    'round-trips generated %s material',
    async (type) => {
      const k = await generateKey(
        type,
        type === 'random' ? { bytes: 32, encoding: 'hex' } : undefined,
      );
      canary.register(k.secret, type);
      const doc = { id: 'team/key-1', version: 7, secret: k.secret, public: k.public };
      const text = materialPlaintext(doc);
      expect(parseMaterialPlaintext(text)).toEqual(
        k.public === undefined ? { id: doc.id, version: 7, secret: k.secret } : doc,
      );
      if (k.secret.includes('\n')) expect(text).toMatch(/^secret: \|\n {2}-----BEGIN /m);
    },
  );

  it('round-trips any text, multi-line, control characters and Unicode included (property)', () => {
    const line = fc.oneof(
      fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme-ascii' }),
      fc.string({ minLength: 1, maxLength: 20, unit: 'binary-ascii' }),
      fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
    );
    const value = fc.oneof(
      line,
      fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => ls.join('\n')),
      fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => `${ls.join('\n')}\n`),
    );
    fc.assert(
      fc.property(
        value,
        fc.option(value, { nil: undefined }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (secret, pub, version) => {
          const doc =
            pub === undefined
              ? { id: 'k', version, secret }
              : { id: 'k', version, secret, public: pub };
          expect(parseMaterialPlaintext(materialPlaintext(doc))).toEqual(doc);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['control characters across lines (folded wrongly by yaml 2.9)', '\u0000\n \n\u0000\n  \nx y '],
    ['a leading space', ' a\nb\n'],
    ['leading empty lines', '\n\n  a\n'],
    ['several trailing newlines', 'a\n\n\n'],
    ['a tab and CR', 'a\tb\r\nc'],
    ['an astral character', 'a\n\u{1f511}\n'],
  ])('round-trips %s', (_, secret) => {
    expect(parseMaterialPlaintext(materialPlaintext({ id: 'k', version: 1, secret }))).toEqual({
      id: 'k',
      version: 1,
      secret,
    });
  });

  it.each([
    ['an invalid id', { id: 'Bad/ID', version: 1, secret: 'x' }],
    ['version 0', { id: 'a', version: 0, secret: 'x' }],
    ['a fractional version', { id: 'a', version: 1.5, secret: 'x' }],
    ['an empty secret', { id: 'a', version: 1, secret: '' }],
    ['an empty public part', { id: 'a', version: 1, secret: 'x', public: '' }],
  ])('refuses %s', (_, doc) => {
    expect(() => materialPlaintext(doc)).toThrow(RangeError);
  });
});

describe('parseMaterialPlaintext is strict', () => {
  const secret = 'Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXk=';
  canary.register(secret, 'parse fixture');

  it.each([
    [
      'an unknown key',
      `id: a\nversion: 1\nsecret: "${secret}"\nnote: hi\n`,
      'material/unknown-key',
      4,
    ],
    [
      'the secret as a key',
      `id: a\nversion: 1\n${secret}: v\nsecret: w\n`,
      'material/unknown-key',
      3,
    ],
    ['a missing secret', `id: a\nversion: 1\n`, 'material/missing-key', 1],
    ['a missing version', `id: a\nsecret: "${secret}"\n`, 'material/missing-key', 1],
    ['a numeric secret', `id: a\nversion: 1\nsecret: 12345\n`, 'material/invalid-value', 3],
    ['a list as secret', `id: a\nversion: 1\nsecret: ["${secret}"]\n`, 'material/invalid-value', 3],
    ['a string version', `id: a\nversion: "1"\nsecret: "${secret}"\n`, 'material/invalid-value', 2],
    [
      'a negative version',
      `id: a\nversion: -1\nsecret: "${secret}"\n`,
      'material/invalid-value',
      2,
    ],
    ['a bad id', `id: ../etc\nversion: 1\nsecret: "${secret}"\n`, 'material/invalid-value', 1],
    ['a list document', `- "${secret}"\n`, 'material/not-a-map', 1],
    [
      'a duplicate secret',
      `id: a\nversion: 1\nsecret: "${secret}"\nsecret: "${secret}"\n`,
      'yaml/duplicate-key',
      4,
    ],
    ['an alias', `id: a\nversion: 1\nsecret: &s "${secret}"\npublic: *s\n`, 'yaml/anchor', 3],
    ['a tag', `id: a\nversion: 1\nsecret: !!binary "${secret}"\n`, 'yaml/tag', 3],
    [
      'broken YAML around the secret',
      `id: a\nversion: 1\nsecret: "${secret}\n  : [\n`,
      'yaml/syntax',
      5,
    ],
    ['two documents', `id: a\n---\nsecret: "${secret}"\n`, 'yaml/multiple-documents', 2],
  ])('rejects %s, naming the rule and line, never the value', (_, text, rule, line) => {
    expect(rejection(text)).toContainEqual({ rule, line });
  });

  it('reports every problem, not the first', () => {
    const rules = rejection(`id: Bad\nversion: x\nextra: 1\n`).map((f) => f.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'material/invalid-value',
        'material/unknown-key',
        'material/missing-key',
      ]),
    );
    expect(rules.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses oversized input before parsing', () => {
    const big = `id: a\nversion: 1\nsecret: "${'A'.repeat(MATERIAL_MAX_BYTES)}"\n`;
    expect(rejection(big)).toEqual([{ rule: 'yaml/too-large', line: 0 }]);
  });
});
