// One target, one owner: shared secrets, deploy keys and files, and secrets one job reads at
// two levels, compared as GitHub compares names.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/core/diagnostics.ts';
import { keyDocument, loadDocument, type KeyDocument } from '../../../src/core/formats/index.ts';
import type { Located } from '../../../src/core/snapshot.ts';
import { checkTargetOwnership, TARGET_RULES } from '../../../src/core/targets/ownership.ts';

/** A key.yaml for `id` with `targets` (one flow mapping per line), loaded with locations. */
function key(
  id: string,
  targets: string[],
  type = 'random',
  versions: string[] = [],
): Located<KeyDocument> {
  const text = [
    `id: ${id}`,
    'description: test key',
    'owner: "@acme/payments"',
    'policy: standard',
    `type: ${type}`,
    ...(type === 'random' ? ['options: { bytes: 32 }'] : []),
    'targets:',
    ...targets.map((t) => `  - ${t}`),
    ...(versions.length > 0 ? ['versions:', ...versions.map((v) => `  - ${v}`)] : []),
    '',
  ].join('\n');
  const file = `keys-manifest/${id}/key.yaml`;
  const r = loadDocument(file, new TextEncoder().encode(text), keyDocument);
  expect(r.diagnostics).toEqual([]);
  return r.doc!;
}

