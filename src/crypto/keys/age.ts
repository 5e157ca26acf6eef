import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { bech32Decode } from './bech32.ts';
import { KeyMaterialError } from './errors.ts';

/*
 * age X25519 identities (`AGE-SECRET-KEY-1...`) and recipients (`age1...`), through the
 * age-encryption package. generateX25519Identity rather than generateIdentity: the latter is
 * documented to switch to post-quantum hybrid identities in a future release, and this key
 * type is X25519 by name (its fingerprint pattern is a 58-character X25519 recipient).
 */

const IDENTITY_PREFIX = 'age-secret-key-';
const RECIPIENT_PREFIX = 'age';

const malformedSecret = () =>
  new KeyMaterialError(
    'secret-malformed',
    'the secret is not an age X25519 identity (AGE-SECRET-KEY-1..., as age-keygen writes it)',
  );

/**
 * Validates an identity ourselves before age-encryption sees it: its decoder quotes the
 * input in error messages, which would print the secret. Upper case only, as age-keygen
 * writes it and as sops expects it in key files.
 */
function checkIdentity(identity: string): void {
  if (!/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/.test(identity)) throw malformedSecret();
  try {
    const { prefix, bytes } = bech32Decode(identity);
    if (prefix !== IDENTITY_PREFIX || bytes.length !== 32) throw malformedSecret();
  } catch {
    throw malformedSecret();
  }
}

export async function generateAge(): Promise<{ secret: string; public: string }> {
  const secret = await generateX25519Identity();
  return { secret, public: await identityToRecipient(secret) };
}

/** The `age1...` recipient of an identity. */
export async function ageRecipientOf(identity: string): Promise<string> {
  checkIdentity(identity);
  try {
    return await identityToRecipient(identity);
  } catch {
    throw malformedSecret();
  }
}

/** Checks an `age1...` X25519 recipient (lower case, 32-byte key, valid checksum). */
export function checkRecipient(recipient: string): string {
  const malformed = () =>
    new KeyMaterialError('public-malformed', 'the public part is not an age1... X25519 recipient');
  if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient)) throw malformed();
  try {
    const { prefix, bytes } = bech32Decode(recipient);
    if (prefix !== RECIPIENT_PREFIX || bytes.length !== 32) throw malformed();
  } catch {
    throw malformed();
  }
  return recipient;
}
