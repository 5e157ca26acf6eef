// postgres-role against a real PostgreSQL server the test starts (test/support/postgres.ts),
// driven through the real distribute command (the emulator bed of test/commands/distribute):
// rotation, grace, revocation, compromise, a wrong admin password, a crash between the
// password change and the login test, and the canary over rekey's output AND the server's
// statement log (log_statement=all). Skipped, with the reason printed, without the binaries.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRoles } from '../../../src/adapters/targets/postgres.ts';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import type { DistributeResult } from '../../../src/commands/distribute/types.ts';
import type { PostgresRolesPort } from '../../../src/core/targets/index.ts';
import { roleMarker } from '../../../src/core/targets/index.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { CanaryLeakError, canary } from '../../support/canary.ts';
import { postgresUnavailable, startPostgres, type PgServer } from '../../support/postgres.ts';
import { startDistBed, type DistBed } from '../../commands/distribute/bed.ts';

const unavailable = postgresUnavailable();
if (unavailable !== null) console.log(`postgres-role tests skipped: ${unavailable}`);

const CONN = 'REKEY_PG_MAIN';
const ALT = 'db/app';
const SINGLE = 'db/report';
const KEYS = [
  {
    id: ALT,
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'postgres-role' as const,
        connection: CONN,
        strategy: 'alternating-users' as const,
        roles: ['app_blue', 'app_green'],
      },
    ],
  },
  {
    id: SINGLE,
    type: 'random' as const,
    options: { bytes: 24, encoding: 'hex' as const },
    targets: [
      {
        kind: 'postgres-role' as const,
        connection: CONN,
        strategy: 'single-user' as const,
        roles: ['app_single'],
      },
    ],
  },
];

let server: PgServer;
let bed: DistBed;
let adminUrl: string;
const results: DistributeResult[] = [];
/** Admin writes of each run (what the port was asked to change), in order. */
let writes: string[] = [];
const sessions: pg.Client[] = [];

beforeAll(async () => {
  if (unavailable !== null) return;
  server = await startPostgres();
  const adminPassword = randomBytes(18).toString('base64url');
  canary.register(adminPassword, 'admin password');
  const oldPassword = randomBytes(18).toString('base64url');
  canary.register(oldPassword, 'app_green password before rekey');
  // Setup is the only place a password is sent as text; it is kept out of the statement log.
  await server.quietSql(
    `CREATE ROLE rekey_admin LOGIN CREATEROLE PASSWORD '${adminPassword}';
     GRANT pg_signal_backend TO rekey_admin;
     CREATE ROLE app_blue NOLOGIN; CREATE ROLE app_single NOLOGIN;
     CREATE ROLE app_green LOGIN PASSWORD '${oldPassword}';`,
  );
  adminUrl = server.url('rekey_admin', adminPassword);
  bed = await startDistBed({ keys: KEYS, repos: [] });
}, 120_000);

afterAll(async () => {
  for (const s of sessions) await s.end().catch(() => undefined);
  await bed?.close();
  await server?.stop();
});

function port(env: Record<string, string>, over: Partial<PostgresRolesPort> = {}) {
  const real = createPostgresRoles({ env: (n) => env[n], allowPlaintextLoopback: true });
  const p: PostgresRolesPort = {
    ...real,
    setPassword: async (c, r, v) => (writes.push(`set ${r}`), real.setPassword(c, r, v)),
    disable: async (c, r) => (writes.push(`disable ${r}`), real.disable(c, r)),
    terminate: async (c, r) => (writes.push(`terminate ${r}`), real.terminate(c, r)),
    mark: async (c, r, m) => (writes.push(`mark ${r}`), real.mark(c, r, m)),
    ...over,
  };
  return p;
}

