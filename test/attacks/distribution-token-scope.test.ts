// Attack: whoever controls the code distribution runs (or the token it holds) reaches further
// than the targets. distribute.yml used to mint ONE App token for every repository the App is
// installed on, with contents: write, so a compromise of the distribution step could rewrite
// any repository's code. Now the keys repository and the targets get separate tokens; the
// targets token is limited to the repositories `rekey targets --repositories` computes from the
// manifest (and its history) and to secrets (and administration for deploy keys). `rekey
// doctor` reports a single token and an owner-wide or contents-writing targets token; the
// template passes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareNewKey } from '../../src/commands/new-key.ts';
import { checkLocal } from '../../src/core/doctor/local.ts';
import { bundleAction, runOnPush } from '../actions/runner.ts';
import {
  codec,
  dec,
  generate,
  identity,
  PIPELINE,
  POLICY,
  SOPS_YAML,
  sopsConfig,
  startBed,
  T0,
  type Bed,
} from '../commands/rotate-bed.ts';
import { edit, git, rekey, root, templateRepo } from '../cli/harness.ts';
import { DISTRIBUTE, goodRepo, tree } from '../core/doctor/fixtures.ts';

const WORKFLOW = '.github/workflows/distribute.yml';
const template = readFileSync(join(root, WORKFLOW), 'utf8');
const rulesFor = (workflow: string) => {
  const files = goodRepo();
  files[WORKFLOW] = workflow;
  return checkLocal(tree(files)).findings.map((f) => [f.rule, f.severity, f.where]);
};

