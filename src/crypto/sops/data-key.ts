/**
 * The data key: wrapped once per age recipient (or, with several key groups, split with
 * Shamir and each share wrapped for its group's recipients), and recovered from the first
 * stanza in each group that one of the loaded identities opens.
 */
import {
  DataKeyError,
  NoMatchingIdentityError,
  UnsupportedMasterKeyError,
} from '../../core/ports/sops.ts';
import type { CreationRule } from '../../core/sops-config.ts';
import type { AgeIdentity } from './age-stanza.ts';
import { unwrap, wrapForRecipient } from './age-stanza.ts';
import type { MetadataGroup, SopsMetadata } from './metadata.ts';
import { combine, split } from './shamir.ts';

/** Wraps `key` for the rule's recipients: the whole key, or share i for group i. */
export async function wrapDataKey(key: Uint8Array, rule: CreationRule): Promise<MetadataGroup[]> {
  const shares =
    rule.keyGroups.length === 1 ? [key] : split(key, rule.keyGroups.length, rule.shamirThreshold);
  return Promise.all(
    rule.keyGroups.map(async (g, i) => ({
      age: await Promise.all(
        g.age.map(async (recipient) => ({
          recipient,
          enc: await wrapForRecipient(shares[i] as Uint8Array, recipient),
        })),
      ),
      pgp: [],
      other: [],
    })),
  );
}

/**
 * Recovers the 32-byte data key, or throws: NoMatchingIdentityError (no identity fits),
 * DataKeyError (a fitting stanza does not unwrap, too few Shamir groups, wrong size),
 * UnsupportedMasterKeyError (only PGP/KMS/… keys: "no PGP identity").
 */
export async function recoverDataKey(
  path: string,
  meta: SopsMetadata,
  ids: readonly AgeIdentity[],
  loaded: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let unwrapFailed = false;
  for (const group of meta.groups) {
    const part = await unwrapGroup(group, ids);
    if (part.key) parts.push(part.key);
    else if (part.namedFailed) unwrapFailed = true;
  }
  const needed = meta.groups.length === 1 ? 1 : meta.shamirThreshold;
  if (parts.length >= needed) {
    let key: Uint8Array;
    try {
      key = meta.groups.length === 1 ? (parts[0] as Uint8Array) : combine(parts);
    } catch {
      throw new DataKeyError(path, 'the Shamir shares of the data key do not combine');
    }
    if (key.length !== 32) throw new DataKeyError(path, 'the recovered data key is not 32 bytes');
    return key;
  }
  if (parts.length > 0)
    throw new DataKeyError(
      path,
      `only ${parts.length} of the ${needed} key groups needed could be decrypted with the loaded identities`,
    );
  if (unwrapFailed)
    throw new DataKeyError(
      path,
      'an identity matched a recipient, but its wrapped data key is invalid (tampered enc?)',
    );
  const ages = meta.groups.flatMap((g) => g.age.map((a) => a.recipient));
  const pgp = meta.groups.flatMap((g) => g.pgp);
  const other = [...new Set(meta.groups.flatMap((g) => g.other))];
  if (parts.length > 0 || ages.length > 0) throw new NoMatchingIdentityError(path, ages, loaded);
  if (pgp.length > 0)
    throw new UnsupportedMasterKeyError(
      path,
      ['pgp', ...other],
      `no PGP identity: the data key is wrapped only for PGP keys (${pgp.join(', ')}) ` +
        `${other.length ? `and ${other.join(', ')} ` : ''}and rekey's built-in codec reads age keys only. ` +
        'Install sops (or set SOPS_BINARY) to use the sops CLI with gpg.',
    );
  throw new UnsupportedMasterKeyError(
    path,
    other,
    `the data key is wrapped only for ${other.join(', ')}; the built-in codec reads age keys only. ` +
      'Install sops (or set SOPS_BINARY) to use the sops CLI.',
  );
}

/**
 * The first stanza of `group` that a loaded identity opens. Like sops (age/keysource.go), every
 * identity is tried on every stanza: the `recipient:` field is unauthenticated metadata, so a
 * file sops opens must not be refused because that text differs from the identity's
 * recipient. The identity whose recipient the field names is tried first (the common case,
 * one unwrap). `namedFailed`: the named identity did not open its stanza (a tampered `enc`).
 */
async function unwrapGroup(
  group: MetadataGroup,
  ids: readonly AgeIdentity[],
): Promise<{ key?: Uint8Array; namedFailed: boolean }> {
  let namedFailed = false;
  for (const entry of group.age) {
    const named = ids.filter((i) => i.recipient === entry.recipient);
    for (const id of [...named, ...ids.filter((i) => i.recipient !== entry.recipient)]) {
      const key = await unwrap(entry.enc, id);
      if (key) return { key, namedFailed: false };
      if (named.includes(id)) namedFailed = true;
    }
  }
  return { namedFailed };
}
