/**
 * The built-in SOPS codec: reads and writes files that `sops -d` / `sops -e` accept, for age
 * recipients, byte-compatible with sops 3.13 (reference/sops-format.md). Pure apart from
 * node:crypto randomness: identities and `now` are parameters, plaintext stays in memory.
 *
 * Decryption fails closed: a file without a MAC, with a MAC that does not match or cannot be
 * authenticated, with a value that fails authentication, or (given a rule) with recipients or
 * a crypt rule other than the rule's is refused with a distinct typed error.
 */
import { randomBytes } from 'node:crypto';
import type { SourceLocation } from '../../core/diagnostics.ts';
import type {
  SopsCodec,
  SopsDecryptOptions,
  SopsEncryptOptions,
  SopsFileInfo,
} from '../../core/ports/sops.ts';
import {
  MacMismatchError,
  MacMissingError,
  MalformedSopsFileError,
  NoMatchingIdentityError,
  UnsupportedSopsFeatureError,
  ValueAuthenticationError,
} from '../../core/ports/sops.ts';
import type { CreationRule } from '../../core/sops-config.ts';
import { open, parseEnc, seal } from './aes.ts';
import type { AgeIdentity } from './age-stanza.ts';
import { ageIdentities } from './age-stanza.ts';
import { dotenvStore } from './dotenv-store.ts';
import { iniStore } from './ini-store.ts';
import { binaryStore, jsonStore } from './json-store.ts';
import type { SopsMetadata } from './metadata.ts';
import {
  emitMetadata,
  formatLastModified,
  macAad,
  parseMetadata,
  SOPS_VERSION,
} from './metadata.ts';
import { recoverDataKey, wrapDataKey } from './data-key.ts';
import type { RewrapOptions, RewrapResult } from './rewrap.ts';
import { rewrapFile } from './rewrap.ts';
import { assertAgeOnly, checkAgainstRule, sameRecipients } from './rule-check.ts';
import type { LeafLocations, LoadedFile, Store } from './store.ts';
import type { Branch } from './tree.ts';
import { decryptTree, DecryptFailure, encryptTree, reuseKey } from './tree.ts';
import { yamlStore } from './yaml-store.ts';

/** The store sops picks for a path (by extension; anything else is binary). */
export function storeFor(path: string): Store {
  // The text after the last dot of the last path component (a lastIndexOf, not a regex:
  // this runs for every file read or written).
  const dot = path.lastIndexOf('.');
  const ext =
    dot !== -1 && dot < path.length - 1 && path.indexOf('/', dot) === -1
      ? path.slice(dot + 1).toLowerCase()
      : undefined;
  if (ext === 'yaml' || ext === 'yml') return yamlStore;
  if (ext === 'json') return jsonStore;
  if (ext === 'env') return dotenvStore;
  if (ext === 'ini') return iniStore;
  return binaryStore;
}

export interface Decrypted {
  readonly loaded: LoadedFile;
  readonly meta: SopsMetadata;
  readonly key: Uint8Array;
  readonly branches: Branch[];
  readonly mac: string;
  /** (aad, type, plaintext) -> the ENC string that holds it, for ciphertext reuse. */
  readonly reuse: Map<string, string>;
}

export interface BuiltinSopsCodecOptions {
  /** age identities (`AGE-SECRET-KEY-1…`, `AGE-SECRET-KEY-PQ-1…`); empty to encrypt only. */
  readonly identities: readonly string[];
}

export class BuiltinSopsCodec implements SopsCodec {
  readonly #identities: Promise<AgeIdentity[]>;
  readonly #count: number;

  constructor(options: BuiltinSopsCodecOptions) {
    this.#count = options.identities.length;
    this.#identities = ageIdentities(options.identities);
    // Surface an invalid identity at use, not as an unhandled rejection.
    this.#identities.catch(() => undefined);
  }

