/**
 * Fail closed: every way of altering an encrypted file that the format can detect is refused,
 * each with its own typed error, on a file we wrote and on a real sops file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SopsError } from '../../../src/core/ports/sops.ts';
import {
  CryptRuleMismatchError,
  DataKeyError,
  MacMismatchError,
  MacMissingError,
  NoMatchingIdentityError,
  RecipientsMismatchError,
  ValueAuthenticationError,
} from '../../../src/core/ports/sops.ts';
import type { CreationRule } from '../../../src/core/sops-config.ts';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import { ageKeys, fixtureBytes, HAVE_FIXTURES, manifest } from './fixtures.ts';
import {
  bytes,
  materialRule,
  newIdentity,
  NOW,
  ruleFrom,
  text,
  type TestIdentity,
} from './helpers.ts';

const PATH = 'keys-manifest/app/v1.sops.yaml';
const MATERIAL = 'id: app\nversion: 1\nsecret: s3cr3t-value-abcdef\npublic: pub\n';

/** Changes one base64 character inside the `data:` of the first ENC value on `key`'s line. */
const flipData = (t: string, key: string) =>
  t.replace(
    new RegExp(`(${key}: ENC\\[AES256_GCM,data:)(.)`),
    (_m, pre: string, c: string) => pre + (c === 'A' ? 'B' : 'A'),
  );

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
let rule: CreationRule;
let file: string;
beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([newIdentity(), newIdentity(), newIdentity()]);
  rule = materialRule([alice.recipient]);
  file = text(
    await new BuiltinSopsCodec({ identities: [] }).encrypt(PATH, bytes(MATERIAL), {
      rule,
      now: NOW,
    }),
  );
});

type Case = readonly [string, (t: string) => string, new (...a: never[]) => SopsError, boolean];
const cases = (): Case[] => [
  ['a flipped ciphertext byte', (t) => flipData(t, 'secret'), ValueAuthenticationError, false],
  ['an edited clear value', (t) => t.replace('id: app', 'id: evil'), MacMismatchError, false],
  ['a deleted mac', (t) => t.replace(/\n {4}mac: .*/, ''), MacMissingError, false],
  ['a changed lastmodified', (t) => t.replace('04:05:06Z', '04:05:07Z'), MacMismatchError, false],
  [
    'toggled mac_only_encrypted',
    (t) => t.replace('\n    version:', '\n    mac_only_encrypted: true\n    version:'),
    MacMismatchError,
    false,
  ],
  [
    'toggled mac_only_encrypted (vs the rule)',
    (t) => t.replace('\n    version:', '\n    mac_only_encrypted: true\n    version:'),
    CryptRuleMismatchError,
    true,
  ],
  [
    'a crypt rule that leaves more in clear (vs the rule)',
    (t) => t.replace('encrypted_regex: ^secret$', 'encrypted_regex: ^nothing$'),
    CryptRuleMismatchError,
    true,
  ],
  [
    'a replaced recipient (vs the rule)',
    (t) => t.replace(alice.recipient, carol.recipient),
    RecipientsMismatchError,
    true,
  ],
  // A replaced recipient without a rule is not a refusal: the `recipient:` text is unauthenticated
  // metadata and sops opens the intact stanza with any loaded identity (fidelity.test.ts).
  [
    'a tampered data-key stanza',
    (t) =>
      t.replace(
        /(-----BEGIN AGE ENCRYPTED FILE-----\n\s+)(\S)/,
        (_m, p: string, c: string) => p + (c === 'Y' ? 'Z' : 'Y'),
      ),
    DataKeyError,
    false,
  ],
];

