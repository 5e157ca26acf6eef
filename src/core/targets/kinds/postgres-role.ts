/**
 * `postgres-role`: a PostgreSQL login role's password, after AWS Secrets Manager's two
 * rotation strategies (docs/targets.md "postgres-role").
 *
 * - alternating-users: two roles take turns. Version N belongs to `roles[(N - 1) % 2]`, so the
 *   active version and the one before it sit on different roles: the deactivated version keeps
 *   logging in through grace, until revocation destroys it.
 * - single-user: one role holds the active version. Between the password change and every
 *   consumer reading the new version, consumers still holding the old one cannot log in (the
 *   documented mismatch window); there is no grace.
 *
 * A role with no active or deactivated version is made unusable: `NOLOGIN` and its password
 * removed (`PASSWORD NULL`). A role that held a compromised version also has its sessions
 * terminated, because NOLOGIN and a new password only stop new logins; a planned revocation
 * (destroyed) leaves running sessions to end by themselves. Keys with a compromised version
 * are applied first, so that happens at once.
 *
 * Observable: the role's attributes, sessions and rekey's marker (a role comment
 * `rekey <key> v<N> <fingerprint>`, written after the login test), and a login with the
 * version's password. A role is current only when that login is accepted AND the marker names
 * the version: a run that dies between the password change and the login test (or before its
 * sessions were terminated) leaves the old marker, so the next run does the step again.
 */
import type { DesiredBase, ProbeResult, StepBase, TargetKind } from '../kind.ts';
import type { SecretValue } from '../secret-value.ts';

export type LoginResult =
  | { readonly result: 'accepted' }
  /** The server answered: wrong password, NOLOGIN, no such role. `code` is the SQLSTATE. */
  | { readonly result: 'refused'; readonly code: string }
  /** No answer (network, TLS): says nothing about the password. */
  | { readonly result: 'failed'; readonly error: string };

export interface PostgresRoleSeen {
  readonly role: string;
  readonly exists: boolean;
  readonly canLogin: boolean;
  readonly superuser: boolean;
  /** Sessions of the role open now (pg_stat_activity). */
  readonly sessions: number;
  /** The role's comment when it is a rekey marker, else null. */
  readonly marker: string | null;
}

export interface PostgresAdminSeen {
  readonly user: string;
  readonly superuser: boolean;
  readonly createRole: boolean;
  /** Member of pg_signal_backend: may terminate other roles' sessions. */
  readonly signalBackend: boolean;
}

/**
 * One server per `connection` (the name of the environment variable holding the admin URL).
 * Passwords go in as SecretValue and leave the adapter only as a SCRAM verifier in ALTER ROLE;
 * errors carry SQLSTATE codes and places, never a statement, URL or password.
 */
export interface PostgresRolesPort {
  /** `postgres 10.0.0.5:5432/app` (no user, no password). Throws for a missing/invalid URL. */
  where(connection: string): string;
  /** The admin role's powers, and each role as observed. Throws when the admin cannot connect. */
  inspect(
    connection: string,
    roles: readonly string[],
  ): Promise<{ readonly admin: PostgresAdminSeen; readonly roles: readonly PostgresRoleSeen[] }>;
  /** A fresh connection as `role` with `password`, on the admin URL's server and database. */
  login(connection: string, role: string, password: SecretValue): Promise<LoginResult>;
  /** `ALTER ROLE ... WITH LOGIN PASSWORD '<SCRAM-SHA-256 verifier computed here>'`. */
  setPassword(connection: string, role: string, password: SecretValue): Promise<void>;
  /** `ALTER ROLE ... WITH NOLOGIN PASSWORD NULL`. */
  disable(connection: string, role: string): Promise<void>;
  /** Terminates the role's sessions; how many. */
  terminate(connection: string, role: string): Promise<number>;
  /** `COMMENT ON ROLE ... IS <marker>`. */
  mark(connection: string, role: string, marker: string): Promise<void>;
}

