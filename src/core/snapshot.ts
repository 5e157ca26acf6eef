import type { SourceLocation } from './diagnostics.ts';
import type {
  KeyDocument,
  MaterialDocument,
  PipelineDocument,
  PolicyDocument,
} from './formats/index.ts';

/** Why a reader did not read a selected path: it is not a regular file of bounded size. */
export type IrregularReason = 'symlink' | 'submodule' | 'special-file' | 'too-large';

/** A selected path that is not a regular, bounded file; never read, never followed. */
export interface IrregularEntry {
  readonly path: string;
  readonly reason: IrregularReason;
}

/**
 * A repository's files at one commit (or the working tree): repository-relative path
 * (`/`-separated) -> bytes. Adapters build it (git ls-tree + cat-file, or a directory walk);
 * core reads it and never touches the disk.
 *
 * `irregular` lists the selected paths a reader refused to read (symlinks, submodules, special
 * files, files over its size cap). They travel with the tree so that the one loader
 * (load-snapshot.ts) decides what they mean, rather than each caller dropping them. A tree
 * built in memory (tests, rekey's own edits) has none.
 */
export interface FileTree extends ReadonlyMap<string, Uint8Array> {
  readonly irregular?: readonly IrregularEntry[];
}

/** A FileTree of `files` that carries the entries its reader refused. */
export function fileTree(
  files: Iterable<readonly [string, Uint8Array]>,
  irregular: readonly IrregularEntry[],
): FileTree {
  const tree: Map<string, Uint8Array> & { irregular?: readonly IrregularEntry[] } = new Map(files);
  if (irregular.length > 0) tree.irregular = Object.freeze([...irregular]);
  return tree;
}

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
