/**
 * What every file format ("store", in sops's words) provides: text <-> SOPS tree plus the raw
 * metadata object, and where each leaf came from (for located errors).
 */
import type { SourceLocation } from '../../core/diagnostics.ts';
import type { Branch, Leaf } from './tree.ts';

export interface LoadedFile {
  /** One branch per document (YAML may have several; other formats have one). */
  readonly branches: Branch[];
  /** The first document's `sops` metadata as a plain object; undefined when absent. */
  readonly metadata: unknown;
  /** A `sops` key (YAML/JSON), `sops_` key (dotenv) or `[sops]` section was present anywhere. */
  readonly reserved: boolean;
  /** Source location of each leaf, for errors (by object identity). */
  readonly locations: LeafLocations;
}

/** Where each leaf came from (a WeakMap, or a store's own lazily computed map). */
export interface LeafLocations {
  get(leaf: Leaf): SourceLocation | undefined;
}

export interface EmitOptions {
  /** YAML indent (sops default 4). */
  readonly indent?: number;
}

export interface Store {
  readonly name: 'yaml' | 'json' | 'dotenv' | 'binary' | 'ini';
  /**
   * How plaintext bytes map to the store's strings. `utf8` (the default) for the text stores;
   * `latin1` for the binary store, whose file may hold any bytes: each byte is one character,
   * so values, ciphertext and MAC see exactly the file's bytes, as sops's Go strings do.
   */
  readonly plaintextEncoding?: 'utf8' | 'latin1';
  /** Parses a file, plaintext or encrypted. */
  load(file: string, text: string): LoadedFile;
  /** Parses an encrypted file when that differs from `load` (the binary store's envelope). */
  loadEncrypted?(file: string, text: string): LoadedFile;
  /** Writes the tree, plus the metadata when given (an encrypted file). */
  emit(
    branches: readonly Branch[],
    metadata: Record<string, unknown> | undefined,
    options: EmitOptions,
  ): string;
}
