/**
 * The SOPS port: bytes in, bytes out, for one file at a time. Two implementations satisfy it:
 * the built-in codec (src/crypto/sops, age recipients, YAML/JSON/dotenv/binary) and the
 * `sops` CLI adapter (src/adapters/sops-cli.ts, everything sops knows). Plaintext never
 * touches the disk in either.
 *
 * Errors are typed and distinct (`code`), so callers branch on the class or code, never on
 * message text. No error message ever quotes a plaintext value, a data key or an identity;
 * they name the file, the key path and what to do.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { CreationRule, CryptRule } from '../sops-config.ts';

export interface SopsEncryptOptions {
  /** The creation rule for this path (recipients, key groups, crypt rule, mac_only_encrypted). */
  readonly rule: CreationRule;
  /** Written as `sops.lastmodified` (UTC, seconds) and bound into the MAC. */
  readonly now: Date;
  /**
   * The file's current encrypted bytes, when it is being rewritten: values whose plaintext
   * and key path are unchanged keep their exact ciphertext (small, reviewable diffs), and the
   * data key is kept when the recipients are unchanged. Requires an identity for it.
   */
  readonly previous?: Uint8Array;
  /** YAML indent (`.sops.yaml` stores.yaml.indent); sops's default is 4. */
  readonly yamlIndent?: number;
  /** JSON indent (`.sops.yaml` stores.json.indent); sops's default -1 is a tab. */
  readonly jsonIndent?: number;
}

export interface SopsDecryptOptions {
  /**
   * When given, the file's recipients must equal the rule's (per key group, order-free),
   * else RecipientsMismatchError: a material file that someone else can also read is refused;
   * and its crypt rule and mac_only_encrypted must equal the rule's, else
   * CryptRuleMismatchError (a file leaving a secret in clear text is refused).
   */
  readonly rule?: CreationRule;
}

/** What can be read from a SOPS file without any key. */
export interface SopsFileInfo {
  /** age recipients per key group (one group unless the file uses key_groups). */
  readonly ageRecipients: readonly (readonly string[])[];
  /** PGP fingerprints per key group. */
  readonly pgpFingerprints: readonly (readonly string[])[];
  /** Other master-key kinds present (kms, gcp_kms, azure_kv, hc_vault, hckms). */
  readonly otherKeyKinds: readonly string[];
  readonly shamirThreshold: number;
  readonly crypt: CryptRule;
  readonly macOnlyEncrypted: boolean;
  /** `sops.lastmodified` as written (RFC 3339). */
  readonly lastModified: string;
  readonly version: string;
  readonly hasMac: boolean;
}

export interface SopsCodec {
  /** `sops -e`: plaintext bytes (format from the path's extension) to an encrypted file. */
  encrypt(path: string, plaintext: Uint8Array, options: SopsEncryptOptions): Promise<Uint8Array>;
  /** `sops -d`: decrypts and verifies the MAC (fails closed), returns the plaintext bytes. */
  decrypt(path: string, encrypted: Uint8Array, options?: SopsDecryptOptions): Promise<Uint8Array>;
  /** Reads the public metadata (recipients, rule, lastmodified) without decrypting. */
  inspect(path: string, encrypted: Uint8Array): Promise<SopsFileInfo>;
}

export type SopsErrorCode =
  | 'sops/malformed'
  | 'sops/unsupported'
  | 'sops/mac-missing'
  | 'sops/mac-mismatch'
  | 'sops/value-authentication'
  | 'sops/no-identity'
  | 'sops/data-key'
  | 'sops/unsupported-master-key'
  | 'sops/recipients-mismatch'
  | 'sops/crypt-rule-mismatch'
  | 'sops/cli';

