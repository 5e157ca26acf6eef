import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import type { DocPath } from '../snapshot.ts';

export interface YamlLimits {
  /** Files larger than this are rejected before decoding. Default 1 MiB. */
  readonly maxBytes?: number;
  /** Deepest nesting of lists and maps (the root collection is level 1). Default 32. */
  readonly maxDepth?: number;
  /** Most scalars, lists and maps in one file. Default 250,000. */
  readonly maxNodes?: number;
}

export const DEFAULT_YAML_LIMITS: Required<YamlLimits> = {
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxNodes: 250_000,
};

export interface ParsedYaml {
  /**
   * The document as plain data, or `undefined` when the file could not be read faithfully:
   * too large, not UTF-8, a syntax error, several documents, too deep, or a finding that
   * leaves the value a guess (an alias, a merge or duplicate key...). Findings such as a BOM,
   * CRLF, an anchor, a tag or an ambiguous scalar keep the YAML 1.2 value, so a schema can
   * still report its own findings in the same run.
   */
  readonly value: unknown;
  /** Where the value at `path` is introduced (see locate.ts); the file start when unknown. */
  locate(path: DocPath): SourceLocation;
  readonly diagnostics: Diagnostic[];
}
