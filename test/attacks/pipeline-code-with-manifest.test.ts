// Attack: slip pipeline code in with key material. The code under `.github/`, `actions/`,
// `dist/`, `src/` and `package*.json` runs at the next distribution with the age identity and
// a secrets-writing token; a reviewer approving a rotation should not approve, unnoticed, a
// change to the code that decrypts it. Before, verify looked only at keys-manifest/, policies/
// and .sops.yaml: a PR editing `dist/` next to a key passed as an ordinary key change. Now the
// verify action classifies every changed path, says so in its summary and outputs, and refuses
// pipeline code together with keys-manifest/ (`change/pipeline-code-with-manifest`, at each
// pipeline-code file), so each is reviewed on its own.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackRepo, edit, verifyActionRunner, type AttackRepo } from './manifest-harness.ts';

const WEBHOOK = 'keys-manifest/payments/webhook-signing/key.yaml';
const RULE = 'change/pipeline-code-with-manifest';

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

const write = (dir: string, path: string, text: string) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
};
/** A key change that is valid on its own: the key's description. */
const touchKey = (dir: string) =>
  edit(dir, WEBHOOK, (t) => t.replace(/^description: .*$/m, 'description: Signs webhooks (v2)'));

describe('pipeline code and key material in one pull request', () => {
  const refused: [string, string[], (dir: string) => void][] = [
    [
      'dist/ next to a key',
      ['dist/verify.js'],
      (dir) => {
        write(dir, 'dist/verify.js', 'process.exit(0);\n');
        touchKey(dir);
      },
    ],
    [
      'a workflow and package.json next to a key',
      ['.github/workflows/distribute.yml', 'package.json'],
      (dir) => {
        write(dir, '.github/workflows/distribute.yml', 'on: push\n');
        write(dir, 'package.json', '{"scripts":{"postinstall":"curl evil"}}\n');
        touchKey(dir);
      },
    ],
    [
      'actions/ and src/ next to a key',
      ['actions/verify/action.yml', 'src/commands/verify-pull.ts'],
      (dir) => {
        write(dir, 'actions/verify/action.yml', 'runs: { using: node24, main: x.js }\n');
        write(dir, 'src/commands/verify-pull.ts', 'export {};\n');
        touchKey(dir);
      },
    ],
  ];

  it.each(refused)('%s is refused at each pipeline-code file', async (name, files, make) => {
    const head = repo.branch(`pr/${name.replace(/\W+/g, '-')}`, make);
    const ran = await action.run(repo.dir, repo.main, head);
    expect(ran.code).not.toBe(0);
    const annotated = ran.errors.filter((e) => e.includes(`title=${RULE}`));
    expect(annotated.map((e) => /file=([^,:]+)/.exec(e)?.[1]).sort()).toEqual([...files].sort());
    expect(ran.outputs['pipeline-code']).toBe('true');
    expect(ran.outputs['scope']).toBe('manifest,pipeline-code');
    expect(ran.outputs['kind']).toBe('mixed');
    expect(ran.summary).toContain('**pipeline code**');
    expect(ran.summary).toContain(RULE);
  });

  it('pipeline code alone passes, classified as pipeline code', async () => {
    const head = repo.branch('pr/code-only', (dir) =>
      write(dir, 'dist/verify.js', 'console.log(1);\n'),
    );
    const ran = await action.run(repo.dir, repo.main, head);
    expect(ran.errors).toEqual([]);
    expect(ran.code).toBe(0);
    expect(ran.outputs['kind']).toBe('pipeline-code');
    expect(ran.outputs['scope']).toBe('pipeline-code');
    expect(ran.outputs['pipeline-code']).toBe('true');
    expect(ran.summary).toContain('Pipeline code changes (`dist/verify.js`)');
  });

  it('the key change alone passes; configuration is named as configuration', async () => {
    const key = await action.run(repo.dir, repo.main, repo.branch('pr/key-only', touchKey));
    expect(key.errors).toEqual([]);
    expect(key.outputs['pipeline-code']).toBe('false');
    expect(key.outputs['scope']).toBe('manifest');

    const config = await action.run(
      repo.dir,
      repo.main,
      repo.branch('pr/config', (dir) =>
        edit(dir, 'policies/pipeline.yaml', (t) =>
          t.replace('max-open-prs: 10', 'max-open-prs: 9'),
        ),
      ),
    );
    expect(config.errors).toEqual([]);
    expect(config.outputs['kind']).toBe('configuration');
    expect(config.outputs['scope']).toBe('configuration');
    expect(config.summary).toContain('**configuration**');
  });
});