  async encrypt(
    path: string,
    plaintext: Uint8Array,
    options: SopsEncryptOptions,
  ): Promise<Uint8Array> {
    const store = storeFor(path);
    const loaded = store.load(path, plaintextOf(path, plaintext, store));
    if (loaded.reserved)
      throw new MalformedSopsFileError(
        { file: path, line: 0, column: 0 },
        'the plaintext already has sops metadata (or a reserved "sops" key); decrypt it first',
      );
    const { rule } = options;
    assertAgeOnly(path, rule);
    const rules = {
      crypt: rule.crypt,
      macOnlyEncrypted: rule.macOnlyEncrypted,
      encoding: store.plaintextEncoding,
    };

    // Keep the data key (and its wrapped copies) when the recipients are unchanged, like
    // `sops edit`; then unchanged values may keep their exact ciphertext.
    let prev: Decrypted | undefined;
    if (options.previous && sameRecipientsAs(rule, options.previous, path)) {
      // Without a matching identity (the rotation job holds none) nothing can be kept; any
      // other failure (tampering, a bad MAC) is an error: never build on an unverified file.
      const p = await this.#decrypt(path, options.previous).catch((e: unknown) => {
        if (e instanceof NoMatchingIdentityError) return undefined;
        throw e;
      });
      if (p && p.meta.shamirThreshold === rule.shamirThreshold) prev = p;
    }
    const key = prev?.key ?? randomBytes(32);
    const enc = encryptTree(loaded.branches, rules, key, prev?.reuse);

    const unchanged =
      prev !== undefined &&
      prev.mac === enc.mac &&
      prev.meta.crypt.kind === rule.crypt.kind &&
      prev.meta.crypt.value === rule.crypt.value &&
      prev.meta.macOnlyEncrypted === rule.macOnlyEncrypted;
    const lastModified =
      unchanged && prev ? prev.meta.lastModified : formatLastModified(options.now);
    const mac =
      unchanged && prev?.meta.mac
        ? prev.meta.mac
        : seal(key, Buffer.from(enc.mac), lastModified, 'str');
    const groups = prev ? prev.meta.groups : await wrapDataKey(key, rule);

    const metadata = emitMetadata({
      groups,
      shamirThreshold: rule.shamirThreshold,
      lastModified,
      mac,
      crypt: rule.crypt,
      macOnlyEncrypted: rule.macOnlyEncrypted,
      version: SOPS_VERSION,
    });
    return Buffer.from(
      store.emit(enc.branches, metadata, {
        indent: store.name === 'yaml' ? (options.yamlIndent ?? 4) : (options.jsonIndent ?? -1),
      }),
      'utf8',
    );
  }

  async decrypt(
    path: string,
    encrypted: Uint8Array,
    options?: SopsDecryptOptions,
  ): Promise<Uint8Array> {
    const d = await this.#decrypt(path, encrypted, options, false);
    const store = storeFor(path);
    return Buffer.from(
      store.emit(d.branches, undefined, { indent: store.name === 'yaml' ? 4 : -1 }),
      store.plaintextEncoding ?? 'utf8',
    );
  }

  /**
   * `sops updatekeys`: the same data key wrapped for the rule's recipients; values, MAC and
   * lastmodified unchanged (rewrap.ts). Needs an identity that opens the file as it is.
   */
  async rewrap(path: string, encrypted: Uint8Array, options: RewrapOptions): Promise<RewrapResult> {
    return rewrapFile(path, encrypted, options, await this.#identities, this.#count);
  }

  async inspect(path: string, encrypted: Uint8Array): Promise<SopsFileInfo> {
    const { meta } = loadEncrypted(path, encrypted);
    return {
      ageRecipients: meta.groups.map((g) => g.age.map((a) => a.recipient)),
      pgpFingerprints: meta.groups.map((g) => [...g.pgp]),
      otherKeyKinds: [...new Set(meta.groups.flatMap((g) => g.other))],
      shamirThreshold: meta.shamirThreshold,
      crypt: meta.crypt,
      macOnlyEncrypted: meta.macOnlyEncrypted,
      lastModified: meta.lastModified,
      version: meta.version,
      hasMac: Boolean(meta.mac),
    };
  }

  async #decrypt(
    path: string,
    encrypted: Uint8Array,
    options?: SopsDecryptOptions,
    keepCiphertexts = true,
  ): Promise<Decrypted> {
    const { loaded, meta } = loadEncrypted(path, encrypted);
    if (options?.rule) checkAgainstRule(path, options.rule, meta);
    return decryptLoaded(
      path,
      loaded,
      meta,
      await recoverDataKey(path, meta, await this.#identities, this.#count),
      keepCiphertexts,
    );
  }
}

