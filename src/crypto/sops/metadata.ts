/**
 * The `sops` metadata block (reference §8): read from any store as a plain object (maps,
 * lists, scalars), weakly typed like sops's mapstructure decoding; written like sops 3.13.2
 * (keys sorted alphabetically at every level, empty key lists omitted).
 */
import type { CryptRule } from '../../core/sops-config.ts';
import { CRYPT_RULE_KINDS, DEFAULT_CRYPT_RULE } from '../../core/sops-config.ts';

export const SOPS_VERSION = '3.13.2';

export interface AgeEntry {
  readonly recipient: string;
  readonly enc: string;
}
export interface MetadataGroup {
  readonly age: readonly AgeEntry[];
  readonly pgp: readonly string[];
  /** Other master-key kinds with at least one entry (kms, gcp_kms, azure_kv, hc_vault, hckms). */
  readonly other: readonly string[];
}
export interface SopsMetadata {
  readonly groups: readonly MetadataGroup[];
  readonly shamirThreshold: number;
  readonly lastModified: string;
  /** The stored ENC string of the MAC; undefined or '' when missing. */
  readonly mac: string | undefined;
  readonly crypt: CryptRule;
  readonly macOnlyEncrypted: boolean;
  readonly version: string;
}

const OTHER_KINDS = ['kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const weakString = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;

/** Parses the metadata; returns a message (never secret: metadata is public) when invalid. */
export function parseMetadata(raw: unknown): SopsMetadata | string {
  if (!isObj(raw)) return 'the sops metadata is not a map';
  const group = (g: Obj): MetadataGroup | string => {
    const age: AgeEntry[] = [];
    const ages = g['age'] ?? [];
    if (!Array.isArray(ages)) return 'sops.age is not a list';
    for (const a of ages) {
      const recipient = isObj(a) ? weakString(a['recipient']) : undefined;
      const enc = isObj(a) ? weakString(a['enc']) : undefined;
      if (!recipient || !enc) return 'an age entry lacks recipient or enc';
      age.push({ recipient: recipient.trim(), enc });
    }
    const pgps = g['pgp'] ?? [];
    if (!Array.isArray(pgps)) return 'sops.pgp is not a list';
    const pgp = pgps.map((p) => (isObj(p) ? (weakString(p['fp']) ?? '?') : '?'));
    const other = OTHER_KINDS.filter((k) => Array.isArray(g[k]) && (g[k] as unknown[]).length > 0);
    return { age, pgp, other };
  };
  const flat = group(raw);
  if (typeof flat === 'string') return flat;
  let groups: MetadataGroup[];
  // The flat lists win when any is non-empty (stores/stores.go:369-390).
  if (flat.age.length + flat.pgp.length + flat.other.length > 0) groups = [flat];
  else {
    const kg = raw['key_groups'] ?? [];
    if (!Array.isArray(kg)) return 'sops.key_groups is not a list';
    groups = [];
    for (const g of kg) {
      if (!isObj(g)) return 'a key group is not a map';
      const parsed = group(g);
      if (typeof parsed === 'string') return parsed;
      groups.push(parsed);
    }
  }
  if (groups.length === 0) return 'the file names no master keys';

  const th = raw['shamir_threshold'];
  const threshold = th === undefined || th === null ? 0 : Number(weakString(th));
  if (!Number.isInteger(threshold) || threshold < 0) return 'shamir_threshold is not an integer';

  const lastModified = weakString(raw['lastmodified']);
  if (!lastModified) return 'sops.lastmodified is missing';

  const crypts = CRYPT_RULE_KINDS.filter((k) => weakString(raw[k]));
  if (crypts.length > 1) return `the metadata names more than one of ${crypts.join(', ')}`;
  const kind = crypts[0];
  const crypt = kind ? { kind, value: weakString(raw[kind]) as string } : DEFAULT_CRYPT_RULE;

  const moe = raw['mac_only_encrypted'];
  const macOnlyEncrypted = moe === true || (typeof moe === 'string' && /^(1|t|true)$/i.test(moe));
  return {
    groups,
    shamirThreshold: threshold === 0 ? groups.length : threshold,
    lastModified,
    mac: weakString(raw['mac']),
    crypt,
    macOnlyEncrypted,
    version: weakString(raw['version']) ?? '',
  };
}

/** The metadata object sops 3.13.2 writes: alphabetical keys, `age` entries `{enc, recipient}`. */
export function emitMetadata(m: SopsMetadata): Record<string, unknown> {
  const ages = (g: MetadataGroup) => g.age.map((a) => ({ enc: a.enc, recipient: a.recipient }));
  const out: Record<string, unknown> = {};
  if (m.groups.length === 1) out['age'] = ages(m.groups[0] as MetadataGroup);
  else out['key_groups'] = m.groups.map((g) => ({ age: ages(g) }));
  out[m.crypt.kind] = m.crypt.value;
  out['lastmodified'] = m.lastModified;
  out['mac'] = m.mac;
  if (m.macOnlyEncrypted) out['mac_only_encrypted'] = true;
  if (m.groups.length > 1) out['shamir_threshold'] = m.shamirThreshold;
  out['version'] = m.version;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `time.Parse(RFC3339, s).Format(RFC3339)`: the MAC's AAD (seconds, zero offset as Z). */
export function macAad(lastModified: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}:\d{2})$/.exec(
    lastModified,
  );
  if (!m) return undefined;
  const zone = m[3] === 'z' || m[3] === 'Z' || m[3] === '+00:00' || m[3] === '-00:00' ? 'Z' : m[3];
  return `${m[1]}T${m[2]}${zone}`;
}

/** sops's lastmodified: UTC, whole seconds, `Z`. */
export function formatLastModified(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
