// Attack: take over another key's target. A pull request makes a second key write a secret
// that the template's payments/webhook-signing owns (WEBHOOK_SIGNING_KEY in acme/payments-api,
// environment production), spelled in another case, or one level up or down so that GitHub's
// precedence (environment > repository > organization) hands the production job the other
// key's value. Before, two keys on one secret passed verify and then failed every
// distribution's preflight; a shadowing secret passed everything. Now validate and verify
// refuse both, each finding naming the other target's file and line, and distribution of a
// default branch that holds them writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../src/commands/distribute/index.ts';
import { startDistBed, type DistBed } from '../commands/distribute/bed.ts';
import {
  attackRepo,
  cliValidate,
  cliVerify,
  edit,
  pullVerdict,
  verifyActionRunner,
  type AttackRepo,
  type Finding,
} from './manifest-harness.ts';

const WEBHOOK = 'keys-manifest/payments/webhook-signing/key.yaml';
const IDENTITY = 'keys-manifest/identity/token-signing/key.yaml';
const DEPLOY = 'keys-manifest/infra/deploy-ssh/key.yaml';

/** Adds `lines` (a target, indented as a list item) at the end of a key.yaml's targets. */
const addTarget = (dir: string, file: string, lines: string[]) =>
  edit(dir, file, (t) => t.replace(/\nversions:/, `\n${lines.join('\n')}\nversions:`));

let repo: AttackRepo;
let action: Awaited<ReturnType<typeof verifyActionRunner>>;
beforeAll(async () => {
  repo = attackRepo();
  action = await verifyActionRunner();
}, 120_000);
afterAll(() => {
  repo?.cleanup();
  action?.close();
});

const secret = (fields: Record<string, string>) => [
  '  - kind: github-secret',
  ...Object.entries(fields).map(([k, v]) => `    ${k}: ${v}`),
];

const cases: [string, string, string, string, (dir: string) => void][] = [
  [
    'a second key writing the same environment secret, in other case',
    'target/shared',
    IDENTITY,
    WEBHOOK,
    (dir) =>
      addTarget(
        dir,
        IDENTITY,
        secret({
          repository: 'ACME/Payments-API',
          environment: 'Production',
          name: 'webhook_signing_key',
        }),
      ),
  ],
  [
    "a second key's previous on the other key's previous",
    'target/shared',
    IDENTITY,
    WEBHOOK,
    (dir) =>
      addTarget(
        dir,
        IDENTITY,
        secret({
          repository: 'acme/payments-api',
          environment: 'production',
          name: 'IDENTITY_TOKEN_KEY',
          previous: 'WEBHOOK_SIGNING_KEY_PREVIOUS',
        }),
      ),
  ],
  [
    'a repository secret shadowed by the environment secret of another key',
    'target/shadowed',
    IDENTITY,
    WEBHOOK,
    (dir) =>
      addTarget(
        dir,
        IDENTITY,
        secret({ repository: 'acme/payments-api', name: 'WEBHOOK_SIGNING_KEY' }),
      ),
  ],
  [
    'an organization secret visible to the repository',
    'target/shadowed',
    IDENTITY,
    WEBHOOK,
    (dir) =>
      addTarget(
        dir,
        IDENTITY,
        secret({ organization: 'acme', visibility: 'all', name: 'WEBHOOK_SIGNING_KEY' }),
      ),
  ],
  [
    'one key as a deploy key in two repositories',
    'target/shared',
    DEPLOY,
    DEPLOY,
    (dir) =>
      addTarget(dir, DEPLOY, [
        '  - kind: github-deploy-key',
        '    repository: acme/other-config',
        '    title: release workflow',
      ]),
  ],
];

/** The findings of `rule`, each pointing at the other file (or, in one file, the other line). */
function expectPair(findings: readonly Finding[], rule: string, attacker: string, victim: string) {
  const hits = findings.filter((f) => f.rule === rule);
  expect(hits.map((f) => f.file).sort(), JSON.stringify(findings)).toEqual(
    [attacker, victim].sort(),
  );
  const [a, b] =
    attacker === victim
      ? [hits[0]!, hits[1]!]
      : [hits.find((f) => f.file === attacker)!, hits.find((f) => f.file === victim)!];
  expect(a.line).toBeGreaterThan(0);
  expect(b.line).toBeGreaterThan(0);
  expect(a.message).toContain(`${b.file}:${b.line}`);
  expect(b.message).toContain(`${a.file}:${a.line}`);
}

describe('a target written by two owners is refused before merge', () => {
  it.each(cases)('%s', async (name, rule, attacker, victim, make) => {
    const head = repo.branch(name.replace(/\W+/g, '-'), make);

    const validated = await cliValidate(repo.dir, head);
    expect(validated.run.code).toBe(1);
    expectPair(validated.findings, rule, attacker, victim);

    const verified = await cliVerify(repo.dir, repo.main, head);
    expect(verified.run.code).toBe(1);
    expectPair(verified.findings, rule, attacker, victim);

    const pull = await pullVerdict(repo.dir, repo.main, head);
    expectPair(pull.diagnostics, rule, attacker, victim);

    const ran = await action.run(repo.dir, repo.main, head);
    expect(ran.code).not.toBe(0);
    for (const file of new Set([attacker, victim]))
      expect(
        ran.errors.some((l) => l.includes(`file=${file}`) && l.includes(`title=${rule}`)),
        ran.errors.join('\n'),
      ).toBe(true);
  });

  it('the untouched template passes, so the findings above are the attack', async () => {
    const { run } = await cliValidate(repo.dir, repo.main);
    expect(run.code, run.stdout).toBe(0);
  });
});

describe('a default branch that holds a shared or shadowed target', () => {
  let bed: DistBed;
  beforeAll(async () => {
    bed = await startDistBed({
      keys: [
        {
          id: 'svc/owner',
          type: 'random',
          options: { bytes: 32, encoding: 'base64' },
          targets: [
            {
              kind: 'github-secret',
              repository: 'acme/api',
              environment: 'production',
              app: 'actions',
              name: 'API_KEY',
            },
          ],
        },
        {
          id: 'svc/intruder',
          type: 'random',
          options: { bytes: 32, encoding: 'base64' },
          targets: [
            { kind: 'github-secret', repository: 'acme/web', app: 'actions', name: 'OTHER' },
          ],
        },
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
  });

  it.each([
    ['shadowed', 'repository: acme/api\n    app: actions\n    name: api_key', 'target/shadowed'],
    [
      'shared',
      'repository: acme/api\n    environment: PRODUCTION\n    app: actions\n    name: Api_Key',
      'target/shared',
    ],
  ])(
    'is not distributed (%s): outcome invalid, nothing written to any target',
    async (_, target, rule) => {
      const input = bed.input();
      const tree = new Map(input.tree);
      const file = 'keys-manifest/svc/intruder/key.yaml';
      const text = new TextDecoder().decode(tree.get(file)!);
      const edited = text.replace(/repository: acme\/web\n\s+app: actions\n\s+name: OTHER/, target);
      expect(edited).not.toBe(text);
      tree.set(file, new TextEncoder().encode(edited));
      bed.emu.clearLog();
      const result = await distribute({ ...input, tree }, bed.ports());
      expect(result.outcome).toBe('invalid');
      expect(result.problems.filter((p) => p.includes(`[${rule}]`))).toHaveLength(2);
      expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(bed.emu.secretNames({ repository: 'acme/api' })).toEqual([]);
      expect(bed.emu.secretNames({ repository: 'acme/api', environment: 'production' })).toEqual(
        [],
      );
    },
  );
});
