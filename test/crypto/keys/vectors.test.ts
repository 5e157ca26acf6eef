/**
 * Fixed vectors: inputs and expected outputs computed once with tools we did not write (the
 * command is next to each literal), so these tests hold without those tools installed.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bech32Decode, bech32Encode } from '../../../src/crypto/keys/bech32.ts';
import { fingerprintOf, verifyMaterial } from '../../../src/crypto/keys/index.ts';
import { sshPublicLine } from '../../../src/crypto/keys/openssh.ts';

/** RFC 8032 section 7.1, TEST 1: the Ed25519 secret (seed) and public key. */
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
/**
 * The same key as PKCS#8 PEM, made with
 *   echo 302e020100300506032b657004220420$RFC8032_SEED | xxd -r -p | openssl pkey -inform DER
 */
const RFC8032_PEM =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n';

describe('ed25519: RFC 8032 test 1', () => {
  it('sha256 fingerprint = `openssl pkey -pubout -outform DER | sha256sum`', async () => {
    // openssl pkey -in rfc.pem -pubout -outform DER | sha256sum (OpenSSL 3.0.19)
    const expected = 'sha256:06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9';
    expect(await fingerprintOf('ed25519', { secret: RFC8032_PEM })).toBe(expected);
    const pub = createPublicKey(RFC8032_PEM).export({ type: 'spki', format: 'pem' }).toString();
    expect(await verifyMaterial('ed25519', { secret: RFC8032_PEM, public: pub })).toEqual({
      ok: true,
      fingerprint: expected,
    });
    // The PEM really is the RFC key: it holds the RFC seed and derives the RFC public key.
    const der = createPrivateKey(RFC8032_PEM).export({ type: 'pkcs8', format: 'der' });
    expect(der.toString('hex')).toBe(`302e020100300506032b657004220420${RFC8032_SEED}`);
    const spki = createPublicKey(RFC8032_PEM).export({ type: 'spki', format: 'der' });
    expect(spki.subarray(-32).toString('hex')).toBe(RFC8032_PUBLIC);
  });

  it('ssh-ed25519 line and SHA256 fingerprint as ssh-keygen -l prints them', async () => {
    // The public line was built from the RFC public key without our code:
    //   (printf '\0\0\0\x0bssh-ed25519\0\0\0\x20'; echo $RFC8032_PUBLIC | xxd -r -p) | base64
    // and `ssh-keygen -l -f rfc.pub` (OpenSSH 9.2p1) printed
    //   256 SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8 rfc8032 (ED25519)
    const line =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea rfc8032';
    expect(sshPublicLine(Buffer.from(RFC8032_PUBLIC, 'hex'), 'rfc8032')).toBe(line);
    expect(await fingerprintOf('ssh-ed25519', { secret: '', public: line })).toBe(
      'SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8',
    );
  });
});

describe('random: key check value', () => {
  // Secret bytes 00 01 02 ... 1f (32 bytes). Computed with
  //   printf 'rekey key check value' | openssl mac -digest SHA256 \
  //     -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f HMAC
  // = 49B9F9105EF8509A486033ACF781FB00A8EAC941DDEF09CEC0A4D14BEF8251AB
  const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  it.each(['hex', 'base64', 'base64url'] as const)(
    'is over the decoded bytes (%s)',
    async (encoding) => {
      const secret = bytes.toString(encoding);
      expect(await fingerprintOf('random', { secret }, { bytes: 32, encoding })).toBe(
        'kcv:49b9f9105ef8509a',
      );
    },
  );
});

describe('bech32 (BIP 173 test vectors)', () => {
  it.each([
    'A12UEL5L',
    'a12uel5l',
    'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
    'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
    '11' + 'q'.repeat(82) + 'c8247j',
    'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
    '?1ezyfcl',
  ])('accepts %s', (s) => {
    expect(() => bech32Decode(s)).not.toThrow();
  });

  it.each([
    ['mixed case', 'A12uEL5L'],
    ['bad checksum', 'split1checkupstagehandshakeupstreamerranterredcaperred2y9e2w'],
    ['no separator', 'pzry9x0s0muk'],
    ['empty prefix', '1pzry9x0s0muk'],
    ['invalid character', 'x1b4n0q5v'],
    ['too short checksum', 'li1dgmt3'],
  ])('rejects %s without quoting the input', (_, s) => {
    expect(() => bech32Decode(s)).toThrow(/^bech32: /);
    try {
      bech32Decode(s);
    } catch (e) {
      expect((e as Error).message).not.toContain(s);
    }
  });

  it('round-trips bytes', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37) & 0xff);
    const text = bech32Encode('age', bytes);
    expect(bech32Decode(text)).toEqual({ prefix: 'age', bytes });
  });
});

/**
 * age identities published as test keys by sops and Flux, with the recipient age-keygen
 * printed next to each. Read from the shared fixtures, never copied into the project.
 */
const fixtures = resolve(import.meta.dirname, '../../../../shared/fixtures/sops/keys');
const haveFixtures = existsSync(fixtures);
if (!haveFixtures) console.warn(`SKIP: ${fixtures} is absent; published age test keys not checked`);

describe.skipIf(!haveFixtures)('age-x25519: published age-keygen output', () => {
  const pairs = () =>
    ['sops-age-key.txt', 'flux-age.txt', 'sops-test-age-keys.txt'].flatMap((f) => {
      const lines = readFileSync(resolve(fixtures, f), 'utf8').split('\n');
      return lines.flatMap((l, i) => {
        const pub = /^# public key: (age1\w+)$/.exec(l)?.[1];
        const secret = lines[i + 1];
        return pub && secret?.startsWith('AGE-SECRET-KEY-1') ? [{ file: f, secret, pub }] : [];
      });
    });

  it('our recipient and fingerprint equal age-keygen -y', async () => {
    const all = pairs();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const { secret, pub } of all) {
      expect(await verifyMaterial('age-x25519', { secret, public: pub })).toEqual({
        ok: true,
        fingerprint: pub,
      });
    }
  });

  it('node:crypto X25519 derives the same recipient as age-encryption', async () => {
    // An independent derivation: our bech32 plus OpenSSL's X25519 (through node:crypto),
    // against age-encryption's bech32 plus noble's X25519.
    for (const { secret, pub } of pairs()) {
      const scalar = bech32Decode(secret).bytes;
      const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), scalar]);
      const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
      const raw = spki.export({ type: 'spki', format: 'der' }).subarray(-32);
      expect(bech32Encode('age', raw)).toBe(pub);
      expect(await fingerprintOf('age-x25519', { secret })).toBe(pub);
    }
  });
});
