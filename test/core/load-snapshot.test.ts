import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/core/diagnostics.ts';
import type { Diagnostic } from '../../src/core/diagnostics.ts';
import { DEFAULT_PIPELINE, loadSnapshot, MANIFEST_RULES } from '../../src/core/load-snapshot.ts';
import { fileTree, type FileTree } from '../../src/core/snapshot.ts';
import {
  KEY_YAML,
  materialYaml,
  PIPELINE_YAML,
  POLICY_YAML,
  replaceLine,
} from './formats/examples.ts';

const enc = new TextEncoder();
const brief = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.rule}@${d.file}:${d.line}:${d.column}`);
const tree = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([p, t]) => [p, enc.encode(t)]));

/** A valid key.yaml for `id` with one active random version. */
function keyYaml(id: string, policy = 'standard'): string {
  return [
    `id: ${id}`,
    'description: test key',
    'owner: "@acme/payments"',
    `policy: ${policy}`,
    'type: random',
    'options: { bytes: 32 }',
    'versions:',
    '  - { version: 1, state: active, created: 2026-11-20T09:14:03Z, fingerprint: "kcv:5f3a9c0d1e2b4a6f" }',
    '',
  ].join('\n');
}

const VALID = {
  '.sops.yaml':
    'creation_rules:\n  - path_regex: ^keys-manifest/.*\\.sops\\.yaml$\n    age: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29\n    encrypted_regex: ^secret$\n',
  'README.md': '# not part of the manifest\n',
  'src/index.ts': 'export {};\n',
  'policies/standard.yaml': POLICY_YAML,
  'policies/pipeline.yaml': PIPELINE_YAML,
  'policies/README.md': '# Policies\n',
  'keys-manifest/README.md': '# Keys\n',
  'keys-manifest/payments/webhook-signing/key.yaml': KEY_YAML,
  'keys-manifest/payments/webhook-signing/v3.sops.yaml': materialYaml(
    'payments/webhook-signing',
    3,
  ),
  'keys-manifest/payments/webhook-signing/v2.sops.yaml': materialYaml(
    'payments/webhook-signing',
    2,
  ),
  'keys-manifest/ci/deploy/key.yaml': keyYaml('ci/deploy'),
  'keys-manifest/ci/deploy/v1.sops.yaml': materialYaml('ci/deploy', 1),
};

describe('loadSnapshot', () => {
  it('loads a valid manifest', () => {
    const { snapshot, diagnostics } = loadSnapshot(tree(VALID));
    expect(diagnostics).toEqual([]);
    expect([...snapshot.keys.keys()]).toEqual(['ci/deploy', 'payments/webhook-signing']);
    expect([...snapshot.policies.keys()]).toEqual(['standard']);
    expect([...snapshot.materials.keys()]).toEqual([
      'keys-manifest/ci/deploy/v1.sops.yaml',
      'keys-manifest/payments/webhook-signing/v2.sops.yaml',
      'keys-manifest/payments/webhook-signing/v3.sops.yaml',
    ]);
    expect(snapshot.pipelineFile?.file).toBe('policies/pipeline.yaml');
    expect(snapshot.pipeline['max-open-prs']).toBe(10);
    expect(snapshot.sopsConfig?.value).toMatchObject({
      creation_rules: [{ encrypted_regex: '^secret$' }],
    });
    const key = snapshot.keys.get('payments/webhook-signing')!;
    expect(key.locate(['versions', 1, 'fingerprint'])).toEqual({
      file: 'keys-manifest/payments/webhook-signing/key.yaml',
      line: 19,
      column: 70,
    });
  });

  it('uses the default pipeline when pipeline.yaml is absent', () => {
    const files: Record<string, string> = { ...VALID };
    delete files['policies/pipeline.yaml'];
    const { snapshot, diagnostics } = loadSnapshot(tree(files));
    expect(diagnostics).toEqual([]);
    expect(snapshot.pipelineFile).toBeUndefined();
    expect(snapshot.pipeline).toEqual(DEFAULT_PIPELINE);
    expect(snapshot.pipeline['default-branch']).toBe('main');
  });

  it('loads an empty repository', () => {
    const { snapshot, diagnostics } = loadSnapshot(tree({ 'keys-manifest/.gitkeep': '' }));
    expect(diagnostics).toEqual([]);
    expect(snapshot.keys.size).toBe(0);
  });

  it('leaves out files with findings and reports them all, sorted', () => {
    const { snapshot, diagnostics } = loadSnapshot(
      tree({
        ...VALID,
        'keys-manifest/ci/deploy/key.yaml': keyYaml('ci/deploy').replace(
          'type: random',
          'type: yes',
        ),
        'policies/standard.yaml': replaceLine(POLICY_YAML, 'approvals:', 'approvals: 0'),
      }),
    );
    expect(brief(diagnostics)).toEqual(
      [
        'yaml/ambiguous-scalar@keys-manifest/ci/deploy/key.yaml:5:7',
        'schema/invalid-value@keys-manifest/ci/deploy/key.yaml:5:1',
        'schema/too-small@policies/standard.yaml:6:1',
      ].sort((a, b) => (a.split('@')[1]! < b.split('@')[1]! ? -1 : 1)),
    );
    expect(snapshot.keys.has('ci/deploy')).toBe(false);
    expect(snapshot.policies.size).toBe(0);
    // payments/webhook-signing names the policy whose file exists but is invalid: no policy/unknown
    expect(diagnostics.some((d) => d.rule === 'policy/unknown')).toBe(false);
    // material of a key whose key.yaml is invalid is not an orphan
    expect(diagnostics.some((d) => d.rule === 'manifest/orphan-material')).toBe(false);
  });
});

describe('cross-file rules', () => {
  const cases: [string, Record<string, string | undefined>, string[]][] = [
    [
      'manifest/id-mismatch',
      { 'keys-manifest/ci/deploy/key.yaml': keyYaml('ci/deploy-key') },
      ['manifest/id-mismatch@keys-manifest/ci/deploy/key.yaml:1:1'],
    ],
    [
      'manifest/invalid-key-path',
      {
        'keys-manifest/CI/Deploy/key.yaml': keyYaml('ci/deploy'),
        'keys-manifest/ci/deploy/key.yaml': undefined,
        'keys-manifest/ci/deploy/v1.sops.yaml': undefined,
      },
      ['manifest/invalid-key-path@keys-manifest/CI/Deploy/key.yaml:0:0'],
    ],
    [
      'manifest/invalid-key-path (too many segments)',
      { 'keys-manifest/a/b/c/d/e/key.yaml': keyYaml('a/b/c/d/e') },
      [
        'manifest/invalid-key-path@keys-manifest/a/b/c/d/e/key.yaml:0:0',
        'schema/invalid-format@keys-manifest/a/b/c/d/e/key.yaml:1:1',
      ],
    ],
    [
      'manifest/nested-key',
      { 'keys-manifest/ci/deploy/staging/key.yaml': keyYaml('ci/deploy/staging') },
      ['manifest/nested-key@keys-manifest/ci/deploy/staging/key.yaml:0:0'],
    ],
    [
      'manifest/orphan-material',
      { 'keys-manifest/ci/gone/v1.sops.yaml': materialYaml('ci/gone', 1) },
      ['manifest/orphan-material@keys-manifest/ci/gone/v1.sops.yaml:0:0'],
    ],
    [
      'manifest/material-mismatch',
      {
        'keys-manifest/ci/deploy/v1.sops.yaml': materialYaml('ci/other', 2),
      },
      [
        'manifest/material-mismatch@keys-manifest/ci/deploy/v1.sops.yaml:1:1',
        'manifest/material-mismatch@keys-manifest/ci/deploy/v1.sops.yaml:2:1',
      ],
    ],
    [
      'manifest/unexpected-file',
      {
        'keys-manifest/ci/deploy/key.yml': keyYaml('ci/deploy'),
        'keys-manifest/ci/deploy/v01.sops.yaml': materialYaml('ci/deploy', 1),
        'keys-manifest/ci/deploy/notes.txt': 'hello',
        'keys-manifest/ci/README.md': '# CI keys',
        'keys-manifest/stray.yaml': 'a: 1',
      },
      [
        'manifest/unexpected-file@keys-manifest/ci/README.md:0:0',
        'manifest/unexpected-file@keys-manifest/ci/deploy/key.yml:0:0',
        'manifest/unexpected-file@keys-manifest/ci/deploy/notes.txt:0:0',
        'manifest/unexpected-file@keys-manifest/ci/deploy/v01.sops.yaml:0:0',
        'manifest/unexpected-file@keys-manifest/stray.yaml:0:0',
      ],
    ],
    [
      'policy/unknown',
      { 'keys-manifest/ci/deploy/key.yaml': keyYaml('ci/deploy', 'strict') },
      ['policy/unknown@keys-manifest/ci/deploy/key.yaml:4:1'],
    ],
    [
      'policy/unknown: pipeline.yaml is not a policy',
      { 'keys-manifest/ci/deploy/key.yaml': keyYaml('ci/deploy', 'pipeline') },
      ['policy/unknown@keys-manifest/ci/deploy/key.yaml:4:1'],
    ],
    [
      'policy/name-mismatch',
      { 'policies/strict.yaml': replaceLine(POLICY_YAML, 'name:', 'name: standard') },
      ['policy/name-mismatch@policies/strict.yaml:1:1'],
    ],
    [
      'policy/unexpected-file',
      { 'policies/old/standard.yaml': POLICY_YAML, 'policies/strict.yml': POLICY_YAML },
      [
        'policy/unexpected-file@policies/old/standard.yaml:0:0',
        'policy/unexpected-file@policies/strict.yml:0:0',
      ],
    ],
  ];

  it.each(cases)('%s', (_, change, expected) => {
    const files: Record<string, string> = { ...VALID };
    for (const [p, t] of Object.entries(change))
      if (t === undefined) delete files[p];
      else files[p] = t;
    const { diagnostics } = loadSnapshot(tree(files));
    expect(brief(diagnostics)).toEqual(expected);
    for (const d of diagnostics)
      if (d.rule.startsWith('manifest/') || d.rule.startsWith('policy/'))
        expect(Object.keys(MANIFEST_RULES)).toContain(d.rule);
  });

  it('leaves a mismatched key, policy or material out of the snapshot', () => {
    const { snapshot } = loadSnapshot(
      tree({
        ...VALID,
        'keys-manifest/ci/deploy/key.yaml': keyYaml('ci/deploy-key'),
        'keys-manifest/payments/webhook-signing/v2.sops.yaml': materialYaml(
          'payments/webhook-signing',
          9,
        ),
        'policies/strict.yaml': POLICY_YAML,
      }),
    );
    expect([...snapshot.keys.keys()]).toEqual(['payments/webhook-signing']);
    expect([...snapshot.policies.keys()]).toEqual(['standard']);
    expect(snapshot.materials.has('keys-manifest/payments/webhook-signing/v2.sops.yaml')).toBe(
      false,
    );
  });
});

describe('entries the tree reader refused', () => {
  const withIrregular = (irregular: FileTree['irregular']) =>
    loadSnapshot(fileTree(tree(VALID), irregular ?? []));

  it('reports each one under keys-manifest/, policies/ or as .sops.yaml, with its path', () => {
    const { diagnostics } = withIrregular([
      { path: '.sops.yaml', reason: 'symlink' },
      { path: 'keys-manifest', reason: 'symlink' },
      { path: 'keys-manifest/ci/deploy/v0.sops.yaml', reason: 'too-large' },
      { path: 'keys-manifest/ci/old/v1.sops.yaml', reason: 'symlink' },
      { path: 'keys-manifest/vendor', reason: 'submodule' },
      { path: 'policies/pipe.yaml', reason: 'special-file' },
    ]);
    expect(brief(diagnostics)).toEqual([
      'manifest/not-a-regular-file@.sops.yaml:0:0',
      'manifest/not-a-regular-file@keys-manifest:0:0',
      'manifest/file-too-large@keys-manifest/ci/deploy/v0.sops.yaml:0:0',
      'manifest/not-a-regular-file@keys-manifest/ci/old/v1.sops.yaml:0:0',
      'manifest/not-a-regular-file@keys-manifest/vendor:0:0',
      'manifest/not-a-regular-file@policies/pipe.yaml:0:0',
    ]);
    for (const d of diagnostics) expect(Object.keys(MANIFEST_RULES)).toContain(d.rule);
    expect(diagnostics.find((d) => d.file === 'keys-manifest/vendor')?.message).toMatch(
      /submodule/,
    );
  });

  it('leaves paths outside the manifest to the caller', () => {
    const { diagnostics } = withIrregular([
      { path: '.github/workflows/link.yml', reason: 'symlink' },
      { path: 'keys-manifest-old', reason: 'symlink' },
      { path: '.sops.yaml.bak', reason: 'symlink' },
    ]);
    expect(diagnostics).toEqual([]);
  });

  it('a plain Map (a tree built in memory) has none', () => {
    expect(loadSnapshot(tree(VALID)).diagnostics).toEqual([]);
  });
});

describe("the template's own example manifest", () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const files = ['.sops.yaml', 'keys-manifest', 'policies'].flatMap((p) => walk(root, p));

  it('loads without findings', () => {
    expect(files.length).toBeGreaterThan(3);
    const { snapshot, diagnostics } = loadSnapshot(
      new Map(files.map((f) => [f, readFileSync(path.join(root, f))])),
    );
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(snapshot.keys.size).toBeGreaterThan(0);
    expect(snapshot.materials.size).toBeGreaterThan(0);
  });
});

/** Repository-relative paths of the files at `rel` (a file or a folder, walked). */
function walk(root: string, rel: string): string[] {
  const full = path.join(root, rel);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [rel];
  return readdirSync(full).flatMap((name) => walk(root, `${rel}/${name}`));
}
