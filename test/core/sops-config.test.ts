import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  compileRe2,
  findCreationRule,
  parseSopsConfig,
  ruleAgeRecipients,
  type SopsConfig,
} from '../../src/core/sops-config.ts';

const A1 = 'age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw';
const A2 = 'age1tmaae3ld5vpevmsh5yacsauzx8jetg300mpvc4ugp5zr5l6ssq9sla97ep';

function parse(text: string, file = '.sops.yaml') {
  return parseSopsConfig(file, YAML.parse(text));
}
function ok(text: string, file = '.sops.yaml'): SopsConfig {
  const r = parse(text, file);
  expect(r.diagnostics).toEqual([]);
  if (!r.config) throw new Error('no config');
  return r.config;
}
const rules = (text: string) => parse(text).diagnostics.map((d) => d.rule);

describe('parseSopsConfig', () => {
  it('reads age as a comma-separated string (trimmed, empties dropped) or a list', () => {
    const c = ok(`creation_rules:\n  - age: " ${A1}, ,${A2},"\n  - age: [${A2}]\n`);
    expect(c.creationRules.map(ruleAgeRecipients)).toEqual([[[A1, A2]], [[A2]]]);
  });

  it('defaults to unencrypted_suffix _unencrypted and reads the one crypt rule', () => {
    const c = ok(
      `creation_rules:\n  - age: ${A1}\n  - age: ${A1}\n    encrypted_regex: ^secret$\n    mac_only_encrypted: true\n`,
    );
    expect(c.creationRules[0]?.crypt).toEqual({
      kind: 'unencrypted_suffix',
      value: '_unencrypted',
    });
    expect(c.creationRules[0]?.cryptExplicit).toBe(false);
    expect(c.creationRules[1]?.crypt).toEqual({ kind: 'encrypted_regex', value: '^secret$' });
    expect(c.creationRules[1]?.macOnlyEncrypted).toBe(true);
    expect(c.yamlIndent).toBe(4);
    expect(c.jsonIndent).toBe(-1);
  });

  it('reads key groups with merge, de-duplication and a Shamir threshold', () => {
    const c = ok(
      `creation_rules:\n  - key_groups:\n      - age: [${A1}, ${A1}]\n      - merge: [{age: [${A2}]}]\n        pgp: [FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4]\n    shamir_threshold: 2\n`,
    );
    const r = c.creationRules[0];
    expect(r && ruleAgeRecipients(r)).toEqual([[A1], [A2]]);
    expect(r?.keyGroups[1]?.pgp).toEqual(['FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4']);
    expect(r?.shamirThreshold).toBe(2);
  });

  it('defaults shamir_threshold to the number of groups', () => {
    const c = ok(`creation_rules:\n  - key_groups: [{age: [${A1}]}, {age: [${A2}]}]\n`);
    expect(c.creationRules[0]?.shamirThreshold).toBe(2);
  });

  it.each([
    ['unknown top-level key', `creation_rule:\n  - age: ${A1}\n`, 'sops-config/unknown-key'],
    [
      'path_regexp typo',
      `creation_rules:\n  - path_regexp: x\n    age: ${A1}\n`,
      'sops-config/unknown-key',
    ],
    [
      'two crypt rules',
      `creation_rules:\n  - age: ${A1}\n    encrypted_regex: a\n    unencrypted_suffix: b\n`,
      'sops-config/crypt-rule-conflict',
    ],
    [
      'empty crypt rule',
      `creation_rules:\n  - age: ${A1}\n    encrypted_regex: ""\n`,
      'sops-config/type',
    ],
    ['bad recipient', `creation_rules:\n  - age: age1NOPE\n`, 'sops-config/age-recipient'],
    ['no keys', `creation_rules:\n  - path_regex: x\n`, 'sops-config/no-keys'],
    ['empty key group', `creation_rules:\n  - key_groups: [{}]\n`, 'sops-config/empty-key-group'],
    [
      'flat keys next to key_groups',
      `creation_rules:\n  - age: ${A1}\n    key_groups: [{age: [${A2}]}]\n`,
      'sops-config/ignored-keys',
    ],
    [
      'threshold 1 with two groups (sops cannot split with 1)',
      `creation_rules:\n  - key_groups: [{age: [${A1}]}, {age: [${A2}]}]\n    shamir_threshold: 1\n`,
      'sops-config/shamir-threshold',
    ],
    [
      'threshold above groups',
      `creation_rules:\n  - key_groups: [{age: [${A1}]}]\n    shamir_threshold: 2\n`,
      'sops-config/shamir-threshold',
    ],
    [
      'lookbehind',
      `creation_rules:\n  - path_regex: (?<=a)b\n    age: ${A1}\n`,
      'sops-config/regex',
    ],
    [
      'backreference',
      `creation_rules:\n  - path_regex: (a)\\1\n    age: ${A1}\n`,
      'sops-config/regex',
    ],
    [
      'lookahead in encrypted_regex',
      `creation_rules:\n  - age: ${A1}\n    encrypted_regex: ^(?!x)\n`,
      'sops-config/regex',
    ],
    [
      'mac_only_encrypted not a bool',
      `creation_rules:\n  - age: ${A1}\n    mac_only_encrypted: "yes"\n`,
      'sops-config/type',
    ],
    ['bad indent', `stores: {yaml: {indent: x}}\n`, 'sops-config/type'],
    ['rules not a list', `creation_rules: {age: x}\n`, 'sops-config/type'],
  ])('rejects %s', (_name, text, rule) => {
    const r = parse(text);
    expect(r.config).toBeUndefined();
    expect(r.diagnostics.map((d) => d.rule)).toContain(rule);
  });

  it('reports every problem, not the first', () => {
    expect(
      rules(`creation_rules:\n  - path_regexp: x\n    age: bad\n  - foo: 1\n    age: ${A1}\n`),
    ).toEqual(['sops-config/unknown-key', 'sops-config/age-recipient', 'sops-config/unknown-key']);
  });

  it('locates diagnostics through a Located locate()', () => {
    const text = `creation_rules:\n  - age: ${A1}\n    path_regexp: x\n`;
    const doc = YAML.parseDocument(text);
    const lc = new YAML.LineCounter();
    const located = YAML.parseDocument(text, { lineCounter: lc });
    const r = parseSopsConfig({
      file: 'repo/.sops.yaml',
      value: doc.toJS(),
      locate: (p) => {
        const node = located.getIn(p, true) as { range?: [number, number] } | undefined;
        const pos = lc.linePos(node?.range?.[0] ?? 0);
        return { file: 'repo/.sops.yaml', line: pos.line, column: pos.col };
      },
    });
    expect(r.diagnostics[0]).toMatchObject({ rule: 'sops-config/unknown-key', line: 3 });
  });
});

