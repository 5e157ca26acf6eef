/**
 * One contract for the SOPS port, run against both implementations: the built-in codec and
 * the sops CLI adapter. The CLI half runs where a `sops` binary is on PATH or SOPS_BINARY is
 * set (CI with sops installed) and says so when it skips. Where both run, each decrypts the
 * other's output: that is the compatibility claim, checked against real sops.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { findSopsBinary, SopsCli } from '../../src/adapters/sops-cli.ts';
import type { SopsCodec } from '../../src/core/ports/sops.ts';
import {
  MacMismatchError,
  MacMissingError,
  NoMatchingIdentityError,
  RecipientsMismatchError,
} from '../../src/core/ports/sops.ts';
import type { CreationRule } from '../../src/core/sops-config.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { ageKeys, fixtureBytes, HAVE_FIXTURES, manifest } from '../crypto/sops/fixtures.ts';
import {
  bytes,
  materialRule,
  newIdentity,
  NOW,
  ruleFrom,
  text,
  type TestIdentity,
} from '../crypto/sops/helpers.ts';

const sopsBinary = findSopsBinary(process.env);
if (!sopsBinary)
  console.warn(
    'skipping the sops CLI half of the SOPS contract: no sops on PATH and no SOPS_BINARY',
  );

const MAT = 'keys-manifest/app/v1.sops.yaml';
const MATERIAL = 'id: app\nversion: 1\nsecret: c3VwZXItc2VjcmV0LXZhbHVl\npublic: pub\n';

let alice: TestIdentity;
let mallory: TestIdentity;
let rule: CreationRule;
let catchAll: CreationRule;
const dir = mkdtempSync(path.join(tmpdir(), 'rekey-sops-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  [alice, mallory] = await Promise.all([newIdentity(), newIdentity()]);
  const config = `creation_rules:\n  - path_regex: ^keys-manifest/\n    encrypted_regex: ^secret$\n    age: ${alice.recipient}\n  - age: ${alice.recipient}\n`;
  // Public configuration only: the sops CLI finds its creation rule here, as a user's would.
  writeFileSync(path.join(dir, '.sops.yaml'), config);
  rule = materialRule([alice.recipient]);
  catchAll = ruleFrom(`creation_rules:\n  - age: ${alice.recipient}\n`);
});

type Make = (identities: string[]) => SopsCodec;
const implementations: readonly (readonly [string, Make | undefined])[] = [
  ['built-in codec', (ids) => new BuiltinSopsCodec({ identities: ids })],
  [
    'sops CLI',
    sopsBinary
      ? (ids) =>
          new SopsCli({
            binary: sopsBinary,
            cwd: dir,
            env: { PATH: process.env['PATH'], HOME: dir, SOPS_AGE_KEY: ids.join('\n') },
          })
      : undefined,
  ],
];

describe.each(implementations)('SOPS port contract: %s', (_name, make) => {
  const codec = (ids: string[]) => {
    if (!make) throw new Error('unreachable: suite skipped');
    return make(ids);
  };
  describe.skipIf(!make)('', () => {
    it('encrypts a material file so only secret is encrypted, and decrypts it back', async () => {
      const c = codec([alice.identity]);
      const enc = await c.encrypt(MAT, bytes(MATERIAL), { rule, now: NOW });
      const doc = YAML.parse(text(enc));
      expect(doc).toMatchObject({ id: 'app', version: 1, public: 'pub' });
      expect(doc.secret).toMatch(/^ENC\[AES256_GCM,/);
      expect(doc.sops.encrypted_regex).toBe('^secret$');
      expect(text(enc)).not.toContain('c3VwZXItc2VjcmV0LXZhbHVl');
      expect(YAML.parse(text(await c.decrypt(MAT, enc, { rule })))).toEqual(YAML.parse(MATERIAL));
      expect((await c.inspect(MAT, enc)).ageRecipients).toEqual([[alice.recipient]]);
    });

    it('round-trips JSON', async () => {
      const c = codec([alice.identity]);
      const json = '{\n\t"a": 1,\n\t"b": [true, "x", 2.5],\n\t"c": {"d": ""}\n}\n';
      const enc = await c.encrypt('other/x.json', bytes(json), {
        rule: materialRule([alice.recipient]),
        now: NOW,
      });
      expect(JSON.parse(text(await c.decrypt('other/x.json', enc)))).toEqual(JSON.parse(json));
    });

    it('refuses a tampered clear value, a deleted MAC, a foreign identity, other recipients', async () => {
      const c = codec([alice.identity]);
      const enc = text(await codec([]).encrypt(MAT, bytes(MATERIAL), { rule, now: NOW }));
      await expect(
        c.decrypt(MAT, bytes(enc.replace('id: app', 'id: evil'))),
      ).rejects.toBeInstanceOf(MacMismatchError);
      await expect(c.decrypt(MAT, bytes(enc.replace(/\n\s+mac: .*/, '')))).rejects.toBeInstanceOf(
        MacMissingError,
      );
      await expect(codec([mallory.identity]).decrypt(MAT, bytes(enc))).rejects.toBeInstanceOf(
        NoMatchingIdentityError,
      );
      await expect(
        c.decrypt(MAT, bytes(enc), { rule: materialRule([mallory.recipient]) }),
      ).rejects.toBeInstanceOf(RecipientsMismatchError);
    });

    it.skipIf(!HAVE_FIXTURES)('decrypts a real sops file (flux-age.yaml)', async () => {
      const e = manifest().find((x) => x.file === 'age/flux-age.yaml');
      if (!e) throw new Error('fixture missing');
      const out = await codec(ageKeys(e)).decrypt('secret.yaml', fixtureBytes(e.file));
      expect(YAML.parse(text(out))).toEqual(e.expectedPlaintext);
    });
  });
});

describe.skipIf(!sopsBinary)('built-in codec <-> sops CLI', () => {
  it('each decrypts what the other encrypted', async () => {
    const builtin = new BuiltinSopsCodec({ identities: [alice.identity] });
    const cli = new SopsCli({
      binary: sopsBinary as string,
      cwd: dir,
      env: { PATH: process.env['PATH'], HOME: dir, SOPS_AGE_KEY: alice.identity },
    });
    for (const [file, plain] of [
      [MAT, MATERIAL],
      ['other/t.yaml', 'a: 0777\nb: 2024-01-01\nc: [1.5, true, ""]\n# note\nd: {e: f}\n'],
      ['other/t.json', '{"a": 7, "b": 7.5, "c": ["x", null]}\n'],
    ] as const) {
      const r = file === MAT ? rule : catchAll;
      const ours = await builtin.encrypt(file, bytes(plain), { rule: r, now: NOW });
      const theirs = await cli.encrypt(file, bytes(plain), { rule: r, now: NOW });
      const parse = (t: string) => (file.endsWith('.json') ? JSON.parse(t) : YAML.parse(t));
      expect(parse(text(await cli.decrypt(file, ours)))).toEqual(parse(plain));
      expect(parse(text(await builtin.decrypt(file, theirs)))).toEqual(parse(plain));
    }
  });
});
