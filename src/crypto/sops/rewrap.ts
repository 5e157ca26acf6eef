/**
 * Re-wrapping a file's data key for the recipients of a creation rule, as `sops updatekeys`
 * does (reference sops-format.md §5, "Only the data key is re-wrapped"): the data key stays,
 * so every encrypted value, `sops.mac`, `sops.lastmodified` and `sops.version` stay byte for
 * byte; only the `age` stanzas (or `key_groups` and `shamir_threshold`) change. Stanzas of
 * recipients that stay are kept as they are, so the diff shows exactly who joins and leaves.
 *
 * Fails closed: the file is decrypted and its MAC verified before anything is wrapped for a
 * new reader (never hand the data key of a tampered file to someone), and a file whose crypt
 * rule or MAC mode differs from the rule's is refused: fixing that changes what is encrypted,
 * which is a rotation, not a re-wrap.
 */
import { CryptRuleMismatchError, MalformedSopsFileError } from '../../core/ports/sops.ts';
import type { CreationRule } from '../../core/sops-config.ts';
import type { AgeIdentity } from './age-stanza.ts';
import { wrapForRecipient } from './age-stanza.ts';
import { decryptLoaded, loadEncrypted, storeFor } from './codec.ts';
import { recoverDataKey, wrapDataKey } from './data-key.ts';
import type { AgeEntry, MetadataGroup } from './metadata.ts';
import { emitMetadata } from './metadata.ts';
import { assertAgeOnly, sameRecipients } from './rule-check.ts';

export interface RewrapOptions {
  readonly rule: CreationRule;
  /** YAML indent (`.sops.yaml` stores.yaml.indent); sops's default is 4. */
  readonly yamlIndent?: number;
  /** JSON indent (`.sops.yaml` stores.json.indent); sops's default -1 is a tab. */
  readonly jsonIndent?: number;
}

export interface RewrapResult {
  /** `unchanged`: the file already has exactly the rule's recipients; `bytes` is the input. */
  readonly outcome: 'unchanged' | 'rewrapped';
  readonly bytes: Uint8Array;
  /** age recipients that can now decrypt the file and could not before, sorted. */
  readonly added: readonly string[];
  /** age recipients (and other master-key kinds) that no longer can, sorted. */
  readonly removed: readonly string[];
}

export async function rewrapFile(
  path: string,
  encrypted: Uint8Array,
  options: RewrapOptions,
  identities: readonly AgeIdentity[],
  loadedIdentities: number,
): Promise<RewrapResult> {
  const { rule } = options;
  const { loaded, meta } = loadEncrypted(path, encrypted);
  if (sameRecipients(rule, meta.groups))
    return { outcome: 'unchanged', bytes: encrypted, added: [], removed: [] };
  assertAgeOnly(path, rule);
  if (
    meta.crypt.kind !== rule.crypt.kind ||
    meta.crypt.value !== rule.crypt.value ||
    meta.macOnlyEncrypted !== rule.macOnlyEncrypted
  )
    throw new CryptRuleMismatchError(
      path,
      `the file uses ${meta.crypt.kind}: ${meta.crypt.value}, the rule ${rule.crypt.kind}: ${rule.crypt.value} ` +
        '(or mac_only_encrypted differs); a re-wrap cannot change what is encrypted: rotate the key instead',
    );
  const key = await recoverDataKey(path, meta, identities, loadedIdentities);
  // Verifies every value and the MAC; throws on any tampering.
  decryptLoaded(path, loaded, meta, key);

  const groups = await newGroups(key, rule, meta.groups);
  const metadata = emitMetadata({ ...meta, groups, shamirThreshold: rule.shamirThreshold });
  const store = storeFor(path);
  const text = store.emit(loaded.branches, metadata, {
    indent: store.name === 'yaml' ? (options.yamlIndent ?? 4) : (options.jsonIndent ?? -1),
  });
  // Encrypted files are UTF-8 text in every store (the binary store's envelope is JSON).
  const bytes = Buffer.from(text, 'utf8');
  assertOnlyStanzasChanged(path, encrypted, bytes);

  const before = new Set(meta.groups.flatMap((g) => g.age.map((a) => a.recipient)));
  const after = new Set(rule.keyGroups.flatMap((g) => g.age));
  const others = [
    ...new Set(meta.groups.flatMap((g) => [...g.pgp.map((p) => `pgp:${p}`), ...g.other])),
  ];
  return {
    outcome: 'rewrapped',
    bytes,
    added: [...after].filter((r) => !before.has(r)).sort(),
    removed: [...[...before].filter((r) => !after.has(r)), ...others].sort(),
  };
}

/**
 * The rule's key groups with the data key wrapped for them. With one group before and after,
 * a recipient that stays keeps its stanza (a smaller diff, and no new ciphertext to review);
 * with several groups the key is split afresh into new Shamir shares.
 */
async function newGroups(
  key: Uint8Array,
  rule: CreationRule,
  old: readonly MetadataGroup[],
): Promise<MetadataGroup[]> {
  if (rule.keyGroups.length !== 1 || old.length !== 1) return wrapDataKey(key, rule);
  const kept = new Map((old[0] as MetadataGroup).age.map((a) => [a.recipient, a]));
  const age: AgeEntry[] = [];
  for (const recipient of (rule.keyGroups[0] as { age: readonly string[] }).age)
    age.push(kept.get(recipient) ?? { recipient, enc: await wrapForRecipient(key, recipient) });
  return [{ age, pgp: [], other: [] }];
}

/**
 * The guarantee callers (and reviewers, via verify's `rewrap` check) rely on, checked on the
 * bytes written: the values and the MAC-bearing metadata of the output are those of the input.
 */
function assertOnlyStanzasChanged(path: string, before: Uint8Array, after: Uint8Array): void {
  const a = loadEncrypted(path, before);
  const b = loadEncrypted(path, after);
  const same =
    json(a.loaded.branches) === json(b.loaded.branches) &&
    a.meta.mac === b.meta.mac &&
    a.meta.lastModified === b.meta.lastModified &&
    a.meta.version === b.meta.version &&
    JSON.stringify(a.meta.crypt) === JSON.stringify(b.meta.crypt);
  if (!same)
    throw new MalformedSopsFileError(
      { file: path, line: 0, column: 0 },
      'this file cannot be re-written without changing its values (unusual formatting?); re-wrap it with `sops updatekeys`',
    );
}

/** JSON of a tree; integers outside the double range are bigints. */
const json = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
