/**
 * keys-manifest/<key-id>/v<N>.sops.yaml as stored: the SOPS-encrypted material of one key
 * version. Only `secret` is encrypted (`encrypted_regex: ^secret$`), so `id`, `version` and
 * `public` stay readable in review and are bound to the secret by the SOPS MAC.
 *
 * This schema checks the structure a job without the decryption key can check (the verify
 * job): the ENC[...] envelopes, the recipients, the SOPS metadata. It decrypts nothing.
 * SOPS writes its metadata keys in varying orders (3.13+ sorts them); order is never checked.
 */
import { z } from 'zod';
import { keyId } from './key.ts';

/** Rules of the material schema beyond the generic schema/* ones (see docs/formats.md). */
export const MATERIAL_RULES = {
  'material/no-recipients': 'A material file without age recipients.',
  'material/key-groups':
    'Key groups mixed with flat key lists, or a threshold above the number of groups.',
  'material/duplicate-recipient': 'The same age recipient listed twice.',
  'material/crypt-rule': 'A crypt rule other than encrypted_regex: ^secret$.',
} as const satisfies Record<string, string>;
type MaterialRule = keyof typeof MATERIAL_RULES;
const ruleParams = (id: MaterialRule) => ({ rule: id });

/** One SOPS-encrypted value: `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<type>]`. */
const ENC_PATTERN =
  /^ENC\[AES256_GCM,data:[A-Za-z0-9+/]+={0,2},iv:[A-Za-z0-9+/]+={0,2},tag:[A-Za-z0-9+/]{22}==,type:(str|int|float|bool|time|bytes|comment)\]$/;

export function sopsEncrypted(type: string) {
  return z
    .string()
    .max(256 * 1024)
    .regex(ENC_PATTERN, {
      message:
        'expected a SOPS-encrypted value ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]; was the file encrypted with sops?',
      abort: true,
    })
    .refine(
      (s) => s.endsWith(`,type:${type}]`),
      `expected an encrypted ${type} value (type:${type})`,
    );
}

/** SOPS writes RFC 3339 UTC times, to the second (`time.RFC3339`). */
const sopsTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
    'expected an RFC 3339 time like 2026-11-20T09:14:03Z',
  );

/** age recipients, X25519 (`age1` + 58 Bech32 characters) or plugin / post-quantum ones. */
export const ageRecipient = z
  .string()
  .max(4096)
  .regex(/^age1[0-9a-z]{58,}$/, 'expected an age recipient (age1...)');

const armored = (label: string) =>
  z
    .string()
    .max(64 * 1024)
    .refine(
      (s) =>
        s.startsWith(`-----BEGIN ${label}-----`) && s.trimEnd().endsWith(`-----END ${label}-----`),
      `expected an armored ${label.toLowerCase()} block`,
    );

const ageKey = z.strictObject({ recipient: ageRecipient, enc: armored('AGE ENCRYPTED FILE') });
const pgpKey = z.strictObject({
  created_at: sopsTime,
  enc: armored('PGP MESSAGE'),
  fp: z.string().regex(/^[0-9A-Fa-f]{16,40}$/, 'expected a PGP fingerprint (hex)'),
});
const wrapped = {
  created_at: sopsTime,
  enc: z
    .string()
    .min(1)
    .max(64 * 1024),
};
const kmsKey = z.strictObject({
  arn: z.string().min(1),
  role: z.string().optional(),
  context: z.record(z.string(), z.string().nullable()).optional(),
  aws_profile: z.string().optional(),
  ...wrapped,
});
const gcpKmsKey = z.strictObject({ resource_id: z.string().min(1), ...wrapped });
const hckmsKey = z.strictObject({ key_id: z.string().min(1), ...wrapped });
const azureKvKey = z.strictObject({
  vault_url: z.string().min(1),
  name: z.string().min(1),
  version: z.string(),
  ...wrapped,
});
const vaultKey = z.strictObject({
  vault_address: z.string().min(1),
  engine_path: z.string().min(1),
  key_name: z.string().min(1),
  ...wrapped,
});