describe('tampering with a file rekey wrote', () => {
  it.each(cases().map((c) => [c[0], c] as const))('%s', async (_n, [, tamper, cls, withRule]) => {
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const tampered = tamper(file);
    expect(tampered).not.toBe(file);
    const err = await codec
      .decrypt(PATH, bytes(tampered), withRule ? { rule } : undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect((err as Error).message).not.toContain('s3cr3t');
  });

  it('the untampered file passes, with and without the rule', async () => {
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    expect(text(await codec.decrypt(PATH, bytes(file), { rule }))).toBe(MATERIAL);
  });

  it('an added recipient is refused against the rule', async () => {
    const wider = text(
      await new BuiltinSopsCodec({ identities: [] }).encrypt(PATH, bytes(MATERIAL), {
        rule: materialRule([alice.recipient, bob.recipient]),
        now: NOW,
      }),
    );
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    await expect(codec.decrypt(PATH, bytes(wider))).resolves.toBeDefined();
    await expect(codec.decrypt(PATH, bytes(wider), { rule })).rejects.toBeInstanceOf(
      RecipientsMismatchError,
    );
  });

  it('swapping two encrypted values between keys fails AAD authentication', async () => {
    const all = ruleFrom(`creation_rules:\n  - age: ${alice.recipient}\n`);
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const t = text(
      await codec.encrypt('x.yaml', bytes('a: one\nb: two\n'), { rule: all, now: NOW }),
    );
    const [a, b] = [/^a: (.*)$/m.exec(t)?.[1], /^b: (.*)$/m.exec(t)?.[1]];
    const swapped = t.replace(`a: ${a}`, `a: ${b}`).replace(`b: ${b}`, `b: ${a}`);
    await expect(codec.decrypt('x.yaml', bytes(swapped))).rejects.toBeInstanceOf(
      ValueAuthenticationError,
    );
  });

  it('reordering list items breaks the MAC', async () => {
    const clear = ruleFrom(
      `creation_rules:\n  - age: ${alice.recipient}\n    encrypted_regex: ^secret$\n`,
    );
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const t = text(
      await codec.encrypt('l.yaml', bytes('l:\n    - x\n    - y\n'), { rule: clear, now: NOW }),
    );
    const swapped = t.replace('    - x\n    - y', '    - y\n    - x');
    await expect(codec.decrypt('l.yaml', bytes(swapped))).rejects.toBeInstanceOf(MacMismatchError);
  });

  it('with mac_only_encrypted, clear values may be edited (as in sops) but secrets may not', async () => {
    const moe = materialRule([alice.recipient], '    mac_only_encrypted: true\n');
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const t = text(await codec.encrypt(PATH, bytes(MATERIAL), { rule: moe, now: NOW }));
    expect(t).toContain('    mac_only_encrypted: true\n');
    expect(
      text(await codec.decrypt(PATH, bytes(t.replace('public: pub', 'public: other')))),
    ).toContain('public: other');
    await expect(
      codec.decrypt(PATH, bytes(t.replace('\n    mac_only_encrypted: true', ''))),
    ).rejects.toBeInstanceOf(MacMismatchError);
  });

  it('each failure has its own code', () => {
    const codes = [
      MacMissingError,
      MacMismatchError,
      ValueAuthenticationError,
      RecipientsMismatchError,
      CryptRuleMismatchError,
      NoMatchingIdentityError,
      DataKeyError,
    ].map((c) => c.prototype.constructor.name);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new MacMissingError('f').code).toBe('sops/mac-missing');
    expect(new MacMismatchError('f', 'differs').code).toBe('sops/mac-mismatch');
    expect(new ValueAuthenticationError('f', 'a:').code).toBe('sops/value-authentication');
  });
});

describe.skipIf(!HAVE_FIXTURES)(
  'tampering with a real sops file (flux-age.yaml, encrypted_regex)',
  () => {
    const e = manifest().find((x) => x.file === 'age/flux-age.yaml');
    const real = () => fixtureBytes('age/flux-age.yaml').toString('utf8');
    it.each([
      ['flipped ciphertext byte', (t: string) => flipData(t, 'key'), ValueAuthenticationError],
      ['edited clear value', (t: string) => t.replace('name: age', 'name: agf'), MacMismatchError],
      ['deleted mac', (t: string) => t.replace(/\n {2}mac: .*/, ''), MacMissingError],
      [
        'changed lastmodified',
        (t: string) => t.replace('13:33:42Z', '13:33:43Z'),
        MacMismatchError,
      ],
      [
        'toggled mac_only_encrypted',
        (t: string) => t.replace('\n  version:', '\n  mac_only_encrypted: true\n  version:'),
        MacMismatchError,
      ],
    ] as const)('%s', async (_n, tamper, cls) => {
      if (!e) throw new Error('flux-age.yaml missing from MANIFEST');
      const codec = new BuiltinSopsCodec({ identities: ageKeys(e) });
      await expect(codec.decrypt(e.file, Buffer.from(real()))).resolves.toBeDefined();
      const tampered = tamper(real());
      expect(tampered).not.toBe(real());
      await expect(codec.decrypt(e.file, Buffer.from(tampered))).rejects.toBeInstanceOf(cls);
    });
  },
);
