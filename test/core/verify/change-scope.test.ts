import { describe, expect, it } from 'vitest';
import { changeScope, checkScope, scopeOf } from '../../../src/core/verify/change-scope.ts';

describe('scopeOf', () => {
  it.each([
    ['keys-manifest/a/key.yaml', 'manifest'],
    ['policies/standard.yaml', 'configuration'],
    ['policies/README.md', 'configuration'],
    ['.sops.yaml', 'configuration'],
    ['.github/workflows/verify.yml', 'pipeline-code'],
    ['.github/CODEOWNERS', 'pipeline-code'],
    ['actions/verify/action.yml', 'pipeline-code'],
    ['dist/verify.js', 'pipeline-code'],
    ['src/core/x.ts', 'pipeline-code'],
    ['package.json', 'pipeline-code'],
    ['package-lock.json', 'pipeline-code'],
    ['docs/package.json', 'other'],
    ['README.md', 'other'],
    ['distribution.md', 'other'],
  ] as const)('%s is %s', (path, scope) => expect(scopeOf(path)).toBe(scope));
});

describe('checkScope', () => {
  it('refuses pipeline code with keys-manifest/, at each pipeline-code file', () => {
    const ds = checkScope(changeScope(['keys-manifest/a/v2.sops.yaml', 'src/a.ts', 'dist/a.js']));
    expect(ds.map((d) => [d.rule, d.file])).toEqual([
      ['change/pipeline-code-with-manifest', 'dist/a.js'],
      ['change/pipeline-code-with-manifest', 'src/a.ts'],
    ]);
  });
  it('lets each through on its own, and configuration with either', () => {
    expect(checkScope(changeScope(['src/a.ts', 'policies/p.yaml']))).toEqual([]);
    expect(checkScope(changeScope(['keys-manifest/a/key.yaml', '.sops.yaml']))).toEqual([]);
  });
});
