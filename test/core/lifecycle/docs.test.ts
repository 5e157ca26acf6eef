import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_RULE_IDS } from '../../../src/core/lifecycle/rules.ts';

const doc = readFileSync(
  fileURLToPath(new URL('../../../docs/lifecycle.md', import.meta.url)),
  'utf8',
);

describe('docs/lifecycle.md', () => {
  it('has a row in the rule table for every rule, and none for rules that do not exist', () => {
    const rows = [...doc.matchAll(/^\| `([a-z]+\/[a-z-]+)` +\|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...LIFECYCLE_RULE_IDS].sort());
  });
});
