/**
 * A finding about an input file, located precisely enough for an editor, a GitHub
 * annotation or a reviewer to jump to it. Every rule has a stable id (`area/name`) that
 * tools and docs can rely on; messages may be reworded, rule ids may not.
 *
 * Messages never quote secret material: they name the file, the place and the rule.
 */
export interface SourceLocation {
  /** Repository-relative path with `/` separators. */
  readonly file: string;
  /** 1-based line; 0 when the finding is about the file as a whole or a missing file. */
  readonly line: number;
  /** 1-based column; 0 when unknown. */
  readonly column: number;
}

export interface Diagnostic extends SourceLocation {
  readonly rule: string;
  readonly message: string;
}

export function diagnostic(rule: string, message: string, at: SourceLocation): Diagnostic {
  return { rule, message, file: at.file, line: at.line, column: at.column };
}

/** The location of a file as a whole (missing file, file-level rule). */
export function fileLocation(file: string): SourceLocation {
  return { file, line: 0, column: 0 };
}

/** `file:line:column: message [rule]`, the shape compilers use, so terminals make it a link. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.message} [${d.rule}]`;
}

/** Stable order: by file, then line, column and rule, so output and `--json` are reproducible. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/** Thrown where a caller cannot go on with invalid input; carries every finding, not the first. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    super(
      `${sorted.length} problem${sorted.length === 1 ? '' : 's'} found:\n` +
        sorted.map((d) => `  ${formatDiagnostic(d)}`).join('\n'),
    );
    this.diagnostics = sorted;
  }
}
