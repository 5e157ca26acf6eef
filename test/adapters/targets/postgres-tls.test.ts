// The postgres-role admin connection's default, TLS with verification, against a real server
// that speaks TLS with a certificate for 127.0.0.1 from its own CA: the CA given, it connects
// and logs in; without the CA, or under a name the certificate does not carry, it refuses.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRoles } from '../../../src/adapters/targets/postgres.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { canary } from '../../support/canary.ts';
import { postgresUnavailable, startPostgres, type PgServer } from '../../support/postgres.ts';

const unavailable = postgresUnavailable();
if (unavailable !== null) console.log(`postgres TLS tests skipped: ${unavailable}`);

let server: PgServer;
const admin = randomBytes(18).toString('base64url');
const role = randomBytes(18).toString('base64url');
canary.register(admin, 'admin password');
canary.register(role, 'role password');

beforeAll(async () => {
  if (unavailable !== null) return;
  server = await startPostgres({ tls: true });
  await server.quietSql(
    `CREATE ROLE rekey_admin LOGIN CREATEROLE PASSWORD '${admin}';
     CREATE ROLE app LOGIN PASSWORD '${role}';`,
  );
}, 60_000);
afterAll(async () => server?.stop());

const url = (host: string, params: string) =>
  `postgresql://rekey_admin:${admin}@${host}:${server.port}/postgres${params}`;
const port = (u: string) => createPostgresRoles({ env: () => u });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => '',
    (e: Error) => e.message,
  );

describe.skipIf(unavailable !== null)('TLS with verification by default', () => {
  it('with the CA: connects, reads, and the login test runs over TLS', async () => {
    const p = port(url('127.0.0.1', `?sslrootcert=${server.caFile!}`));
    const seen = await p.inspect('REKEY_PG_MAIN', ['app']);
    expect(seen.admin.user).toBe('rekey_admin');
    expect(await p.login('REKEY_PG_MAIN', 'app', SecretValue.of(role))).toEqual({
      result: 'accepted',
    });
    // Both connections were TLS (log_connections says so for each). The server writes its log
    // through the logging collector, a moment after the connection: read it until both lines
    // are there, for at most 10 s.
    const both = [
      /connection authorized: user=rekey_admin .*SSL enabled/,
      /connection authorized: user=app .*SSL enabled/,
    ];
    for (let i = 0; i < 200 && !both.every((re) => re.test(server.log())); i++)
      await new Promise((r) => setTimeout(r, 50));
    for (const re of both) expect(server.log()).toMatch(re);
  });

  it('without the CA: the self-signed chain is refused before anything is read', async () => {
    const message = await failure(port(url('127.0.0.1', '')).inspect('REKEY_PG_MAIN', ['app']));
    expect(message).toMatch(
      /admin connection failed: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT)/,
    );
    canary.assertAbsent(message, 'error');
  });

  it('under a name the certificate does not carry: refused', async () => {
    const message = await failure(
      port(url('localhost', `?sslrootcert=${server.caFile!}`)).inspect('REKEY_PG_MAIN', ['app']),
    );
    expect(message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    canary.assertAbsent(message, 'error');
  });
});
