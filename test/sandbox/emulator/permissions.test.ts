// The routes rekey uses, each with the permission GitHub's App permission data gives it
// (src/sandbox/emulator/permissions.ts), and proof that the emulator enforces exactly that:
// a token missing the permission gets GitHub's 403 naming it, a token with only it gets past.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../src/sandbox/emulator/index.ts';
import { route } from '../../../src/sandbox/emulator/http.ts';
import {
  acceptedHeader,
  appTokenInput,
  grantsFor,
  type Access,
  ROUTE_PERMISSIONS,
  type RoutePermission,
} from '../../../src/sandbox/emulator/permissions.ts';
import { router } from '../../../src/sandbox/emulator/server.ts';

const PARAMS: Record<string, string> = {
  owner: 'acme',
  repo: 'infra',
  org: 'acme',
  ref: 'heads/main',
  branch: 'main',
  path: 'README.md',
  basehead: 'main...main',
  tree_sha: 'main',
  commit_sha: '0'.repeat(40),
  file_sha: '0'.repeat(40),
  sha: '0'.repeat(40),
  pull_number: '1',
  issue_number: '1',
  name: 'label',
  environment_name: 'production',
  secret_name: 'S',
  repository_id: '1',
  key_id: '1',
  workflow_id: 'ci.yml',
};

const pathOf = (template: string): string =>
  template.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(PARAMS[n] ?? 'x'));

const describeSets = (p: RoutePermission): string =>
  p.anyOf.map((set) => set.map((x) => `${x.name}:${x.access}`).join(' + ')).join(' | ');

/**
 * Every permission the table names, at its highest level, minus the route's own. Any
 * repository permission implies metadata read, so a metadata route is tried with none at all.
 */
function allBut(entry: RoutePermission): Record<string, Access> {
  const out: Record<string, Access> = {};
  if (entry.anyOf.every((set) => set.every((x) => x.name === 'metadata'))) return out;
  for (const p of ROUTE_PERMISSIONS)
    for (const set of p.anyOf)
      for (const x of set) if (x.name !== 'metadata') out[x.name] = 'admin';
  for (const set of entry.anyOf) for (const x of set) delete out[x.name];
  return out;
}

let emu: Emulator;
beforeAll(async () => {
  // No OpenAPI validator: these requests carry placeholder bodies, and authorization is what
  // is under test (GitHub checks it before it reads the body).
  emu = await startEmulator({});
  await emu.addRepo({ fullName: 'acme/infra', private: false, environments: ['production'] });
});
afterAll(async () => {
  await emu.close();
});

async function call(entry: RoutePermission, token: string): Promise<Response> {
  return fetch(`${emu.apiUrl}${pathOf(entry.route)}`, {
    method: entry.method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: entry.method === 'GET' || entry.method === 'DELETE' ? undefined : '{}',
  });
}

describe('the permission table', () => {
  it('lists each route once, and exactly the routes the emulator serves', () => {
    const keys = ROUTE_PERMISSIONS.map((p) => `${p.method} ${p.route}`);
    expect(new Set(keys).size).toBe(keys.length);
    const served = router.routes.map((r) => `${r.method} ${r.template}`).sort();
    expect(served).toEqual([...keys].sort());
    for (const r of router.routes)
      expect(r.permission).toBe(ROUTE_PERMISSIONS[keys.indexOf(`${r.method} ${r.template}`)]);
  });

  it('refuses to register a route it has no entry for', () => {
    expect(() =>
      route('GET', '/repos/{owner}/{repo}/hooks', async () => ({ status: 200 })),
    ).toThrow(
      /GET \/repos\/\{owner\}\/\{repo\}\/hooks has no entry in src\/sandbox\/emulator\/permissions\.ts/,
    );
  });

  it('records what GitHub says for the cases rekey depends on', () => {
    const find = (method: string, r: string) =>
      ROUTE_PERMISSIONS.find((p) => p.method === method && p.route === r);
    const env = find(
      'PUT',
      '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
    );
    expect(env && describeSets(env)).toBe('environments:write + secrets:write');
    const reviewers = find('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers');
    expect(reviewers?.conditional?.map((c) => `${c.name}:${c.access}`)).toEqual(['members:read']);
    expect(find('GET', '/repos/{owner}/{repo}/environments/{environment_name}')?.anyOf).toEqual([
      [{ name: 'actions', access: 'read' }],
    ]);
    expect(find('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge')?.anyOf).toEqual([
      [{ name: 'contents', access: 'write' }],
    ]);
  });
});

describe.each(ROUTE_PERMISSIONS.map((p) => [`${p.method} ${p.route}`, p] as const))(
  '%s',
  (_, entry) => {
    it(`needs ${describeSets(entry)}`, async () => {
      const without = emu.addToken({ kind: 'app', permissions: allBut(entry) });
      const refused = await call(entry, without);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('x-accepted-github-permissions')).toBe(acceptedHeader(entry));
      expect(((await refused.json()) as { message: string }).message).toBe(
        'Resource not accessible by integration',
      );
      for (const set of entry.anyOf) {
        const only = Object.fromEntries(set.map((x) => [x.name, x.access]));
        const res = await call(entry, emu.addToken({ kind: 'app', permissions: only }));
        expect(res.status, `${describeSets({ ...entry, anyOf: [set] })} alone`).not.toBe(403);
      }
    });
  },
);

describe('grants for a job', () => {
  it('sums the routes a job calls into the grants its token needs', () => {
    const R = '/repos/{owner}/{repo}';
    expect(
      grantsFor([
        `GET ${R}/environments/{environment_name}/secrets`,
        `PUT ${R}/environments/{environment_name}/secrets/{secret_name}`,
        `POST ${R}/keys`,
        `GET ${R}`,
      ]),
    ).toEqual({ environments: 'write', secrets: 'write', administration: 'write' });
    const reviewers = [`POST ${R}/pulls/{pull_number}/requested_reviewers`];
    expect(grantsFor(reviewers)).toEqual({ pull_requests: 'write' });
    expect(grantsFor(reviewers, (c) => c.name === 'members')).toEqual({
      pull_requests: 'write',
      members: 'read',
    });
    expect(() => grantsFor([`GET ${R}/hooks`])).toThrow(/has no entry/);
  });

  it('names the create-github-app-token input for each permission, none for org Dependabot secrets', () => {
    expect(appTokenInput('pull_requests')).toBe('permission-pull-requests');
    expect(appTokenInput('members')).toBe('permission-members');
    expect(appTokenInput('organization_secrets')).toBe('permission-organization-secrets');
    expect(appTokenInput('organization_dependabot_secrets')).toBeNull();
  });
});
