/**
 * The verify checks against real sops output and real published test keys (from
 * ../shared/fixtures/sops, read in place, never copied): real ciphertext is recognised as
 * armored stanzas are not mistaken for private keys, every real private key
 * file is found, and real recipient lists are read as sops writes them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { materialFacts } from '../../../src/core/lifecycle/facts.ts';
import { parseSopsConfig } from '../../../src/core/sops-config.ts';
import { scanForPrivateKeys } from '../../../src/core/verify/plaintext.ts';
import { checkRecipients } from '../../../src/core/verify/recipients.ts';
import { parseYaml } from '../../../src/core/yaml/index.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = path.resolve(repoRoot, '../shared/fixtures/sops');
const present = existsSync(dir);
if (!present) console.log(`skipping real sops fixture tests: ${dir} is absent`);

const files = (sub: string) =>
  present ? readdirSync(path.join(dir, sub)).map((f) => path.join(sub, f)) : [];
const read = (rel: string) => readFileSync(path.join(dir, rel), 'utf8');

describe.skipIf(!present)('real sops fixtures', () => {
  it.each([...files('age'), ...files('pgp'), ...files('configs')])(
    'finds no private key in %s (armored stanzas are not keys)',
    (f) => expect(scanForPrivateKeys(f, read(f))).toEqual([]),
  );

  it.each(files('keys'))('finds the published private key in %s', (f) => {
    const found = scanForPrivateKeys(f, read(f));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((d) => d.rule === 'verify/plaintext-private-key' && d.line > 0)).toBe(true);
  });

  it('reads the recipients of a real two-recipient file and matches them against its real .sops.yaml', () => {
    const text = read('age/sops-pr1031-example.yaml');
    const file = 'keys-manifest/demo/v1.sops.yaml';
    const parsed = parseYaml(file, new TextEncoder().encode(text));
    const facts = materialFacts({ file, value: parsed.value, locate: parsed.locate }, text, true);
    expect(facts.recipients).toEqual([
      [
        'age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw',
        'age1tmaae3ld5vpevmsh5yacsauzx8jetg300mpvc4ugp5zr5l6ssq9sla97ep',
      ],
    ]);
    expect(facts.mac).toMatch(/^ENC\[AES256_GCM,data:.+,type:str\]$/);

    // Its own .sops.yaml lists the same two age recipients (and PGP keys, not compared).
    const own = parseSopsConfig('.sops.yaml', parse(read('configs/sops-pr1031.sops.yaml')));
    expect(checkRecipients(facts, own.config)).toEqual([]);

    // Flux's config names another recipient for *.yaml: a mismatch, located at `sops:`.
    const flux = parseSopsConfig('.sops.yaml', parse(read('configs/flux.sops.yaml')));
    const ds = checkRecipients(facts, flux.config);
    expect(ds).toEqual([
      expect.objectContaining({
        rule: 'verify/recipients-mismatch',
        file,
        line: text.split('\n').indexOf('sops:') + 1,
      }),
    ]);
  });
});