export interface DesiredRole {
  readonly role: string;
  /** The version the role must log in with; null: the role must be unusable. */
  readonly want: {
    readonly version: number;
    readonly fingerprint: string;
    readonly state: 'active' | 'deactivated';
    readonly value: SecretValue;
  } | null;
  /** Compromised versions this role held: its sessions are terminated when it changes. */
  readonly compromised: readonly number[];
}

export interface DesiredPostgresTarget extends DesiredBase {
  readonly kind: 'postgres-role';
  readonly connection: string;
  readonly strategy: 'alternating-users' | 'single-user';
  readonly roles: readonly DesiredRole[];
}

export interface PostgresObserved {
  readonly admin: PostgresAdminSeen;
  readonly roles: ReadonlyMap<string, PostgresRoleSeen & { readonly login: LoginResult | null }>;
}

export type PostgresStep =
  | (StepBase & {
      readonly kind: 'set-role-password';
      readonly connection: string;
      readonly role: string;
      readonly version: number;
      readonly fingerprint: string;
      readonly value: SecretValue;
      /** Terminate the role's sessions after the change (it held a compromised version). */
      readonly terminate: boolean;
    })
  | (StepBase & {
      readonly kind: 'disable-role';
      readonly connection: string;
      readonly role: string;
      readonly terminate: boolean;
    });

declare module '../kind.ts' {
  interface KindTypes {
    'postgres-role': {
      desired: DesiredPostgresTarget;
      step: PostgresStep;
      /** connection name -> what its server showed. */
      observed: ReadonlyMap<string, PostgresObserved>;
      port: PostgresRolesPort;
    };
  }
}

export class PostgresTargetError extends Error {
  override readonly name = 'PostgresTargetError';
}

/** The marker rekey leaves on a role once its version logs in. */
export const roleMarker = (keyId: string, version: number, fingerprint: string) =>
  `rekey ${keyId} v${version} ${fingerprint}`;

/** The role version N belongs to. */
export const roleOfVersion = (roles: readonly string[], version: number): string =>
  roles[(version - 1) % roles.length]!;

/** Passwords SCRAM sends unchanged: printable ASCII (SASLprep would rewrite anything else). */
const PRINTABLE = /^[\x21-\x7e]+$/;

function portOf(ports: { readonly kinds?: { readonly 'postgres-role'?: PostgresRolesPort } }) {
  const port = ports.kinds?.['postgres-role'];
  if (port === undefined)
    throw new PostgresTargetError(
      'no postgres-role adapter: distribution was started without one (see docs/targets.md)',
    );
  return port;
}

const serverOf = (o: ReadonlyMap<string, PostgresObserved> | undefined, connection: string) =>
  o?.get(connection);

