/**
 * PostgresRolesPort over node-postgres (`pg`). Each `connection` names an environment variable
 * of the distribution run holding the admin URL:
 *
 *   postgresql://<admin>:<password>@<host>:<port>/<database>?sslmode=verify-full[&sslrootcert=<file>]
 *
 * TLS with certificate and host name verification is the default (`sslmode` absent means
 * `verify-full`); `require`, `verify-ca`, `prefer` and `allow` are refused, since they accept a
 * server whose name was not checked. `sslmode=disable` is accepted only for a loopback host or
 * a unix socket (`postgresql://user:pw@localhost/db?host=/socket/dir`) AND when the adapter is built with
 * `allowPlaintextLoopback` (tests, a local proxy that does TLS itself).
 *
 * Every operation opens its own connection and closes it (a run makes a handful). Passwords
 * never leave as text: ALTER ROLE gets a SCRAM-SHA-256 verifier computed here, and a login
 * test hands the password to the client's SCRAM exchange. Errors carry SQLSTATE codes, the
 * operation and the place; never a statement, a URL, the admin password or a role's.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type {
  LoginResult,
  PostgresRoleSeen,
  PostgresRolesPort,
} from '../../core/targets/kinds/postgres-role.ts';
import { PostgresTargetError } from '../../core/targets/kinds/postgres-role.ts';
import type { SecretValue } from '../../core/targets/secret-value.ts';
import { scramSha256Verifier } from './postgres-scram.ts';

export interface PostgresAdapterOptions {
  /** Reads one environment variable (the entrypoint passes `(n) => process.env[n]`). */
  readonly env: (name: string) => string | undefined;
  /** Accept `sslmode=disable` to a loopback host or unix socket. Default false. */
  readonly allowPlaintextLoopback?: boolean;
  /** Per connection attempt; default 10 s. */
  readonly connectTimeoutMs?: number;
}

interface Server {
  readonly where: string;
  readonly config: pg.ClientConfig;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);
const PARAMS = new Set(['sslmode', 'sslrootcert', 'host']);

