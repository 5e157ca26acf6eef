/**
 * A real PostgreSQL server for the demo and the tests: initdb in a temporary folder, listening
 * on 127.0.0.1 (a free port) and a unix socket in that folder, every statement logged
 * (log_statement=all, to the server's stderr, which pg_ctl writes to a file in the folder),
 * stopped and removed by stop(). Not through the logging collector: it writes a moment after
 * the backend answers, so a test reading the log right after a statement could miss it; a
 * backend writes its own stderr before it answers.
 * postgresUnavailable() says why it cannot run here (no server binaries), for the caller to
 * print and skip.
 *
 * PostgreSQL refuses to run as root: as root (as `npm test` and `npm run demo` run here), the
 * server runs as `nobody` through setpriv, in a folder chown'ed to it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env['REKEY_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const NOBODY = 65534;

export interface PgServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dir: string;
  /** With `tls`: the CA certificate that signed the server's (for `sslrootcert`). */
  readonly caFile?: string;
  /** A URL for `user` on this server, plaintext loopback (`sslmode=disable`). */
  url(user: string, password: string, database?: string): string;
  /** Runs SQL as the bootstrap superuser (test setup and inspection only). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<R[]>;
  /** Like sql, kept out of the statement log (setup that carries a password). */
  quietSql(text: string): Promise<void>;
  /** The server's log so far (every statement, connection and error). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Why the server cannot run here, or null. */
export function postgresUnavailable(): string | null {
  for (const b of ['initdb', 'pg_ctl', 'postgres'])
    if (!existsSync(join(BIN, b))) return `PostgreSQL server binaries not found (${join(BIN, b)})`;
  if (process.getuid?.() === 0 && !existsSync('/usr/bin/setpriv'))
    return 'running as root without setpriv: PostgreSQL refuses to run as root';
  return null;
}

/**
 * `tls`: the server also speaks TLS with a certificate for 127.0.0.1 (IP SAN only) signed by a
 * CA made for it; `caFile` is that CA's certificate, for `sslrootcert`.
 */
export async function startPostgres(opts: { tls?: boolean } = {}): Promise<PgServer> {
  const why = postgresUnavailable();
  if (why !== null) throw new Error(why);
  const root = process.getuid?.() === 0;
  // `nobody` must reach the folder: a private TMPDIR (mode 0700) is not traversable by it.
  const base = root && (statSync(tmpdir()).mode & 0o001) === 0 ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'rekey-pg-'));
  const data = join(dir, 'data');
  const superPassword = randomBytes(18).toString('hex');
  writeFileSync(join(dir, 'pw'), `${superPassword}\n`, { mode: 0o600 });
  if (root) {
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, 'pw'), NOBODY, NOBODY);
  }
  const as = (cmd: string, args: string[]) =>
    root
      ? run(
          '/usr/bin/setpriv',
          [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', cmd, ...args],
          {
            cwd: dir,
            env: { PATH: '/usr/bin:/bin', LANG: 'C', HOME: dir },
          },
        )
      : run(cmd, args, { cwd: dir, env: { ...process.env, LANG: 'C' } });

  await as(join(BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${join(dir, 'pw')}`,
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const conf = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    `log_statement = 'all'`,
    `log_connections = on`,
    `log_line_prefix = '%m [%p] %u@%d '`,
    `logging_collector = off`,
    `fsync = off`,
    `max_connections = 40`,
    `password_encryption = 'scram-sha-256'`,
  ];
  if (opts.tls) {
    const ssl = (args: string[]) => run('/usr/bin/openssl', args, { cwd: dir });
    await ssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '2',
        '-subj',
        '/CN=rekey test CA',
      ]),
    );
    await ssl(
      ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-keyout',
        'server.key',
        '-out',
        'server.csr',
        '-subj',
        '/CN=127.0.0.1',
      ]),
    );
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName = IP:127.0.0.1\n');
    await ssl(
      ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'].concat([
        '-CAcreateserial',
        '-out',
        'server.pem',
        '-days',
        '2',
        '-extfile',
        'san.cnf',
      ]),
    );
    for (const f of ['server.key', 'server.pem']) if (root) chownSync(join(dir, f), NOBODY, NOBODY);
    chmodSync(join(dir, 'server.key'), 0o600);
    conf.push(`ssl = on`, `ssl_cert_file = '${join(dir, 'server.pem')}'`);
    conf.push(`ssl_key_file = '${join(dir, 'server.key')}'`);
  }
  writeFileSync(join(data, 'postgresql.auto.conf'), `${conf.join('\n')}\n`);
  if (root) chownSync(join(data, 'postgresql.auto.conf'), NOBODY, NOBODY);
  await as(join(BIN, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'pg_ctl.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);

  const url = (user: string, password: string, database = 'postgres') =>
    `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`;
  const superuser = async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: superPassword,
      database: 'postgres',
    });
    await c.connect();
    return c;
  };
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    dir,
    ...(opts.tls ? { caFile: join(dir, 'ca.pem') } : {}),
    url,
    async sql(text, params) {
      const c = await superuser();
      try {
        return (await c.query(text, params)).rows;
      } finally {
        await c.end();
      }
    },
    async quietSql(text) {
      const c = await superuser();
      try {
        // Its own statement: a query string is logged whole before any SET in it applies.
        await c.query(`SET log_statement = 'none'`);
        await c.query(text);
      } finally {
        await c.end();
      }
    },
    log: () => {
      const f = join(dir, 'pg_ctl.log');
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await as(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']).catch(
        () => undefined,
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
