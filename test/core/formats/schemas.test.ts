import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Diagnostic } from '../../../src/core/diagnostics.ts';
import {
  keyDocument,
  loadDocument,
  materialDocument,
  pipelineDocument,
  policyDocument,
} from '../../../src/core/formats/index.ts';
import { KEY_YAML, materialYaml, PIPELINE_YAML, POLICY_YAML, replaceLine } from './examples.ts';

const enc = new TextEncoder();
const brief = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.rule}@${d.line}:${d.column}`);
const load = <T>(text: string, schema: z.ZodType<T>) =>
  loadDocument('f.yaml', enc.encode(text), schema);

describe('valid examples load', () => {
  it('key.yaml', () => {
    const r = load(KEY_YAML, keyDocument);
    expect(r.diagnostics).toEqual([]);
    expect(r.doc?.value.versions.map((v) => v.state)).toEqual([
      'active',
      'deactivated',
      'destroyed',
    ]);
    expect(r.doc?.value.targets[0]).toMatchObject({ kind: 'github-secret', app: 'actions' });
  });
  it('a policy', () => {
    const r = load(POLICY_YAML, policyDocument);
    expect(r.diagnostics).toEqual([]);
    expect(r.doc?.value.window?.days).toEqual(['mon', 'tue', 'wed', 'thu']);
  });
  it('pipeline.yaml, and its defaults', () => {
    expect(load(PIPELINE_YAML, pipelineDocument).doc?.value['lease-ttl']).toBe('30m');
    expect(load('{}\n', pipelineDocument).doc?.value).toEqual({
      'default-branch': 'main',
      'max-open-prs': 10,
      'retry-budget': 3,
      'lease-ttl': '30m',
      'manual-rotation': false,
    });
  });
  it('a material file as sops writes it', () => {
    const r = load(materialYaml(), materialDocument);
    expect(r.diagnostics).toEqual([]);
    expect(r.doc?.value.sops.age?.[0]?.recipient).toMatch(/^age1/);
  });
  it('a material file with a public part and key groups', () => {
    let text = materialYaml('deploy/ssh', 1).replace(
      'secret:',
      'public: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnd rekey"\nsecret:',
    );
    text = text
      .replace('    age:\n', '    key_groups:\n        - age:\n')
      .replace(/^( {8}- enc| {10}recipient| {12})/gm, '    $1');
    text = text.replace('    encrypted_regex', '    shamir_threshold: 1\n    encrypted_regex');
    const r = load(text, materialDocument);
    expect(r.diagnostics).toEqual([]);
    expect(r.doc?.value.sops.key_groups?.[0]?.age).toHaveLength(1);
  });
});

type Case = readonly [name: string, prefix: string, line: string, expected: string[]];

function cases(base: string, schema: z.ZodType, table: readonly Case[]) {
  it.each(table)('%s', (_, prefix, line, expected) => {
    const r = load(replaceLine(base, prefix, line), schema);
    expect(brief(r.diagnostics)).toEqual(expected);
    expect(r.doc).toBeUndefined();
  });
}

describe('key.yaml refinements', () => {
  cases(KEY_YAML, keyDocument, [
    ['an invalid id', 'id:', 'id: Payments/Webhook', ['schema/invalid-format@1:1']],
    ['an unknown type', 'type:', 'type: des', ['schema/invalid-value@5:1']],
    [
      'random without options (a typo)',
      'options:',
      'option: { bytes: 32 }',
      ['schema/unknown-key@6:1', 'schema/missing-key@1:1'],
    ],
    ['too few random bytes', 'options:', 'options: { bytes: 8 }', ['schema/too-small@6:12']],
    [
      'options on a non-random key',
      'type:',
      'type: ed25519',
      // also three fingerprints that are not sha256: ones
      [
        'schema/invalid@6:1',
        'schema/invalid@18:65',
        'schema/invalid@19:70',
        'schema/invalid@20:68',
      ],
    ],
    [
      'a fingerprint of the wrong shape',
      '- { version: 3',
      '  - { version: 3, state: active, created: 2026-11-20T09:14:03Z, fingerprint: "sha256:00" }',
      ['schema/invalid@18:65'],
    ],
    [
      'a malformed time, reported once',
      '- { version: 2',
      '  - { version: 2, state: deactivated, created: "last week", fingerprint: "kcv:0a1b2c3d4e5f6071" }',
      ['schema/invalid-format@19:39'],
    ],
    [
      'a time that is not on the calendar',
      '- { version: 2',
      '  - { version: 2, state: deactivated, created: 2026-02-30T09:02:11Z, fingerprint: "kcv:0a1b2c3d4e5f6071" }',
      ['schema/invalid@19:39'],
    ],
    [
      'an unknown state',
      '- { version: 1',
      '  - { version: 1, state: retired }',
      ['schema/invalid-value@20:19', 'schema/missing-key@20:5', 'schema/missing-key@20:5'],
    ],
    [
      'repository and organization both',
      'repository: acme',
      '    repository: acme/payments-api\n    organization: acme',
      ['schema/invalid@8:5', 'schema/invalid@11:5'],
    ],
    [
      'an organization secret with an environment',
      'repository: acme',
      '    organization: acme',
      ['schema/invalid@10:5'],
    ],
    [
      'a secret name starting with GITHUB_',
      'name: WEBHOOK_SIGNING_KEY',
      '    name: GITHUB_KEY',
      ['schema/invalid@11:5'],
    ],
    [
      'previous equal to name',
      'previous:',
      '    previous: WEBHOOK_SIGNING_KEY',
      ['schema/invalid@12:5'],
    ],
    [
      'a dependabot secret with an environment',
      'environment:',
      '    environment: production\n    app: dependabot',
      ['schema/invalid@10:5'],
    ],
    [
      'visibility on a repository secret',
      'environment:',
      '    visibility: all',
      ['schema/invalid@10:5'],
    ],
    ['a file path escaping its folder', 'path:', '    path: ../x.env', ['schema/invalid@14:5']],
    ['an unknown target kind', '- kind: file', '  - kind: ftp', ['schema/unknown-kind@13:5']],
    ['an owner that is no handle', 'owner:', 'owner: payments', ['schema/invalid-format@3:1']],
  ]);
});

describe('policy refinements', () => {
  cases(POLICY_YAML, policyDocument, [
    [
      'cryptoperiod 0',
      'cryptoperiod:',
      'cryptoperiod: 0d',
      ['schema/invalid@2:1', 'schema/invalid@3:1'],
    ],
    ['rotate-before not shorter', 'rotate-before:', 'rotate-before: 90d', ['schema/invalid@3:1']],
    ['prepublish not shorter', 'prepublish:', 'prepublish: 14d', ['schema/invalid@5:1']],
    ['a malformed duration', 'grace:', 'grace: 7 days', ['schema/invalid-format@4:1']],
    ['no approvals', 'approvals:', 'approvals: 0', ['schema/too-small@6:1']],
    [
      'a window that ends before it starts',
      'window:',
      'window: { days: [mon], hours: "16:00-09:00", timezone: Europe/Berlin }',
      ['schema/invalid@8:24'],
    ],
    [
      'an unknown time zone',
      'window:',
      'window: { days: [mon], hours: "09:00-16:00", timezone: Mars/Olympus }',
      ['schema/invalid@8:46'],
    ],
    [
      'an unknown weekday',
      'window:',
      'window: { days: [someday], hours: "09:00-16:00", timezone: UTC }',
      ['schema/invalid-value@8:18'],
    ],
    [
      'emergency without reviewers',
      'emergency:',
      'emergency: { reviewers: [], approvals: 1 }',
      ['schema/too-small@9:14'],
    ],
  ]);
});

describe('pipeline.yaml', () => {
  cases(PIPELINE_YAML, pipelineDocument, [
    ['too many open PRs', 'max-open-prs:', 'max-open-prs: 1000', ['schema/too-big@2:1']],
    ['a lease in seconds', 'lease-ttl:', 'lease-ttl: 30s', ['schema/invalid-format@4:1']],
    ['an unknown setting', 'retry-budget:', 'retry-budgets: 3', ['schema/unknown-key@3:1']],
  ]);
});

describe('material file structure', () => {
  cases(materialYaml(), materialDocument, [
    ['a clear secret', 'secret:', 'secret: hunter2hunter2', ['schema/invalid-format@3:1']],
    [
      'a secret encrypted as another type',
      'secret:',
      'secret: ENC[AES256_GCM,data:AAAA,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:int]',
      ['schema/invalid@3:1'],
    ],
    [
      'an encrypted public part',
      'secret:',
      'public: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:IroV7hykADvD0IUaq6kikA==,type:str]\nsecret: ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:IroV7hykADvD0IUaq6kikA==,type:str]',
      ['schema/invalid@3:1'],
    ],
    ['a version that is a string', 'version: 3', 'version: "3"', ['schema/invalid-type@2:1']],
    [
      'another encrypted_regex',
      'encrypted_regex:',
      '    encrypted_regex: ^(secret|public)$',
      ['schema/invalid-value@12:5'],
    ],
    [
      'a second crypt rule',
      'encrypted_regex:',
      '    encrypted_regex: ^secret$\n    unencrypted_suffix: _unencrypted',
      ['material/crypt-rule@13:5'],
    ],
    [
      'mac_only_encrypted',
      'encrypted_regex:',
      '    encrypted_regex: ^secret$\n    mac_only_encrypted: true',
      ['schema/invalid-value@13:5'],
    ],
    [
      'a recipient that is not age',
      'recipient:',
      '          recipient: ssh-ed25519 AAAA',
      ['schema/invalid-format@11:11'],
    ],
    [
      'an age stanza that is not armored',
      '- enc: |',
      '        - enc: "YWdl"\n          recipient: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29\n        - enc: |',
      ['schema/invalid@6:11', 'material/duplicate-recipient@13:11'],
    ],
    ['a missing mac', 'mac:', '    mcc: x', ['schema/missing-key@4:1', 'schema/unknown-key@14:5']],
    [
      'a local time',
      'lastmodified:',
      '    lastmodified: "2026-11-20 09:14"',
      ['schema/invalid-format@13:5'],
    ],
  ]);

  it('no recipients', () => {
    const text = materialYaml().replace(/ {4}age:\n(?: {8,}.*\n)+/, '    age: []\n');
    expect(brief(load(text, materialDocument).diagnostics)).toEqual(['material/no-recipients@5:5']);
  });

  it('key groups next to flat lists, and a threshold nobody can meet', () => {
    const text = materialYaml().replace(
      '    encrypted_regex',
      '    key_groups:\n        - pgp: []\n    shamir_threshold: 3\n    encrypted_regex',
    );
    expect(brief(load(text, materialDocument).diagnostics)).toEqual([
      'material/key-groups@12:5',
      'material/key-groups@14:5',
    ]);
  });
});
