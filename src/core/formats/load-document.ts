/**
 * YAML bytes -> a validated, located document: the safe loader (../yaml) then a zod schema.
 * Every schema issue becomes a Diagnostic at the line of the offending key, with a rule id
 * from SCHEMA_RULES and a message that says what was expected. All issues are reported.
 *
 * Messages name keys (`unknown key "retry-budgets"`) but never values. They are meant for
 * files as stored; decrypted material has its own parser (src/crypto/keys/material.ts).
 */
import type { z } from 'zod';
import { diagnostic } from '../diagnostics.ts';
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import type { DocPath, Located } from '../snapshot.ts';
import { parseYaml } from '../yaml/index.ts';
import type { YamlLimits } from '../yaml/index.ts';
import { keyDocument } from './key.ts';
import { fastKeyDocument } from './key-fast.ts';

export const SCHEMA_RULES = {
  'schema/missing-key': 'A required key is absent.',
  'schema/unknown-key': 'A key the format does not define (often a typo).',
  'schema/invalid-type': 'A value of the wrong kind (a list where a string was expected, ...).',
  'schema/invalid-value': 'A value outside the allowed set (an unknown state, key type, ...).',
  'schema/invalid-format': 'A string that does not have the required shape (ids, times, ...).',
  'schema/too-small': 'A number, string or list below its minimum.',
  'schema/too-big': 'A number, string or list above its maximum.',
  'schema/unknown-kind': 'A target or entry whose `kind` is not one of the known kinds.',
  'schema/invalid': 'A value that breaks a rule of the format (see the message).',
} as const satisfies Record<string, string>;
export type SchemaRule = keyof typeof SCHEMA_RULES;

export interface LoadedDocument<T> {
  /** Present only when the file produced no diagnostics at all. */
  readonly doc?: Located<T>;
  readonly diagnostics: Diagnostic[];
}

export function loadDocument<T>(
  file: string,
  bytes: Uint8Array,
  schema: z.ZodType<T>,
  limits?: YamlLimits,
): LoadedDocument<T> {
  const parsed = parseYaml(file, bytes, limits);
  // A file that could not be read has no value to validate; reporting schema errors against a
  // guess would only bury the real problem.
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  const fast = FAST_PATHS.get(schema)?.(parsed.value) as T | undefined;
  const result =
    fast !== undefined ? { success: true as const, data: fast } : schema.safeParse(parsed.value);
  const diagnostics = parsed.diagnostics;
  if (!result.success)
    diagnostics.push(...schemaDiagnostics(result.error.issues, parsed.value, parsed.locate));
  if (diagnostics.length > 0 || !result.success) return { diagnostics };
  return { doc: { file, value: result.data, locate: parsed.locate }, diagnostics };
}

/**
 * Schemas with a fast path: a function that returns exactly what the schema's parse would
 * for a value it is sure the schema accepts, and undefined for anything else (then the
 * schema itself decides and words the findings). See ./key-fast.ts.
 */
const FAST_PATHS = new Map<z.ZodType, (value: unknown) => unknown>([
  [keyDocument, fastKeyDocument],
]);

/** Turns zod issues into diagnostics located in the source. Exported for validators of parsed data. */
export function schemaDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  locate: (path: DocPath) => SourceLocation,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code !== 'unrecognized_keys' && isMissing(input, path)) {
      out.push(
        diagnostic(
          'schema/missing-key',
          `missing required key "${String(path.at(-1))}"${where(path.slice(0, -1))} (${expectation(issue)})`,
          locate(path),
        ),
      );
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys)
          out.push(
            diagnostic(
              'schema/unknown-key',
              `unknown key "${key}"${where(path)}; see docs/formats.md for the keys it takes`,
              locate([...path, key]),
            ),
          );
        break;
      case 'invalid_type':
        out.push(
          diagnostic(
            'schema/invalid-type',
            `expected ${issue.expected}, found ${kindOf(valueAt(input, path))}${at(path)}`,
            locate(path),
          ),
        );
        break;
      case 'invalid_union':
        out.push(
          diagnostic(
            'discriminator' in issue ? 'schema/unknown-kind' : 'schema/invalid',
            `${issue.message}${at(path)}`,
            locate(path),
          ),
        );
        break;
      case 'invalid_value':
        out.push(diagnostic('schema/invalid-value', `${issue.message}${at(path)}`, locate(path)));
        break;
      case 'invalid_format':
        out.push(diagnostic('schema/invalid-format', `${issue.message}${at(path)}`, locate(path)));
        break;
      case 'too_small':
        out.push(diagnostic('schema/too-small', `${issue.message}${at(path)}`, locate(path)));
        break;
      case 'too_big':
        out.push(diagnostic('schema/too-big', `${issue.message}${at(path)}`, locate(path)));
        break;
      default: {
        const rule = ruleParam(issue) ?? 'schema/invalid';
        out.push(diagnostic(rule, `${issue.message}${at(path)}`, locate(path)));
      }
    }
  }
  return out;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** A refinement may name its own rule: `ctx.addIssue({ code: 'custom', params: { rule } })`. */
function ruleParam(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'custom') return undefined;
  const rule: unknown = issue.params?.['rule'];
  return typeof rule === 'string' && /^[a-z]+\/[a-z0-9-]+$/.test(rule) ? rule : undefined;
}

function at(path: readonly (string | number)[]): string {
  return path.length === 0 ? '' : ` (at ${dotted(path)})`;
}

function where(path: readonly (string | number)[]): string {
  return path.length === 0 ? '' : ` in ${dotted(path)}`;
}

function dotted(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(input: unknown, path: DocPath): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function isMissing(input: unknown, path: DocPath): boolean {
  if (path.length === 0) return input === undefined;
  const parent = valueAt(input, path.slice(0, -1));
  return (
    parent !== null &&
    typeof parent === 'object' &&
    !Array.isArray(parent) &&
    !Object.hasOwn(parent, path.at(-1)!)
  );
}

function kindOf(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return 'nothing';
}