/** The server an admin URL names, checked; throws naming the variable, never its value. */
export function parseAdminUrl(
  name: string,
  value: string | undefined,
  opts: Pick<PostgresAdapterOptions, 'allowPlaintextLoopback' | 'connectTimeoutMs'>,
): Server {
  const bad = (why: string) => new PostgresTargetError(`${name}: ${why}`);
  if (value === undefined || value === '')
    throw bad('not set in the distribution environment (an admin connection URL)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('not a postgresql:// URL');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:')
    throw bad('not a postgresql:// URL');
  for (const k of url.searchParams.keys())
    if (!PARAMS.has(k)) throw bad(`unsupported parameter ${k} (sslmode, sslrootcert, host)`);
  const socket = url.searchParams.get('host');
  if (socket !== null && !socket.startsWith('/')) throw bad('host= must be a socket directory');
  const host = socket ?? url.hostname;
  if (host === '') throw bad('no host');
  const port = url.port === '' ? 5432 : Number(url.port);
  const user = decodeURIComponent(url.username);
  if (user === '') throw bad('no user');
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const mode = url.searchParams.get('sslmode') ?? 'verify-full';
  let ssl: pg.ClientConfig['ssl'];
  if (mode === 'verify-full') {
    if (socket !== null) throw bad('TLS needs a host name, not a socket');
    const root = url.searchParams.get('sslrootcert');
    let ca: string | undefined;
    if (root !== null)
      try {
        ca = readFileSync(root, 'utf8');
      } catch {
        throw bad(`sslrootcert ${root} cannot be read`);
      }
    // pg checks the certificate against `host` (Node's checkServerIdentity).
    ssl = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  } else if (mode === 'disable') {
    if (socket === null && !LOOPBACK.has(host))
      throw bad('sslmode=disable is refused for a host that is not loopback');
    if (!opts.allowPlaintextLoopback)
      throw bad('sslmode=disable needs the plaintext-loopback opt-in (tests only)');
    ssl = false;
  } else throw bad(`sslmode=${mode} does not verify the server; use verify-full`);
  return {
    where: `postgres ${socket ?? `${url.hostname}:${port}`}/${database}`,
    config: {
      host,
      port,
      user,
      password: decodeURIComponent(url.password),
      database,
      ssl,
      application_name: 'rekey',
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    },
  };
}

const sqlstate = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

/** A secret-free line for an error: SQLSTATE for the server's, code/name for the client's. */
function reason(e: unknown): string {
  const state = sqlstate(e);
  if (state !== undefined) return `SQLSTATE ${state}`;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
  // pg's own client errors ("The server does not support SSL connections", timeouts) name no value.
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : 'unknown error';
}

export function createPostgresRoles(opts: PostgresAdapterOptions): PostgresRolesPort {
  const servers = new Map<string, Server>();
  const server = (connection: string): Server => {
    let s = servers.get(connection);
    if (s === undefined) {
      s = parseAdminUrl(connection, opts.env(connection), opts);
      servers.set(connection, s);
    }
    return s;
  };
  const ident = pg.escapeIdentifier;

  /** One admin connection for `fn`, always closed. */
  const admin = async <T>(
    connection: string,
    what: string,
    fn: (c: pg.Client) => Promise<T>,
  ): Promise<T> => {
    const s = server(connection);
    const client = new pg.Client(s.config);
    client.on('error', () => undefined); // a dropped connection surfaces in the awaited call
    try {
      await client.connect();
    } catch (e) {
      throw new PostgresTargetError(`${what} on ${s.where}: admin connection failed: ${reason(e)}`);
    }
    try {
      return await fn(client);
    } catch (e) {
      throw new PostgresTargetError(`${what} on ${s.where}: ${reason(e)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  return {
    where: (connection) => server(connection).where,

    inspect: (connection, roles) =>
      admin(connection, 'reading roles', async (c) => {
        const a = await c.query<{ u: string; su: boolean; cr: boolean; sig: boolean }>(
          `SELECT current_user AS u, r.rolsuper AS su, r.rolcreaterole AS cr,
                  pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS sig
             FROM pg_roles r WHERE r.rolname = current_user`,
        );
        const r = await c.query<{
          rolname: string;
          rolcanlogin: boolean;
          rolsuper: boolean;
          note: string | null;
          sessions: number;
        }>(
          `SELECT r.rolname, r.rolcanlogin, r.rolsuper, shobj_description(r.oid, 'pg_authid') AS note,
                  (SELECT count(*) FROM pg_stat_activity s WHERE s.usename = r.rolname)::int AS sessions
             FROM pg_roles r WHERE r.rolname = ANY($1::text[])`,
          [[...roles]],
        );
        const me = a.rows[0];
        if (me === undefined) throw new PostgresTargetError('the admin role is not in pg_roles');
        return {
          admin: { user: me.u, superuser: me.su, createRole: me.cr, signalBackend: me.sig },
          roles: roles.map((role): PostgresRoleSeen => {
            const row = r.rows.find((x) => x.rolname === role);
            return row === undefined
              ? {
                  role,
                  exists: false,
                  canLogin: false,
                  superuser: false,
                  sessions: 0,
                  marker: null,
                }
              : {
                  role,
                  exists: true,
                  canLogin: row.rolcanlogin,
                  superuser: row.rolsuper,
                  sessions: row.sessions,
                  marker: row.note?.startsWith('rekey ') ? row.note : null,
                };
          }),
        };
      }),

    async login(connection, role, password: SecretValue): Promise<LoginResult> {
      const s = server(connection);
      const client = new pg.Client({ ...s.config, user: role, password: password.text() });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return { result: 'accepted' };
      } catch (e) {
        const state = sqlstate(e);
        return state !== undefined
          ? { result: 'refused', code: state }
          : { result: 'failed', error: reason(e) };
      } finally {
        await client.end().catch(() => undefined);
      }
    },

    setPassword: (connection, role, password) =>
      admin(connection, `setting the password of ${role}`, async (c) => {
        const bytes = password.bytes();
        try {
          const verifier = scramSha256Verifier(bytes);
          await c.query(
            `ALTER ROLE ${ident(role)} WITH LOGIN PASSWORD ${pg.escapeLiteral(verifier)}`,
          );
        } finally {
          bytes.fill(0);
        }
      }),

    disable: (connection, role) =>
      admin(connection, `disabling ${role}`, async (c) => {
        await c.query(`ALTER ROLE ${ident(role)} WITH NOLOGIN PASSWORD NULL`);
      }),

    terminate: (connection, role) =>
      admin(connection, `ending the sessions of ${role}`, async (c) => {
        // The 5 s timeout makes the call wait for each session to be gone (PostgreSQL 14+).
        const r = await c.query<{ n: number }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))::int AS n
             FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`,
          [role],
        );
        return r.rows[0]?.n ?? 0;
      }),

    mark: (connection, role, marker) =>
      admin(connection, `marking ${role}`, async (c) => {
        await c.query(`COMMENT ON ROLE ${ident(role)} IS ${pg.escapeLiteral(marker)}`);
      }),
  };
}
