import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { sealSecret } from '../../../src/adapters/targets/secrets.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';

describe('sealSecret (GitHub "Encrypting secrets for the REST API")', () => {
  it.each(['a', 'multi\nline PEM-ish value', 'ünïcødé', 'x'.repeat(4096)])(
    'a sealed box of the UTF-8 value, 48 bytes longer, that opens with the key pair (%#)',
    async (plain) => {
      await sodium.ready;
      const kp = sodium.crypto_box_keypair();
      const pub = sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL);
      const sealed = await sealSecret(SecretValue.of(plain), pub);
      const box = sodium.from_base64(sealed, sodium.base64_variants.ORIGINAL);
      const bytes = new TextEncoder().encode(plain);
      expect(box.length).toBe(bytes.length + sodium.crypto_box_SEALBYTES);
      expect(sodium.crypto_box_seal_open(box, kp.publicKey, kp.privateKey, 'text')).toBe(plain);
      // Sealing is randomised: two boxes of one value differ.
      expect(await sealSecret(SecretValue.of(plain), pub)).not.toBe(sealed);
    },
  );
});
