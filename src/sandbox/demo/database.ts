/**
 * The demo's database step: one rotation of a `postgres-role` target (alternating users) on a
 * real PostgreSQL server started for the step (postgres.ts), through the target kind's real
 * desired state, observation, plan and apply, and its probe: the login test. A random key is
 * generated here (the template's keys have no database target): v1 goes to app_blue, then the
 * rotation puts v2 on app_green while v1 keeps logging in through grace.
 *
 * Skipped, saying why, when the server binaries are absent. Secrets go to `mask` first.
 */
import { createPostgresRoles } from '../../adapters/targets/postgres.ts';
import { keyDocument, type KeyDocument } from '../../core/formats/key.ts';
import type { TargetPorts } from '../../core/ports/targets.ts';
import {
  applyTargetPlan,
  desiredState,
  observeTargets,
  planTargets,
  probeTargets,
  SecretValue,
} from '../../core/targets/index.ts';
import { generateKey, type GeneratedKey } from '../../crypto/keys/index.ts';
import { postgresUnavailable, startPostgres } from './postgres.ts';

const CONN = 'REKEY_PG_ORDERS';
const TARGET = {
  kind: 'postgres-role',
  connection: CONN,
  strategy: 'alternating-users',
  roles: ['app_blue', 'app_green'],
};

const unused = () => Promise.reject(new Error('the database step writes no GitHub target'));
const noGitHub: Omit<TargetPorts, 'kinds'> = {
  secrets: {
    publicKey: unused,
    listSecrets: unused,
    selectedRepositories: unused,
    putSecret: unused,
    deleteSecret: unused,
  },
  deployKeys: { listDeployKeys: unused, addDeployKey: unused, deleteDeployKey: unused },
  files: { readFile: unused, writeFile: unused, deleteFile: unused },
};

function keyOf(versions: readonly { key: GeneratedKey; state: string }[]): KeyDocument {
  return keyDocument.parse({
    id: 'db/orders',
    description: 'the orders service database login',
    owner: '@acme/platform',
    policy: 'standard',
    type: 'random',
    options: { bytes: 32, encoding: 'base64' },
    targets: [TARGET],
    versions: versions.map((v, i) => ({
      version: versions.length - i,
      state: v.state,
      created: '2027-02-24T12:00:00Z',
      fingerprint: v.key.fingerprint,
    })),
  });
}

export async function databaseRotation(
  say: (line: string) => void,
  mask: (value: string) => void,
): Promise<string[]> {
  const why = postgresUnavailable();
  if (why !== null) {
    say(`  skipped: ${why}`);
    return [];
  }
  const problems: string[] = [];
  const server = await startPostgres();
  try {
    const adminPassword = (await generateKey('random', { bytes: 18, encoding: 'hex' })).secret;
    mask(adminPassword);
    await server.quietSql(
      `CREATE ROLE rekey_admin LOGIN CREATEROLE PASSWORD '${adminPassword}';
       GRANT pg_signal_backend TO rekey_admin;
       CREATE ROLE app_blue NOLOGIN; CREATE ROLE app_green NOLOGIN;`,
    );
    say(`  PostgreSQL ${server.host}:${server.port}, every statement logged; admin rekey_admin`);
    say(
      `  (CREATEROLE, pg_signal_backend) from ${CONN}; target: app_blue and app_green take turns`,
    );
    const url = server.url('rekey_admin', adminPassword);
    mask(url);
    const ports: TargetPorts = {
      ...noGitHub,
      kinds: {
        'postgres-role': createPostgresRoles({
          env: (n) => (n === CONN ? url : undefined),
          allowPlaintextLoopback: true, // loopback only, the demo's own server
        }),
      },
    };
    const once = async (label: string, key: KeyDocument, material: GeneratedKey[]) => {
      const before = server.log().length;
      const live = material.map((m, i) => ({
        version: material.length - i,
        secret: SecretValue.of(m.secret),
      }));
      const desired = desiredState(key, live);
      const plan = planTargets(key, desired, await observeTargets(desired, ports));
      const applied = await applyTargetPlan(plan, ports);
      say(`  ${label}`);
      for (const r of applied.results) {
        say(`    ${r.step}`);
        say(`      -> ${r.outcome === 'done' ? r.detail : `FAILED ${r.error}`}`);
      }
      for (const p of [
        ...plan.problems.map((x) => x.message),
        ...applied.results.flatMap((r) => r.error ?? []),
      ])
        problems.push(`db/orders: ${p}`);
      for (const p of await probeTargets(desired, ports)) {
        say(`    probe: ${p.probe}: v${p.version} ${p.outcome}${p.detail ? ` (${p.detail})` : ''}`);
        if (p.outcome !== 'confirmed') problems.push(`db/orders: probe ${p.probe}: ${p.outcome}`);
      }
      const sql = server
        .log()
        .slice(before)
        .split('\n')
        .filter((l) => / rekey_admin@\w+ LOG: {2}(statement|execute)/.test(l)).length;
      say(
        `    ${sql} SQL statements as rekey_admin; the server log holds a SCRAM verifier, no password`,
      );
    };
    const v1 = await generateKey('random', { bytes: 32, encoding: 'base64' });
    mask(v1.secret);
    await once('distribute v1 (active):', keyOf([{ key: v1, state: 'active' }]), [v1]);
    const v2 = await generateKey('random', { bytes: 32, encoding: 'base64' });
    mask(v2.secret);
    await once(
      'rotate: v2 active, v1 deactivated (in grace):',
      keyOf([
        { key: v2, state: 'active' },
        { key: v1, state: 'deactivated' },
      ]),
      [v2, v1],
    );
  } finally {
    await server.stop();
  }
  return problems;
}
