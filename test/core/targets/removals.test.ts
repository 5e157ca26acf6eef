// Orphaned material, the pure part: which receipts no key claims (compared as GitHub compares
// names), what to do with each given what is observed (delete rekey's own, keep someone
// else's write, settle what is gone), old receipts without the new fields, and what verify
// says a merge will remove.
import { describe, expect, it } from 'vitest';
import type { KeyDocument } from '../../../src/core/formats/index.ts';
import { scopeId, type SecretScope } from '../../../src/core/ports/targets.ts';
import {
  claimsOf,
  describeRemoval,
  findOrphans,
  parseScopeId,
  planRemovals,
  removalsOnMerge,
  type DeployKeyReceipt,
  type Receipt,
  type SecretReceipt,
} from '../../../src/core/targets/index.ts';

type Key = Pick<KeyDocument, 'id' | 'targets' | 'versions'>;
const T1 = '2026-06-01T08:00:01Z';
const T2 = '2026-06-01T09:00:00Z';

const key = (id: string, targets: KeyDocument['targets'], fp = 'kcv:1111111111111111'): Key => ({
  id,
  targets,
  versions: [
    { version: 1, state: 'compromised', fingerprint: fp } as KeyDocument['versions'][number],
  ],
});
const secretTarget = (name: string, more: Record<string, unknown> = {}) =>
  ({
    kind: 'github-secret',
    repository: 'acme/api',
    app: 'actions',
    name,
    ...more,
  }) as KeyDocument['targets'][number];
const receipt = (name: string, more: Partial<SecretReceipt> = {}): SecretReceipt => ({
  kind: 'github-secret',
  scope: 'actions:repo:acme/api',
  name,
  fingerprint: 'kcv:1111111111111111',
  updatedAt: T1,
  key: 'svc/a',
  version: 1,
  ...more,
});
const dk = (id: number, version = 1, key = 'infra/deploy'): DeployKeyReceipt => ({
  kind: 'github-deploy-key',
  repository: 'acme/deploy',
  key,
  version,
  id,
  title: `ci (rekey ${key} v${version})`,
});

describe('claims and orphans', () => {
  it('a secret any key lists, in any case, is claimed; only the rest are orphans', () => {
    const keys = [
      key('svc/a', [secretTarget('TOKEN', { previous: 'TOKEN_OLD' })]),
      key('svc/b', [
        secretTarget('api_token', { repository: 'ACME/Api', environment: 'Production' }),
      ]),
    ];
    const receipts: Receipt[] = [
      receipt('token'),
      receipt('TOKEN_OLD'),
      receipt('API_TOKEN', { scope: 'actions:env:acme/api:production' }),
      receipt('GONE_FROM_KEY_YAML'),
      receipt('TOKEN', { scope: 'dependabot:repo:acme/api' }),
    ];
    const o = findOrphans(receipts, claimsOf(keys));
    expect(o.secrets.map((r) => `${r.scope} ${r.name}`)).toEqual([
      'actions:repo:acme/api GONE_FROM_KEY_YAML',
      'dependabot:repo:acme/api TOKEN',
    ]);
  });

  it("a secret another key claims now is that key's: never an orphan", () => {
    const keys = [key('svc/new-owner', [secretTarget('TOKEN')])];
    expect(findOrphans([receipt('TOKEN', { key: 'svc/gone' })], claimsOf(keys)).secrets).toEqual(
      [],
    );
  });

  it('deploy keys are claimed per repository and key', () => {
    const keys = [
      key('infra/deploy', [
        { kind: 'github-deploy-key', repository: 'ACME/Deploy', title: 'ci', 'read-only': true },
      ]),
    ];
    const o = findOrphans([dk(1), dk(2, 1, 'infra/other')], claimsOf(keys));
    expect([...o.deployKeys.keys()]).toEqual(['acme/deploy infra/other']);
  });

  it.each<SecretScope>([
    { kind: 'repository', app: 'actions', repository: 'acme/api' },
    { kind: 'repository', app: 'dependabot', repository: 'acme/api' },
    { kind: 'environment', app: 'actions', repository: 'acme/api', environment: 'prod: eu' },
    { kind: 'organization', app: 'dependabot', organization: 'acme' },
  ])('parseScopeId inverts scopeId: %o', (scope) => {
    expect(parseScopeId(scopeId(scope))).toEqual(scope);
  });

  it.each(['acme/api', 'actions:repo:acme', 'dependabot:env:acme/api:x', 'actions:env:acme/api:'])(
    'parseScopeId refuses %s',
    (id) => expect(parseScopeId(id)).toBeNull(),
  );
});

