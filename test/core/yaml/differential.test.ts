// The deciding loader (js-yaml's events) against the previous one (the `yaml` package): on
// every YAML file in the repository and on generated text they agree on the value, or both
// refuse. A parser differential in a security tool is a vulnerability; this is the fence.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseYaml } from '../../../src/core/yaml/index.ts';
import { parseWithYamlPackage } from '../../../src/core/yaml/yaml-package.ts';
import { addVersion, rotate, setVersionState } from '../../../src/core/manifest-edit.ts';

const enc = new TextEncoder();
const STRICTER = ['yaml/syntax', 'yaml/ambiguous-syntax', 'yaml/bom', 'yaml/crlf'];
const root = join(import.meta.dirname, '../../..');

/**
 * Agreement: both accept with equal values, or both refuse (report at least one finding).
 * The one licensed difference is in the safe direction: the deciding parser may refuse as a
 * whole (`yaml/syntax`, or `yaml/ambiguous-syntax` for syntax on which the two were found to
 * disagree) text the old one accepted. It never accepts what the old one refused, and never
 * reads a different value.
 */
function agree(file: string, bytes: Uint8Array): void {
  const now = parseYaml(file, bytes);
  const before = parseWithYamlPackage(file, bytes);
  const refusedNow = now.diagnostics.length > 0;
  const refusedBefore = before.diagnostics.length > 0;
  if (refusedNow && !refusedBefore)
    for (const d of now.diagnostics)
      expect(STRICTER, `${file}: refused by the new loader only`).toContain(d.rule);
  else expect(refusedNow, `${file}: accepted by the new loader only`).toBe(refusedBefore);
  if (!refusedNow && !refusedBefore) expect(now.value).toEqual(before.value);
}

const repoYaml = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f !== '');

describe('the deciding loader and the previous one', () => {
  it('agree on every YAML file in the repository', () => {
    expect(repoYaml.length).toBeGreaterThan(10);
    for (const file of repoYaml) agree(file, readFileSync(join(root, file)));
  });

  it('agree on the YAML text embedded in the tests (key.yaml, policies, .sops.yaml)', () => {
    const tests = execFileSync('git', ['ls-files', 'test/**/*.ts'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '');
    let checked = 0;
    for (const file of tests) {
      const src = readFileSync(join(root, file), 'utf8');
      // Single-quoted or template literals that look like a YAML document (a `key: ` line).
      for (const m of src.matchAll(/(['`])((?:(?!\1)[^\\]|\\.){8,2000}?)\1/g)) {
        const body = m[2]!;
        if (!/^[a-z_-]+: /m.test(body) || !body.includes('\\n') || body.includes('${')) continue;
        let text: string;
        try {
          text = JSON.parse(`"${body.replace(/"/g, '\\"').replace(/\\'/g, "'")}"`) as string;
        } catch {
          continue;
        }
        agree(file, enc.encode(text));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('agree on YAML-like fragments, with the same findings where neither parser refused', () => {
    const parts = fc.constantFrom(
      'a',
      'b',
      ': ',
      '- ',
      '\n',
      '  ',
      '[',
      ']',
      '{',
      '}',
      ', ',
      '&x ',
      '*x',
      '!t ',
      '!!str ',
      '"',
      "'",
      '#',
      '<<: ',
      '? ',
      '---\n',
      'yes',
      '017',
      '0x1F',
      '1:30',
      '.inf',
      '\t',
      '|\n',
      '>-\n',
      '__proto__',
      '~',
      'null',
      '9007199254740993',
      '\\',
      '\u00e9',
      ' #c',
      '...\n',
    );
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 40 }), (list) => {
        const bytes = enc.encode(list.join(''));
        agree('f.yaml', bytes);
        const now = parseYaml('f.yaml', bytes);
        const before = parseWithYamlPackage('f.yaml', bytes);
        const parser =
          /yaml\/(syntax|ambiguous-syntax|warning|too-deep|multiple-documents|directive)/;
        // The same rules in the same order; positions are pinned by parse-yaml.test.ts (an
        // empty explicit key `? ` has no range of its own, and the two place it differently).
        const refusedWhole = (ds: typeof now.diagnostics) => ds.some((d) => parser.test(d.rule));
        if (!refusedWhole(before.diagnostics) && !refusedWhole(now.diagnostics))
          expect(now.diagnostics.map((d) => d.rule)).toEqual(before.diagnostics.map((d) => d.rule));
      }),
      { numRuns: 3000 },
    );
  });

  it('agree on JSON-like values as the yaml library writes them, in every style', () => {
    const styles = [
      {},
      { collectionStyle: 'flow' as const },
      { defaultStringType: 'QUOTE_DOUBLE' as const },
      { defaultStringType: 'BLOCK_LITERAL' as const },
    ];
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom(...styles), (value, style) => {
        agree('f.yaml', enc.encode(stringify(value, style)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a key.yaml rekey writes', () => {
  const base =
    '# Managed by rekey\nid: a/b\nowner: "@acme/x"\npolicy: standard\ntype: random\n' +
    'options: { bytes: 32, encoding: base64 }\ntargets:\n  - kind: file\n    path: out/a.env\n    format: env\n    name: A\n' +
    'versions: # newest first\n  - { version: 1, state: active, created: 2026-11-01T00:00:00Z, fingerprint: "kcv:0000000000000001" }\n';
  const entry = (n: number) => ({
    version: n,
    state: 'active' as const,
    created: `2026-11-0${n}T00:00:00Z`,
    fingerprint: `kcv:${String(n).padStart(16, '0')}`,
  });

  it('reads back through the deciding loader exactly as through the Document API', () => {
    const edits = [
      base,
      rotate(base, entry(2), 1),
      setVersionState(rotate(base, entry(2), 1), 1, 'destroyed'),
      addVersion(base.replace(/versions:[^]*$/, 'versions: []\n'), entry(1)),
      addVersion(base.replace(/versions:[^]*$/, ''), entry(1)),
    ];
    for (const text of edits) {
      const r = parseYaml('key.yaml', enc.encode(text));
      expect(r.diagnostics).toEqual([]);
      expect(r.value).toEqual(parseWithYamlPackage('key.yaml', enc.encode(text)).value);
    }
    const rotated = parseYaml('key.yaml', enc.encode(edits[2]!)).value as {
      versions: { version: number; state: string }[];
    };
    expect(rotated.versions.map((v) => `${v.version}:${v.state}`)).toEqual([
      '2:active',
      '1:destroyed',
    ]);
  });
});

describe('the sops YAML store', () => {
  it('reads no file whose syntax the deciding loader refuses', async () => {
    const { yamlStore } = await import('../../../src/crypto/sops/yaml-store.ts');
    const { MalformedSopsFileError } = await import('../../../src/core/ports/sops.ts');
    // The `yaml` package alone reads this (a tab on a blank line); the deciding loader refuses.
    const text = 'id: a/b\n\t\nsecret: ENC[x]\n';
    expect(parseWithYamlPackage('v1.sops.yaml', enc.encode(text)).diagnostics).toEqual([]);
    expect(() => yamlStore.load('v1.sops.yaml', text)).toThrow(MalformedSopsFileError);
    expect(() => yamlStore.load('v1.sops.yaml', 'id: a/b\nsecret: ENC[x]\n')).not.toThrow();
  });
});
