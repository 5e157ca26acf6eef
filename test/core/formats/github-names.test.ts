// Owner, repository, environment, secret and deploy-key names in key.yaml targets, as GitHub
// allows them (docs/formats.md "Names"), and file target paths that never leave the folder.
import { describe, expect, it } from 'vitest';
import {
  deployKeyTitle,
  environmentName,
  keyDocument,
  loadDocument,
  owner,
  repository,
  secretName,
} from '../../../src/core/formats/index.ts';

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: string) =>
  schema.safeParse(v).success;

describe('owner', () => {
  it.each(['acme', 'a', 'A1', 'acme-corp', 'a-b-c', 'x'.repeat(39)])('accepts %j', (v) =>
    expect(ok(owner, v)).toBe(true),
  );
  it.each(['', '-acme', 'acme-', 'ac--me', 'ac_me', 'ac.me', 'x'.repeat(40), 'acme\n', '..'])(
    'refuses %j',
    (v) => expect(ok(owner, v)).toBe(false),
  );
});

describe('repository', () => {
  it.each(['acme/api', 'acme/.github', 'acme/a.b_c-d', 'Acme/API', `acme/${'r'.repeat(100)}`])(
    'accepts %j',
    (v) => expect(ok(repository, v)).toBe(true),
  );
  it.each([
    ['acme/..', /not repository names/],
    ['acme/.', /not repository names/],
    ['acme/api.git', /\.git or \.wiki/],
    ['acme/api.WIKI', /\.git or \.wiki/],
    ['acme/../other', /owner\/name/],
    ['acme', /owner\/name/],
    ['acme/', /owner\/name/],
    ['/api', /owner\/name/],
    ['acme/api\n', /owner\/name/],
    ['acme/a%2F..', /owner\/name/],
    ['-acme/api', /owner\/name/],
    [`acme/${'r'.repeat(101)}`, /owner\/name/],
  ])('refuses %j', (v, message) => {
    const r = repository.safeParse(v);
    expect(r.success).toBe(false);
    expect(r.error?.issues).toHaveLength(1);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });
});

describe('environment names', () => {
  it.each(['production', 'Production EU', 'review/app-1', 'staging.2', 'e'.repeat(255)])(
    'accepts %j',
    (v) => expect(ok(environmentName, v)).toBe(true),
  );
  it.each([
    '',
    '../..',
    '..',
    '.',
    'prod/../other',
    '/prod',
    'prod/',
    'a//b',
    'prod\nuction',
    'prod\r',
    'prod\0',
    'prod\u2028x',
    'prod\u202e',
    'pro\u200bd',
    'prod\\x',
    ' prod',
    'prod ',
    'e'.repeat(256),
  ])('refuses %j', (v) => expect(ok(environmentName, v)).toBe(false));
});

describe('secret names', () => {
  it.each(['A', '_X', 'WEBHOOK_KEY_2', 'lower_ok'])('accepts %j', (v) =>
    expect(ok(secretName, v)).toBe(true),
  );
  it.each(['', '1ABC', 'GITHUB_TOKEN', 'github_x', 'A-B', 'A B', 'A\n', 'É'])('refuses %j', (v) =>
    expect(ok(secretName, v)).toBe(false),
  );
});

describe('deploy key titles', () => {
  it.each(['deploy', 'CI (read-only)', 't'.repeat(100)])('accepts %j', (v) =>
    expect(ok(deployKeyTitle, v)).toBe(true),
  );
  it.each(['', 't'.repeat(101), 'ci\nforged line', 'ci\t', ' ci', 'x (rekey other/key v1)'])(
    'refuses %j',
    (v) => expect(ok(deployKeyTitle, v)).toBe(false),
  );
});

describe('in key.yaml, with the file, line and rule', () => {
  const key = (targets: string) =>
    [
      'id: ci/deploy',
      'description: test key',
      'owner: "@acme/ci"',
      'policy: standard',
      'type: ssh-ed25519',
      'targets:',
      targets,
      '',
    ].join('\n');
  const load = (text: string) =>
    loadDocument('keys-manifest/ci/deploy/key.yaml', new TextEncoder().encode(text), keyDocument);

  it.each([
    ['repository: acme/..', '  - { kind: github-deploy-key, repository: acme/.., title: ci }'],
    [
      'environment ../..',
      '  - { kind: github-secret, repository: acme/api, environment: ../.., name: K }',
    ],
    [
      'an environment with a newline',
      '  - { kind: github-secret, repository: acme/api, environment: "prod\\nx", name: K }',
    ],
    [
      'a title with a newline',
      '  - { kind: github-deploy-key, repository: acme/api, title: "ci\\nforged" }',
    ],
    ['an absolute file path', '  - { kind: file, path: /etc/passwd, format: raw }'],
    ['a file path with ..', '  - { kind: file, path: out/../../x, format: raw }'],
    ['a file path with a backslash', '  - { kind: file, path: "out\\\\x", format: raw }'],
    ['a file path with NUL', '  - { kind: file, path: "out\\0x", format: raw }'],
    ['a file path with a newline', '  - { kind: file, path: "out\\nx", format: raw }'],
    [
      'an organization secret visible to another owner',
      '  - { kind: github-secret, organization: acme, visibility: selected, selected-repositories: [other/api], name: K }',
    ],
    [
      'previous equal to name but for case',
      '  - { kind: github-secret, repository: acme/api, name: KEY, previous: key }',
    ],
  ])('%s fails the schema at line 7', (_, target) => {
    const r = load(key(target));
    expect(r.doc).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) {
      expect(d.file).toBe('keys-manifest/ci/deploy/key.yaml');
      expect(d.line).toBe(7);
      expect(d.rule).toMatch(/^schema\//);
    }
  });

  it('accepts the same targets written as GitHub allows them', () => {
    const r = load(
      key(
        [
          '  - { kind: github-deploy-key, repository: acme/api, title: ci }',
          '  - { kind: github-secret, repository: acme/api, environment: production, name: K }',
          '  - { kind: github-secret, organization: acme, visibility: selected, selected-repositories: [ACME/api], name: K2 }',
          '  - { kind: file, path: out/ci.env, format: env }',
        ].join('\n'),
      ),
    );
    expect(r.diagnostics).toEqual([]);
  });
});