describe("doctor on the distribute workflow's tokens", () => {
  it("passes the template's distribute.yml", () => {
    expect(rulesFor(template)).toEqual([]);
  });

  it('reports the old single owner-wide token with contents: write', () => {
    // The template before the split: one token, `owner:`, contents and secrets.
    const old = template
      .replace(/ {6}- id: targets\n(?: {8}.*\n)+/, '')
      .replace(/ {6}# The targets token[\s\S]*?(?= {6}- id: distribute)/, '')
      .replace(
        '          permission-contents: write\n',
        '          owner: ${{ github.repository_owner }}\n          permission-contents: write\n          permission-secrets: write\n',
      )
      .replace('          targets-token: ${{ steps.targets-token.outputs.token }}\n', '');
    expect(old).not.toContain('targets-token');
    const found = rulesFor(old);
    expect(found.map(([rule, severity]) => [rule, severity])).toEqual([
      ['doctor/distribute-single-token', 'error'],
      ['doctor/distribute-token-scope', 'error'],
    ]);
  });

  it('reports a targets token for every repository of the owner, or one that writes contents', () => {
    const ownerWide = DISTRIBUTE.replace(
      '          repositories: ${{ steps.targets.outputs.repositories }}\n',
      '',
    );
    expect(rulesFor(ownerWide).map(([r]) => r)).toEqual(['doctor/distribute-token-scope']);
    const contents = DISTRIBUTE.replace(
      '          permission-secrets: write\n',
      '          permission-secrets: write\n          permission-contents: write\n',
    );
    const found = checkLocal(tree({ ...goodRepo(), [WORKFLOW]: contents })).findings;
    expect(found.map((f) => f.rule)).toEqual(['doctor/distribute-token-scope']);
    expect(found[0]!.message).toMatch(/may write contents/);
    const same = DISTRIBUTE.replace('steps.targets-app.outputs.token', 'steps.app.outputs.token');
    expect(rulesFor(same).map(([r]) => r)).toEqual([
      'doctor/distribute-single-token',
      'doctor/distribute-token-scope',
    ]);
  });
});

describe('rekey targets --repositories', () => {
  let repo: ReturnType<typeof templateRepo>;
  beforeAll(() => {
    repo = templateRepo();
  });
  afterAll(() => repo?.cleanup());

  it("lists the template's target repositories, comma-separated, for the token", async () => {
    const r = await rekey(repo.dir, ['targets', '--repositories', '--repository', 'acme/keys']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('identity-service,infra-config,payments-api\n');
  });

  it('keeps a repository taken out of key.yaml, from the history', async () => {
    const file = 'keys-manifest/infra/deploy-ssh/key.yaml';
    edit(repo.dir, file, (t) =>
      t.replace('repository: acme/infra-config', 'repository: acme/other-config'),
    );
    git(repo.dir, 'commit', '-qam', 'move the deploy key');
    const r = await rekey(repo.dir, ['targets', '--repositories', '--repository', 'acme/keys']);
    expect(r.stdout).toBe('identity-service,infra-config,other-config,payments-api\n');
  });

  it('leaves out, with a warning, a repository of another owner that only the history names', async () => {
    const file = 'keys-manifest/infra/deploy-ssh/key.yaml';
    edit(repo.dir, file, (t) =>
      t.replace('repository: acme/other-config', 'repository: elsewhere/config'),
    );
    git(repo.dir, 'commit', '-qam', 'a target of another owner');
    const now = await rekey(repo.dir, ['targets', '--repositories', '--repository', 'acme/keys']);
    expect(now.code).toBe(2);
    expect(now.stderr).toMatch(/elsewhere\/config is not owned by acme/);
    edit(repo.dir, file, (t) =>
      t.replace('repository: elsewhere/config', 'repository: acme/other-config'),
    );
    git(repo.dir, 'commit', '-qam', 'back to acme');
    const past = await rekey(repo.dir, ['targets', '--repositories', '--repository', 'acme/keys']);
    expect(past.code).toBe(0);
    expect(past.stdout).toBe('identity-service,infra-config,other-config,payments-api\n');
    expect(past.stderr).toMatch(
      /warning: elsewhere\/config is named only by past versions of key\.yaml and not owned by acme/,
    );
  });

  it('refuses a target of another owner, and never prints an empty list', async () => {
    const other = await rekey(repo.dir, [
      'targets',
      '--repositories',
      '--repository',
      'other/keys',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/acme\/infra-config, .* not owned by other/);
    const usage = await rekey(repo.dir, ['targets', '--repositories']);
    expect(usage.code).toBe(2);
  });
});

describe('the distribute action with two tokens', () => {
  let bed: Bed;
  let bundle: string;
  beforeAll(async () => {
    bed = await startBed();
    bundle = await bundleAction('distribute', bed.tmp);
    await bed.emu.addRepo({ fullName: 'acme/api', files: {} });
    await bed.emu.addRepo({ fullName: 'acme/unrelated', files: { 'README.md': 'code\n' } });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
  });

  it('writes targets with the targets token only, and the keys repository with the other', async () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    const files = new Map<string, Uint8Array>([
      ['.sops.yaml', enc(SOPS_YAML)],
      ['policies/standard.yaml', enc(POLICY)],
      ['policies/pipeline.yaml', enc(PIPELINE)],
    ]);
    const change = await prepareNewKey(
      files,
      {
        id: 'svc/api-token',
        type: 'random',
        policy: 'standard',
        owner: '@acme/team',
        description: 'test key',
        options: { bytes: 32, encoding: 'base64' },
        targets: [
          { kind: 'github-secret', repository: 'acme/api', app: 'actions', name: 'API_TOKEN' },
        ],
      },
      { now: T0, sopsConfig },
      { codec, generate },
    );
    for (const f of change.files) if (f.content !== null) files.set(f.path, f.content);
    const c = await bed.repo(
      'token-split',
      Object.fromEntries([...files].map(([p, b]) => [p, dec(b)])),
    );
    // As distribute.yml mints them: the keys repository only, no secrets; the targets only,
    // secrets only (no contents: it could not touch acme/unrelated's code, nor acme/api's).
    const keysToken = bed.emu.addToken({
      kind: 'app',
      login: 'rekey',
      repositories: [c.fullName],
      permissions: { contents: 'write', statuses: 'write', issues: 'write' },
    });
    const targetsToken = bed.emu.addToken({
      kind: 'app',
      login: 'rekey',
      repositories: ['acme/api'],
      permissions: { secrets: 'write' },
    });
    const run = (inputs: Record<string, string>) =>
      runOnPush(bed, bundle, c, inputs, { runId: '77', env: { SOPS_AGE_KEY: identity } });

    // The keys token alone cannot reach the target: the preflight refuses, nothing is written.
    const alone = await run({ token: keysToken });
    expect(alone.code).toBe(1);
    expect(bed.emu.secretNames({ repository: 'acme/api' })).toEqual([]);

    const r = await run({ token: keysToken, 'targets-token': targetsToken });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.outcome).toBe('converged');
    expect(bed.emu.secretNames({ repository: 'acme/api' })).toEqual(['API_TOKEN']);
    // Both tokens are masked before anything else and never printed.
    const printed = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(r.stdout).toContain(`::add-mask::${targetsToken}`);
    expect(printed).not.toContain(targetsToken);
    expect(printed).not.toContain(keysToken);
  }, 120_000);
});
