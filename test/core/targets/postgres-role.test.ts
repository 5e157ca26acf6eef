// postgres-role's pure half: which version each role holds under both strategies, what the
// plan does with what was observed (login accepted, marker, sessions), and its problems.
import { describe, expect, it } from 'vitest';
import {
  desiredState,
  planTargets,
  roleMarker,
  roleOfVersion,
  type DesiredPostgresTarget,
  type Observation,
  type PostgresObserved,
  type PostgresRoleSeen,
  type LoginResult,
} from '../../../src/core/targets/index.ts';
import type { KeyState } from '../../../src/core/formats/key.ts';
import { canary } from '../../support/canary.ts';
import { testKey } from './fixtures.ts';

const ALT = {
  kind: 'postgres-role',
  connection: 'REKEY_PG_MAIN',
  strategy: 'alternating-users',
  roles: ['app_blue', 'app_green'],
};
const SINGLE = { ...ALT, strategy: 'single-user', roles: ['app'] };

async function desired(
  states: KeyState[],
  target: unknown = ALT,
  type: 'random' | 'ed25519' = 'random',
) {
  const k = await testKey(type, states, [target], 'db/app');
  const d = desiredState(k.doc, k.live);
  return { k, d, t: d.targets[0] as DesiredPostgresTarget | undefined };
}

const holds = (t: DesiredPostgresTarget | undefined) =>
  Object.fromEntries(
    (t?.roles ?? []).map((r) => [
      r.role,
      `${r.want === null ? 'nothing' : `v${r.want.version} ${r.want.state}`}${r.compromised.length ? ` compromised v${r.compromised.join(',v')}` : ''}`,
    ]),
  );

function observed(
  roles: Record<string, Partial<PostgresRoleSeen> & { login?: LoginResult | null }>,
): Observation {
  const seen: PostgresObserved = {
    admin: { user: 'rekey_admin', superuser: false, createRole: true, signalBackend: true },
    roles: new Map(
      Object.entries(roles).map(([role, r]) => [
        role,
        {
          role,
          exists: true,
          canLogin: true,
          superuser: false,
          sessions: 0,
          marker: null,
          login: null,
          ...r,
        },
      ]),
    ),
  };
  return {
    secrets: new Map(),
    selected: new Map(),
    deployKeys: new Map(),
    files: new Map(),
    kinds: { 'postgres-role': new Map([['REKEY_PG_MAIN', seen]]) },
  };
}

describe('postgres-role desired state', () => {
  it('version N belongs to roles[(N - 1) % 2]: consecutive versions alternate', () => {
    expect([1, 2, 3, 4].map((v) => roleOfVersion(['a', 'b'], v))).toEqual(['a', 'b', 'a', 'b']);
    expect(roleOfVersion(['only'], 7)).toBe('only');
  });

  it.each([
    [['active'], { app_blue: 'v1 active', app_green: 'nothing' }],
    [['pre-activation', 'active'], { app_blue: 'v1 active', app_green: 'nothing' }],
    [['active', 'deactivated'], { app_blue: 'v1 deactivated', app_green: 'v2 active' }],
    [
      ['active', 'deactivated', 'deactivated'],
      { app_blue: 'v3 active', app_green: 'v2 deactivated' },
    ],
    [['active', 'destroyed'], { app_blue: 'nothing', app_green: 'v2 active' }],
    [['active', 'compromised'], { app_blue: 'nothing compromised v1', app_green: 'v2 active' }],
    [
      ['active', 'compromised', 'deactivated'],
      { app_blue: 'v3 active', app_green: 'nothing compromised v2' }, // v1 shares app_blue: the active wins
    ],
    [['destroyed', 'destroyed'], { app_blue: 'nothing', app_green: 'nothing' }],
  ] as const)('alternating users, states %j (newest first)', async (states, want) => {
    const { t, d } = await desired([...states]);
    expect(d.problems).toEqual([]);
    expect(holds(t)).toEqual(want);
  });

  it.each([
    [['active', 'deactivated'], { app: 'v2 active' }],
    [['active', 'compromised'], { app: 'v2 active compromised v1' }],
    [['destroyed'], { app: 'nothing' }],
  ] as const)('single user, states %j: only the active version, no grace', async (states, want) => {
    const { t } = await desired([...states], SINGLE);
    expect(holds(t)).toEqual(want);
  });

  it('needs a random key', async () => {
    const { d } = await desired(['active'], ALT, 'ed25519');
    expect(d.targets).toEqual([]);
    expect(d.problems).toEqual([
      { target: 0, message: 'postgres-role targets need a random key, not ed25519' },
    ]);
  });
});

