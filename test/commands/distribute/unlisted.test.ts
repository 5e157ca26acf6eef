// Which secret lists a run may skip before its writes (preflight.ts unlistedScopes): only a
// scope where no slot is to be emptied and no receipt names a slot with the fingerprint it
// wants. Everything else is listed, so a slot rekey can prove current is never rewritten and
// a secret to delete is never missed.
import { describe, expect, it } from 'vitest';
import { unlistedScopes } from '../../../src/commands/distribute/preflight.ts';
import { SecretValue, type DesiredState, type Receipt } from '../../../src/core/targets/index.ts';

const REPO = { kind: 'repository', app: 'actions', repository: 'acme/api' } as const;
const ENV = {
  kind: 'environment',
  app: 'actions',
  repository: 'acme/api',
  environment: 'prod',
} as const;
const want = (fingerprint: string) => ({
  version: 2,
  fingerprint,
  value: SecretValue.of('not-a-real-secret'),
});

const desired = (previous: 'empty' | 'v1'): DesiredState => ({
  problems: [],
  targets: [
    {
      kind: 'github-secret',
      target: 0,
      scope: REPO,
      slots: [{ slot: 'name', name: 'TOKEN', want: want('kcv:0000000000000002') }],
    },
    {
      kind: 'github-secret',
      target: 1,
      scope: ENV,
      slots: [
        { slot: 'name', name: 'TOKEN', want: want('kcv:0000000000000002') },
        {
          slot: 'previous',
          name: 'TOKEN_PREVIOUS',
          want: previous === 'empty' ? null : want('kcv:0000000000000001'),
        },
      ],
    },
  ],
});

const receipt = (scope: string, name: string, fingerprint: string): Receipt => ({
  kind: 'github-secret',
  scope,
  name,
  fingerprint,
  updatedAt: '2026-11-20T10:00:00Z',
});

describe('unlistedScopes', () => {
  it('without receipts to plan with, every scope is listed', () => {
    expect([...unlistedScopes(desired('v1'), undefined)]).toEqual([]);
  });

  it('no receipt at all: nothing depends on the lists, unless a slot is to be emptied', () => {
    expect([...unlistedScopes(desired('v1'), [])].sort()).toEqual([
      'actions:env:acme/api:prod',
      'actions:repo:acme/api',
    ]);
    // TOKEN_PREVIOUS must be deleted if it is there: only the list says so.
    expect([...unlistedScopes(desired('empty'), [])]).toEqual(['actions:repo:acme/api']);
  });

  it('a receipt of the wanted fingerprint may prove the slot current: listed', () => {
    const r = [receipt('actions:repo:acme/api', 'token', 'kcv:0000000000000002')];
    expect([...unlistedScopes(desired('v1'), r)]).toEqual(['actions:env:acme/api:prod']);
  });

  it('receipts of other versions prove nothing the plan could use: not listed', () => {
    const r = [
      receipt('actions:repo:acme/api', 'TOKEN', 'kcv:0000000000000001'),
      receipt('actions:env:acme/api:prod', 'TOKEN', 'kcv:0000000000000001'),
      // The right fingerprint, another secret's name.
      receipt('actions:env:acme/api:prod', 'OTHER', 'kcv:0000000000000002'),
    ];
    expect([...unlistedScopes(desired('v1'), r)].sort()).toEqual([
      'actions:env:acme/api:prod',
      'actions:repo:acme/api',
    ]);
  });
});
