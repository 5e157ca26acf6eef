import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  DataKeyError,
  MacMismatchError,
  MalformedSopsFileError,
  UnsupportedMasterKeyError,
  UnsupportedSopsFeatureError,
} from '../../../src/core/ports/sops.ts';
import { MAX_SOPS_FILE_BYTES } from '../../../src/crypto/sops/codec.ts';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import {
  bytes,
  materialRule,
  newIdentity,
  NOW,
  ruleFrom,
  text,
  type TestIdentity,
} from './helpers.ts';
import { canary } from '../../support/canary.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
let codec: BuiltinSopsCodec;
beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([newIdentity(), newIdentity(), newIdentity()]);
  codec = new BuiltinSopsCodec({ identities: [alice.identity] });
});
const all = () => ruleFrom(`creation_rules:\n  - age: ${alice.recipient}\n`);

const MATERIAL =
  'id: payments/webhook-signing\nversion: 3\nsecret: c2VjcmV0LW1hdGVyaWFs\npublic: pub-part\n';
const MAT = 'keys-manifest/payments/webhook-signing/v3.sops.yaml';

describe('material files (encrypted_regex: ^secret$)', () => {
  it('encrypts only secret, writes sops 3.13 metadata, and decrypts back byte for byte', async () => {
    const enc = text(
      await codec.encrypt(MAT, bytes(MATERIAL), {
        rule: materialRule([alice.recipient]),
        now: NOW,
      }),
    );
    const lines = enc.split('\n');
    expect(lines.slice(0, 2)).toEqual(['id: payments/webhook-signing', 'version: 3']);
    expect(lines[2]).toMatch(
      /^secret: ENC\[AES256_GCM,data:[^,]+,iv:[A-Za-z0-9+/]{43}=,tag:[^,]+,type:str\]$/,
    );
    expect(lines[3]).toBe('public: pub-part');
    const meta = YAML.parse(enc).sops;
    expect(Object.keys(meta)).toEqual(['age', 'encrypted_regex', 'lastmodified', 'mac', 'version']);
    expect(Object.keys(meta.age[0])).toEqual(['enc', 'recipient']);
    expect(meta).toMatchObject({
      encrypted_regex: '^secret$',
      lastmodified: '2026-11-22T04:05:06Z',
      version: '3.13.2',
    });
    expect(enc).toContain('    lastmodified: "2026-11-22T04:05:06Z"\n');
    expect(enc).toMatch(/\n {8}- enc: \|\n {12}-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(enc).not.toContain('c2VjcmV0LW1hdGVyaWFs');
    expect(text(await codec.decrypt(MAT, bytes(enc)))).toBe(MATERIAL);
  });

  it('keeps ciphertext for unchanged values, never an IV for a changed one', async () => {
    const rule = materialRule([alice.recipient]);
    const v1 = await codec.encrypt(MAT, bytes(MATERIAL), { rule, now: NOW });
    const later = new Date('2026-12-01T00:00:00Z');
    const same = await codec.encrypt(MAT, bytes(MATERIAL), { rule, now: later, previous: v1 });
    expect(text(same)).toBe(text(v1)); // nothing changed: not even lastmodified

    const secretLine = (b: Uint8Array) => text(b).split('\n')[2] as string;
    const ivOf = (line: string) => /iv:([^,]+)/.exec(line)?.[1];
    const pub = await codec.encrypt(MAT, bytes(MATERIAL.replace('pub-part', 'pub-2')), {
      rule,
      now: later,
      previous: v1,
    });
    expect(secretLine(pub)).toBe(secretLine(v1));
    expect(text(pub)).toContain('lastmodified: "2026-12-01T00:00:00Z"');
    expect(text(await codec.decrypt(MAT, pub))).toContain('public: pub-2');

    const sec = await codec.encrypt(MAT, bytes(MATERIAL.replace('c2VjcmV0', 'bmV3LXNl')), {
      rule,
      now: later,
      previous: v1,
    });
    expect(ivOf(secretLine(sec))).not.toBe(ivOf(secretLine(v1)));

    // New recipients: a new data key, so nothing may be kept.
    const moved = await new BuiltinSopsCodec({
      identities: [alice.identity, bob.identity],
    }).encrypt(MAT, bytes(MATERIAL), {
      rule: materialRule([alice.recipient, bob.recipient]),
      now: later,
      previous: v1,
    });
    expect(ivOf(secretLine(moved))).not.toBe(ivOf(secretLine(v1)));
    expect(YAML.parse(text(moved)).sops.age).toHaveLength(2);
  });
});

describe('YAML round trips', () => {
  it('go-yaml type resolution: types written, hashed and read back', async () => {
    const plain = [
      'octal: 0777',
      'under: 1_000',
      'yes_is_string: yes',
      'date: 2024-01-01',
      'stamp: 2006-01-02T15:04:05+07:06',
      'float: 1.50',
      'big: 1e21',
      'whole: 5.0',
      'flag: True',
      'quoted: "123"',
      'nothing: null',
      'empty: ""',
      'list: [a, 1, false]',
      'nested: {x: {y: z}}',
      'emptymap: {}',
      'emptylist: []',
      'multi: |',
      '    line 1',
      '    line 2',
      '',
    ].join('\n');
    const enc = text(await codec.encrypt('t.yaml', bytes(plain), { rule: all(), now: NOW }));
    const data = enc.slice(0, enc.indexOf('\nsops:'));
    const types = [...data.matchAll(/^(\s*-?\s*[a-z_]*):? ?ENC\[.*type:(\w+)\]$/gm)].map(
      (m) => m[2],
    );
    expect(types).toEqual([
      'int',
      'int',
      'str',
      'time',
      'time',
      'float',
      'float',
      'float',
      'bool',
      'str',
      'str',
      'int',
      'bool',
      'str',
      'str',
    ]);
    expect(enc).toContain('empty: ""');
    expect(enc).toContain('nothing: null');
    const out = text(await codec.decrypt('t.yaml', bytes(enc)));
    expect(out).toBe(
      [
        'octal: 511',
        'under: 1000',
        'yes_is_string: yes',
        'date: 2024-01-01T00:00:00Z',
        'stamp: 2006-01-02T15:04:05+07:06',
        'float: 1.5',
        'big: 1000000000000000000000.0',
        'whole: 5.0',
        'flag: true',
        'quoted: "123"',
        'nothing: null',
        'empty: ""',
        'list:',
        '    - a',
        '    - 1',
        '    - false',
        'nested:',
        '    x:',
        '        y: z',
        'emptymap: {}',
        'emptylist: []',
        'multi: |',
        '    line 1',
        '    line 2',
        '',
      ].join('\n'),
    );
  });

  it('comments are encrypted with the path of their collection and come back', async () => {
    const plain = '# top\na: 1 # inline\nb:\n    # inside b\n    c: 2\n    # end of b\n# end\n';
    const enc = text(await codec.encrypt('c.yaml', bytes(plain), { rule: all(), now: NOW }));
    expect(enc.match(/#ENC\[AES256_GCM,.*type:comment\]/g)).toHaveLength(5);
    expect(enc).not.toMatch(/inside b|end of b|top/);
    const out = text(await codec.decrypt('c.yaml', bytes(enc)));
    for (const c of ['# top', '# inline', '# inside b', '# end of b', '# end'])
      expect(out).toContain(c);
    expect(YAML.parse(out)).toEqual({ a: 1, b: { c: 2 } });
  });

  it('multi-document files carry metadata in every document', async () => {
    const enc = text(
      await codec.encrypt('m.yaml', bytes('a: 1\n---\nb: 2\n'), { rule: all(), now: NOW }),
    );
    const docs = YAML.parseAllDocuments(enc).map((d) => d.toJS());
    expect(docs).toHaveLength(2);
    expect(docs.every((d) => d.sops?.mac)).toBe(true);
    expect(text(await codec.decrypt('m.yaml', bytes(enc)))).toBe('a: 1\n---\nb: 2\n');
  });

  it('strings that go-yaml would read as another type are quoted', async () => {
    const rule = ruleFrom(
      `creation_rules:\n  - age: ${alice.recipient}\n    encrypted_regex: ^never$\n`,
    );
    const plain =
      'a: "0777"\nb: "1_000"\nc: "2024-01-01"\nd: "true"\ne: "~"\nf: "x: y"\ng: " lead"\n';
    const enc = text(await codec.encrypt('q.yaml', bytes(plain), { rule, now: NOW }));
    expect(enc.startsWith(plain)).toBe(true);
  });
});

describe('JSON, dotenv and binary round trips', () => {
  it('JSON keeps key order, ints vs floats, empty strings; tab indent like sops', async () => {
    const plain =
      '{\n\t"b": 1,\n\t"10": 7.5,\n\t"a": [\n\t\t1.0,\n\t\t"",\n\t\tnull,\n\t\ttrue\n\t],\n\t"o": {\n\t\t"k": "v"\n\t}\n}\n';
    const enc = text(await codec.encrypt('x.json', bytes(plain), { rule: all(), now: NOW }));
    expect(Object.keys(JSON.parse(enc) as object)).toEqual(['10', 'b', 'a', 'o', 'sops']); // JSON.parse reorders…
    expect(enc.indexOf('"b"')).toBeLessThan(enc.indexOf('"10"')); // …the file does not
    expect(enc).toMatch(/"b": "ENC\[[^"]*type:int\]"/);
    expect(enc).toMatch(/"10": "ENC\[[^"]*type:float\]"/);
    expect(enc).toContain('\t\t"",\n\t\tnull,');
    expect(text(await codec.decrypt('x.json', bytes(enc)))).toBe(plain.replace('1.0', '1'));
  });

  it('INI: sections, comments, values that need quoting', async () => {
    const ini =
      '; about the section\n[main]\nkey = value\n; about other\nother = "a;b"\n\n[second]\nx = 1\n\n';
    const e = text(await codec.encrypt('a.ini', bytes(ini), { rule: all(), now: NOW }));
    expect(e).toMatch(/^; ENC\[AES256_GCM,.*type:comment\]\n\[main\]\n/);
    expect(e).toMatch(/\[sops\]\nage__list_0__map_enc = -----BEGIN AGE ENCRYPTED FILE-----\\n/);
    expect(text(await codec.decrypt('a.ini', bytes(e)))).toBe(
      ini.replace('other = a;b', 'other = "a;b"'),
    );
  });

  it('dotenv and binary', async () => {
    const env = '# comment\nKEY=va=lue\nMULTI=a\\nb\n';
    const e = text(await codec.encrypt('a.env', bytes(env), { rule: all(), now: NOW }));
    expect(e).toMatch(/^sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\n/m);
    expect(text(await codec.decrypt('a.env', bytes(e)))).toBe(env);
    const bin = 'any text\n\twith "quotes"\n';
    const b = text(await codec.encrypt('notes.txt', bytes(bin), { rule: all(), now: NOW }));
    expect(Object.keys(JSON.parse(b) as object)).toEqual(['data', 'sops']);
    expect(text(await codec.decrypt('notes.txt', bytes(b)))).toBe(bin);
  });
});

describe('key groups and Shamir', () => {
  it('2-of-3 groups: any two identities decrypt, one is not enough', async () => {
    const rule = ruleFrom(
      `creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n      - age: [${carol.recipient}]\n`,
    );
    const enc = await codec.encrypt('s.yaml', bytes('k: v\n'), { rule, now: NOW });
    const meta = YAML.parse(text(enc)).sops;
    expect(meta.key_groups).toHaveLength(3);
    expect(meta.shamir_threshold).toBe(2);
    const info = await new BuiltinSopsCodec({ identities: [] }).inspect('s.yaml', enc);
    expect(info.ageRecipients).toEqual([[alice.recipient], [bob.recipient], [carol.recipient]]);
    expect(info.shamirThreshold).toBe(2);
    for (const pair of [
      [alice, bob],
      [bob, carol],
      [alice, carol],
    ])
      expect(
        text(
          await new BuiltinSopsCodec({ identities: pair.map((p) => p.identity) }).decrypt(
            's.yaml',
            enc,
          ),
        ),
      ).toBe('k: v\n');
    await expect(
      new BuiltinSopsCodec({ identities: [bob.identity] }).decrypt('s.yaml', enc),
    ).rejects.toBeInstanceOf(DataKeyError);
  });
});

describe('refusals, and errors never quote plaintext', () => {
  it.each([
    ['an alias', 'a: &x secretvalue1234567\nb: *x\n', UnsupportedSopsFeatureError],
    ['a non-string key', '1: secretvalue1234567\n', UnsupportedSopsFeatureError],
    ['a uint64', 'a: 18446744073709551615\n', UnsupportedSopsFeatureError],
    ['a custom tag', 'a: !vault secretvalue1234567\n', MalformedSopsFileError],
    ['a known non-str tag', 'a: !!binary c2VjcmV0dmFsdWUxMjM0NTY3\n', UnsupportedSopsFeatureError],
    ['a top-level list', '- secretvalue1234567\n', UnsupportedSopsFeatureError],
    ['invalid YAML', 'a: "secretvalue1234567\n', MalformedSopsFileError],
    ['a duplicate key', 'a: secretvalue1234567\na: x\n', MalformedSopsFileError],
    ['existing sops metadata', 'a: 1\nsops: {}\n', MalformedSopsFileError],
  ])('%s', async (_name, plain, cls) => {
    canary.clear();
    canary.register('secretvalue1234567', 'test secret');
    const err = await codec
      .encrypt('r.yaml', bytes(plain), { rule: all(), now: NOW })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    canary.assertAbsent(String((err as Error).message) + String((err as Error).stack), 'error');
  });

  it('a rule with PGP keys is refused by the built-in codec', async () => {
    const rule = ruleFrom(
      `creation_rules:\n  - age: ${alice.recipient}\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n`,
    );
    await expect(
      codec.encrypt('p.yaml', bytes('a: 1\n'), { rule, now: NOW }),
    ).rejects.toBeInstanceOf(UnsupportedMasterKeyError);
  });
});

describe('crypt rules sops supports, on our own files (no real fixture covers them)', () => {
  const enc = async (extra: string, plain: string) =>
    text(
      await codec.encrypt('r.yaml', bytes(plain), {
        rule: ruleFrom(`creation_rules:\n  - age: ${alice.recipient}\n${extra}`),
        now: NOW,
      }),
    );
  const isEnc = (t: string, key: string) => new RegExp(`^\\s*${key}: ENC\\[`, 'm').test(t);

  it('encrypted_suffix and unencrypted_regex look at every path component', async () => {
    const t = await enc('    encrypted_suffix: _secret\n', 'db_secret:\n    user: u\nplain: p\n');
    expect([isEnc(t, 'user'), isEnc(t, 'plain')]).toEqual([true, false]);
    const u = await enc('    unencrypted_regex: ^pub\n', 'public:\n    a: 1\nprivate: x\n');
    expect([isEnc(u, 'a'), isEnc(u, 'private')]).toEqual([false, true]);
    expect(text(await codec.decrypt('r.yaml', bytes(u)))).toBe('public:\n    a: 1\nprivate: x\n');
  });

  it('encrypted_comment_regex: a matching comment encrypts what follows, and stays clear itself', async () => {
    const t = await enc(
      '    encrypted_comment_regex: sops:enc\n',
      'a: 1\n# sops:enc\nb: 2\nc: 3\n',
    );
    expect(t).toContain('# sops:enc\n');
    expect([isEnc(t, 'a'), isEnc(t, 'b'), isEnc(t, 'c')]).toEqual([false, true, false]);
    expect(text(await codec.decrypt('r.yaml', bytes(t)))).toBe('a: 1\n# sops:enc\nb: 2\nc: 3\n');
  });

  it('unencrypted_comment_regex: a matching comment leaves what follows clear; ENC must not match', async () => {
    const t = await enc(
      '    unencrypted_comment_regex: sops:clear\n',
      'a: 1\n# sops:clear\nb: 2\n',
    );
    expect([isEnc(t, 'a'), isEnc(t, 'b')]).toEqual([true, false]);
    await expect(
      enc('    unencrypted_comment_regex: ENC\n', '# note\na: 1\n'),
    ).rejects.toBeInstanceOf(UnsupportedSopsFeatureError);
  });
});

describe('previous files', () => {
  it('an encrypt-only codec (no identity) cannot keep ciphertext and writes fresh values', async () => {
    const rule = materialRule([alice.recipient]);
    const v1 = text(await codec.encrypt(MAT, bytes(MATERIAL), { rule, now: NOW }));
    const blind = new BuiltinSopsCodec({ identities: [] });
    const v2 = text(
      await blind.encrypt(MAT, bytes(MATERIAL), { rule, now: NOW, previous: bytes(v1) }),
    );
    expect(v2.split('\n')[2]).not.toBe(v1.split('\n')[2]);
    expect(text(await codec.decrypt(MAT, bytes(v2)))).toBe(MATERIAL);
  });

  it('a tampered previous file is an error, never a base to build on', async () => {
    const rule = materialRule([alice.recipient]);
    const v1 = text(await codec.encrypt(MAT, bytes(MATERIAL), { rule, now: NOW }));
    await expect(
      codec.encrypt(MAT, bytes(MATERIAL), {
        rule,
        now: NOW,
        previous: bytes(v1.replace('version: 3', 'version: 4')),
      }),
    ).rejects.toBeInstanceOf(MacMismatchError);
  });

  it('refuses oversized input before parsing it', async () => {
    const big = new Uint8Array(MAX_SOPS_FILE_BYTES + 1);
    await expect(codec.decrypt('big.yaml', big)).rejects.toBeInstanceOf(
      UnsupportedSopsFeatureError,
    );
  });
});