describe('planRemovals', () => {
  const scope = 'actions:repo:acme/api';
  const orphans = (receipts: Receipt[]) => findOrphans(receipts, claimsOf([]));

  it("deletes rekey's last write, settles what is gone, keeps someone else's write", () => {
    const plan = planRemovals(
      orphans([receipt('MINE'), receipt('GONE'), receipt('THEIRS')]),
      {
        secrets: new Map([
          [
            scope,
            [
              { name: 'MINE', updatedAt: '2026-06-01T08:00:01.000Z' },
              { name: 'THEIRS', updatedAt: T2 },
            ],
          ],
        ]),
        deployKeys: new Map(),
      },
      [key('svc/a', [])],
    );
    expect(plan.map((r) => `${r.kind === 'github-secret' ? r.name : ''} ${r.action}`)).toEqual([
      'MINE delete',
      'GONE gone',
      'THEIRS refuse',
    ]);
    expect(describeRemoval(plan[0]!)).toBe(
      'remove secret MINE (actions:repo:acme/api): no key lists it any more; rekey wrote kcv:1111111111111111 (v1) (that version is compromised)',
    );
    expect(describeRemoval(plan[2]!)).toMatch(/^keep secret THEIRS .*written by someone else/);
  });

  it('a target that cannot be listed is a failure, never "removed"', () => {
    const plan = planRemovals(orphans([receipt('MINE')]), {
      secrets: new Map([[scope, { error: 'listing failed: 403' }]]),
      deployKeys: new Map(),
    });
    expect(plan).toEqual([
      expect.objectContaining({ action: 'unreadable', reason: 'listing failed: 403' }),
    ]);
  });

  it('a target GitHub answers 404 for is unreachable: nothing rekey can reach is left', () => {
    const plan = planRemovals(orphans([receipt('MINE')]), {
      secrets: new Map([[scope, { unreachable: 'listing answers 404' }]]),
      deployKeys: new Map(),
    });
    expect(plan).toEqual([
      expect.objectContaining({ action: 'unreachable', reason: 'listing answers 404' }),
    ]);
    expect(describeRemoval(plan[0]!)).toMatch(/^cannot reach secret MINE/);
  });

  it('an old receipt (no kind, key or version) is a secret; its key is found by fingerprint', () => {
    const old: SecretReceipt = {
      scope,
      name: 'LEGACY',
      fingerprint: 'kcv:2222222222222222',
      updatedAt: T1,
    };
    const seen = {
      secrets: new Map([[scope, [{ name: 'LEGACY', updatedAt: T1 }]]]),
      deployKeys: new Map(),
    };
    const known = planRemovals(orphans([old]), seen, [key('svc/x', [], 'kcv:2222222222222222')]);
    expect(known[0]).toMatchObject({ action: 'delete', key: 'svc/x', version: 1 });
    // Its key folder is gone too: still rekey's write (the receipt proves it), of no known key.
    const unknown = planRemovals(orphans([old]), seen, []);
    expect(unknown[0]).toMatchObject({ action: 'delete', key: null, version: null });
  });

  it("deploy keys: every one titled as that key's is removed; others' and gone ones are not", () => {
    const plan = planRemovals(orphans([dk(1), dk(2, 2)]), {
      secrets: new Map(),
      deployKeys: new Map([
        [
          'acme/deploy',
          [
            { id: 1, title: 'ci (rekey infra/deploy v1)', key: 'ssh-ed25519 AAAA', readOnly: true },
            // Added before a crash stored its receipt: found by its title.
            { id: 3, title: 'ci (rekey infra/deploy v3)', key: 'ssh-ed25519 AAAB', readOnly: true },
            {
              id: 4,
              title: 'ci (rekey infra/deploy-2 v1)',
              key: 'ssh-ed25519 AAAC',
              readOnly: true,
            },
            { id: 5, title: 'added by a person', key: 'ssh-ed25519 AAAD', readOnly: true },
          ],
        ],
      ]),
    });
    expect(plan.map((r) => (r.kind === 'github-deploy-key' ? `${r.id} ${r.action}` : ''))).toEqual([
      '1 delete',
      '3 delete',
      '2 gone',
    ]);
    expect(plan[1]!.receipt).toEqual(dk(3, 3));
  });
});

describe('removalsOnMerge', () => {
  it('names each secret and deploy-key target no head key claims, and files it stops writing', () => {
    const base = [
      key('svc/a', [
        secretTarget('TOKEN', { previous: 'TOKEN_OLD' }),
        { kind: 'github-deploy-key', repository: 'acme/deploy', title: 'ci', 'read-only': true },
        { kind: 'file', path: 'a.env', format: 'env' } as KeyDocument['targets'][number],
      ]),
      key('svc/b', [secretTarget('B_TOKEN')]),
    ];
    const head = [key('svc/a', [secretTarget('TOKEN')]), key('svc/c', [secretTarget('b_token')])];
    expect(removalsOnMerge(base, head)).toEqual([
      expect.stringMatching(
        /^secret TOKEN_OLD \(actions:repo:acme\/api\): no longer a target of svc\/a; distribution deletes it/,
      ),
      expect.stringMatching(
        /^deploy keys of acme\/deploy titled "ci \(rekey svc\/a v<N>\)": no longer a target of svc\/a/,
      ),
      expect.stringMatching(
        /^file a.env: no longer a target of svc\/a; distribution stops writing it/,
      ),
    ]);
    expect(removalsOnMerge(base, base)).toEqual([]);
  });
});
