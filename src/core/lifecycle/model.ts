/**
 * What the lifecycle rules look at, independent of how files were read: one key's parsed
 * key.yaml (with locations) and the material files found in its folder.
 * verify/snapshot-side.ts builds them from a loaded ManifestSnapshot and its FileTree.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { KeyDocument } from '../formats/index.ts';
import type { DocPath, Located } from '../snapshot.ts';

/**
 * The clear fields of one `v<N>.sops.yaml` that the rules compare. Values are `unknown`
 * because a file under review may be malformed; the rules compare them, never trust them.
 * None of these is secret: `secret` is the SOPS ciphertext, never the plaintext.
 */
export interface MaterialFacts {
  readonly file: string;
  readonly id: unknown;
  readonly version: unknown;
  /** The `ENC[AES256_GCM,...]` ciphertext string as written. */
  readonly secret: unknown;
  readonly public: unknown;
  readonly mac: unknown;
  readonly lastmodified: unknown;
  /**
   * age recipients the data key is wrapped to, per key group: one group for a flat
   * `sops.age` list, one per entry of `sops.key_groups` otherwise.
   */
  readonly recipients: readonly (readonly string[])[];
  /** The raw text, to tell a changed file from an unchanged one and to scan it. */
  readonly text: string;
  /**
   * True when the file passed its schema (and the loader's cross-file checks). The content
   * checks of verify run on loaded files only; the loader has already reported the others.
   */
  readonly loaded: boolean;
  locate(path: DocPath): SourceLocation;
}

export interface KeyFacts {
  readonly id: string;
  readonly doc: Located<KeyDocument>;
  /** Material files in this key's folder, by the version number in their file name. */
  readonly materials: ReadonlyMap<number, MaterialFacts>;
  /** The key's policy `prepublish` in milliseconds; undefined when the policy is unknown. */
  readonly prepublishMs: number | undefined;
}

/** The manifest part of one snapshot, as the lifecycle rules need it. */
export interface ManifestFacts {
  readonly keys: ReadonlyMap<string, KeyFacts>;
  /**
   * Keys whose key.yaml exists but could not be read (its load diagnostics say why). They
   * are left out of the comparison instead of being reported as removed.
   */
  readonly unreadableKeys: ReadonlySet<string>;
}
