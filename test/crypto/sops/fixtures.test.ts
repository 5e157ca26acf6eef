/**
 * Real sops-produced files (../shared/fixtures/sops): every age fixture decrypts to its
 * expected plaintext and passes its MAC; re-encrypting every value, comment and the MAC
 * with the stored IV reproduces the file's bytes; PGP fixtures are read structurally (and,
 * with the data key from MANIFEST.json, fully verified) and refused without a PGP identity.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { MacMissingError, UnsupportedMasterKeyError } from '../../../src/core/ports/sops.ts';
import { parseEnc, sealWithIv } from '../../../src/crypto/sops/aes.ts';
import { BuiltinSopsCodec, decryptLoaded, loadEncrypted } from '../../../src/crypto/sops/codec.ts';
import { decryptTree, type Leaf } from '../../../src/crypto/sops/tree.ts';
import { scalarText } from '../../../src/crypto/sops/values.ts';
import { ageKeys, type FixtureEntry, fixtureBytes, HAVE_FIXTURES, manifest } from './fixtures.ts';

const all = manifest();
const readable = all;
const age = readable.filter((e) => e.file.startsWith('age/'));
const pgp = readable.filter((e) => e.file.startsWith('pgp/'));

/** Parses our plaintext output in the fixture's format into plain data, like MANIFEST's. */
function asData(e: FixtureEntry, text: string): unknown {
  switch (e.format) {
    case 'yaml':
      return YAML.parse(text);
    case 'json':
      return JSON.parse(text);
    case 'dotenv':
      return Object.fromEntries(
        text
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => [
            l.slice(0, l.indexOf('=')),
            l.slice(l.indexOf('=') + 1).replaceAll('\\n', '\n'),
          ]),
      );
    case 'ini': {
      const out: Record<string, Record<string, string>> = {};
      let section: Record<string, string> = {};
      for (const l of text.split('\n')) {
        if (l.startsWith('[')) out[l.slice(1, -1)] = section = {};
        else if (l.includes(' = '))
          section[l.slice(0, l.indexOf(' = '))] = l.slice(l.indexOf(' = ') + 3);
      }
      return out;
    }
    default:
      return { data: text };
  }
}

describe.skipIf(!HAVE_FIXTURES)('real sops files: age fixtures', () => {
  it.each(age.map((e) => [e.file, e] as const))(
    '%s decrypts, verifies its MAC, matches',
    async (_f, e) => {
      const codec = new BuiltinSopsCodec({ identities: ageKeys(e) });
      const out = Buffer.from(await codec.decrypt(e.file, fixtureBytes(e.file))).toString('utf8');
      expect(asData(e, out)).toEqual(e.expectedPlaintext);
      for (const c of e.encryptedComments)
        expect(out).toContain(e.format === 'ini' ? `; ${c.text}` : `#${c.text}`);
    },
  );

  it.each(age.map((e) => [e.file, e] as const))(
    '%s: inspect reads the recipients without a key',
    async (_f, e) => {
      const info = await new BuiltinSopsCodec({ identities: [] }).inspect(
        e.file,
        fixtureBytes(e.file),
      );
      expect(info.ageRecipients).toEqual(e.recipients.map((g) => g.age));
      expect(info.hasMac).toBe(true);
    },
  );
});

describe.skipIf(!HAVE_FIXTURES)(
  'real sops files: byte-exact re-encryption with the stored IVs',
  () => {
    it.each(readable.map((e) => [e.file, e] as const))('%s', (_f, e) => {
      const key = Buffer.from(e.dataKeyHex, 'hex');
      const { loaded, meta } = loadEncrypted(e.file, fixtureBytes(e.file));
      const seen: { aad: string; leaf: Leaf; enc: string }[] = [];
      const { mac } = decryptTree(loaded.branches, meta, key, (aad, leaf, enc) =>
        seen.push({ aad, leaf, enc }),
      );
      for (const { aad, leaf, enc } of seen) {
        const parsed = parseEnc(enc);
        if (!parsed) throw new Error(`unparsable ENC at ${aad}`);
        const text = leaf.t === 'comment' ? leaf.text : scalarText(leaf);
        expect(sealWithIv(key, parsed.iv, Buffer.from(text), aad, parsed.type), aad).toBe(enc);
      }
      expect(mac).toBe(e.computedMac);
      let count = seen.length;
      if (meta.mac) {
        const stored = parseEnc(meta.mac);
        if (!stored) throw new Error('unparsable mac');
        expect(sealWithIv(key, stored.iv, Buffer.from(mac), meta.lastModified, 'str')).toBe(
          meta.mac,
        );
        count += 1;
      }
      // MANIFEST counts every re-encrypted string (values, comments, the MAC).
      expect(count).toBe(e.reencryptByteExact[1]);
    });
  },
);

describe.skipIf(!HAVE_FIXTURES)('real sops files: PGP fixtures', () => {
  it.each(pgp.map((e) => [e.file, e] as const))(
    '%s is refused with "no PGP identity"',
    async (_f, e) => {
      const codec = new BuiltinSopsCodec({ identities: ageKeys(all[0] as FixtureEntry) });
      const err = await codec.decrypt(e.file, fixtureBytes(e.file)).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(UnsupportedMasterKeyError);
      expect((err as Error).message).toMatch(/no PGP identity/);
      expect((err as UnsupportedMasterKeyError).kinds).toContain('pgp');
      const info = await codec.inspect(e.file, fixtureBytes(e.file));
      expect(info.pgpFingerprints.flat()).toEqual(e.recipients.flatMap((g) => g.pgp));
    },
  );

  it.each(pgp.map((e) => [e.file, e] as const))(
    '%s verifies with its data key (MANIFEST)',
    (_f, e) => {
      const { loaded, meta } = loadEncrypted(e.file, fixtureBytes(e.file));
      const run = () => decryptLoaded(e.file, loaded, meta, Buffer.from(e.dataKeyHex, 'hex'));
      if (e.macOK) expect(run().mac).toBe(e.computedMac);
      else expect(run).toThrow(MacMissingError);
    },
  );
});