export const postgresRoleKind: TargetKind<'postgres-role'> = {
  kind: 'postgres-role',
  steps: ['set-role-password', 'disable-role'],

  where: (t) => `postgres roles ${t.roles.join(', ')} (${t.connection})`,

  desired(t, i, ctx) {
    if (ctx.key.type !== 'random') {
      ctx.problem(i, `postgres-role targets need a random key, not ${ctx.key.type}`);
      return null;
    }
    const holders = new Map<string, DesiredRole['want']>();
    let ok = true;
    for (const v of ctx.byState('active', 'deactivated')) {
      const role = roleOfVersion(t.roles, v.version);
      if (holders.has(role)) continue; // active first, then the newest deactivated
      const value = ctx.slotValue(i, v);
      if (value === undefined || value === null) {
        ok = false;
        continue;
      }
      if (!PRINTABLE.test(value.value.text())) {
        ctx.problem(i, `v${v.version}'s secret is not printable ASCII; use a random key`);
        ok = false;
        continue;
      }
      holders.set(role, {
        version: v.version,
        fingerprint: v.fingerprint,
        state: v.state === 'active' ? 'active' : 'deactivated',
        value: value.value,
      });
    }
    if (!ok) return null;
    const compromised = ctx.byState('compromised');
    return {
      kind: 'postgres-role',
      target: i,
      connection: t.connection,
      strategy: t.strategy,
      roles: t.roles.map((role) => ({
        role,
        want: holders.get(role) ?? null,
        compromised: compromised
          .filter((v) => roleOfVersion(t.roles, v.version) === role)
          .map((v) => v.version),
      })),
    };
  },

  async observe(d, ports, into) {
    const port = portOf(ports);
    const seen = await port.inspect(
      d.connection,
      d.roles.map((r) => r.role),
    );
    const roles = new Map<string, PostgresRoleSeen & { login: LoginResult | null }>();
    for (const r of d.roles) {
      const s = seen.roles.find((x) => x.role === r.role) ?? {
        role: r.role,
        exists: false,
        canLogin: false,
        superuser: false,
        sessions: 0,
        marker: null,
      };
      // The login test doubles as the observation: only the server can say what a role accepts.
      const login =
        r.want !== null && s.exists && s.canLogin
          ? await port.login(d.connection, r.role, r.want.value)
          : null;
      roles.set(r.role, { ...s, login });
    }
    const all = new Map(into.kinds['postgres-role'] ?? []);
    const before = all.get(d.connection);
    all.set(d.connection, {
      admin: seen.admin,
      roles: new Map([...(before?.roles ?? []), ...roles]),
    });
    into.kinds['postgres-role'] = all;
  },

  async preflight(d, ports, observed) {
    const port = portOf(ports);
    const server = serverOf(observed.kinds?.['postgres-role'], d.connection);
    if (server === undefined) return [`${d.connection} was not observed`];
    const where = port.where(d.connection);
    const problems: string[] = [];
    const { admin } = server;
    if (!admin.superuser && !admin.createRole)
      problems.push(`the admin role ${admin.user} on ${where} has no CREATEROLE`);
    if (!admin.superuser && !admin.signalBackend)
      problems.push(
        `the admin role ${admin.user} on ${where} is not a member of pg_signal_backend (needed to end a compromised role's sessions)`,
      );
    for (const r of d.roles) {
      const s = server.roles.get(r.role);
      if (s === undefined || !s.exists)
        problems.push(`role ${r.role} does not exist on ${where}; create it (rekey does not)`);
      else if (s.superuser)
        problems.push(`role ${r.role} on ${where} is a superuser; rekey manages login roles only`);
      if (r.role === admin.user)
        problems.push(`role ${r.role} is the admin role itself; use another admin`);
    }
    return problems;
  },

  plan(d, observed, { key }) {
    const steps: PostgresStep[] = [];
    const problems: { target: number; message: string }[] = [];
    let current = 0;
    const server = serverOf(observed.kinds?.['postgres-role'], d.connection);
    for (const r of d.roles) {
      const s = server?.roles.get(r.role);
      if (s === undefined || !s.exists) {
        problems.push({ target: d.target, message: `role ${r.role} was not observed` });
        continue;
      }
      const base = { target: d.target, connection: d.connection, role: r.role };
      const terminate = r.compromised.length > 0;
      if (r.want === null) {
        if (!s.canLogin && (!terminate || s.sessions === 0)) current++;
        else
          steps.push({
            kind: 'disable-role',
            ...base,
            terminate,
            reason: terminate
              ? `held compromised v${r.compromised.join(', v')}`
              : 'no active or deactivated version belongs to it',
          });
        continue;
      }
      const { version, fingerprint, value } = r.want;
      const marked = s.marker === roleMarker(key.id, version, fingerprint);
      const login = s.login;
      if (login?.result === 'accepted' && marked) {
        current++;
        continue;
      }
      if (login?.result === 'failed') {
        // No answer says nothing about the password: report it, change nothing.
        problems.push({ target: d.target, message: `login as ${r.role}: ${login.error}` });
        continue;
      }
      steps.push({
        kind: 'set-role-password',
        ...base,
        version,
        fingerprint,
        value,
        terminate,
        reason: !s.canLogin
          ? 'cannot log in'
          : login?.result === 'accepted'
            ? 'the change was not completed (no marker)'
            : login?.result === 'refused'
              ? `login refused (${login.code})`
              : 'not tried',
      });
    }
    return { steps, current, problems };
  },

  async apply(step, ports, { key }) {
    const port = portOf(ports);
    const { connection, role } = step;
    if (step.kind === 'disable-role') {
      await port.disable(connection, role);
      const n = step.terminate ? await port.terminate(connection, role) : 0;
      return { detail: `disabled${step.terminate ? `, ${n} session(s) terminated` : ''}` };
    }
    await port.setPassword(connection, role, step.value);
    const n = step.terminate ? await port.terminate(connection, role) : 0;
    // AWS's testSecret: the target is converged only once the new password logs in.
    const login = await port.login(connection, role, step.value);
    if (login.result !== 'accepted')
      throw new PostgresTargetError(
        `login test as ${role} with v${step.version} ${login.result === 'refused' ? `refused (${login.code})` : `failed: ${login.error}`}`,
      );
    await port.mark(connection, role, roleMarker(key, step.version, step.fingerprint));
    return {
      detail: `set, login verified${step.terminate ? `, ${n} session(s) terminated` : ''}`,
    };
  },

  describe: (s) =>
    s.kind === 'set-role-password'
      ? `set password of role ${s.role} (${s.connection}) <- v${s.version} ${s.fingerprint}, then log in${s.terminate ? ', ending its sessions' : ''}: ${s.reason}`
      : `disable role ${s.role} (${s.connection}): NOLOGIN, no password${s.terminate ? ', sessions ended' : ''}: ${s.reason}`,

  desiredLines: (d) =>
    d.roles.map((r) =>
      r.want === null
        ? `nothing (NOLOGIN) -> ${r.role}`
        : `v${r.want.version} ${r.want.fingerprint} (${r.want.state}) -> ${r.role}`,
    ),

  observedLines(d, o) {
    const server = serverOf(o.kinds?.['postgres-role'], d.connection);
    return d.roles.map((r) => {
      const s = server?.roles.get(r.role);
      if (s === undefined || !s.exists) return `${r.role} absent`;
      const login = s.login === null ? 'login not tried' : `login ${s.login.result}`;
      return `${r.role} ${s.canLogin ? 'LOGIN' : 'NOLOGIN'}, ${s.sessions} session(s), ${login}, marker ${s.marker ?? 'none'}`;
    });
  },

  claims: (d) => d.roles.map((r) => `postgres role ${r.role} (${d.connection})`),

  async probe(d, ports) {
    const port = portOf(ports);
    const out: ProbeResult[] = [];
    for (const r of d.roles) {
      if (r.want === null) continue;
      const login = await port.login(d.connection, r.role, r.want.value);
      out.push({
        target: d.target,
        version: r.want.version,
        fingerprint: r.want.fingerprint,
        probe: `login as ${r.role} (${port.where(d.connection)})`,
        outcome:
          login.result === 'accepted'
            ? 'confirmed'
            : login.result === 'refused'
              ? 'refuted'
              : 'failed',
        ...(login.result === 'refused'
          ? { detail: `refused (${login.code})` }
          : login.result === 'failed'
            ? { detail: login.error }
            : {}),
      });
    }
    return out;
  },

  removed: (t, why, head) =>
    head.some((h) =>
      h.targets.some(
        (x) =>
          x.kind === 'postgres-role' &&
          x.connection === t.connection &&
          x.roles.some((r) => t.roles.includes(r)),
      ),
    )
      ? null
      : `postgres roles ${t.roles.join(', ')} (${t.connection}): ${why}; distribution stops managing them and leaves their passwords as they are: disable them by hand if nothing uses them`,
};
