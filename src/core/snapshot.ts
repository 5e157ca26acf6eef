import type { SourceLocation } from './diagnostics.ts';
import type { KeyDocument, PipelineDocument, PolicyDocument } from './formats/index.ts';

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
export type { KeyDocument, PipelineDocument, PolicyDocument };