describe('postgres-role plan', () => {
  it('current only when the login is accepted AND the marker names the version', async () => {
    const { k, d } = await desired(['active', 'deactivated']);
    const fp = (v: number) => k.fingerprint.get(v)!;
    const marks = {
      app_blue: { login: { result: 'accepted' } as const, marker: roleMarker('db/app', 1, fp(1)) },
      app_green: { login: { result: 'accepted' } as const, marker: roleMarker('db/app', 2, fp(2)) },
    };
    expect(planTargets(k.doc, d, observed(marks)).steps).toEqual([]);
    expect(planTargets(k.doc, d, observed(marks)).current).toBe(2);
    // Accepted without the marker: the change was not completed (a crash before the login test).
    const crashed = planTargets(
      k.doc,
      d,
      observed({ ...marks, app_green: { login: { result: 'accepted' } } }),
    );
    expect(crashed.steps.map((s) => [s.kind, 'role' in s && s.role, s.reason])).toEqual([
      ['set-role-password', 'app_green', 'the change was not completed (no marker)'],
    ]);
    // The marker without the login (someone changed the password): set again.
    const changed = planTargets(
      k.doc,
      d,
      observed({
        ...marks,
        app_blue: { ...marks.app_blue, login: { result: 'refused', code: '28P01' } },
      }),
    );
    expect(changed.steps.map((s) => s.reason)).toEqual(['login refused (28P01)']);
    // No answer from the server: a problem, and nothing changed.
    const down = planTargets(
      k.doc,
      d,
      observed({
        ...marks,
        app_blue: { ...marks.app_blue, login: { result: 'failed', error: 'ECONNRESET' } },
      }),
    );
    expect(down.steps).toEqual([]);
    expect(down.problems).toEqual([{ target: 0, message: 'login as app_blue: ECONNRESET' }]);
  });

  it('a compromised role is disabled and its sessions ended until none is left; a destroyed one only disabled', async () => {
    const c = await desired(['active', 'compromised']);
    const p = planTargets(c.k.doc, c.d, observed({ app_blue: { sessions: 2 }, app_green: {} }));
    const disable = p.steps.find((s) => s.kind === 'disable-role');
    expect(disable).toMatchObject({
      role: 'app_blue',
      terminate: true,
      reason: 'held compromised v1',
    });
    const gone = planTargets(
      c.k.doc,
      c.d,
      observed({ app_blue: { canLogin: false, sessions: 1 }, app_green: {} }),
    );
    expect(gone.steps.find((s) => s.kind === 'disable-role')).toMatchObject({
      role: 'app_blue',
      terminate: true,
    });
    const done = planTargets(
      c.k.doc,
      c.d,
      observed({ app_blue: { canLogin: false }, app_green: {} }),
    );
    expect(done.steps.filter((s) => s.kind === 'disable-role')).toEqual([]);

    const r = await desired(['active', 'destroyed']);
    const q = planTargets(r.k.doc, r.d, observed({ app_blue: { sessions: 3 }, app_green: {} }));
    expect(q.steps.find((s) => s.kind === 'disable-role')).toMatchObject({ terminate: false });
    const idle = planTargets(
      r.k.doc,
      r.d,
      observed({ app_blue: { canLogin: false, sessions: 3 }, app_green: {} }),
    );
    expect(idle.steps.filter((s) => s.kind === 'disable-role')).toEqual([]);
  });

  it('step lines and plans carry no secret', async () => {
    const { k, d } = await desired(['active', 'compromised']);
    const p = planTargets(k.doc, d, observed({ app_blue: {}, app_green: {} }));
    const { describeStep } = await import('../../../src/core/targets/index.ts');
    canary.scan({ steps: p.steps.map(describeStep).join('\n'), plan: JSON.stringify(p) });
    expect(p.steps.length).toBe(2);
  });
});