/** One distribution run with a postgres-role port; its statements from the server log. */
async function run(opts: { env?: Record<string, string>; over?: Partial<PostgresRolesPort> } = {}) {
  writes = [];
  const before = server.log().length;
  const ports = bed.ports({
    targets: (t) => ({
      ...t,
      kinds: { 'postgres-role': port(opts.env ?? { [CONN]: adminUrl }, opts.over) },
    }),
  });
  // One key at a time, so the writes of the two keys come in a stable order.
  const result = await distribute(bed.input({ concurrency: 1 }), ports);
  results.push(result);
  const log = server.log().slice(before);
  const admin = log
    .split('\n')
    .filter((l) => / rekey_admin@\w+ LOG: {2}(statement|execute)/.test(l));
  return {
    result,
    writes: [...writes],
    statements: admin.map((l) => l.replace(/^.*LOG: {2}(statement|execute [^:]*): /, '')),
    logins: log.split('\n').filter((l) => /connection authorized: user=app_/.test(l)).length,
    refused: log.split('\n').filter((l) => /password authentication failed for user "app_/.test(l))
      .length,
  };
}

const secret = (id: string, v: number) => bed.material(id, v).secret;

async function canLogIn(role: string, password: string): Promise<boolean> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: server.port,
    user: role,
    password,
    database: 'postgres',
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function session(role: string, password: string): Promise<pg.Client> {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: server.port,
    user: role,
    password,
    database: 'postgres',
  });
  c.on('error', () => undefined);
  await c.connect();
  sessions.push(c);
  return c;
}

const alive = (c: pg.Client) =>
  c.query('SELECT 1').then(
    () => true,
    () => false,
  );

const roleRow = async (role: string) =>
  (
    await server.sql<{ rolcanlogin: boolean; note: string | null }>(
      `SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS note FROM pg_roles WHERE rolname = $1`,
      [role],
    )
  )[0]!;

