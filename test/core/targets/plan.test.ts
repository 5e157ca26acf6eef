import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ObservedDeployKey, ObservedSecret } from '../../../src/core/ports/targets.ts';
import {
  deployKeyTitle,
  desiredState,
  managedDeployKeyVersion,
} from '../../../src/core/targets/desired.ts';
import {
  describeStep,
  type Observation,
  planTargets,
  type SecretReceipt,
} from '../../../src/core/targets/plan.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { canary } from '../../support/canary.ts';
import { testKey } from './fixtures.ts';

const SECRET = {
  kind: 'github-secret',
  repository: 'acme/api',
  name: 'TOKEN',
  previous: 'TOKEN_PREVIOUS',
};
const SCOPE = 'actions:repo:acme/api';

function observation(over: Partial<Observation> = {}): Observation {
  return {
    secrets: new Map(),
    selected: new Map(),
    deployKeys: new Map(),
    files: new Map(),
    ...over,
  };
}
const at = (name: string, updatedAt = '2026-11-20T10:00:00Z'): ObservedSecret => ({
  name,
  updatedAt,
});

describe('github-secret slots', () => {
  it.each([
    // states newest first -> what name / previous should hold (version numbers) or null
    [['active'], 1, null],
    [['active', 'deactivated'], 2, 1],
    [['active', 'deactivated', 'deactivated'], 3, 2],
    [['active', 'compromised'], 2, null],
    [['active', 'destroyed'], 2, null],
    [['pre-activation', 'active', 'deactivated'], 2, 1],
    [['compromised', 'deactivated'], null, 1],
  ] as const)('%j -> name v%s, previous v%s', async (states, name, previous) => {
    const k = await testKey('random', states, [SECRET]);
    const d = desiredState(k.doc, k.live);
    expect(d.problems).toEqual([]);
    const t = d.targets[0]!;
    if (t.kind !== 'github-secret') throw new Error('kind');
    const slot = (s: string) => t.slots.find((x) => x.slot === s)!.want;
    expect(slot('name')?.version ?? null).toBe(name);
    expect(slot('previous')?.version ?? null).toBe(previous);
    if (name !== null) expect(slot('name')!.value.text()).toBe(k.secret.get(name));
  });

  it('writes every slot it cannot prove, deletes previous when nothing is in grace', async () => {
    const k = await testKey('random', ['active', 'compromised'], [SECRET]);
    const d = desiredState(k.doc, k.live);
    const p = planTargets(
      k.doc,
      d,
      observation({ secrets: new Map([[SCOPE, [at('TOKEN'), at('token_previous')]]]) }),
    );
    expect(p.steps.map((s) => [s.kind, 'name' in s ? s.name : '', s.reason])).toEqual([
      ['delete-secret', 'TOKEN_PREVIOUS', 'no version is in grace'],
      ['put-secret', 'TOKEN', 'no record of a rekey write'],
    ]);
  });

  it('a receipt proves a write until someone else writes the secret', async () => {
    const k = await testKey('random', ['active', 'deactivated'], [SECRET]);
    const d = desiredState(k.doc, k.live);
    const receipts: SecretReceipt[] = [
      {
        scope: SCOPE,
        name: 'TOKEN',
        fingerprint: k.fingerprint.get(2)!,
        updatedAt: '2026-11-20T10:00:00Z',
      },
      {
        scope: SCOPE,
        name: 'TOKEN_PREVIOUS',
        fingerprint: k.fingerprint.get(2)!,
        updatedAt: '2026-11-20T10:00:00Z',
      },
    ];
    const seen = (t: string) =>
      observation({ secrets: new Map([[SCOPE, [at('TOKEN', t), at('TOKEN_PREVIOUS')]]]) });
    const p1 = planTargets(k.doc, d, seen('2026-11-20T10:00:00Z'), receipts);
    // TOKEN is proven; TOKEN_PREVIOUS's receipt is for v2, it must hold v1.
    expect(p1.steps.map((s) => [s.kind, s.reason])).toEqual([
      ['put-secret', `holds ${k.fingerprint.get(2)}`],
    ]);
    expect(p1.current).toBe(1);
    const p2 = planTargets(k.doc, d, seen('2026-11-20T10:05:00Z'), receipts);
    expect(p2.steps.map((s) => s.reason)).toContain('written by someone else since rekey wrote it');
    const p3 = planTargets(k.doc, d, observation({ secrets: new Map([[SCOPE, []]]) }), receipts);
    expect(p3.steps.map((s) => s.reason)).toEqual(['absent', 'absent']);
    // A scope that was not listed proves nothing, even with a matching receipt.
    const p4 = planTargets(k.doc, d, observation(), receipts);
    expect(p4.steps.map((s) => s.reason)).toEqual([`holds ${k.fingerprint.get(2)}`, 'not listed']);
    expect(p4.current).toBe(0);
  });

  it('organization secrets: a visibility or repository change is a write', async () => {
    const org = {
      kind: 'github-secret',
      organization: 'acme',
      name: 'TOKEN',
      visibility: 'selected',
      'selected-repositories': ['acme/api', 'acme/web'],
    };
    const k = await testKey('random', ['active'], [org]);
    const d = desiredState(k.doc, k.live);
    const receipts = [
      {
        scope: 'actions:org:acme',
        name: 'TOKEN',
        fingerprint: k.fingerprint.get(1)!,
        updatedAt: '2026-11-20T10:00:00Z',
      },
    ];
    const seen = (visibility: 'all' | 'selected', repos: string[]) =>
      observation({
        secrets: new Map([['actions:org:acme', [{ ...at('TOKEN'), visibility }]]]),
        selected: new Map([['actions:org:acme TOKEN', repos]]),
      });
    expect(
      planTargets(k.doc, d, seen('selected', ['acme/web', 'ACME/api']), receipts).steps,
    ).toEqual([]);
    expect(planTargets(k.doc, d, seen('all', []), receipts).steps[0]?.reason).toBe(
      'visibility is all',
    );
    expect(planTargets(k.doc, d, seen('selected', ['acme/api']), receipts).steps[0]?.reason).toBe(
      'selected repositories differ',
    );
  });

  it('an organization secret without a visibility is private, and that is enforced', async () => {
    const k = await testKey(
      'random',
      ['active'],
      [{ kind: 'github-secret', organization: 'acme', name: 'T' }],
    );
    const d = desiredState(k.doc, k.live);
    const t = d.targets[0]!;
    expect(t.kind === 'github-secret' && t.org).toEqual({ visibility: 'private' });
    const receipts = [
      {
        scope: 'actions:org:acme',
        name: 'T',
        fingerprint: k.fingerprint.get(1)!,
        updatedAt: '2026-11-20T10:00:00Z',
      },
    ];
    const seen = (visibility: 'all' | 'private') =>
      observation({ secrets: new Map([['actions:org:acme', [{ ...at('T'), visibility }]]]) });
    expect(planTargets(k.doc, d, seen('private'), receipts).steps).toEqual([]);
    expect(planTargets(k.doc, d, seen('all'), receipts).steps[0]?.reason).toBe('visibility is all');
  });

  it('a version without decrypted material is a problem, and nothing is written for it', async () => {
    const k = await testKey('random', ['active'], [SECRET]);
    const d = desiredState(k.doc, []);
    expect(d.problems).toEqual([{ target: 0, message: 'v1 has no decrypted material' }]);
    expect(
      planTargets(k.doc, d, observation()).steps.filter((s) => s.kind === 'put-secret'),
    ).toEqual([]);
  });
});

