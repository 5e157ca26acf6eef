// scripts/check-permissions.ts against files in the shape of GitHub's
// server-to-server-permissions.json, built here from the table (no copy of GitHub's file is
// committed), then changed the ways a newer GitHub file could differ.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../scripts/check-permissions.ts';
import {
  comparePermissions,
  type GitHubPermissionData,
} from '../../src/sandbox/emulator/permission-check.ts';
import { ROUTE_PERMISSIONS } from '../../src/sandbox/emulator/permissions.ts';

const dir = mkdtempSync(join(tmpdir(), 'rekey-perm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table written out the way GitHub's file is organised: permission -> operations. */
function asGitHubFile(): GitHubPermissionData {
  const out: GitHubPermissionData = {};
  const add = (name: string, method: string, path: string, access: string, more: boolean) => {
    out[name] ??= { title: name, permissions: [] };
    out[name].permissions.push({
      verb: method.toLowerCase(),
      requestPath: path,
      access,
      'server-to-server': true,
      'additional-permissions': more,
    });
  };
  for (const p of ROUTE_PERMISSIONS) {
    const grants = [...p.anyOf.flat(), ...(p.conditional ?? []).filter((c) => c.inData)];
    for (const g of grants) add(g.name, p.method, p.route, g.access, grants.length > 1);
  }
  return out;
}

function run(data: unknown): { code: number; out: string[]; err: string[] } {
  const file = join(dir, `data-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(data));
  const out: string[] = [];
  const err: string[] = [];
  const code = main([file], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const ENV_PUT = 'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}';

describe('check-permissions', () => {
  it('reports no difference for a file that says what the table says', () => {
    const { code, out } = run(asGitHubFile());
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      new RegExp(`^${ROUTE_PERMISSIONS.length} routes checked against .*: the table matches$`),
    );
    expect(code).toBe(0);
  });

  it('names each route whose permission moved, appeared or went away, and exits 1', () => {
    const data = asGitHubFile();
    // Environment secrets listed under environments only; reviewers now listing members;
    // statuses creation gone from the file.
    const secrets = data['secrets'];
    if (secrets)
      secrets.permissions = secrets.permissions.filter(
        (op) => !op.requestPath.includes('/environments/'),
      );
    data['members'] = {
      permissions: [
        {
          verb: 'post',
          requestPath: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
          access: 'read',
          'server-to-server': true,
        },
      ],
    };
    const statuses = data['statuses'];
    if (statuses) statuses.permissions = statuses.permissions.filter((op) => op.verb !== 'post');
    const { code, out } = run(data);
    expect(code).toBe(1);
    expect(out).toContain(`${ENV_PUT}: the table has secrets=write, GitHub's data does not`);
    expect(out).toContain(
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers: GitHub lists members=read, the table does not',
    );
    expect(out).toContain(
      "POST /repos/{owner}/{repo}/statuses/{sha}: not in GitHub's data (renamed, removed, or never listed)",
    );
    expect(out.at(-1)).toMatch(/^\d+ difference\(s\) in \d+ routes: update src\/sandbox/);
  });

  it('treats an operation open to user tokens only as missing for Apps', () => {
    const data = asGitHubFile();
    for (const group of Object.values(data))
      for (const op of group.permissions)
        if (op.requestPath === '/repos/{owner}/{repo}/keys' && op.verb === 'post')
          op['server-to-server'] = false;
    expect(comparePermissions(ROUTE_PERMISSIONS, data)).toEqual([
      'POST /repos/{owner}/{repo}/keys: GitHub lists it for user tokens only, not for GitHub Apps',
    ]);
  });

  it('refuses, with exit 2 and the file name, what is not GitHub file', () => {
    const bad = run({ contents: { permissions: [{ verb: 'get' }] } });
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(
      /data-\w+\.json: not the shape of GitHub's .* at contents\.permissions\.0\.requestPath/,
    );
    const missing = main([join(dir, 'absent.json')], { out: () => {}, err: () => {} });
    expect(missing).toBe(2);
    expect(main([], { out: () => {}, err: () => {} })).toBe(2);
  });
});