describe.skipIf(unavailable !== null)('postgres-role against a real server', () => {
  it('first run: v1 logs in on app_blue and app_single; app_green is disabled; converged after the login test', async () => {
    const r = await run();
    expect(r.result.problems).toEqual([]);
    expect(r.result.outcome).toBe('converged');
    expect(r.writes).toEqual([
      'set app_blue',
      'mark app_blue',
      'disable app_green',
      'set app_single',
      'mark app_single',
    ]);
    expect(await canLogIn('app_blue', secret(ALT, 1))).toBe(true);
    expect(await canLogIn('app_single', secret(SINGLE, 1))).toBe(true);
    expect((await roleRow('app_green')).rolcanlogin).toBe(false);
    const steps = r.result.evidence.keys.flatMap((k) => k.targets.flatMap((t) => t.steps));
    expect(steps.filter((s) => s.detail === 'set, login verified')).toHaveLength(2);
    expect((await roleRow('app_blue')).note).toBe(
      roleMarker(ALT, 1, bed.key(ALT).versions[0]!.fingerprint),
    );
  });

  it('a second run changes nothing: it only reads and logs in', async () => {
    const r = await run();
    expect(r.result.outcome).toBe('converged');
    expect(r.writes).toEqual([]);
    expect(r.result.keys.map((k) => k.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(r.statements.every((s) => s.startsWith('SELECT'))).toBe(true);
  });

  it('rotation: alternating keeps v1 logging in through grace; single user switches at once', async () => {
    const single = await session('app_single', secret(SINGLE, 1));
    bed.advance(86_400_000);
    await bed.rotate(ALT);
    await bed.rotate(SINGLE);
    await bed.commit('rekey: rotate');
    const r = await run();
    expect(r.result.outcome).toBe('converged');
    expect(r.writes).toEqual([
      'set app_green',
      'mark app_green',
      'set app_single',
      'mark app_single',
    ]);
    expect(await canLogIn('app_green', secret(ALT, 2))).toBe(true);
    expect(await canLogIn('app_blue', secret(ALT, 1))).toBe(true); // deactivated, in grace
    expect(await canLogIn('app_single', secret(SINGLE, 2))).toBe(true);
    expect(await canLogIn('app_single', secret(SINGLE, 1))).toBe(false); // the mismatch window
    expect(await alive(single)).toBe(true); // a plain rotation ends no session
    // SQL per rotation (both keys): 2 reads per target, then ALTER ROLE and COMMENT per role.
    const alters = r.statements.filter((s) => s.startsWith('ALTER ROLE'));
    expect(alters).toHaveLength(2);
    expect(alters.every((s) => /PASSWORD 'SCRAM-SHA-256\$4096:[^$]+\$[^:]+:[^']+'$/.test(s))).toBe(
      true,
    );
    console.log(
      `postgres-role rotation of 2 keys: ${r.statements.length} admin statements ` +
        `(${r.statements.filter((s) => s.startsWith('SELECT')).length} SELECT, ${alters.length} ALTER ROLE, ` +
        `${r.statements.filter((s) => s.startsWith('COMMENT')).length} COMMENT), ${r.logins + r.refused} role logins (${r.logins} accepted)`,
    );
    expect(r.statements).toHaveLength(8);
  });

  it('revocation: destroyed v1 leaves app_blue unusable; its open session may finish', async () => {
    const blue = await session('app_blue', secret(ALT, 1));
    bed.revoke(ALT, [1]);
    await bed.commit('rekey: revoke v1');
    const r = await run();
    expect(r.result.outcome).toBe('converged');
    expect(r.writes).toEqual(['disable app_blue']);
    expect(await canLogIn('app_blue', secret(ALT, 1))).toBe(false);
    expect((await roleRow('app_blue')).rolcanlogin).toBe(false);
    expect(await alive(blue)).toBe(true);
    expect(await canLogIn('app_green', secret(ALT, 2))).toBe(true);
  });

  it('compromise: the role that held it is disabled and its sessions ended in the same run', async () => {
    const green = await session('app_green', secret(ALT, 2));
    const single = await session('app_single', secret(SINGLE, 2));
    await bed.emergency(ALT, true);
    await bed.emergency(SINGLE, true);
    await bed.commit('rekey: emergency');
    const r = await run();
    expect(r.result.problems).toEqual([]);
    expect(r.result.outcome).toBe('converged');
    // v3 goes to app_blue; app_green held compromised v2. Single user: new password, sessions ended.
    expect(r.writes).toEqual([
      'set app_blue',
      'mark app_blue',
      'disable app_green',
      'terminate app_green',
      'set app_single',
      'terminate app_single',
      'mark app_single',
    ]);
    expect(await alive(green)).toBe(false);
    expect(await alive(single)).toBe(false);
    expect(await canLogIn('app_green', secret(ALT, 2))).toBe(false);
    expect(await canLogIn('app_blue', secret(ALT, 3))).toBe(true);
    expect(await canLogIn('app_single', secret(SINGLE, 2))).toBe(false);
    expect(await canLogIn('app_single', secret(SINGLE, 3))).toBe(true);
    const again = await run();
    expect(again.writes).toEqual([]);
    // Revoking the compromised versions afterwards has nothing left to do.
    bed.revoke(ALT, [2]);
    bed.revoke(SINGLE, [2]);
    await bed.commit('rekey: revoke the compromised versions');
    const revoked = await run();
    expect(revoked.result.outcome).toBe('converged');
    expect(revoked.writes).toEqual([]);
  });

  it('a wrong admin password fails preflight and writes nothing', async () => {
    bed.advance(86_400_000);
    await bed.rotate(ALT);
    await bed.commit('rekey: rotate');
    const wrong = adminUrl.replace(/:[^:@]+@/, ':not-the-password@');
    const r = await run({ env: { [CONN]: wrong } });
    expect(r.result.outcome).toBe('preflight-failed');
    expect(r.writes).toEqual([]);
    expect(r.statements).toEqual([]);
    expect(r.result.problems.join('\n')).toMatch(/admin connection failed: SQLSTATE 28P01/);
    expect(await canLogIn('app_green', secret(ALT, 4))).toBe(false);
    // TLS is verified by default: the same URL without sslmode=disable, to this server that
    // has no TLS, fails preflight too.
    const noTls = await run({ env: { [CONN]: adminUrl.replace('?sslmode=disable', '') } });
    expect(noTls.result.outcome).toBe('preflight-failed');
    expect(noTls.writes).toEqual([]);
    expect(noTls.statements).toEqual([]);
    expect(noTls.result.problems.join('\n')).toContain(
      'The server does not support SSL connections',
    );
    // The right password converges.
    const ok = await run();
    expect(ok.result.outcome).toBe('converged');
    expect(await canLogIn('app_green', secret(ALT, 4))).toBe(true);
    expect(await canLogIn('app_blue', secret(ALT, 3))).toBe(true);
  });

  it('a crash between the password change and the login test: the next run converges', async () => {
    bed.advance(86_400_000);
    await bed.rotate(ALT);
    await bed.commit('rekey: rotate');
    // The run's first write happened (v5's verifier on app_blue), then the process died.
    const p = port({ [CONN]: adminUrl });
    await p.setPassword(CONN, 'app_blue', SecretValue.of(secret(ALT, 5)));
    const marker = (await roleRow('app_blue')).note;
    expect(marker).toBe(
      roleMarker(ALT, 3, bed.key(ALT).versions.find((v) => v.version === 3)!.fingerprint),
    );
    const r = await run();
    expect(r.result.outcome).toBe('converged');
    const steps = r.result.evidence.keys.flatMap((k) => k.targets.flatMap((t) => t.steps));
    expect(steps.map((s) => s.step).join('\n')).toContain('app_blue');
    expect(steps.map((s) => s.step).join('\n')).toContain(
      'the change was not completed (no marker)',
    );
    expect(steps.map((s) => s.detail)).toContain('set, login verified');
    expect((await roleRow('app_blue')).note).toMatch(/ v5 /);
  });

  it('a login test that fails keeps the target unconverged; the next run converges', async () => {
    bed.advance(86_400_000);
    await bed.rotate(ALT);
    await bed.commit('rekey: rotate');
    const real = createPostgresRoles({
      env: (n) => (n === CONN ? adminUrl : undefined),
      allowPlaintextLoopback: true,
    });
    const r = await run({
      over: {
        // The login test after app_green's change is refused (as if the server lost it).
        login: async (c, role, v) =>
          role === 'app_green' && writes.includes('set app_green')
            ? { result: 'refused', code: '28P01' }
            : real.login(c, role, v),
      },
    });
    expect(r.result.outcome).toBe('failed');
    expect(r.writes).toEqual(['set app_green']); // no marker without a login
    expect(r.result.keys[0]!.targets[0]!.errors.join('\n')).toContain(
      'login test as app_green with v6 refused (28P01)',
    );
    const ok = await run();
    expect(ok.result.outcome).toBe('converged');
    expect(ok.writes).toEqual(['set app_green', 'mark app_green']);
  });

  it('canary: no secret in rekey logs, results, evidence, summaries, nor in the server statement log', async () => {
    const log = server.log();
    canary.scan({
      'rekey logs': bed.logs.join('\n'),
      results: JSON.stringify(results),
      summaries: results.map(renderDistributeSummary).join('\n'),
      'server log (log_statement=all)': log,
    });
    expect(canary.size).toBeGreaterThan(10);
    // The statements were logged: the verifier and the marker, never the password.
    expect(log).toContain("PASSWORD 'SCRAM-SHA-256$4096:");
    expect(log).toMatch(/COMMENT ON ROLE "app_blue" IS 'rekey db\/app v\d+ /);
    // Control: a password sent as text would be found in the same log.
    expect(() =>
      canary.scan({ control: `${log}\nALTER ROLE x PASSWORD '${secret(ALT, 6)}'` }),
    ).toThrow(CanaryLeakError);
  });
});
