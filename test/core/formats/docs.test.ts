// docs/formats.md is the users' rule reference: every rule id the code can report is there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  keyDocument,
  loadDocument,
  MATERIAL_RULES,
  materialDocument,
  pipelineDocument,
  policyDocument,
  SCHEMA_RULES,
} from '../../../src/core/formats/index.ts';
import { MANIFEST_RULES } from '../../../src/core/load-snapshot.ts';
import { TARGET_RULES } from '../../../src/core/targets/ownership.ts';
import { YAML_RULES } from '../../../src/core/yaml/index.ts';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/formats.md'), 'utf8');

describe('docs/formats.md', () => {
  const ids = [YAML_RULES, SCHEMA_RULES, MATERIAL_RULES, MANIFEST_RULES, TARGET_RULES].flatMap(
    Object.keys,
  );
  it('knows 40 or more rules', () => expect(ids.length).toBeGreaterThanOrEqual(40));
  it.each(ids)('documents %s in a table row', (id) => {
    expect(doc).toContain(`| \`${id}\``);
  });
  it('documents no rule the code does not have', () => {
    const documented = [...doc.matchAll(/^\| `([a-z]+\/[a-z0-9-]+)`/gm)].map((m) => m[1]);
    expect(documented.filter((id) => !ids.includes(id!))).toEqual([]);
  });
});

describe('the examples in docs/formats.md', () => {
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const schemas: z.ZodType[] = [keyDocument, materialDocument, policyDocument, pipelineDocument];
  it('are four: key.yaml, a material file, a policy, pipeline.yaml', () => {
    expect(blocks).toHaveLength(4);
  });
  it.each([0, 1, 2, 3])('example %i loads without findings', (i) => {
    const r = loadDocument('docs/formats.md', new TextEncoder().encode(blocks[i]), schemas[i]!);
    expect(r.diagnostics).toEqual([]);
    expect(r.doc).toBeDefined();
  });
  it('pipeline.yaml shows the defaults', () => {
    const r = loadDocument('p', new TextEncoder().encode(blocks[3]), pipelineDocument);
    expect(r.doc?.value).toEqual(pipelineDocument.parse({}));
  });
});
