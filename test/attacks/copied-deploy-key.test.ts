// Attack: one ssh public key on deploy-key targets of two keys. A pull request copies the
// template's infra/deploy-ssh folder as a new key with a deploy-key target in another
// repository. GitHub accepts a public key as a deploy key once, in any repository ("key is
// already in use"), so distribution would fail, or, if the copy was distributed first, the
// original's rotation would. Before, validate and verify passed it (only one key's own targets
// were compared). Now both refuse it as target/shared, each finding naming the other file and
// line, and the verify action fails with an annotation on each file.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const DEPLOY = 'keys-manifest/infra/deploy-ssh/key.yaml';
const COPY = 'keys-manifest/infra/mirror-ssh/key.yaml';

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

function copyKey(dir: string): void {
  cpSync(join(dir, 'keys-manifest/infra/deploy-ssh'), join(dir, 'keys-manifest/infra/mirror-ssh'), {
    recursive: true,
  });
  edit(dir, COPY, (t) =>
    t
      .replace('id: infra/deploy-ssh', 'id: infra/mirror-ssh')
      .replace('repository: acme/infra-config', 'repository: acme/other-config'),
  );
}

function expectPair(findings: readonly Finding[]): void {
  const hits = findings.filter((f) => f.rule === 'target/shared');
  expect(hits.map((f) => f.file).sort(), JSON.stringify(findings)).toEqual([COPY, DEPLOY].sort());
  const a = hits.find((f) => f.file === COPY)!;
  const b = hits.find((f) => f.file === DEPLOY)!;
  expect(a.line).toBeGreaterThan(0);
  expect(b.line).toBeGreaterThan(0);
  expect(a.message).toContain(`${b.file}:${b.line}`);
  expect(b.message).toContain(`${a.file}:${a.line}`);
  expect(a.message).toMatch(/already in use/);
}

describe('one ssh public key as the deploy key of two keys is refused before merge', () => {
  it('validate, verify, the pull verdict and the verify action', async () => {
    const head = repo.branch('copied-deploy-key', copyKey);

    const validated = await cliValidate(repo.dir, head);
    expect(validated.run.code).toBe(1);
    expectPair(validated.findings);

    const verified = await cliVerify(repo.dir, repo.main, head);
    expect(verified.run.code).toBe(1);
    expectPair(verified.findings);

    const pull = await pullVerdict(repo.dir, repo.main, head);
    expectPair(pull.diagnostics);

    const ran = await action.run(repo.dir, repo.main, head);
    expect(ran.code).not.toBe(0);
    for (const file of [COPY, DEPLOY])
      expect(
        ran.errors.some((l) => l.includes(`file=${file}`) && l.includes('title=target/shared')),
        ran.errors.join('\n'),
      ).toBe(true);
  }, 120_000);

  it('the untouched template passes, so the findings above are the attack', async () => {
    const { run } = await cliValidate(repo.dir, repo.main);
    expect(run.code, run.stdout).toBe(0);
  });
});
