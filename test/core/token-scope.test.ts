import { describe, expect, it } from 'vitest';
import {
  MAX_TOKEN_REPOSITORIES,
  repositoriesOfKeyFile,
  tokenRepositories,
  TokenScopeError,
} from '../../src/core/token-scope.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('the targets token repositories', () => {
  it('lists names once, case-insensitively, and the keys repository alone when there is none', () => {
    expect(tokenRepositories(['acme/API', 'acme/api', 'acme/web'], 'acme/keys')).toEqual([
      'API',
      'web',
    ]);
    expect(tokenRepositories([], 'acme/keys')).toEqual(['keys']);
  });

  it('refuses a repository of another owner', () => {
    expect(() => tokenRepositories(['other/api'], 'acme/keys')).toThrow(TokenScopeError);
  });

  it('refuses more repositories than one installation token can list', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `acme/r${i}`);
    expect(tokenRepositories(many(MAX_TOKEN_REPOSITORIES), 'acme/keys')).toHaveLength(500);
    expect(() => tokenRepositories(many(MAX_TOKEN_REPOSITORIES + 1), 'acme/keys')).toThrow(
      /501 repositories; one installation token can list at most 500/,
    );
  });

  it('reads only well-formed repository targets, never a path-like name', () => {
    const file = 'keys-manifest/a/key.yaml';
    const yaml = [
      'targets:',
      '  - { kind: github-secret, repository: acme/api, name: A }',
      '  - { kind: github-deploy-key, repository: acme/infra, title: d }',
      '  - { kind: github-secret, repository: acme/.., name: B }',
      "  - { kind: github-secret, repository: 'acme/x y', name: C }",
      '  - { kind: file, path: out.json }',
    ].join('\n');
    expect(repositoriesOfKeyFile(file, bytes(`${yaml}\n`))).toEqual(['acme/api', 'acme/infra']);
  });
});
