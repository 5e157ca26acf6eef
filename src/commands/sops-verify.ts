/**
 * `rekey sops verify`: what can be proven about one SOPS file. Without a key: its recipients,
 * crypt rule and MAC mode equal the `.sops.yaml` rule for its path (the check a verify job,
 * which holds no identity, can make). With an identity: it also decrypts, verifies the MAC
 * (fail closed) and, for a rekey material file, that the material matches key.yaml's
 * fingerprint. Findings name the check, never a value.
 */
import type { KeyDocument } from '../core/formats/index.ts';
import { SopsError, type SopsCodec } from '../core/ports/sops.ts';
import { ruleAgeRecipients, type CreationRule } from '../core/sops-config.ts';
import { parseMaterialPlaintext, verifyMaterial } from '../crypto/keys/index.ts';

export interface SopsCheck {
  readonly check: 'recipients' | 'crypt-rule' | 'mac-mode' | 'mac' | 'material' | 'fingerprint';
  readonly ok: boolean;
  /** The check could not run (no identity); `ok` is then true and says nothing. */
  readonly skipped?: true;
  readonly detail: string;
}

const sameGroups = (a: readonly (readonly string[])[], b: readonly (readonly string[])[]) =>
  a.length === b.length &&
  a.every((g, i) => {
    const x = [...g].sort();
    const y = [...(b[i] ?? [])].sort();
    return x.length === y.length && x.every((r, j) => r === y[j]);
  });

export async function verifySopsFile(input: {
  path: string;
  bytes: Uint8Array;
  rule: CreationRule;
  codec: SopsCodec;
  /** Decrypt and check the MAC (an identity is available). */
  decrypt: boolean;
  /** For material files: the key and version it must match. */
  material?: { key: KeyDocument; version: number } | undefined;
}): Promise<SopsCheck[]> {
  const { path, bytes, rule, codec } = input;
  const out: SopsCheck[] = [];
  const info = await codec.inspect(path, bytes);
  const expected = ruleAgeRecipients(rule);
  const fmt = (gs: readonly (readonly string[])[]) => gs.map((g) => g.join(', ')).join(' | ');
  out.push({
    check: 'recipients',
    ok:
      sameGroups(info.ageRecipients, expected) &&
      info.pgpFingerprints.every((g) => g.length === 0) &&
      info.otherKeyKinds.length === 0,
    detail: `file: ${fmt(info.ageRecipients) || 'none'}${info.otherKeyKinds.length ? ` + ${info.otherKeyKinds.join(', ')}` : ''}; rule: ${fmt(expected)}`,
  });
  out.push({
    check: 'crypt-rule',
    ok: info.crypt.kind === rule.crypt.kind && info.crypt.value === rule.crypt.value,
    detail: `file: ${info.crypt.kind} ${info.crypt.value}; rule: ${rule.crypt.kind} ${rule.crypt.value}`,
  });
  out.push({
    check: 'mac-mode',
    ok: info.macOnlyEncrypted === rule.macOnlyEncrypted,
    detail: `mac_only_encrypted file: ${info.macOnlyEncrypted}; rule: ${rule.macOnlyEncrypted}`,
  });
  if (!input.decrypt) {
    out.push({
      check: 'mac',
      ok: true,
      skipped: true,
      detail: 'not checked: no age identity (set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY)',
    });
    return out;
  }
  let plaintext: Uint8Array;
  try {
    plaintext = await codec.decrypt(path, bytes);
  } catch (e) {
    if (e instanceof SopsError) {
      out.push({ check: 'mac', ok: false, detail: `${e.code}: ${e.message}` });
      return out;
    }
    throw e;
  }
  out.push({ check: 'mac', ok: true, detail: `MAC verified (lastmodified ${info.lastModified})` });
  if (input.material) {
    const { key, version } = input.material;
    let doc;
    try {
      doc = parseMaterialPlaintext(new TextDecoder().decode(plaintext), path);
    } catch (e) {
      out.push({
        check: 'material',
        ok: false,
        detail: e instanceof Error ? e.message : 'unreadable material',
      });
      return out;
    }
    const idOk = doc.id === key.id && doc.version === version;
    out.push({
      check: 'material',
      ok: idOk,
      detail: idOk
        ? `id ${doc.id}, version ${doc.version}`
        : `material says ${doc.id} v${doc.version}, its path says ${key.id} v${version}`,
    });
    const entry = key.versions.find((v) => v.version === version);
    const result = await verifyMaterial(key.type, doc, key.options);
    const fp = result.ok ? result.fingerprint : undefined;
    out.push({
      check: 'fingerprint',
      ok: fp !== undefined && fp === entry?.fingerprint,
      detail: !result.ok
        ? `${result.problem}: ${result.message}`
        : entry === undefined
          ? `key.yaml has no v${version}`
          : `${fp}${fp === entry.fingerprint ? ' equals' : ' differs from'} key.yaml's ${entry.fingerprint}`,
    });
  }
  return out;
}