/** Base of every SOPS error; `file` is the path given to the codec. */
export abstract class SopsError extends Error {
  abstract readonly code: SopsErrorCode;
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

/**
 * A failed integrity check: the file is readable but what it holds cannot be trusted (a MAC
 * that is missing or differs, a value or wrapped data key that fails authentication). The CLI
 * reports these as a failed check (exit 1), not as a usage or configuration error (exit 2).
 */
export function isIntegrityFailure(e: unknown): e is SopsError {
  return (
    e instanceof MacMismatchError ||
    e instanceof MacMissingError ||
    e instanceof ValueAuthenticationError ||
    e instanceof DataKeyError
  );
}

/** The file is not a valid SOPS file (bad syntax, bad ENC string, bad metadata). */
export class MalformedSopsFileError extends SopsError {
  override readonly name = 'MalformedSopsFileError';
  readonly code = 'sops/malformed';
  readonly at: SourceLocation;
  constructor(at: SourceLocation, message: string) {
    super(at.file, at.line > 0 ? `line ${at.line}: ${message}` : message);
    this.at = at;
  }
}

/** A valid SOPS feature this implementation does not handle (INI, a type, a store). */
export class UnsupportedSopsFeatureError extends SopsError {
  override readonly name = 'UnsupportedSopsFeatureError';
  readonly code = 'sops/unsupported';
}

/** `sops.mac` is absent or empty: the file's integrity cannot be checked, so it is refused. */
export class MacMissingError extends SopsError {
  override readonly name = 'MacMissingError';
  readonly code = 'sops/mac-missing';
  constructor(file: string) {
    super(file, 'the file has no MAC, so its integrity cannot be checked; refusing to decrypt');
  }
}

/**
 * The MAC does not match the values (a value was edited, added, removed or reordered, or
 * mac_only_encrypted was toggled), or it cannot be authenticated (lastmodified was changed).
 */
export class MacMismatchError extends SopsError {
  override readonly name = 'MacMismatchError';
  readonly code = 'sops/mac-mismatch';
  readonly reason: 'differs' | 'unauthenticated';
  constructor(file: string, reason: 'differs' | 'unauthenticated') {
    super(
      file,
      reason === 'differs'
        ? 'MAC mismatch: the values were changed after encryption (or mac_only_encrypted was toggled)'
        : 'the MAC cannot be authenticated: lastmodified or the mac itself was changed',
    );
    this.reason = reason;
  }
}

/** An encrypted value failed AES-GCM authentication: its ciphertext or its key path changed. */
export class ValueAuthenticationError extends SopsError {
  override readonly name = 'ValueAuthenticationError';
  readonly code = 'sops/value-authentication';
  /** The key path (`a:b:`), never the value. */
  readonly keyPath: string;
  constructor(file: string, keyPath: string) {
    super(file, `the encrypted value at "${keyPath}" failed authentication (tampered or moved)`);
    this.keyPath = keyPath;
  }
}

/** None of the loaded identities matches any recipient of the file. */
export class NoMatchingIdentityError extends SopsError {
  override readonly name = 'NoMatchingIdentityError';
  readonly code = 'sops/no-identity';
  readonly recipients: readonly string[];
  /** `loaded`: how many identities were tried, when known (the sops CLI does not say). */
  constructor(file: string, recipients: readonly string[], loaded?: number) {
    const tried =
      loaded === undefined ? '' : ` (${loaded} age identit${loaded === 1 ? 'y' : 'ies'} loaded)`;
    super(
      file,
      `no identity for this file${tried}; ` +
        `it is encrypted to: ${recipients.join(', ') || '(no age recipients)'}. ` +
        'Set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE to a matching key.',
    );
    this.recipients = recipients;
  }
}

/** An identity matched a recipient but the wrapped data key was invalid (tampered `enc`). */
export class DataKeyError extends SopsError {
  override readonly name = 'DataKeyError';
  readonly code = 'sops/data-key';
}

/** The file is readable only with master keys this implementation lacks (PGP, KMS, …). */
export class UnsupportedMasterKeyError extends SopsError {
  override readonly name = 'UnsupportedMasterKeyError';
  readonly code = 'sops/unsupported-master-key';
  readonly kinds: readonly string[];
  constructor(file: string, kinds: readonly string[], detail: string) {
    super(file, detail);
    this.kinds = kinds;
  }
}

/** The file's recipients differ from the creation rule's: someone else could read it. */
export class RecipientsMismatchError extends SopsError {
  override readonly name = 'RecipientsMismatchError';
  readonly code = 'sops/recipients-mismatch';
  readonly expected: readonly (readonly string[])[];
  readonly actual: readonly (readonly string[])[];
  constructor(
    file: string,
    expected: readonly (readonly string[])[],
    actual: readonly (readonly string[])[],
  ) {
    const fmt = (gs: readonly (readonly string[])[]) =>
      gs.map((g) => `[${g.join(', ')}]`).join(' ');
    super(file, `recipients ${fmt(actual)} differ from the .sops.yaml rule's ${fmt(expected)}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The file's crypt rule or mac_only_encrypted differs from the creation rule's: a file that
 * leaves more values in clear text than the rule says could carry a secret in the open.
 */
export class CryptRuleMismatchError extends SopsError {
  override readonly name = 'CryptRuleMismatchError';
  readonly code = 'sops/crypt-rule-mismatch';
}

/** The sops CLI failed; `exitCode` and its stderr (sops never prints plaintext there). */
export class SopsCliError extends SopsError {
  override readonly name = 'SopsCliError';
  readonly code = 'sops/cli';
  readonly exitCode: number | null;
  constructor(file: string, exitCode: number | null, message: string) {
    super(file, message);
    this.exitCode = exitCode;
  }
}