/** Older sops wrote empty lists as `[]` or `null`; both mean none. */
const list = <T extends z.ZodType>(item: T) => z.array(item).max(100).nullable().optional();

const masterKeys = {
  age: list(ageKey),
  pgp: list(pgpKey),
  kms: list(kmsKey),
  gcp_kms: list(gcpKmsKey),
  hckms: list(hckmsKey),
  azure_kv: list(azureKvKey),
  hc_vault: list(vaultKey),
};
const keyGroup = z.strictObject(masterKeys);

const OTHER_CRYPT_RULES = [
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
] as const;

export const sopsMetadata = z
  .strictObject({
    ...masterKeys,
    key_groups: z.array(keyGroup).min(1).max(20).optional(),
    shamir_threshold: z.int().min(1).max(20).optional(),
    lastmodified: sopsTime,
    mac: sopsEncrypted('str'),
    encrypted_regex: z.literal('^secret$', {
      error: 'rekey encrypts exactly the secret field: expected encrypted_regex: ^secret$',
    }),
    // sops allows one crypt rule per file; rekey's is encrypted_regex, so these must be absent.
    unencrypted_suffix: z.string().optional(),
    encrypted_suffix: z.string().optional(),
    unencrypted_regex: z.string().optional(),
    unencrypted_comment_regex: z.string().optional(),
    encrypted_comment_regex: z.string().optional(),
    mac_only_encrypted: z
      .literal(false, {
        error: 'mac_only_encrypted would leave id and version outside the MAC; remove it',
      })
      .optional(),
    version: z.string().regex(/^\d+\.\d+\.\d+/, 'expected the sops version, like 3.13.2'),
  })
  .superRefine((m, ctx) => {
    const flat = Object.keys(masterKeys).some(
      (k) => (m[k as keyof typeof masterKeys]?.length ?? 0) > 0,
    );
    if (m.key_groups === undefined && (m.age?.length ?? 0) === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['age'],
        message: 'no age recipients: the material can only be decrypted with age keys listed here',
        params: ruleParams('material/no-recipients'),
      });
    if (m.key_groups !== undefined && flat)
      ctx.addIssue({
        code: 'custom',
        path: ['key_groups'],
        message: 'use either key_groups or flat key lists, not both (sops ignores key_groups then)',
        params: ruleParams('material/key-groups'),
      });
    if (m.shamir_threshold !== undefined && m.shamir_threshold > (m.key_groups?.length ?? 1))
      ctx.addIssue({
        code: 'custom',
        path: ['shamir_threshold'],
        message: 'shamir_threshold is larger than the number of key groups; nobody could decrypt',
        params: ruleParams('material/key-groups'),
      });
    for (const key of OTHER_CRYPT_RULES)
      if (m[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} conflicts with encrypted_regex: ^secret$ (sops takes one rule per file)`,
          params: ruleParams('material/crypt-rule'),
        });
    const seen = new Set<string>();
    (m.age ?? []).forEach((a, i) => {
      if (seen.has(a.recipient))
        ctx.addIssue({
          code: 'custom',
          path: ['age', i, 'recipient'],
          message: 'this age recipient is listed twice',
          params: ruleParams('material/duplicate-recipient'),
        });
      seen.add(a.recipient);
    });
  });
export type SopsMetadata = z.infer<typeof sopsMetadata>;

export const materialDocument = z.strictObject({
  id: keyId,
  version: z.int().min(1).max(1_000_000),
  /** The key material, encrypted; a string in plaintext (base64, hex, PEM...). */
  secret: sopsEncrypted('str'),
  /** The public part of an asymmetric key, in clear for review (PEM, ssh or age recipient). */
  public: z
    .string()
    .min(1)
    .max(16 * 1024)
    .refine((s) => !s.startsWith('ENC['), 'public stays in clear; only secret is encrypted')
    .optional(),
  sops: sopsMetadata,
});
export type MaterialDocument = z.infer<typeof materialDocument>;