describe('findCreationRule', () => {
  const c = ok(
    [
      'creation_rules:',
      '  - path_regex: ^keys-manifest/.*\\.sops\\.yaml$',
      `    age: ${A1}`,
      '    encrypted_regex: ^secret$',
      '  - path_regex: prod',
      `    age: ${A2}`,
      `  - age: ${A1},${A2}`,
    ].join('\n'),
  );
  it.each([
    ['keys-manifest/a/v1.sops.yaml', 0],
    ['other/keys-manifest/a/v1.sops.yaml', 2], // anchored ^ does not match mid-path
    ['deploy/prod/x.yaml', 1], // unanchored, like RE2 MatchString
    ['anything.json', 2], // catch-all
  ])('%s -> rule %i (first match wins)', (p, index) => {
    expect(findCreationRule(c, p)?.index).toBe(index);
  });

  it('returns undefined when nothing matches', () => {
    const only = ok(`creation_rules:\n  - path_regex: ^x$\n    age: ${A1}\n`);
    expect(findCreationRule(only, 'y')).toBeUndefined();
    expect(findCreationRule(ok('{}'), 'y')).toBeUndefined();
  });

  it('matches paths relative to the directory holding .sops.yaml, as sops does', () => {
    const sub = ok(`creation_rules:\n  - path_regex: ^a/b$\n    age: ${A1}\n`, 'sub/.sops.yaml');
    expect(findCreationRule(sub, 'sub/a/b')?.index).toBe(0);
    expect(findCreationRule(sub, 'a/b')?.index).toBe(0); // outside the dir: matched as given
  });
});

describe('compileRe2', () => {
  it.each([
    ['(?i)^SECRET$', 'secret', true],
    ['(?P<n>a)b', 'ab', true],
    ['\\Aab\\z', 'ab', true],
    ['\\Aab\\z', 'abc', false],
    ['^(data|stringData)$', 'stringData', true],
  ])('%s on %s -> %s', (pattern, input, expected) => {
    const re = compileRe2(pattern);
    expect('regex' in re && re.regex.test(input)).toBe(expected);
  });
  it.each([
    '(?<!a)b',
    '(?=a)',
    '(a)\\1',
    '\\k<x>',
    '\\Qa\\E',
    '[[:alpha:]]',
    '\\pL',
    'a(?i)b',
    '[]a]',
    '(',
  ])('rejects %s', (pattern) => {
    expect('problem' in compileRe2(pattern)).toBe(true);
  });
});

const configs = path.resolve(import.meta.dirname, '../../../shared/fixtures/sops/configs');
describe.skipIf(!existsSync(configs))(
  'real .sops.yaml files (../shared/fixtures/sops/configs)',
  () => {
    const load = (name: string) => parse(readFileSync(path.join(configs, name), 'utf8'), name);
    it('flux: first match wins, key_groups fallback with age and pgp', () => {
      const c = load('flux.sops.yaml').config;
      expect(c?.yamlIndent).toBe(2);
      expect(c && findCreationRule(c, 'secret.json.yaml')?.crypt.value).toBe('.*');
      expect(c && findCreationRule(c, 'a.yaml')?.crypt.value).toBe('^(data|stringData)$');
      expect(c && findCreationRule(c, 'pgp.yaml')?.keyGroups[0]?.pgp).toHaveLength(1);
      const fallback = c && findCreationRule(c, 'x.ini');
      expect(fallback?.keyGroups.map((g) => [g.age.length, g.pgp.length])).toEqual([
        [1, 0],
        [0, 1],
      ]);
    });
    it('pr1031: folded multi-line comma-separated keys', () => {
      const c = load('sops-pr1031.sops.yaml').config;
      expect(c && ruleAgeRecipients(c.creationRules[0]!)).toEqual([[A2, A1]]);
    });
    it('humphd/sops-age: the path_regexp typo sops ignores is rejected', () => {
      const r = load('sops-age-repo.sops.yaml');
      expect(r.config).toBeUndefined();
      expect(r.diagnostics.map((d) => d.message).join()).toMatch(/path_regexp/);
    });
    it('sops functional tests: reencryption_rule typo and the empty key group are rejected', () => {
      const msgs = load('sops-functional-tests.sops.yaml').diagnostics.map(
        (d) => d.rule + ' ' + d.message,
      );
      expect(msgs.some((m) => m.includes('reencryption_rule'))).toBe(true);
      expect(msgs.some((m) => m.startsWith('sops-config/empty-key-group'))).toBe(true);
    });
  },
);
if (!existsSync(configs)) console.warn(`skipping real .sops.yaml tests: ${configs} is absent`);
