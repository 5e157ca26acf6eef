/**
 * The data key (or a Shamir share) wrapped for one age recipient, as sops stores it in
 * `sops.age[].enc`: a complete one-recipient age file, ASCII-armored (reference §6).
 */
import { armor, Decrypter, Encrypter, identityToRecipient } from 'age-encryption';

export async function wrapForRecipient(secret: Uint8Array, recipient: string): Promise<string> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return armor.encode(await e.encrypt(secret));
}

/**
 * An age identity with the recipient it answers to (so stanzas are matched, not guessed) and
 * a Decrypter holding it, reused for every file, with the key imported once (importedX25519).
 */
export interface AgeIdentity {
  readonly recipient: string;
  readonly decrypter: Decrypter;
}

/** Derives each identity's recipient once; throws (without the key text) on an invalid one. */
export async function ageIdentities(keys: readonly string[]): Promise<AgeIdentity[]> {
  return Promise.all(
    keys.map(async (identity, i) => {
      let recipient: string;
      try {
        recipient = await identityToRecipient(identity);
      } catch {
        throw new Error(`age identity #${i + 1} is not a valid AGE-SECRET-KEY`);
      }
      const decrypter = new Decrypter();
      decrypter.addIdentity((await importedX25519(identity, recipient)) ?? identity);
      return { recipient, decrypter };
    }),
  );
}

/** RFC 8410 PKCS #8 for an X25519 private key: this prefix, then the 32 key bytes. */
const PKCS8_X25519 = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/**
 * An `AGE-SECRET-KEY-1…` identity imported once as a WebCrypto key (non-extractable), which
 * age accepts in place of the string: given the string, age imports the key again for every
 * file it opens. Undefined (the caller keeps the string) for any other identity, when
 * WebCrypto has no X25519, or unless the imported key answers to the same recipient as the
 * string, which age itself derived and validated (checksum included).
 */
async function importedX25519(
  identity: string,
  recipient: string,
): Promise<InstanceType<typeof CryptoKey> | undefined> {
  if (!identity.startsWith('AGE-SECRET-KEY-1')) return undefined;
  const data = identity.slice('AGE-SECRET-KEY-1'.length, -6).toLowerCase();
  const der = new Uint8Array(PKCS8_X25519.length + 32);
  der.set(PKCS8_X25519);
  // bech32: 5 bits per character, 52 characters carry the 32 bytes (4 padding bits).
  let acc = 0;
  let bits = 0;
  let at = PKCS8_X25519.length;
  for (const c of data) {
    const v = BECH32.indexOf(c);
    if (v === -1) return undefined;
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (at >= der.length) return undefined;
      der[at++] = (acc >> bits) & 0xff;
    }
  }
  if (at !== der.length) return undefined;
  try {
    const key = await crypto.subtle.importKey('pkcs8', der, { name: 'X25519' }, false, [
      'deriveBits',
    ]);
    return (await identityToRecipient(key)) === recipient ? key : undefined;
  } catch {
    return undefined;
  } finally {
    der.fill(0);
  }
}

/** Unwraps an armored stanza; undefined when it is not a valid age file for this identity. */
export async function unwrap(enc: string, identity: AgeIdentity): Promise<Uint8Array | undefined> {
  try {
    return await identity.decrypter.decrypt(armor.decode(enc));
  } catch {
    return undefined;
  }
}
