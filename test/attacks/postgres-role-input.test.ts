// Attack: a pull request aims a postgres-role target at something else than a login role's
// password. A role name that would break out of the identifier (`app"; DROP ROLE ...`), a
// reserved `pg_` role, an admin connection read from another secret of the distribution job
// (GITHUB_TOKEN, SOPS_AGE_KEY), and a strategy with the wrong number of roles. validate
// refuses each with the file, the line and the rule, before anything runs; a well-formed
// target (the control) passes. rekey quotes identifiers anyway (escapeIdentifier).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackRepo, cliValidate, edit, type AttackRepo } from './manifest-harness.ts';

const KEY = 'keys-manifest/payments/webhook-signing/key.yaml';
let repo: AttackRepo;
beforeAll(() => {
  repo = attackRepo();
});
afterAll(() => repo?.cleanup());

const withTarget = (lines: string) => (dir: string) =>
  edit(dir, KEY, (t) => t.replace('targets:\n', `targets:\n${lines}`));

const target = (connection: string, strategy: string, roles: string) =>
  `  - kind: postgres-role\n    connection: ${connection}\n    strategy: ${strategy}\n    roles: ${roles}\n`;

describe('postgres-role targets from a pull request', () => {
  it('a well-formed target validates', async () => {
    const ok = repo.branch(
      'pg-ok',
      withTarget(target('REKEY_PG_PAYMENTS', 'alternating-users', '[pay_blue, pay_green]')),
    );
    const { run, findings } = await cliValidate(repo.dir, ok);
    expect(findings, JSON.stringify(findings)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it.each([
    [
      'an identifier break-out',
      target('REKEY_PG_PAYMENTS', 'single-user', `['app"; DROP ROLE postgres; --']`),
      'a role name',
    ],
    ['a reserved role', target('REKEY_PG_PAYMENTS', 'single-user', '[pg_monitor]'), 'reserved'],
    ['another secret of the job', target('GITHUB_TOKEN', 'single-user', '[app]'), 'REKEY_PG_'],
    ['the age identity', target('SOPS_AGE_KEY', 'single-user', '[app]'), 'REKEY_PG_'],
    [
      'one role for alternating users',
      target('REKEY_PG_PAYMENTS', 'alternating-users', '[app]'),
      'exactly 2 roles',
    ],
    [
      'the same role twice',
      target('REKEY_PG_PAYMENTS', 'alternating-users', '[app, app]'),
      'must differ',
    ],
  ])('refuses %s', async (name, lines, why) => {
    const head = repo.branch(`pg-${name.replace(/\W+/g, '-')}`, withTarget(lines));
    const { run, findings } = await cliValidate(repo.dir, head);
    expect(run.code).not.toBe(0);
    const hit = findings.find((f) => f.file === KEY && f.message.includes(why));
    expect(hit, JSON.stringify(findings)).toBeDefined();
    expect(hit!.line).toBeGreaterThanOrEqual(10);
  });
});
