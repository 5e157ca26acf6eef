// Checks a `--json` report printed by the CLI: against its committed JSON Schema
// (schemas/rekey.<command>.v1.schema.json) with ajv, and against its zod shape, which drops
// fields it does not know, so an undocumented field fails the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import {
  REPORT_COMMANDS,
  REPORT_SCHEMAS,
  reportSchemaFile,
  type ReportCommand,
} from '../../src/core/reports/index.ts';
import { root } from './harness.ts';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = new Map<ReportCommand, ValidateFunction>(
  REPORT_COMMANDS.map((c) => [
    c,
    ajv.compile(JSON.parse(readFileSync(join(root, 'schemas', reportSchemaFile(c)), 'utf8'))),
  ]),
);

/** Parses stdout as one JSON document and checks it against the schema file and the zod shape. */
export function report(command: ReportCommand, stdout: string): Record<string, unknown> {
  const value = JSON.parse(stdout) as Record<string, unknown>;
  const validate = validators.get(command)!;
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  // zod drops keys it does not know: a field the shape does not document shows up here.
  expect(REPORT_SCHEMAS[command].parse(value)).toEqual(value);
  if (command === 'audit') expect(value.schema).toBe('rekey.audit/v1');
  else expect(value).toMatchObject({ schema: `rekey.${command}/v1`, rekey: 1, command });
  return value;
}