/** `rule@file:line` per finding, sorted. */
const brief = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.rule}@${d.file}:${d.line}`).sort();

const A = 'keys-manifest/a/key.yaml';
const B = 'keys-manifest/b/key.yaml';
const secret = (fields: string) => `{ kind: github-secret, ${fields} }`;

describe('target/shared', () => {
  it.each([
    [
      'the same repository secret',
      'repository: acme/api, name: K',
      'repository: acme/api, name: K',
    ],
    ['names differing in case', 'repository: acme/api, name: k', 'repository: ACME/Api, name: K'],
    [
      'an environment secret, environments differing in case',
      'repository: acme/api, environment: Production, name: K',
      'repository: acme/api, environment: production, name: K',
    ],
    [
      'a previous against a name',
      'repository: acme/api, name: X, previous: K',
      'repository: acme/api, name: K',
    ],
    [
      'a previous against a previous',
      'repository: acme/api, name: X, previous: K',
      'repository: acme/api, name: Z, previous: k',
    ],
    [
      'an organization secret',
      'organization: acme, name: K',
      'organization: ACME, visibility: all, name: K',
    ],
    [
      'a Dependabot secret',
      'repository: acme/api, app: dependabot, name: K',
      'repository: acme/api, app: dependabot, name: K',
    ],
  ])('two keys writing %s', (_, a, b) => {
    const ds = checkTargetOwnership([key('a', [secret(a)]), key('b', [secret(b)])]);
    const shared = ds.filter((d) => d.rule === 'target/shared');
    expect(shared.map((d) => d.file).sort()).toEqual([A, B]);
    // Each names the other's file and line.
    const atA = shared.find((d) => d.file === A)!;
    const atB = shared.find((d) => d.file === B)!;
    expect(atA.message).toContain(`key b (${B}:${atB.line})`);
    expect(atB.message).toContain(`key a (${A}:${atA.line})`);
    expect(atA.line).toBe(8);
  });

  it('two targets of one key writing one secret', () => {
    const ds = checkTargetOwnership([
      key('a', [secret('repository: acme/api, name: K'), secret('repository: acme/api, name: k')]),
    ]);
    expect(brief(ds)).toEqual([`target/shared@${A}:8`, `target/shared@${A}:9`]);
    expect(ds[0]!.message).toMatch(/this key \(keys-manifest\/a\/key.yaml:\d\)/);
  });

  it.each([
    [
      'different apps',
      'repository: acme/api, name: K',
      'repository: acme/api, app: dependabot, name: K',
    ],
    ['different repositories', 'repository: acme/api, name: K', 'repository: acme/web, name: K'],
    [
      'different environments',
      'repository: acme/api, environment: production, name: K',
      'repository: acme/api, environment: staging, name: K',
    ],
    ['different organizations', 'organization: acme, name: K', 'organization: other, name: K'],
    ['different names', 'repository: acme/api, name: K1', 'repository: acme/api, name: K2'],
  ])('nothing for %s', (_, a, b) => {
    expect(checkTargetOwnership([key('a', [secret(a)]), key('b', [secret(b)])])).toEqual([]);
  });

  it('two deploy-key targets of one key, in one repository or two', () => {
    const dk = (repo: string, title: string) =>
      `{ kind: github-deploy-key, repository: ${repo}, title: ${title} }`;
    const ds = checkTargetOwnership([
      key('a', [dk('acme/api', 'ci'), dk('acme/web', 'ci')], 'ssh-ed25519'),
      key('b', [dk('acme/api', 'ci')], 'ssh-ed25519'),
    ]);
    // Keys a and b may share a repository and title: rekey titles each key's deploy keys by id.
    expect(brief(ds)).toEqual([`target/shared@${A}:7`, `target/shared@${A}:8`]);
    expect(ds[0]!.message).toMatch(/one repository only/);
  });

  it('two keys holding one ssh public key, each a deploy key, in any repositories', () => {
    const dk = (repo: string) => `{ kind: github-deploy-key, repository: ${repo}, title: ci }`;
    const fp = (c: string) => `SHA256:${c.repeat(43)}`;
    const v = (n: number, state: string, f: string) =>
      `{ version: ${n}, state: ${state}, created: "2026-01-01T00:00:00Z", fingerprint: "${f}" }`;
    const ds = checkTargetOwnership([
      key('a', [dk('acme/api')], 'ssh-ed25519', [v(1, 'active', fp('x'))]),
      // b's deactivated v1 is a's active v1 (a copied version); its v2 is its own.
      key('b', [dk('acme/web')], 'ssh-ed25519', [
        v(1, 'deactivated', fp('x')),
        v(2, 'active', fp('y')),
      ]),
      // A destroyed copy is no deploy key any more.
      key('c', [dk('acme/ops')], 'ssh-ed25519', [v(1, 'destroyed', fp('x'))]),
      key('d', [dk('acme/ops')], 'ssh-ed25519', [v(1, 'active', fp('z'))]),
    ]);
    expect(brief(ds)).toEqual([`target/shared@${A}:7`, `target/shared@${B}:7`]);
    const onA = ds.find((d) => d.file === A)!;
    expect(onA.message).toContain(`key b (${B}:7)`);
    expect(onA.message).toContain(fp('x'));
    expect(onA.message).toMatch(/already in use/);
  });

  it('two keys writing one file, paths differing in case, or a file inside another', () => {
    const file = (path: string) => `{ kind: file, path: ${path}, format: raw }`;
    const ds = checkTargetOwnership([
      key('a', [file('out/app.env'), file('out/x')]),
      key('b', [file('OUT/App.env'), file('out/x/y')]),
    ]);
    expect(brief(ds)).toEqual([
      `target/shared@${A}:8`,
      `target/shared@${A}:9`,
      `target/shared@${B}:8`,
      `target/shared@${B}:9`,
    ]);
  });
});

describe('target/shadowed', () => {
  const env = 'repository: acme/api, environment: production, name: K';
  it.each([
    ['an environment secret over a repository secret', env, 'repository: acme/api, name: k'],
    [
      'an environment secret over an organization secret (all)',
      env,
      'organization: acme, visibility: all, name: K',
    ],
    [
      'an environment secret over an organization secret (private, the default)',
      env,
      'organization: Acme, name: K',
    ],
    [
      'an environment secret over an organization secret (selected)',
      env,
      'organization: acme, visibility: selected, selected-repositories: [acme/API], name: K',
    ],
    [
      'a repository secret over an organization secret',
      'repository: acme/api, name: K',
      'organization: acme, name: K',
    ],
  ])('%s, written by two keys', (_, a, b) => {
    const ds = checkTargetOwnership([key('a', [secret(a)]), key('b', [secret(b)])]);
    expect(brief(ds)).toEqual([`target/shadowed@${A}:8`, `target/shadowed@${B}:8`]);
    expect(ds.find((d) => d.file === A)!.message).toMatch(
      /shadows .* key b writes \(keys-manifest\/b\/key.yaml:8\)/,
    );
    expect(ds.find((d) => d.file === B)!.message).toMatch(
      /is shadowed by .* key a writes \(keys-manifest\/a\/key.yaml:8\)/,
    );
  });

  it.each([
    ['another repository', env, 'repository: acme/web, name: K'],
    ['an organization secret of another organization', env, 'organization: other, name: K'],
    [
      'an organization secret not selected for the repository',
      env,
      'organization: acme, visibility: selected, selected-repositories: [acme/web], name: K',
    ],
    [
      'two environments of one repository',
      env,
      'repository: acme/api, environment: staging, name: K',
    ],
    ['another app', env, 'repository: acme/api, app: dependabot, name: K'],
  ])('nothing across %s', (_, a, b) => {
    expect(checkTargetOwnership([key('a', [secret(a)]), key('b', [secret(b)])])).toEqual([]);
  });

  it("one key's name at two levels is one value; its name against its previous is not", () => {
    expect(
      checkTargetOwnership([key('a', [secret(env), secret('repository: acme/api, name: K')])]),
    ).toEqual([]);
    const ds = checkTargetOwnership([
      key('a', [secret(env), secret('repository: acme/api, name: X, previous: K')]),
    ]);
    expect(brief(ds)).toEqual([`target/shadowed@${A}:8`, `target/shadowed@${A}:9`]);
  });

  it('has a catalogue entry for every rule it reports', () => {
    expect(Object.keys(TARGET_RULES).sort()).toEqual(['target/shadowed', 'target/shared']);
  });
});

describe('target/shared: PostgreSQL roles', () => {
  const pg = (conn: string, strategy: string, roles: string) =>
    `{ kind: postgres-role, connection: ${conn}, strategy: ${strategy}, roles: ${roles} }`;

  it('two keys setting one role on one server are refused, each naming the other', () => {
    const ds = checkTargetOwnership([
      key('a', [pg('REKEY_PG_MAIN', 'alternating-users', '[app_blue, app_green]')]),
      key('b', [pg('REKEY_PG_MAIN', 'single-user', '[app_green]')]),
    ]);
    expect(brief(ds)).toEqual([`target/shared@${A}:8`, `target/shared@${B}:8`]);
    expect(ds[0]!.message).toContain(
      'PostgreSQL role app_green (REKEY_PG_MAIN) is also written by key b',
    );
  });

  it('the same role name on another server is another role', () => {
    const ds = checkTargetOwnership([
      key('a', [pg('REKEY_PG_MAIN', 'single-user', '[app]')]),
      key('b', [pg('REKEY_PG_OTHER', 'single-user', '[app]')]),
    ]);
    expect(ds).toEqual([]);
  });
});
