import type { SourceLocation } from './diagnostics.ts';
import type {
  KeyDocument,
  MaterialDocument,
  PipelineDocument,
  PolicyDocument,
} from './formats/index.ts';

/**
 * A repository's files at one commit (or the working tree): repository-relative path
 * (`/`-separated) -> bytes. Adapters build it (git ls-tree + cat-file, or a directory walk);
 * core reads it and never touches the disk.
 */
export type FileTree = ReadonlyMap<string, Uint8Array>;

/** A path into a parsed document: map keys and list indices, as zod reports issue paths. */
export type DocPath = readonly (string | number)[];

/** A parsed, validated document that still knows where each of its values came from. */
export interface Located<T> {
  readonly file: string;
  readonly value: T;
  /** Where the value at `path` starts; the nearest existing ancestor when `path` is absent. */
  locate(path: DocPath): SourceLocation;
}

/**
 * The manifest at one commit, every file parsed and schema-checked (see load-snapshot.ts).
 * Only files that loaded without findings are in it; the findings come alongside.
 */
export interface ManifestSnapshot {
  /** key id (its folder under keys-manifest/) -> key.yaml. */
  readonly keys: ReadonlyMap<string, Located<KeyDocument>>;
  /** policy name (its file name under policies/) -> policy. */
  readonly policies: ReadonlyMap<string, Located<PolicyDocument>>;
  /** policies/pipeline.yaml, or the defaults when the file is absent or invalid. */
  readonly pipeline: PipelineDocument;
  /** policies/pipeline.yaml as loaded, when present and valid. */
  readonly pipelineFile?: Located<PipelineDocument>;
  /** material file path (keys-manifest/<id>/v<N>.sops.yaml) -> its stored, encrypted form. */
  readonly materials: ReadonlyMap<string, Located<MaterialDocument>>;
  /** `.sops.yaml` through the safe loader; its meaning is parsed by sops-config.ts. */
  readonly sopsConfig?: Located<unknown>;
}

export type { KeyDocument, MaterialDocument, PipelineDocument, PolicyDocument };
