import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkWorkflowFile,
  lintWorkflow,
  WORKFLOW_RULES,
} from '../../src/core/workflow-lint/index.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';

const FILE = '.github/workflows/fixture.yml';
const SHA = 'de0fac2e4500dabe0009e67214ff5f5447ce83dd';

function lint(yaml: string) {
  return checkWorkflowFile(FILE, new TextEncoder().encode(yaml));
}
const brief = (ds: ReturnType<typeof lint>) => ds.map((d) => ({ rule: d.rule, line: d.line }));

/** A workflow that follows every rule; each failing fixture below breaks exactly one. */
const CLEAN = `name: clean
'on':
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:
    inputs:
      key:
        type: string
permissions: {}
concurrency:
  group: rekey
  cancel-in-progress: false
  queue: max
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@${SHA} # v6.0.2
        with:
          persist-credentials: false
          ref: \${{ github.event.pull_request.base.sha }}
      - uses: ./actions/local
      - uses: docker://alpine@sha256:${'a'.repeat(64)}
      - env:
          TITLE: \${{ github.event.pull_request.title }}
          KEY: \${{ inputs.key }}
        run: echo "$TITLE $KEY \${{ github.sha }} \${{ github.token }} \${{ secrets.GITHUB_TOKEN }}"
  distribute:
    runs-on: ubuntu-24.04
    environment: rekey-distribution
    permissions: {}
    steps:
      - run: ./distribute
        env:
          AGE_IDENTITY: \${{ secrets.REKEY_AGE_IDENTITY }}
  reuse:
    uses: ./.github/workflows/reusable.yml
    permissions:
      contents: read
`;

const REF = '          ref: ${{ github.event.pull_request.base.sha }}\n';

