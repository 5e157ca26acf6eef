import { describe, expect, it } from 'vitest';
import {
  codeownersFile,
  ownersOf,
  parseCodeowners,
  patternRegex,
} from '../../../src/core/doctor/codeowners.ts';

// GitHub's documented examples ("About code owners", example CODEOWNERS file) plus the
// gitignore cases rekey relies on. [pattern, path, matches]
const MATCHES: readonly [string, string, boolean][] = [
  ['*', 'README.md', true],
  ['*', 'keys-manifest/a/key.yaml', true],
  ['*.js', 'app.js', true],
  ['*.js', 'src/deep/app.js', true],
  ['*.js', 'app.jsx', false],
  ['/build/logs/', 'build/logs/x.log', true],
  ['/build/logs/', 'build/logs/deep/x.log', true],
  ['/build/logs/', 'src/build/logs/x.log', false],
  ['/build/logs/', 'build/logs', false], // a trailing slash matches folders only
  ['docs/*', 'docs/getting-started.md', true],
  ['docs/*', 'docs/build-app/troubleshooting.md', false], // GitHub: not deeper
  ['apps/', 'apps/a.ts', true],
  ['apps/', 'src/apps/deep/a.ts', true], // no slash but the trailing one: any depth
  ['/docs/', 'docs/a.md', true],
  ['/docs/', 'src/docs/a.md', false],
  ['**/logs', 'logs/a', true],
  ['**/logs', 'deep/down/logs/a', true],
  ['**/logs', 'deep/down/logs', true],
  ['/scripts/**', 'scripts/a/b.sh', true],
  ['/keys-manifest/', 'keys-manifest/payments/webhook/key.yaml', true],
  ['keys-manifest/', 'keys-manifest/payments/webhook/v3.sops.yaml', true],
  ['keys-manifest', 'keys-manifest/a/key.yaml', true],
  ['/keys-manifest/*', 'keys-manifest/a/key.yaml', false],
  ['/keys-manifest/**/key.yaml', 'keys-manifest/a/b/key.yaml', true],
  ['/keys-manifest/**/key.yaml', 'keys-manifest/key.yaml', true],
  ['.sops.yaml', '.sops.yaml', true],
  ['.sops.yaml', 'sub/.sops.yaml', true],
  ['/.sops.yaml', 'sub/.sops.yaml', false],
  ['*.yaml', '.sops.yaml', true],
  ['.sops?yaml', '.sops.yaml', true],
  ['/.github/workflows/', '.github/workflows/rotate.yml', true],
  ['\\#odd', '#odd', true],
];

describe('CODEOWNERS patterns', () => {
  it.each(MATCHES)('%s against %s: %s', (pattern, path, expected) => {
    expect(patternRegex(pattern).test(path)).toBe(expected);
  });
});

describe('CODEOWNERS semantics', () => {
  const co = (text: string) => parseCodeowners('.github/CODEOWNERS', text);

  // [file, path, owners GitHub requests]
  const OWNERS: readonly [string, string, readonly string[]][] = [
    ['* @acme/all\n', 'keys-manifest/a/key.yaml', ['@acme/all']],
    // The last match wins, even when it is less specific.
    ['/keys-manifest/ @acme/security\n* @acme/all\n', 'keys-manifest/a/key.yaml', ['@acme/all']],
    [
      '* @acme/all\n/keys-manifest/ @acme/security\n',
      'keys-manifest/a/key.yaml',
      ['@acme/security'],
    ],
    // A line without owners takes them away.
    ['* @acme/all\n/keys-manifest/\n', 'keys-manifest/a/key.yaml', []],
    ['* @acme/all\n/keys-manifest/\n', '.sops.yaml', ['@acme/all']],
    // Several owners, a user and an e-mail address; a comment after them.
    [
      '/.sops.yaml @alice ops@acme.example # recipients\n',
      '.sops.yaml',
      ['@alice', 'ops@acme.example'],
    ],
    // No line matches.
    ['/docs/ @acme/docs\n', '.sops.yaml', []],
    // A skipped (invalid) line does not count, so an earlier line still decides.
    ['* @acme/all\n!/keys-manifest/ @nobody\n', 'keys-manifest/a/key.yaml', ['@acme/all']],
    ['* @acme/all\n/keys-manifest/ not-an-owner\n', 'keys-manifest/a/key.yaml', ['@acme/all']],
    // Comments and blank lines.
    ['# all of it\n\n   \n* @acme/all\n', 'x', ['@acme/all']],
  ];
  it.each(OWNERS)('%j: %s is owned by %j', (text, path, owners) => {
    expect(ownersOf(co(text), path)).toEqual(owners);
  });

  it('reports the lines GitHub skips, with their line numbers', () => {
    const parsed = co('* @acme/all\n!/x @a\n/y[ab] @a\n/z bad-owner\n/ok @a/b\n');
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(parsed.problems[0]!.message).toMatch(/negation/);
    expect(parsed.problems[1]!.message).toMatch(/character ranges/);
    expect(parsed.problems[2]!.message).toMatch(/bad-owner/);
    expect(parsed.rules.map((r) => r.line)).toEqual([1, 5]);
  });

  it('takes the first file GitHub looks at: .github/, then the root, then docs/', () => {
    const has =
      (...files: string[]) =>
      (p: string) =>
        files.includes(p);
    expect(codeownersFile(has('CODEOWNERS', 'docs/CODEOWNERS', '.github/CODEOWNERS'))).toBe(
      '.github/CODEOWNERS',
    );
    expect(codeownersFile(has('docs/CODEOWNERS', 'CODEOWNERS'))).toBe('CODEOWNERS');
    expect(codeownersFile(has('docs/CODEOWNERS'))).toBe('docs/CODEOWNERS');
    expect(codeownersFile(has('src/CODEOWNERS'))).toBeUndefined();
  });
});