describe('github-deploy-key', () => {
  const TARGET = { kind: 'github-deploy-key', repository: 'acme/api', title: 'deploy' };
  const ID = 'payments/webhook-signing';
  const material = (line: string) => line.split(' ').slice(0, 2).join(' ');

  it('titles identify rekey keys of this key only', () => {
    expect(managedDeployKeyVersion(deployKeyTitle('deploy', ID, 7), ID)).toBe(7);
    expect(
      managedDeployKeyVersion('deploy (rekey payments/webhook-signing v7)', 'payments/webhook'),
    ).toBeNull();
    expect(managedDeployKeyVersion('deploy (rekey payments/webhook-signing v7) x', ID)).toBeNull();
    expect(managedDeployKeyVersion('my laptop', ID)).toBeNull();
  });

  it('adds active and deactivated, deletes its own compromised/destroyed, never others', async () => {
    const k = await testKey(
      'ssh-ed25519',
      ['pre-activation', 'active', 'deactivated', 'compromised'],
      [TARGET],
    );
    const d = desiredState(k.doc, k.live);
    const keys: ObservedDeployKey[] = [
      {
        id: 1,
        title: 'laptop',
        key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther',
        readOnly: false,
      },
      {
        id: 2,
        title: deployKeyTitle('deploy', ID, 1),
        key: material(k.public.get(1)!),
        readOnly: true,
      },
      {
        id: 3,
        title: deployKeyTitle('deploy', ID, 2),
        key: material(k.public.get(2)!),
        readOnly: true,
      },
      {
        id: 4,
        title: deployKeyTitle('deploy', ID, 0),
        key: 'ssh-ed25519 AAAAgone',
        readOnly: true,
      },
      { id: 5, title: 'someone', key: material(k.public.get(1)!), readOnly: true },
    ];
    const p = planTargets(k.doc, d, observation({ deployKeys: new Map([['acme/api', keys]]) }));
    expect(
      p.steps.map((s) => [
        s.kind,
        'id' in s ? s.id : s.kind === 'add-deploy-key' ? s.version : 0,
        s.reason,
      ]),
    ).toEqual([
      ['delete-deploy-key', 2, 'v1 is compromised'],
      ['delete-deploy-key', 4, 'v0 is not in key.yaml'],
      ['add-deploy-key', 3, 'absent'],
    ]);
    expect(p.current).toBe(1);
    // The unmanaged key carrying the compromised v1 is reported, not deleted.
    expect(p.problems).toHaveLength(1);
    expect(p.problems[0]!.message).toContain('deploy key 5');
    expect(p.problems[0]!.message).toContain('compromised v1');
  });

  it('a read-only change is a delete and an add', async () => {
    const k = await testKey('ssh-ed25519', ['active'], [{ ...TARGET, 'read-only': false }]);
    const d = desiredState(k.doc, k.live);
    const keys = [
      {
        id: 9,
        title: deployKeyTitle('deploy', ID, 1),
        key: material(k.public.get(1)!),
        readOnly: true,
      },
    ];
    const p = planTargets(k.doc, d, observation({ deployKeys: new Map([['acme/api', keys]]) }));
    expect(p.steps.map((s) => [s.kind, s.reason])).toEqual([
      ['delete-deploy-key', 'read-only should be false'],
      ['add-deploy-key', 'absent'],
    ]);
  });

  it('is a problem for a key that is not ssh-ed25519', async () => {
    const k = await testKey('ed25519', ['active'], [TARGET]);
    expect(desiredState(k.doc, k.live).problems[0]?.message).toBe(
      'deploy keys need an ssh-ed25519 key, not ed25519',
    );
  });
});

