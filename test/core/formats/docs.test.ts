// docs/formats.md is the users' rule reference: every rule id the code can report is there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MATERIAL_RULES, SCHEMA_RULES } from '../../../src/core/formats/index.ts';
import { MANIFEST_RULES } from '../../../src/core/load-snapshot.ts';
import { YAML_RULES } from '../../../src/core/yaml/index.ts';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/formats.md'), 'utf8');

describe('docs/formats.md', () => {
  const ids = [YAML_RULES, SCHEMA_RULES, MATERIAL_RULES, MANIFEST_RULES].flatMap(Object.keys);
  it('knows 40 or more rules', () => expect(ids.length).toBeGreaterThanOrEqual(40));
  it.each(ids)('documents %s in a table row', (id) => {
    expect(doc).toContain(`| \`${id}\``);
  });
  it('documents no rule the code does not have', () => {
    const documented = [...doc.matchAll(/^\| `([a-z]+\/[a-z0-9-]+)`/gm)].map((m) => m[1]);
    expect(documented.filter((id) => !ids.includes(id!))).toEqual([]);
  });
});
