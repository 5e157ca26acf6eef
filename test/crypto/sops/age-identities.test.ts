/**
 * Identities are imported once (age-stanza.ts): an X25519 identity becomes a WebCrypto key
 * the Decrypter reuses for every file, and still opens what was wrapped for its recipient;
 * post-quantum identities stay strings; an invalid one is refused without its text.
 */
import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { ageIdentities, unwrap, wrapForRecipient } from '../../../src/crypto/sops/age-stanza.ts';

/** The key age holds for the first identity (its internals: a regression guard for the import). */
const heldKey = (d: unknown): unknown =>
  (d as { identities: { identity: unknown }[] }).identities[0]?.identity;

describe('ageIdentities', () => {
  it('imports an X25519 identity once, and it opens stanzas for its recipient only', async () => {
    const id = await generateIdentity();
    const other = await generateIdentity();
    const [a] = await ageIdentities([id]);
    expect(a?.recipient).toBe(await identityToRecipient(id));
    expect(heldKey(a?.decrypter)).toBeInstanceOf(CryptoKey);
    const secret = new Uint8Array(32).fill(9);
    const enc = await wrapForRecipient(secret, a!.recipient);
    expect(await unwrap(enc, a!)).toEqual(secret);
    const [b] = await ageIdentities([other]);
    expect(await unwrap(enc, b!)).toBeUndefined();
  });

  it('keeps a post-quantum identity as it is', async () => {
    const id = await generateHybridIdentity();
    const [a] = await ageIdentities([id]);
    const secret = new Uint8Array(32).fill(3);
    expect(await unwrap(await wrapForRecipient(secret, a!.recipient), a!)).toEqual(secret);
  });

  it('refuses an invalid identity without quoting it', async () => {
    const id = await generateIdentity();
    const broken = id.slice(0, -1) + (id.endsWith('Q') ? 'P' : 'Q');
    await expect(ageIdentities([broken])).rejects.toThrow(
      'age identity #1 is not a valid AGE-SECRET-KEY',
    );
    await expect(ageIdentities([broken])).rejects.not.toThrow(broken);
  });
});
