import { describe, expect, it } from 'vitest';
import {
  assertCanDistribute,
  assertCanOpenPulls,
  classifyToken,
  describeTokenKind,
  TokenPolicyError,
  type TokenKind,
} from '../../../src/adapters/github/token.ts';
import { canary } from '../../support/canary.ts';

const ACTIONS = 'ghs_' + 'A1b2C3d4'.repeat(4);
const APP = 'ghs_' + 'Z9y8X7w6'.repeat(4);

describe('classifyToken', () => {
  it.each<[string, string, TokenKind]>([
    ['installation token', APP, 'app-installation'],
    ['the same prefix, but it is GITHUB_TOKEN', ACTIONS, 'github-actions'],
    ['classic PAT', 'ghp_' + 'x'.repeat(36), 'personal-access-token'],
    ['fine-grained PAT', 'github_pat_' + 'x'.repeat(70), 'fine-grained-pat'],
    ['OAuth', 'gho_' + 'x'.repeat(36), 'oauth'],
    ['App user-to-server', 'ghu_' + 'x'.repeat(36), 'app-user'],
    ['refresh', 'ghr_' + 'x'.repeat(36), 'refresh'],
    ['old 40-hex token', 'a'.repeat(40), 'unknown'],
  ])('%s', (_n, token, kind) => {
    expect(classifyToken(token, { githubToken: ACTIONS })).toBe(kind);
  });

  it('without the GITHUB_TOKEN value a ghs_ token is an installation token', () => {
    expect(classifyToken(ACTIONS)).toBe('app-installation');
    expect(classifyToken(ACTIONS, { githubToken: '' })).toBe('app-installation');
  });

  it('a PAT that equals GITHUB_TOKEN (custom github-token input) is treated as GITHUB_TOKEN', () => {
    const pat = 'ghp_' + 'q'.repeat(36);
    expect(classifyToken(pat, { githubToken: pat })).toBe('github-actions');
  });
});

describe('assertCanOpenPulls', () => {
  it('refuses GITHUB_TOKEN and explains why and how to fix it, without the token', () => {
    canary.register(ACTIONS, 'GITHUB_TOKEN');
    try {
      const kind = classifyToken(ACTIONS, { githubToken: ACTIONS });
      let err: unknown;
      try {
        assertCanOpenPulls(kind, { allowGithubToken: false });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TokenPolicyError);
      expect(err).toMatchObject({ code: 'token/github-token-pulls', kind: 'github-actions' });
      const msg = (err as Error).message;
      expect(msg).toMatch(/start no workflow runs/);
      expect(msg).toMatch(/wait for approval/);
      expect(msg).toMatch(/create-github-app-token/);
      expect(msg).toMatch(/allow-github-token: true/);
      canary.assertAbsent(msg, 'refusal');
    } finally {
      canary.clear();
    }
  });

  it('allows GITHUB_TOKEN when overridden, and other kinds always', () => {
    expect(() => assertCanOpenPulls('github-actions', { allowGithubToken: true })).not.toThrow();
    for (const k of [
      'app-installation',
      'personal-access-token',
      'fine-grained-pat',
      'unknown',
    ] as const)
      expect(() => assertCanOpenPulls(k, { allowGithubToken: false })).not.toThrow();
  });

  it('refuses a refresh token for everything', () => {
    expect(() => assertCanOpenPulls('refresh', { allowGithubToken: true })).toThrow(
      TokenPolicyError,
    );
    expect(() => assertCanDistribute('refresh')).toThrow(/refresh token/);
  });
});

describe('assertCanDistribute', () => {
  it('refuses GITHUB_TOKEN with no override, accepts an App token', () => {
    expect(() => assertCanDistribute('github-actions')).toThrow(/secrets/);
    expect(() => assertCanDistribute('app-installation')).not.toThrow();
  });

  it('every kind has a description', () => {
    for (const k of ['github-actions', 'app-installation', 'unknown'] as const)
      expect(describeTokenKind(k).length).toBeGreaterThan(5);
  });
});
