/**
 * Where the codec was stricter than sops 3.13 (issue: fidelity to real sops). Each case is a
 * file sops reads; the codec must read it too, byte for byte, without a false tamper alarm.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MacMismatchError, NoMatchingIdentityError } from '../../../src/core/ports/sops.ts';
import { isPaddedBase64 } from '../../../src/crypto/sops/aes.ts';
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

let alice: TestIdentity;
let bob: TestIdentity;
let carol: TestIdentity;
beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([newIdentity(), newIdentity(), newIdentity()]);
});
const only = (...ids: TestIdentity[]) =>
  ruleFrom(`creation_rules:\n  - age: ${ids.map((i) => i.recipient).join(',')}\n`);

describe('a single value of several megabytes', () => {
  it('decrypts (a regular expression over the base64 once overflowed the stack)', async () => {
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const big = Buffer.alloc(4 * 1024 * 1024, 0x5a).toString('base64'); // 5.6 MB of base64
    const plain = `id: a/b\nversion: 1\nsecret: ${big}\n`;
    const path = 'keys-manifest/a/b/v1.sops.yaml';
    const enc = await codec.encrypt(path, bytes(plain), {
      rule: materialRule([alice.recipient]),
      now: NOW,
    });
    expect(text(await codec.decrypt(path, enc))).toBe(plain);
  });

  it('base64 is checked as Go reads it: padded, standard alphabet', () => {
    for (const ok of ['', 'AAAA', 'AA==', 'AAA=', 'ab+/', 'Zm9vYmFy'])
      expect(isPaddedBase64(ok), ok).toBe(true);
    for (const bad of ['A', 'AA=', 'A===', '====', 'AA-_', 'AA A', 'AAA=AAAA', 'AA==AA=='])
      expect(isPaddedBase64(bad), bad).toBe(false);
  });
});

describe('binary store', () => {
  it('takes any bytes, not only UTF-8, and gives them back exactly', async () => {
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const raw = Uint8Array.from({ length: 512 }, (_, i) => (i * 151 + 7) % 256); // not UTF-8
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(raw)).toThrow();
    const enc = await codec.encrypt('blob.bin', raw, { rule: only(alice), now: NOW });
    expect(Object.keys(JSON.parse(text(enc)) as object)).toEqual(['data', 'sops']);
    expect(Buffer.from(await codec.decrypt('blob.bin', enc)).equals(Buffer.from(raw))).toBe(true);
  });

  it('still detects a tampered value in a non-UTF-8 file', async () => {
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const raw = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3]);
    const enc = JSON.parse(
      text(await codec.encrypt('blob.bin', raw, { rule: only(alice), now: NOW })),
    ) as { data: string; sops: unknown };
    const other = JSON.parse(
      text(
        await codec.encrypt('blob.bin', Uint8Array.from([1, 2, 3]), {
          rule: only(alice),
          now: NOW,
        }),
      ),
    ) as { data: string };
    // The other file's value under this file's MAC: authentication fails (different data key).
    const swapped = bytes(JSON.stringify({ data: other.data, sops: enc.sops }));
    await expect(codec.decrypt('blob.bin', swapped)).rejects.toThrow();
    // A MAC that no longer matches the value is still a MAC mismatch.
    const sameKey = await codec.encrypt('blob.bin', Uint8Array.from([0xff, 0xfe]), {
      rule: only(alice),
      now: NOW,
      previous: bytes(JSON.stringify(enc)),
    });
    const mixed = { ...(JSON.parse(text(sameKey)) as object), sops: enc.sops };
    await expect(codec.decrypt('blob.bin', bytes(JSON.stringify(mixed)))).rejects.toBeInstanceOf(
      MacMismatchError,
    );
  });
});

describe('age stanzas are opened by any loaded identity, whatever their recipient field says', () => {
  const path = 'notes.yaml';
  const relabel = (enc: Uint8Array, from: string, to: string) => {
    const t = text(enc);
    expect(t).toContain(`recipient: ${from}`);
    return bytes(t.split(`recipient: ${from}`).join(`recipient: ${to}`));
  };

  it('a stanza whose recipient text names someone else still opens, as in sops', async () => {
    const enc = await new BuiltinSopsCodec({ identities: [] }).encrypt(path, bytes('a: 1\n'), {
      rule: only(alice, bob),
      now: NOW,
    });
    const lying = relabel(enc, alice.recipient, carol.recipient);
    const asAlice = new BuiltinSopsCodec({ identities: [alice.identity] });
    expect(text(await asAlice.decrypt(path, lying))).toBe('a: 1\n');
  });

  it('an identity that opens no stanza is still told apart from a tampered stanza', async () => {
    const enc = await new BuiltinSopsCodec({ identities: [] }).encrypt(path, bytes('a: 1\n'), {
      rule: only(alice),
      now: NOW,
    });
    const asCarol = new BuiltinSopsCodec({ identities: [carol.identity] });
    await expect(asCarol.decrypt(path, enc)).rejects.toBeInstanceOf(NoMatchingIdentityError);
    await expect(
      asCarol.decrypt(path, relabel(enc, alice.recipient, carol.recipient)),
    ).rejects.toThrow(/wrapped data key is invalid/);
  });
});
