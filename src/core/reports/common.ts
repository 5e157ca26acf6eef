/**
 * What every `--json` report shares: the versioned envelope and the diagnostic shape. The zod
 * schemas here are the one source of the shapes; schemas/rekey.*.v1.schema.json are generated
 * from them (scripts/generate-schemas.ts) and docs/cli.md describes them.
 *
 * Versioning: `schema` names the shape and its major version (`rekey.plan/v1`). Within v1
 * fields are only added, never removed, renamed or retyped, and objects stay open (consumers
 * must ignore fields they do not know); a breaking change bumps the version.
 */
import { z } from 'zod';
import { sortDiagnostics, type Diagnostic } from '../diagnostics.ts';

export const REPORT_COMMANDS = ['validate', 'plan', 'verify', 'doctor', 'audit'] as const;
export type ReportCommand = (typeof REPORT_COMMANDS)[number];

export const schemaId = <C extends ReportCommand>(command: C) => `rekey.${command}/v1` as const;

/** The envelope of validate, plan, verify and doctor (audit's report predates it; see audit.ts). */
export const envelope = <C extends Exclude<ReportCommand, 'audit'>>(command: C) => ({
  schema: z.literal(schemaId(command)).describe('The shape and its major version.'),
  rekey: z.literal(1).describe('The output format generation (always 1; kept for old scripts).'),
  command: z.literal(command),
  ok: z.boolean().describe('True when the command exits 0.'),
});

export const severity = z.enum(['error', 'warning']);

/** One finding about an input file: where an editor can jump to, the stable rule id, a sentence. */
export const diagnosticJson = z.object({
  file: z.string().describe('Repository-relative path with / separators.'),
  line: z.number().int().min(0).describe('1-based; 0 when about the file as a whole.'),
  column: z.number().int().min(0).describe('1-based; 0 when unknown.'),
  rule: z.string().describe('Stable rule id (area/name).'),
  severity,
  message: z.string(),
});
export type DiagnosticJson = z.infer<typeof diagnosticJson>;

/** Every rekey diagnostic is an error (it fails the command); sorted by file, line, column, rule. */
export function diagnosticsJson(ds: readonly Diagnostic[]): DiagnosticJson[] {
  return sortDiagnostics(ds).map(({ file, line, column, rule, message }) => ({
    file,
    line,
    column,
    rule,
    severity: 'error',
    message,
  }));
}
