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
 * a Decrypter holding it, reused for every file: importing the key costs a scalar multiply.
 */
export interface AgeIdentity {
  readonly recipient: string;
  readonly decrypter: Decrypter;
}

/** Derives each identity's recipient once; throws (without the key text) on an invalid one. */
export async function ageIdentities(keys: readonly string[]): Promise<AgeIdentity[]> {
  return Promise.all(
    keys.map(async (identity, i) => {
      try {
        const decrypter = new Decrypter();
        decrypter.addIdentity(identity);
        return { recipient: await identityToRecipient(identity), decrypter };
      } catch {
        throw new Error(`age identity #${i + 1} is not a valid AGE-SECRET-KEY`);
      }
    }),
  );
}

/** Unwraps an armored stanza; undefined when it is not a valid age file for this identity. */
export async function unwrap(enc: string, identity: AgeIdentity): Promise<Uint8Array | undefined> {
  try {
    return await identity.decrypter.decrypt(armor.decode(enc));
  } catch {
    return undefined;
  }
}
