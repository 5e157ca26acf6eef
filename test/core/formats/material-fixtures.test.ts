// Real sops-produced files (sops 3.3 to 3.13, age and PGP) from ../shared/fixtures/sops:
// the safe loader must read them without findings, and the material schema's typing of the
// `sops:` block must accept what real sops writes. Their crypt rules differ from rekey's
// (encrypted_regex: ^secret$), so that one field is set to rekey's before checking.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sopsMetadata } from '../../../src/core/formats/index.ts';
import { CRYPT_RULE_KINDS } from '../../../src/core/sops-config.ts';
import { parseYaml } from '../../../src/core/yaml/index.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dir = path.resolve(repoRoot, '../shared/fixtures/sops');
const present = existsSync(dir);
if (!present) console.warn(`skipping sops fixture tests: ${dir} is absent`);

const files = present
  ? ['age', 'pgp'].flatMap((sub) =>
      readdirSync(path.join(dir, sub))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `${sub}/${f}`),
    )
  : [];

describe.skipIf(!present)('real sops files', () => {
  it('are there to test', () => expect(files.length).toBeGreaterThanOrEqual(10));

  it.each(files)('%s: metadata typed as sops writes it', (file) => {
    const parsed = parseYaml(file, readFileSync(path.join(dir, file)));
    expect(parsed.diagnostics).toEqual([]);
    const sops = { ...((parsed.value as { sops: Record<string, unknown> }).sops ?? {}) };
    for (const rule of CRYPT_RULE_KINDS) delete sops[rule];
    sops['encrypted_regex'] = '^secret$';
    const r = sopsMetadata.safeParse(sops);
    const issues = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const hasAge = Array.isArray(sops['age']) && sops['age'].length > 0;
    const expected = [
      ...(file.endsWith('no_mac.yaml')
        ? ['mac: Invalid input: expected string, received undefined']
        : []),
      ...(hasAge || file.endsWith('no_mac.yaml')
        ? []
        : ['age: no age recipients: the material can only be decrypted with age keys listed here']),
    ];
    expect(issues).toEqual(expected);
  });
});
