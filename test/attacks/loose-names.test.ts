// Attack: a target name GitHub would never accept, but an API client would turn into another
// URL (`acme/..`, an environment `../..`), an alias that slips past the one-owner rule
// (`acme/payments-api.git`), or a newline that forges a line in a log, an annotation or a job
// summary. Each must fail the schema, with its file, line and rule, in `rekey validate`,
// `rekey verify`, verifyPull and the verify action; the same targets written as GitHub
// allows them pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attackRepo,
  cliValidate,
  cliVerify,
  edit,
  pullVerdict,
  verifyActionRunner,
  type AttackRepo,
} from './manifest-harness.ts';

const WEBHOOK = 'keys-manifest/payments/webhook-signing/key.yaml';
const DEPLOY = 'keys-manifest/infra/deploy-ssh/key.yaml';
const IDENTITY = 'keys-manifest/identity/token-signing/key.yaml';

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

/** Replaces the line `from` of `file` (exactly one) with `to`. */
const swap = (file: string, from: string, to: string) => (dir: string) =>
  edit(dir, file, (t) => {
    expect(t.split(from)).toHaveLength(2);
    return t.replace(from, to);
  });

/** [case, file, the line of the offending value, the edit] */
const cases: [string, string, number, (dir: string) => void][] = [
  [
    'a deploy key in repository acme/..',
    DEPLOY,
    8,
    swap(DEPLOY, 'repository: acme/infra-config', 'repository: acme/..'),
  ],
  [
    'an environment ../..',
    WEBHOOK,
    12,
    swap(WEBHOOK, 'environment: production', 'environment: ../..'),
  ],
  [
    'an environment with a newline that forges an annotation',
    WEBHOOK,
    12,
    swap(WEBHOOK, 'environment: production', 'environment: "production\\n::error::forged"'),
  ],
  [
    'an environment with a bidirectional override',
    WEBHOOK,
    12,
    swap(WEBHOOK, 'environment: production', 'environment: "prod\\u202euction"'),
  ],
  [
    'a deploy key title with a newline',
    DEPLOY,
    9,
    swap(DEPLOY, 'title: release workflow', 'title: "release\\nworkflow"'),
  ],
  [
    'a repository alias ending in .git',
    WEBHOOK,
    11,
    swap(WEBHOOK, 'repository: acme/payments-api', 'repository: acme/payments-api.git'),
  ],
  [
    'an owner with a double hyphen',
    IDENTITY,
    11,
    swap(IDENTITY, 'repository: acme/identity-service', 'repository: ac--me/identity-service'),
  ],
  [
    'a file target path leaving the output folder',
    IDENTITY,
    8,
    swap(IDENTITY, 'path: public/jwks.json', 'path: ../../etc/jwks.json'),
  ],
];

describe('a target name GitHub does not allow fails the schema', () => {
  it.each(cases)('%s', async (name, file, line, make) => {
    const head = repo.branch(name.replace(/\W+/g, '-'), make);
    const schemaAt = (fs: readonly { rule: string; file: string; line: number }[]) =>
      fs.filter((f) => f.file === file && f.rule.startsWith('schema/')).map((f) => f.line);

    const validated = await cliValidate(repo.dir, head);
    expect(validated.run.code).toBe(1);
    expect(schemaAt(validated.findings)).toEqual([line]);
    // The message says what was expected and never repeats the value (no forged line).
    for (const f of validated.findings) expect(f.message).not.toMatch(/forged|\u202e|\.\.\/\.\./);

    const verified = await cliVerify(repo.dir, repo.main, head);
    expect(verified.run.code).toBe(1);
    expect(schemaAt(verified.findings)).toEqual([line]);

    const pull = await pullVerdict(repo.dir, repo.main, head);
    expect(schemaAt(pull.diagnostics)).toEqual([line]);

    const ran = await action.run(repo.dir, repo.main, head);
    expect(ran.code).not.toBe(0);
    expect(ran.errors.some((l) => l.includes(`file=${file},line=${line}`))).toBe(true);
    expect(ran.errors.some((l) => l.includes('::error::forged'))).toBe(false);
  });

  it('the same targets written as GitHub allows them pass', async () => {
    const head = repo.branch('allowed-names', (dir) => {
      swap(WEBHOOK, 'environment: production', 'environment: Production EU')(dir);
      swap(DEPLOY, 'repository: acme/infra-config', 'repository: Acme/infra.config_2')(dir);
    });
    const { run } = await cliVerify(repo.dir, repo.main, head);
    expect(run.code, run.stdout).toBe(0);
  });
});