/** [rule, yaml, expected line]: each breaks one rule of CLEAN. */
const FAILING: [string, string, number][] = [
  ['workflow/top-level-permissions', CLEAN.replace('permissions: {}\n', ''), 0],
  [
    'workflow/top-level-permissions',
    CLEAN.replace('permissions: {}\n', 'permissions: read-all\n'),
    10,
  ],
  [
    'workflow/top-level-permissions',
    CLEAN.replace('permissions: {}\n', 'permissions:\n  contents: read\n'),
    10,
  ],
  [
    'workflow/job-permissions',
    CLEAN.replace('    permissions:\n      contents: read\n    steps:', '    steps:'),
    16,
  ],
  [
    'workflow/job-permissions',
    CLEAN.replace(
      '    permissions:\n      contents: read\n    steps:',
      '    permissions: write-all\n    steps:',
    ),
    18,
  ],
  ['workflow/unpinned-action', CLEAN.replace(`checkout@${SHA}`, 'checkout@v6'), 21],
  [
    'workflow/unpinned-action',
    CLEAN.replace(`checkout@${SHA}`, `checkout@${SHA.slice(0, 12)}`),
    21,
  ],
  [
    'workflow/unpinned-action',
    CLEAN.replace(`checkout@${SHA}`, `checkout@${SHA.toUpperCase()}`),
    21,
  ],
  ['workflow/unpinned-action', CLEAN.replace(`alpine@sha256:${'a'.repeat(64)}`, 'alpine:3'), 26],
  [
    'workflow/unpinned-action',
    CLEAN.replace(
      'uses: ./.github/workflows/reusable.yml',
      'uses: acme/wf/.github/workflows/r.yml@main',
    ),
    40,
  ],
  [
    'workflow/pull-request-target',
    CLEAN.replace('  pull_request:\n', '  pull_request_target:\n'),
    5,
  ],
  [
    'workflow/pull-request-target',
    CLEAN.replace(/'on':\n(?: {2}.*\n)+/, "'on': [push, pull_request_target]\n"),
    2,
  ],
  [
    'workflow/pull-request-target',
    CLEAN.replace(/'on':\n(?: {2}.*\n)+/, "'on': pull_request_target\n"),
    2,
  ],
  [
    'workflow/untrusted-input-in-script',
    CLEAN.replace('$TITLE $KEY', '${{ github.event.pull_request.title }}'),
    30,
  ],
  [
    'workflow/untrusted-input-in-script',
    CLEAN.replace('$TITLE $KEY', "${{ github['event'].issue.body }}"),
    30,
  ],
  [
    'workflow/untrusted-input-in-script',
    CLEAN.replace('$TITLE $KEY', '${{ github.head_ref }}'),
    30,
  ],
  ['workflow/untrusted-input-in-script', CLEAN.replace('$TITLE $KEY', '${{ INPUTS.key }}'), 30],
  ['workflow/untrusted-input-in-script', CLEAN.replace('$TITLE $KEY', '${{ toJSON(github) }}'), 30],
  [
    'workflow/untrusted-input-in-script',
    CLEAN.replace(
      '      - uses: ./actions/local\n',
      `      - uses: actions/github-script@${SHA}\n        with:\n          script: console.log('\${{ github.event.comment.body }}')\n`,
    ),
    27,
  ],
  [
    'workflow/checkout-credentials',
    CLEAN.replace(
      '          persist-credentials: false\n',
      '          persist-credentials: true\n',
    ),
    23,
  ],
  [
    'workflow/checkout-credentials',
    CLEAN.replace('          persist-credentials: false\n', ''),
    21,
  ],
  [
    'workflow/secret-outside-environment',
    CLEAN.replace('${{ secrets.GITHUB_TOKEN }}', '${{ secrets.DEPLOY_KEY }}'),
    16,
  ],
  [
    'workflow/secret-outside-environment',
    CLEAN.replace('    environment: rekey-distribution\n', ''),
    31,
  ],
  [
    'workflow/secret-outside-environment',
    CLEAN.replace('${{ secrets.GITHUB_TOKEN }}', '${{ toJSON(secrets[matrix.name]) }}'),
    16,
  ],
  [
    'workflow/secret-outside-environment',
    CLEAN.replace('permissions: {}\n', 'permissions: {}\nenv:\n  K: ${{ secrets.K }}\n'),
    11,
  ],
  [
    'workflow/secret-outside-environment',
    CLEAN.replace(
      '    uses: ./.github/workflows/reusable.yml\n',
      '    uses: ./.github/workflows/reusable.yml\n    secrets: inherit\n',
    ),
    41,
  ],
  [
    'workflow/rekey-concurrency',
    CLEAN.replace('cancel-in-progress: false', 'cancel-in-progress: true'),
    13,
  ],
  [
    'workflow/rekey-concurrency',
    CLEAN.replace('  group: rekey\n  cancel-in-progress: false\n', '  group: rekey\n'),
    11,
  ],
  [
    'workflow/rekey-concurrency',
    CLEAN.replace(
      'concurrency:\n  group: rekey\n  cancel-in-progress: false\n  queue: max\n',
      'concurrency: { group: REKEY-main, queue: max }\n',
    ),
    11,
  ],
  ['workflow/rekey-queue', CLEAN.replace('  queue: max\n', ''), 11],
  ['workflow/rekey-queue', CLEAN.replace('  queue: max\n', '  queue: single\n'), 14],
  [
    'workflow/rekey-queue',
    CLEAN.replace(
      '    runs-on: ubuntu-24.04\n    environment:',
      '    runs-on: ubuntu-24.04\n    concurrency: { group: rekey-mutations, cancel-in-progress: false }\n    environment:',
    ),
    33,
  ],
  [
    'workflow/rekey-concurrency',
    CLEAN.replace(
      '    runs-on: ubuntu-24.04\n    environment:',
      '    runs-on: ubuntu-24.04\n    concurrency: { group: rekey, cancel-in-progress: "${{ true }}", queue: max }\n    environment:',
    ),
    33,
  ],
  // The change's own code: the local action comes from a checkout of the merge ref...
  ['workflow/runs-pull-request-code', CLEAN.replace(REF, ''), 24],
  // ...or of the head, or of the head repository...
  [
    'workflow/runs-pull-request-code',
    CLEAN.replace('pull_request.base.sha', 'pull_request.head.sha'),
    25,
  ],
  [
    'workflow/runs-pull-request-code',
    CLEAN.replace(
      REF,
      `${REF}          repository: \${{ github.event.pull_request.head.repo.full_name }}\n`,
    ),
    26,
  ],
  // ...or loaded from a second checkout of the change.
  [
    'workflow/runs-pull-request-code',
    CLEAN.replace(
      '      - uses: ./actions/local\n',
      `      - uses: actions/checkout@${SHA} # v6.0.2\n        with:\n          path: pr\n          persist-credentials: false\n      - uses: ./pr/actions/local\n`,
    ),
    29,
  ],
  // A script in the change's checkout while the job may write.
  [
    'workflow/runs-pull-request-code',
    CLEAN.replace(REF, '')
      .replace('      - uses: ./actions/local\n', '')
      .replace('      contents: read\n    steps:', '      contents: write\n    steps:'),
    28,
  ],
  ['workflow/unreadable', '- a list\n', 0],
];

