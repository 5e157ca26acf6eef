// scripts/smoke-github.ts against the emulator, the stand-in for a real scratch repository: it
// calls every route rekey uses, answers as GitHub would, prints no secret, and leaves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeGitHub } from '../../scripts/smoke-github.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { ROUTE_PERMISSIONS } from '../../src/sandbox/emulator/permissions.ts';
import { SecretValue } from '../../src/core/targets/secret-value.ts';
import { openApiValidator } from '../support/openapi.ts';

const CANARY = 'rekey-smoke-canary-9f3a1c77e2b84d05';

const FULL = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  statuses: 'write',
  secrets: 'write',
  environments: 'write',
  dependabot_secrets: 'write',
  administration: 'write',
  actions: 'read',
  members: 'read',
  organization_secrets: 'write',
  organization_dependabot_secrets: 'write',
} as const;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ validator: openApiValidator() });
  await emu.addRepo({
    fullName: 'acme/scratch',
    environments: ['production'],
    files: { 'README.md': '# scratch\n', '.github/workflows/ci.yml': 'on: push\njobs: {}\n' },
  });
  emu.addUser('alice');
});
afterAll(async () => {
  await emu.close();
});

const written: string[] = [];

async function run(permissions: Record<string, string>, runId: string) {
  const lines: string[] = [];
  const calls = await smokeGitHub({
    apiUrl: emu.apiUrl,
    token: emu.addToken({ kind: 'app', login: 'rekey', permissions: permissions as typeof FULL }),
    repo: 'acme/scratch',
    environment: 'production',
    org: 'acme',
    reviewer: 'alice',
    team: 'security',
    runId,
    secretValue: () => SecretValue.of(CANARY),
    log: (l) => {
      lines.push(l);
      if (/^ok +20\d PUT \/repos\/\{owner\}\/\{repo\}\/actions\/secrets\/\{secret_name\}$/.test(l))
        written.push(
          emu.openSecret({ repository: 'acme/scratch' }, `REKEY_SMOKE_${runId.toUpperCase()}`),
        );
    },
  });
  return { calls, lines };
}

describe('smoke-github over the emulator', () => {
  it('calls each route rekey uses, all answered as expected, and cleans up', async () => {
    const { calls, lines } = await run(FULL, 'a1b2');
    // The canary really was written (the log line of the PUT comes while it exists) ...
    expect(written).toEqual([CANARY]);
    // ... and no line carries it.
    expect(lines.join('\n')).not.toContain(CANARY);
    expect(
      calls.filter((c) => !c.ok),
      lines.filter((l) => l.startsWith('FAIL')).join('\n'),
    ).toEqual([]);
    const called = new Set(calls.map((c) => `${c.method} ${c.route}`));
    const missed = ROUTE_PERMISSIONS.map((p) => `${p.method} ${p.route}`).filter(
      (k) => !called.has(k),
    );
    // Only people merge (the demo's reviewers do); rekey never calls it.
    expect(missed).toEqual(['PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge']);
    expect(
      lines.some((l) => /^ok +201 POST \/repos\/\{owner\}\/\{repo\}\/git\/refs$/.test(l)),
    ).toBe(true);
    emu.assertNoInvalidRequests();
    // Nothing left but what the API cannot undo.
    const repo = emu.repo('acme/scratch');
    expect(await repo.git.readRef('refs/heads/rekey-smoke/a1b2')).toBeNull();
    expect(await repo.git.readRef('refs/rekey/distribution')).toBeNull();
    expect(await repo.git.readRef('refs/rekey/smoke-a1b2')).toBeNull();
    // A status on a commit only refs/rekey/* reach was taken and listed with its creator.
    expect(lines).toContain(
      'ok   CHECK a status on a commit only refs/rekey/* reach is listed, with its creator  (creator rekey[bot])',
    );
    expect(repo.deployKeys).toEqual([]);
    for (const scope of [
      { repository: 'acme/scratch' },
      { repository: 'acme/scratch', app: 'dependabot' as const },
      { repository: 'acme/scratch', environment: 'production' },
      { organization: 'acme' },
      { organization: 'acme', app: 'dependabot' as const },
    ])
      expect(emu.secretNames(scope)).toEqual([]);
  });

  it('shows the missing permission of each refused call, and never a secret value', async () => {
    const { environments: _, members: __, ...rest } = FULL;
    const { calls, lines } = await run(rest, 'c3d4');
    const refused = calls.filter((c) => !c.ok);
    expect(refused.map((c) => `${c.status} ${c.method} ${c.route} ${c.accepted}`)).toEqual([
      '403 GET /orgs/{org}/teams members=read',
      expect.stringMatching(
        /^422 POST \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}\/requested_reviewers null$/,
      ),
      ...[
        'GET public-key',
        'GET ',
        'PUT {secret_name}',
        'GET {secret_name}',
        'DELETE {secret_name}',
      ].map((k) => {
        const [method = '', tail = ''] = k.split(' ');
        const route = `/repos/{owner}/{repo}/environments/{environment_name}/secrets${tail ? `/${tail}` : ''}`;
        return `403 ${method} ${route} ${method === 'GET' ? 'environments=read,secrets=read' : 'environments=write,secrets=write'}`;
      }),
    ]);
    expect(lines.join('\n')).toMatch(
      /FAIL 403 GET \/repos\/\{owner\}\/\{repo\}\/environments\/\{environment_name\}\/secrets\/public-key {2}\[accepts: environments=read,secrets=read\]/,
    );
    // The sealed boxes and the random values never reach the output: no line carries base64
    // of the length a sealed 24-byte value has, nor a key id.
    for (const l of lines) expect(l).not.toMatch(/[A-Za-z0-9+/]{40,}={0,2}/);
    const out = lines.join('\n');
    expect(out).not.toContain(CANARY);
    expect(out).not.toContain(Buffer.from(CANARY).toString('base64'));
  });
});