/** Parses an encrypted file and its metadata, without any key. */
export function loadEncrypted(
  path: string,
  encrypted: Uint8Array,
): { loaded: LoadedFile; meta: SopsMetadata } {
  const store = storeFor(path);
  const text = utf8(path, encrypted);
  const loaded = (store.loadEncrypted ?? store.load)(path, text);
  const whole: SourceLocation = { file: path, line: 0, column: 0 };
  if (loaded.metadata === undefined)
    throw new MalformedSopsFileError(whole, 'not a SOPS file: it has no sops metadata');
  const meta = parseMetadata(loaded.metadata);
  if (typeof meta === 'string') throw new MalformedSopsFileError(whole, meta);
  return { loaded, meta };
}

/**
 * Decrypts the values with a data key obtained elsewhere and verifies the MAC, failing
 * closed. The codec calls it after unwrapping the data key; tests call it with the data keys
 * of the PGP fixtures, which this codec cannot unwrap. `keepCiphertexts`: fill `reuse` (only
 * an encryption that builds on this file needs it).
 */
export function decryptLoaded(
  path: string,
  loaded: LoadedFile,
  meta: SopsMetadata,
  key: Uint8Array,
  keepCiphertexts = true,
): Decrypted {
  const reuse = new Map<string, string>();
  let result: { branches: Branch[]; mac: string };
  try {
    const rules = { ...meta, encoding: storeFor(path).plaintextEncoding };
    result = decryptTree(
      loaded.branches,
      rules,
      key,
      keepCiphertexts ? (aad, leaf, enc) => reuse.set(reuseKey(aad, leaf), enc) : undefined,
    );
  } catch (e) {
    if (!(e instanceof DecryptFailure)) throw e;
    throw locatedFailure(path, e, loaded.locations);
  }
  if (!meta.mac) throw new MacMissingError(path);
  const stored = parseEnc(meta.mac);
  const aad = macAad(meta.lastModified);
  if (!stored || !aad)
    throw new MalformedSopsFileError(
      { file: path, line: 0, column: 0 },
      'sops.mac or sops.lastmodified is malformed',
    );
  const plain = open(key, stored, aad);
  if (!plain) throw new MacMismatchError(path, 'unauthenticated');
  if (Buffer.from(plain).toString('utf8') !== result.mac)
    throw new MacMismatchError(path, 'differs');
  return { loaded, meta, key, branches: result.branches, mac: result.mac, reuse };
}

/**
 * Checks a file's recipients, crypt rule and mac_only_encrypted against a creation rule,
 * without any key (RecipientsMismatchError, CryptRuleMismatchError).
 */
export function checkFileAgainstRule(
  path: string,
  encrypted: Uint8Array,
  rule: CreationRule,
): void {
  checkAgainstRule(path, rule, loadEncrypted(path, encrypted).meta);
}

function sameRecipientsAs(rule: CreationRule, encrypted: Uint8Array, path: string): boolean {
  return sameRecipients(rule, loadEncrypted(path, encrypted).meta.groups);
}

/** A size cap before parsing (DESIGN: parsing is safe before it is clever). */
export const MAX_SOPS_FILE_BYTES = 16 * 1024 * 1024;

/** Plaintext bytes as the store's text: any bytes for the binary store, UTF-8 for the others. */
function plaintextOf(path: string, bytes: Uint8Array, store: Store): string {
  if (store.plaintextEncoding !== 'latin1') return utf8(path, bytes);
  capped(path, bytes);
  return Buffer.from(bytes).toString('latin1');
}

function capped(path: string, bytes: Uint8Array): void {
  if (bytes.length > MAX_SOPS_FILE_BYTES)
    throw new UnsupportedSopsFeatureError(
      path,
      `the file is larger than ${MAX_SOPS_FILE_BYTES} bytes`,
    );
}

function utf8(path: string, bytes: Uint8Array): string {
  capped(path, bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UnsupportedSopsFeatureError(path, 'the file is not valid UTF-8');
  }
}

function locatedFailure(path: string, e: DecryptFailure, locations: LeafLocations): Error {
  const { kind, leaf, aad } = e.problem;
  const at = locations.get(leaf) ?? { file: path, line: 0, column: 0 };
  switch (kind) {
    case 'authentication':
      return new ValueAuthenticationError(path, aad);
    case 'not-encrypted':
      return new MalformedSopsFileError(
        at,
        `the value at "${aad}" should be encrypted but is not an ENC[...] string`,
      );
    case 'bad-type':
      return new MalformedSopsFileError(
        at,
        `the value at "${aad}" decrypted to something its type does not allow`,
      );
  }
}