describe('lintWorkflow', () => {
  it('passes the clean fixture, with no YAML findings either', () => {
    expect(lint(CLEAN)).toEqual([]);
  });

  it.each(FAILING)('%s: fixture %#', (rule, yaml, line) => {
    expect(yaml).not.toBe(CLEAN); // the fixture really changed something
    expect(brief(lint(yaml))).toEqual([{ rule, line }]);
  });

  it('has a failing fixture for every rule in the catalogue, and no rule outside it', () => {
    const covered = new Set(FAILING.map(([rule]) => rule));
    expect([...covered].sort()).toEqual(Object.keys(WORKFLOW_RULES).sort());
  });

  it('reports every finding, not the first', () => {
    const yaml = `'on': pull_request_target
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo \${{ github.event.issue.title }} \${{ github.head_ref }} \${{ secrets.X }}
`;
    expect(brief(lint(yaml))).toEqual([
      { rule: 'workflow/top-level-permissions', line: 0 },
      { rule: 'workflow/pull-request-target', line: 1 },
      { rule: 'workflow/job-permissions', line: 3 },
      { rule: 'workflow/secret-outside-environment', line: 3 },
      { rule: 'workflow/unpinned-action', line: 6 },
      { rule: 'workflow/checkout-credentials', line: 6 },
      { rule: 'workflow/untrusted-input-in-script', line: 7 },
      { rule: 'workflow/untrusted-input-in-script', line: 7 },
    ]);
    for (const d of lint(yaml)) expect(d.file).toBe(FILE);
  });

  it('keeps the YAML loader findings apart: lintWorkflow reports only workflow/* rules', () => {
    const yaml = CLEAN.replace("'on':", 'on:');
    const parsed = parseYaml(FILE, new TextEncoder().encode(yaml));
    expect(parsed.diagnostics.map((d) => [d.rule, d.line])).toEqual([['yaml/ambiguous-scalar', 2]]);
    expect(lintWorkflow(FILE, parsed)).toEqual([]);
    expect(brief(lint('on: [push\n'))).toContainEqual({ rule: 'workflow/unreadable', line: 0 });
  });

  it.each([
    ['a string literal', "${{ format('{0}', 'github.event.issue.title') }}"],
    [
      'a trusted github field',
      '${{ github.sha }} ${{ github.event_name }} ${{ github.repository }}',
    ],
    ['steps and needs outputs', '${{ steps.a.outputs.title }} ${{ needs.b.outputs.body }}'],
    ['text that only looks like an expression', '$GITHUB_EVENT_PATH { github.event.x }'],
  ])('does not flag %s in run:', (_what, run) => {
    expect(lint(CLEAN.replace('$TITLE $KEY', run))).toEqual([]);
  });
});

describe('docs/workflows.md', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/workflows.md'), 'utf8');
  it.each(Object.keys(WORKFLOW_RULES))('documents %s in the rule table', (rule) => {
    expect(doc).toContain(`| \`${rule}\``);
  });
});
