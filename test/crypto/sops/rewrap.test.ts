/**
 * `sops updatekeys` in the built-in codec: the data key re-wrapped for the rule's recipients,
 * the encrypted values, the MAC, lastmodified and version byte-identical; fails closed on a
 * tampered file; Debian `age` opens the new stanza (when installed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  CryptRuleMismatchError,
  MacMismatchError,
  NoMatchingIdentityError,
} from '../../../src/core/ports/sops.ts';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import { bytes, materialRule, newIdentity, NOW, text, type TestIdentity } from './helpers.ts';

const FILE = 'keys-manifest/a/v1.sops.yaml';
const PLAIN = 'id: a\nversion: 1\nsecret: c2VjcmV0LXZhbHVlLTEyMzQ1Njc4OTA=\n';

let old: TestIdentity;
let fresh: TestIdentity;
let original: Uint8Array;
beforeAll(async () => {
  old = await newIdentity();
  fresh = await newIdentity();
  original = await new BuiltinSopsCodec({ identities: [] }).encrypt(FILE, bytes(PLAIN), {
    rule: materialRule([old.recipient]),
    now: NOW,
  });
});

/** The file without its age stanzas: everything a re-wrap must leave alone. */
const withoutStanzas = (b: Uint8Array) => {
  const doc = YAML.parse(text(b)) as { sops: Record<string, unknown> };
  const { age: _age, ...rest } = doc.sops;
  return { ...doc, sops: rest };
};

describe('rewrap', () => {
  it('adds a recipient: values, MAC, lastmodified and version byte-identical; the old stanza kept', async () => {
    const codec = new BuiltinSopsCodec({ identities: [old.identity] });
    const r = await codec.rewrap(FILE, original, {
      rule: materialRule([old.recipient, fresh.recipient]),
    });
    expect(r.outcome).toBe('rewrapped');
    expect(r.added).toEqual([fresh.recipient]);
    expect(r.removed).toEqual([]);
    expect(withoutStanzas(r.bytes)).toEqual(withoutStanzas(original));
    // Only lines of the age list differ; every ENC[...] line is the same text.
    const enc = (b: Uint8Array) =>
      text(b)
        .split('\n')
        .filter((l) => l.includes('ENC['));
    expect(enc(r.bytes)).toEqual(enc(original));
    const before = YAML.parse(text(original)).sops.age;
    const after = YAML.parse(text(r.bytes)).sops.age;
    expect(after[0]).toEqual(before[0]);
    expect(after).toHaveLength(2);
    // The new reader decrypts it, to the same plaintext, with the MAC verified.
    const plain = await new BuiltinSopsCodec({ identities: [fresh.identity] }).decrypt(
      FILE,
      r.bytes,
      { rule: materialRule([old.recipient, fresh.recipient]) },
    );
    expect(text(plain)).toContain('secret: c2VjcmV0LXZhbHVlLTEyMzQ1Njc4OTA=');
  });

  it('replaces the recipient: the old identity can no longer open it', async () => {
    const codec = new BuiltinSopsCodec({ identities: [old.identity] });
    const r = await codec.rewrap(FILE, original, { rule: materialRule([fresh.recipient]) });
    expect(r.removed).toEqual([old.recipient]);
    expect(withoutStanzas(r.bytes)).toEqual(withoutStanzas(original));
    await expect(codec.decrypt(FILE, r.bytes)).rejects.toBeInstanceOf(NoMatchingIdentityError);
    const again = await new BuiltinSopsCodec({ identities: [fresh.identity] }).rewrap(
      FILE,
      r.bytes,
      { rule: materialRule([fresh.recipient]) },
    );
    expect(again.outcome).toBe('unchanged');
    expect(again.bytes).toBe(r.bytes);
  });

  it('is unchanged (no identity needed) when the recipients already match', async () => {
    const r = await new BuiltinSopsCodec({ identities: [] }).rewrap(FILE, original, {
      rule: materialRule([old.recipient]),
    });
    expect(r.outcome).toBe('unchanged');
  });

  it('refuses a file whose MAC does not match: no stanza for a new reader of tampered data', async () => {
    const tampered = bytes(text(original).replace('version: 1', 'version: 2'));
    const codec = new BuiltinSopsCodec({ identities: [old.identity] });
    await expect(
      codec.rewrap(FILE, tampered, { rule: materialRule([fresh.recipient]) }),
    ).rejects.toBeInstanceOf(MacMismatchError);
  });

  it('refuses without an identity for the file', async () => {
    await expect(
      new BuiltinSopsCodec({ identities: [fresh.identity] }).rewrap(FILE, original, {
        rule: materialRule([fresh.recipient]),
      }),
    ).rejects.toBeInstanceOf(NoMatchingIdentityError);
  });

  it('refuses a rule with another crypt rule: that is a rotation, not a re-wrap', async () => {
    const rule = materialRule([fresh.recipient]);
    await expect(
      new BuiltinSopsCodec({ identities: [old.identity] }).rewrap(FILE, original, {
        rule: { ...rule, crypt: { kind: 'encrypted_regex', value: '^(secret|public)$' } },
      }),
    ).rejects.toBeInstanceOf(CryptRuleMismatchError);
  });
});

const ageBinary = spawnSync('age', ['--version']).status === 0;
if (!ageBinary) console.warn('skipping the Debian age cross-check: no `age` binary on PATH');

describe.skipIf(!ageBinary)('Debian age opens the re-wrapped stanza', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rekey-rewrap-age-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('to the same 32-byte data key the old stanza holds', async () => {
    const r = await new BuiltinSopsCodec({ identities: [old.identity] }).rewrap(FILE, original, {
      rule: materialRule([old.recipient, fresh.recipient]),
    });
    const stanzas = YAML.parse(text(r.bytes)).sops.age as { enc: string }[];
    const keys = [old, fresh].map((id, i) => {
      writeFileSync(path.join(dir, `id${i}`), `${id.identity}\n`, { mode: 0o600 });
      writeFileSync(path.join(dir, `s${i}`), stanzas[i]!.enc);
      return execFileSync('age', ['-d', '-i', path.join(dir, `id${i}`), path.join(dir, `s${i}`)]);
    });
    expect(keys[1]).toHaveLength(32);
    expect(keys[1]!.equals(keys[0]!)).toBe(true);
  });
});
