import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);

// src/cli/args.ts
import { parseArgs } from "node:util";
var UsageError = class extends Error {
  name = "UsageError";
};
var EXIT = { ok: 0, findings: 1, usage: 2 };
function parse(command, argv, options, positionals = 0) {
  try {
    const parsed = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: positionals > 0
    });
    if (parsed.positionals.length > positionals)
      throw new UsageError(
        `unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`
      );
    return parsed;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`rekey ${command}: ${e.message}`);
    const code = e.code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
      throw new UsageError(`rekey ${command}: ${e.message}`);
    throw e;
  }
}
function parseNow(value, io) {
  if (value === void 0) return io.now();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value))
    throw new UsageError(
      `--now expects an ISO 8601 time like 2026-11-20T09:00:00Z, not ${JSON.stringify(value)}`
    );
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`--now: not a real time: ${JSON.stringify(value)}`);
  return d;
}

// src/core/diagnostics.ts
function diagnostic(rule, message, at) {
  return { rule, message, file: at.file, line: at.line, column: at.column };
}
function fileLocation(file) {
  return { file, line: 0, column: 0 };
}
function formatDiagnostic(d) {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.message} [${d.rule}]`;
}
function sortDiagnostics(ds) {
  return [...ds].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
var InvalidInputError = class extends Error {
  name = "InvalidInputError";
  diagnostics;
  constructor(diagnostics) {
    const sorted = sortDiagnostics(diagnostics);
    super(
      `${sorted.length} problem${sorted.length === 1 ? "" : "s"} found:
` + sorted.map((d) => `  ${formatDiagnostic(d)}`).join("\n")
    );
    this.diagnostics = sorted;
  }
};

export {
  UsageError,
  EXIT,
  parse,
  parseNow,
  diagnostic,
  fileLocation,
  formatDiagnostic,
  sortDiagnostics,
  InvalidInputError
};
