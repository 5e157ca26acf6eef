/**
 * Checks between a creation rule and a file: the built-in codec encrypts to age recipients
 * only; a file must carry exactly the rule's recipients, crypt rule and MAC mode.
 */
import {
  CryptRuleMismatchError,
  RecipientsMismatchError,
  UnsupportedMasterKeyError,
  UnsupportedSopsFeatureError,
} from '../../core/ports/sops.ts';
import type { CreationRule } from '../../core/sops-config.ts';
import type { MetadataGroup, SopsMetadata } from './metadata.ts';

export function assertAgeOnly(path: string, rule: CreationRule): void {
  const foreign = rule.keyGroups.flatMap((g) => [...(g.pgp.length ? ['pgp'] : []), ...g.other]);
  const ssh = rule.keyGroups.some((g) => g.age.some((r) => r.startsWith('ssh-')));
  if (foreign.length > 0 || ssh)
    throw new UnsupportedMasterKeyError(
      path,
      [...new Set([...foreign, ...(ssh ? ['age-ssh'] : [])])],
      `creation rule ${rule.index + 1} names ${[...new Set(foreign)].join(', ') || 'ssh recipients'}; ` +
        'the built-in codec encrypts to age1 recipients only. Use the sops CLI.',
    );
  if (rule.keyGroups.some((g) => g.age.length === 0))
    throw new UnsupportedMasterKeyError(
      path,
      [],
      `creation rule ${rule.index + 1} has a key group without age recipients`,
    );
  if (rule.keyGroups.length > 1 && rule.shamirThreshold < 2)
    throw new UnsupportedSopsFeatureError(
      path,
      'with several key groups, shamir_threshold must be at least 2 (as in sops)',
    );
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && sorted(a).every((x, i) => x === sorted(b)[i]);

/**
 * `.sops.yaml` says `azure_keyvault`, the metadata `azure_kv`. For these other kinds only the
 * kind is compared: rekey does not model KMS ARNs or Vault URIs (see docs/sops.md).
 */
const metadataKind = (k: string): string => (k === 'azure_keyvault' ? 'azure_kv' : k);

export function sameRecipients(rule: CreationRule, groups: readonly MetadataGroup[]): boolean {
  return (
    rule.keyGroups.length === groups.length &&
    rule.keyGroups.every((g, i) => {
      const f = groups[i] as MetadataGroup;
      return (
        sameSet(
          g.age,
          f.age.map((a) => a.recipient),
        ) &&
        sameSet(g.pgp, f.pgp) &&
        sameSet(g.other.map(metadataKind), f.other)
      );
    })
  );
}

export function checkAgainstRule(path: string, rule: CreationRule, meta: SopsMetadata): void {
  if (!sameRecipients(rule, meta.groups))
    throw new RecipientsMismatchError(
      path,
      rule.keyGroups.map((g) => [...g.age, ...g.pgp]),
      meta.groups.map((g) => [...g.age.map((a) => a.recipient), ...g.pgp]),
    );
  if (
    meta.crypt.kind !== rule.crypt.kind ||
    meta.crypt.value !== rule.crypt.value ||
    meta.macOnlyEncrypted !== rule.macOnlyEncrypted
  )
    throw new CryptRuleMismatchError(
      path,
      `the file uses ${meta.crypt.kind}: ${meta.crypt.value}${meta.macOnlyEncrypted ? ' with mac_only_encrypted' : ''}, ` +
        `but .sops.yaml says ${rule.crypt.kind}: ${rule.crypt.value}${rule.macOnlyEncrypted ? ' with mac_only_encrypted' : ''}`,
    );
}
