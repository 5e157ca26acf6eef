import { describe, expect, it } from 'vitest';
import { DOCTOR_RULES } from '../../../src/core/doctor/findings.ts';
import { checkLocal } from '../../../src/core/doctor/local.ts';
import {
  CODEOWNERS,
  DISTRIBUTE,
  goodRepo,
  mutating,
  SCHEDULE,
  SOPS,
  tree,
  VERIFY_RUNS_PULL_REQUEST_CODE,
} from './fixtures.ts';

const run = (files: Record<string, string>) => checkLocal(tree(files));
const rules = (files: Record<string, string>) => run(files).findings.map((f) => f.rule);

describe('doctor: local checks', () => {
  it('finds nothing in a well set-up repository, and knows its schedules and rekey steps', () => {
    const r = run(goodRepo());
    expect(r.findings).toEqual([]);
    expect(r.scheduled).toEqual([
      { file: '.github/workflows/revoke.yml', crons: ['37 7 * * *'] },
      { file: '.github/workflows/rotate.yml', crons: ['17 6 * * *'] },
    ]);
    expect(r.workflows.get('.github/workflows/verify.yml')).toEqual(['verify']);
  });

  // One broken thing per row: [what, change, rule expected, where (file:line) it points].
  const rotate = '.github/workflows/rotate.yml';
  const CASES: readonly [string, (f: Record<string, string>) => void, string, string][] = [
    [
      'an unpinned action',
      (f) => (f[rotate] = f[rotate]!.replace(/checkout@[0-9a-f]{40}/, 'checkout@v7')),
      'workflow/unpinned-action',
      `${rotate}:18:9`,
    ],
    [
      'a mutating workflow outside the shared group',
      (f) => (f[rotate] = f[rotate]!.replace('group: rekey-mutations', 'group: rotate-only')),
      'doctor/concurrency-group',
      `${rotate}:7:1`,
    ],
    [
      'the shared group with cancel-in-progress: true',
      (f) =>
        (f[rotate] = f[rotate]!.replace('cancel-in-progress: false', 'cancel-in-progress: true')),
      'doctor/concurrency-group',
      `${rotate}:7:1`,
    ],
    [
      'the shared group without queue: max (a pending emergency can be cancelled)',
      (f) => (f[rotate] = f[rotate]!.replace('  queue: max\n', '')),
      'doctor/mutations-queue',
      `${rotate}:7:1`,
    ],
    [
      'the shared group with queue: single',
      (f) => (f[rotate] = f[rotate]!.replace('queue: max', 'queue: single')),
      'doctor/mutations-queue',
      `${rotate}:10:3`,
    ],
    [
      'GITHUB_TOKEN given to rotate',
      (f) => (f[rotate] = mutating('rotate', SCHEDULE('17 6 * * *'), '${{ github.token }}')),
      'doctor/token-github-token',
      `${rotate}:29:11`,
    ],
    [
      'secrets.GITHUB_TOKEN given to distribute',
      (f) =>
        (f['.github/workflows/distribute.yml'] = mutating(
          'distribute',
          '  push:',
          '${{ secrets.GITHUB_TOKEN }}',
        )),
      'doctor/token-github-token',
      '.github/workflows/distribute.yml:28:11',
    ],
    [
      'a PAT from a secret',
      (f) => (f[rotate] = mutating('rotate', SCHEDULE('17 6 * * *'), '${{ secrets.REKEY_PAT }}')),
      'doctor/token-not-app',
      `${rotate}:29:11`,
    ],
    [
      'no revoke workflow',
      (f) => delete f['.github/workflows/revoke.yml'],
      'doctor/workflow-missing',
      '.github/workflows/revoke.yml',
    ],
    [
      'no verify workflow',
      (f) => delete f['.github/workflows/verify.yml'],
      'doctor/workflow-missing',
      '.github/workflows/verify.yml',
    ],
    [
      'no CODEOWNERS',
      (f) => delete f['.github/CODEOWNERS'],
      'doctor/codeowners-missing',
      '.github/CODEOWNERS',
    ],
    [
      'keys-manifest/ unowned by a later ownerless line',
      (f) => (f['.github/CODEOWNERS'] = `${CODEOWNERS}/keys-manifest/payments/\n`),
      'doctor/codeowners-uncovered',
      '.github/CODEOWNERS:12',
    ],
    [
      '.sops.yaml matched by no line',
      (f) => (
        (f['CODEOWNERS'] = '/keys-manifest/ @acme/security\n/.github/ @acme/security\n'),
        delete f['.github/CODEOWNERS']
      ),
      'doctor/codeowners-uncovered',
      'CODEOWNERS',
    ],
    [
      'pipeline code without owners',
      (f) =>
        (f['.github/CODEOWNERS'] = '/keys-manifest/ @acme/security\n/.sops.yaml @acme/security\n'),
      'doctor/codeowners-uncovered',
      '.github/CODEOWNERS',
    ],
    [
      "the verify workflow runs the change's own code",
      (f) => (f['.github/workflows/verify.yml'] = VERIFY_RUNS_PULL_REQUEST_CODE),
      'workflow/runs-pull-request-code',
      '.github/workflows/verify.yml:16:9',
    ],
    [
      'one token for the keys repository and the targets',
      (f) =>
        (f['.github/workflows/distribute.yml'] = DISTRIBUTE.replace(
          '          targets-token: ${{ steps.targets-app.outputs.token }}\n',
          '',
        )),
      'doctor/distribute-single-token',
      '.github/workflows/distribute.yml:42:11',
    ],
    [
      'an owner-wide targets token',
      (f) =>
        (f['.github/workflows/distribute.yml'] = DISTRIBUTE.replace(
          '          repositories: ${{ steps.targets.outputs.repositories }}\n',
          '',
        )),
      'doctor/distribute-token-scope',
      '.github/workflows/distribute.yml:34:9',
    ],
    [
      'a CODEOWNERS line GitHub skips',
      (f) => (f['.github/CODEOWNERS'] = `${CODEOWNERS}!/docs/ @acme/docs\n`),
      'doctor/codeowners-invalid-line',
      '.github/CODEOWNERS:12',
    ],
    ['no .sops.yaml', (f) => delete f['.sops.yaml'], 'doctor/sops-config-missing', '.sops.yaml'],
    [
      'a .sops.yaml sops would misread',
      (f) => (f['.sops.yaml'] = SOPS.replace('path_regex', 'path_regexp')),
      'doctor/sops-config-invalid',
      '.sops.yaml:2:5',
    ],
    [
      'no creation rule for keys-manifest',
      (f) => (f['.sops.yaml'] = SOPS.replace('^keys-manifest/', '^other/')),
      'doctor/sops-no-recipients',
      '.sops.yaml',
    ],
    [
      'a rule without recipients',
      (f) =>
        (f['.sops.yaml'] =
          'creation_rules:\n  - path_regex: ^keys-manifest/\n    encrypted_regex: ^secret$\n'),
      'doctor/sops-config-invalid',
      '.sops.yaml:2:5',
    ],
    [
      'a rule that encrypts everything',
      (f) => (f['.sops.yaml'] = SOPS.replace('    encrypted_regex: ^secret$\n', '')),
      'doctor/sops-crypt-rule',
      '.sops.yaml:2:5',
    ],
    [
      'distribution statuses accepted from anyone',
      (f) => (f['policies/pipeline.yaml'] = 'default-branch: main\n'),
      'doctor/status-creators-unpinned',
      'policies/pipeline.yaml',
    ],
    [
      "rekey's pull requests recognised from any author",
      (f) =>
        (f['policies/pipeline.yaml'] =
          "default-branch: main\nstatus-creators: ['acme-rekey[bot]']\n"),
      'doctor/pull-authors-unpinned',
      'policies/pipeline.yaml',
    ],
    [
      'no pipeline.yaml at all',
      (f) => delete f['policies/pipeline.yaml'],
      'doctor/status-creators-unpinned',
      'policies/pipeline.yaml',
    ],
  ];

  it.each(CASES)('%s: %s', (_what, change, rule, where) => {
    const files = goodRepo();
    change(files);
    const found = run(files).findings.filter((f) => f.rule === rule);
    expect(found.map((f) => f.where)).toContain(where);
    for (const f of found) {
      expect(f.fix.length).toBeGreaterThan(20);
      if (rule.startsWith('doctor/'))
        expect(f).toMatchObject(DOCTOR_RULES[rule as keyof typeof DOCTOR_RULES]);
    }
  });

  it('reports each broken thing once, and only it', () => {
    const files = goodRepo();
    files['.github/workflows/rotate.yml'] = files['.github/workflows/rotate.yml']!.replace(
      'group: rekey-mutations',
      'group: other',
    );
    expect(rules(files)).toEqual(['doctor/concurrency-group']);
  });

  it('accepts the group at job level, and a rekey action from another repository', () => {
    const files = goodRepo();
    files['.github/workflows/rotate.yml'] = files['.github/workflows/rotate.yml']!.replace(
      'concurrency:\n  group: rekey-mutations\n  cancel-in-progress: false\n  queue: max\n',
      '',
    )
      .replace(
        '    environment: rekey\n',
        '    environment: rekey\n    concurrency:\n      group: REKEY-mutations\n      cancel-in-progress: false\n      queue: max\n',
      )
      .replace('./actions/rotate', `acme/rekey/actions/rotate@${'a'.repeat(40)}`);
    expect(rules(files)).toEqual([]);
  });
});