describe('file', () => {
  it('writes when absent or different, nothing when equal, deletes without an active version', async () => {
    const k = await testKey(
      'random',
      ['active'],
      [{ kind: 'file', path: 'out/token.env', format: 'env' }],
    );
    const d = desiredState(k.doc, k.live);
    const t = d.targets[0]!;
    if (t.kind !== 'file' || t.content === null) throw new Error('content');
    const files = (v: SecretValue | null) =>
      observation({ files: new Map([['out/token.env', v]]) });
    expect(planTargets(k.doc, d, files(null)).steps.map((s) => s.reason)).toEqual(['absent']);
    expect(
      planTargets(k.doc, d, files(SecretValue.of('X=1\n'))).steps.map((s) => s.reason),
    ).toEqual(['content differs']);
    expect(planTargets(k.doc, d, files(SecretValue.fromBytes(t.content.bytes()))).steps).toEqual(
      [],
    );

    const gone = await testKey(
      'random',
      ['compromised'],
      [{ kind: 'file', path: 'a', format: 'raw' }],
    );
    const g = desiredState(gone.doc, gone.live);
    expect(
      planTargets(
        gone.doc,
        g,
        observation({ files: new Map([['a', SecretValue.of('x')]]) }),
      ).steps.map((s) => s.kind),
    ).toEqual(['delete-file']);
  });
});

describe('canary: no plan output carries a secret', () => {
  it('JSON, inspect and step descriptions of plans over every target kind', async () => {
    for (const type of ['random', 'ed25519', 'ssh-ed25519'] as const) {
      const targets: unknown[] = [
        SECRET,
        {
          kind: 'github-secret',
          organization: 'acme',
          app: 'dependabot',
          name: 'T',
          visibility: 'all',
        },
        ...['raw', 'env', 'json', 'kubernetes-secret'].map((format, i) => ({
          kind: 'file',
          path: `f${i}`,
          format,
        })),
        ...(type === 'ed25519' ? [{ kind: 'file', path: 'jwks.json', format: 'jwks' }] : []),
        ...(type === 'ssh-ed25519'
          ? [{ kind: 'github-deploy-key', repository: 'acme/api', title: 'd' }]
          : []),
      ];
      const k = await testKey(type, ['active', 'deactivated', 'compromised'], targets);
      const d = desiredState(k.doc, k.live);
      const p = planTargets(k.doc, d, observation());
      expect(p.steps.length).toBeGreaterThan(6);
      canary.scan({
        'plan JSON': JSON.stringify(p),
        'plan inspect': inspect(p, { depth: 10 }),
        'desired JSON': JSON.stringify(d),
        'desired inspect': inspect(d, { depth: 10 }),
        steps: p.steps.map(describeStep).join('\n'),
      });
    }
  }, 60_000);
});
