/**
 * Properties over generated input: Go float formatting round-trips every double, and any tree
 * of strings, numbers and booleans survives encrypt -> decrypt in YAML and JSON with the same
 * values, and YAML we print reads back the same (quoting never turns a string into another type
 * the way go-yaml resolves plain scalars).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import { goFormatFloat, resolvePlain } from '../../../src/crypto/sops/values.ts';
import { bytes, newIdentity, NOW, ruleFrom, text, type TestIdentity } from './helpers.ts';

let alice: TestIdentity;
let codec: BuiltinSopsCodec;
beforeAll(async () => {
  alice = await newIdentity();
  codec = new BuiltinSopsCodec({ identities: [alice.identity] });
});

describe('goFormatFloat', () => {
  it('parses back to the same double and never uses an exponent', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const t = goFormatFloat(x);
        expect(t).not.toMatch(/e/i);
        expect(Object.is(Number(t), x) || (x === 0 && Number(t) === 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

const key = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((k) => k !== 'sops' && k !== '<<' && resolvePlain(k).t === 'str');
const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '0777',
    '1_000',
    '2024-01-01',
    'yes',
    'True',
    '~',
    'null',
    ' lead',
    'trail ',
    'a: b',
    '# c',
    '- x',
    '"q"',
    "'q'",
    '|',
    '\t',
    'x\ny',
    'x\n',
    '\n',
  ),
  fc.integer(),
  fc.boolean(),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 })
    .filter((d) => !Number.isInteger(d)),
);
const tree = fc.dictionary(
  key,
  fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(key, scalar, { maxKeys: 3 })),
  {
    minKeys: 1,
    maxKeys: 5,
  },
);

describe('encrypt -> decrypt keeps every value', () => {
  it('YAML and JSON, everything encrypted and everything clear', async () => {
    const everything = ruleFrom(`creation_rules:\n  - age: ${alice.recipient}\n`);
    const nothing = ruleFrom(
      `creation_rules:\n  - age: ${alice.recipient}\n    encrypted_regex: ^\\b$\n`,
    );
    await fc.assert(
      fc.asyncProperty(tree, fc.boolean(), async (data, encryptAll) => {
        const rule = encryptAll ? everything : nothing;
        const json = JSON.stringify(data, null, '\t') + '\n';
        const j = await codec.encrypt('p.json', bytes(json), { rule, now: NOW });
        expect(JSON.parse(text(await codec.decrypt('p.json', j)))).toEqual(data);
        // YAML: what we print after decrypting must mean the same to go-yaml resolution, so a
        // second encrypt -> decrypt is a fixed point (a badly quoted "1_000" would become 1000).
        const d1 = text(
          await codec.decrypt(
            'p.yaml',
            await codec.encrypt('p.yaml', bytes(YAML.stringify(data)), { rule, now: NOW }),
          ),
        );
        const d2 = text(
          await codec.decrypt(
            'p.yaml',
            await codec.encrypt('p.yaml', bytes(d1), { rule, now: NOW }),
          ),
        );
        expect(d2).toBe(d1);
      }),
      { numRuns: 150 },
    );
  });
});
