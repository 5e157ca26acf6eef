// Generates schemas/*.schema.json from the zod schemas, the one source of the formats'
// types, so editors can validate key.yaml and policies as people type. `--check` fails when
// the committed files are stale (CI runs it). The `--json` reports' shapes (src/core/reports)
// are generated the same way, as open objects: within a version fields are only added.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { z } from 'zod';
import {
  keyDocument,
  materialDocument,
  pipelineDocument,
  policyDocument,
} from '../src/core/formats/index.ts';
import { REPORT_COMMANDS, REPORT_SCHEMAS, reportSchemaFile } from '../src/core/reports/index.ts';

const schemas: Record<string, z.ZodType> = {
  'key.schema.json': keyDocument,
  'policy.schema.json': policyDocument,
  'pipeline.schema.json': pipelineDocument,
  'material.schema.json': materialDocument,
};
const titles: Record<string, string> = {
  'key.schema.json': 'rekey key manifest (keys-manifest/<key-id>/key.yaml)',
  'policy.schema.json': 'rekey rotation policy (policies/<name>.yaml)',
  'pipeline.schema.json': 'rekey pipeline settings (policies/pipeline.yaml)',
  'material.schema.json':
    'rekey key material as stored, SOPS-encrypted (keys-manifest/<key-id>/v<N>.sops.yaml)',
};

for (const command of REPORT_COMMANDS) {
  schemas[reportSchemaFile(command)] = REPORT_SCHEMAS[command];
  titles[reportSchemaFile(command)] =
    `rekey ${command} --json output (rekey.${command}/v1; docs/cli.md, "JSON output")`;
}

const check = process.argv.includes('--check');
const stale: string[] = [];
mkdirSync('schemas', { recursive: true });
for (const [file, schema] of Object.entries(schemas)) {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const text =
    JSON.stringify(
      { ...json, $id: `https://rekey.invalid/schemas/${file}`, title: titles[file] },
      null,
      2,
    ) + '\n';
  const path = `schemas/${file}`;
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // absent: stale
  }
  if (current === text) continue;
  if (check) stale.push(path);
  else writeFileSync(path, text);
}
if (stale.length > 0) {
  console.error(
    `stale JSON Schemas: ${stale.join(', ')}. Run \`npm run schemas\` and commit the result.`,
  );
  process.exit(1);
}
