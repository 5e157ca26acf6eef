// doctor/id-token-unused and doctor/id-token-missing (src/core/doctor/id-token.ts): the
// distribute job's `id-token: write` follows the manifest's aws-secret targets.
import { describe, expect, it } from 'vitest';
import { checkLocal } from '../../../src/core/doctor/local.ts';
import { keysWithAwsTargets } from '../../../src/core/doctor/id-token.ts';
import { DISTRIBUTE, goodRepo, KEY, tree } from './fixtures.ts';

const WF = '.github/workflows/distribute.yml';
const AWS_KEY = KEY.replace('id: payments/webhook', 'id: payments/aws').replace(
  'targets: []',
  'targets:\n  - kind: aws-secret\n    secret-id: prod/payments/webhook\n    region: eu-central-1',
);
const withIdToken = DISTRIBUTE.replace(
  '    permissions:\n      contents: read\n',
  '    permissions:\n      contents: read\n      id-token: write\n',
);

const findings = (files: Record<string, string>) =>
  checkLocal(tree(files)).findings.filter((f) => f.rule.startsWith('doctor/id-token'));
const repo = (changes: Record<string, string | undefined>) => {
  const files: Record<string, string> = goodRepo();
  for (const [path, text] of Object.entries(changes))
    if (text === undefined) delete files[path];
    else files[path] = text;
  return files;
};

describe('doctor: the OIDC token follows the aws-secret targets', () => {
  it('the fixtures change what the rule reads', () => {
    expect(withIdToken).not.toBe(DISTRIBUTE);
    expect(keysWithAwsTargets(tree({ 'keys-manifest/payments/aws/key.yaml': AWS_KEY }))).toEqual([
      'payments/aws',
    ]);
  });

  it('warns where id-token: write is granted and no key has an aws-secret target', () => {
    expect(findings(repo({ [WF]: withIdToken }))).toEqual([
      expect.objectContaining({
        rule: 'doctor/id-token-unused',
        severity: 'warning',
        file: WF,
        line: 17,
        message: expect.stringMatching(/job `distribute` grants `id-token: write`/),
      }),
    ]);
    // write-all grants it too, at the job's permissions.
    const all = DISTRIBUTE.replace(
      '    permissions:\n      contents: read\n',
      '    permissions: write-all\n',
    );
    expect(findings(repo({ [WF]: all }))).toEqual([
      expect.objectContaining({ rule: 'doctor/id-token-unused', line: 15 }),
    ]);
    // A job without its own permissions gets the workflow's.
    const inherited = DISTRIBUTE.replace('    permissions:\n      contents: read\n', '').replace(
      'permissions: {}\n',
      'permissions:\n  contents: read\n  id-token: write\n',
    );
    expect(findings(repo({ [WF]: inherited }))).toEqual([
      expect.objectContaining({ rule: 'doctor/id-token-unused', line: 8 }),
    ]);
  });

  it('is quiet when the grant and the targets agree', () => {
    expect(findings(repo({}))).toEqual([]);
    expect(
      findings(repo({ [WF]: withIdToken, 'keys-manifest/payments/aws/key.yaml': AWS_KEY })),
    ).toEqual([]);
  });

  it('warns, naming the keys, where an aws-secret target has no OIDC token to get credentials with', () => {
    expect(findings(repo({ 'keys-manifest/payments/aws/key.yaml': AWS_KEY }))).toEqual([
      expect.objectContaining({
        rule: 'doctor/id-token-missing',
        severity: 'warning',
        file: WF,
        message: expect.stringMatching(
          /^key payments\/aws has an aws-secret target, but job `distribute`/,
        ),
      }),
    ]);
  });

  it('reads key.yaml with the deciding loader: a file it refuses names no target', () => {
    const aliased = AWS_KEY.replace('  - kind: aws-secret', '  - &t\n    kind: aws-secret');
    expect(keysWithAwsTargets(tree({ 'keys-manifest/payments/aws/key.yaml': aliased }))).toEqual(
      [],
    );
  });
});
