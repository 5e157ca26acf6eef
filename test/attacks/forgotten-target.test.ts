// Attack: make rekey forget what it wrote. A pull request takes a target out of key.yaml (or
// removes a whole key folder), possibly while that version is compromised and destroyed. The
// desired state only covers what key.yaml lists now, so before, the old secret or deploy key
// stayed on its target forever while distribution reported `success` (which opens the
// revocation gate). Now distribution removes, from every target its receipts prove it wrote,
// what no key claims any more: only what rekey proves is its own (a secret rewritten by
// someone else since is kept and reported), with status success only once nothing is left,
// convergent after a crash between the delete and the receipts. Driven through the real
// distribute command against the emulator; the canary scans everything each run produced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute, renderDistributeSummary } from '../../src/commands/distribute/index.ts';
import { acquireLease, readReceipts } from '../../src/commands/distribute/lease.ts';
import type { DistributeResult } from '../../src/commands/distribute/types.ts';
import { DISTRIBUTION_CONTEXT } from '../../src/commands/distribution-evidence.ts';
import { keyFile, materialFile } from '../../src/core/formats/index.ts';
import { GitHubError } from '../../src/core/ports/github.ts';
import type { TargetPorts } from '../../src/core/ports/targets.ts';
import { SecretValue } from '../../src/core/targets/index.ts';
import { renderVerifySummary } from '../../src/commands/verify-pull.ts';
import { startDistBed, type DistBed, type RunPorts } from '../commands/distribute/bed.ts';
import { canary } from '../support/canary.ts';
import { attackRepo, edit, pullVerdict, type AttackRepo } from './manifest-harness.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const KEYS = [
  {
    id: 'svc/api',
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: 'acme/api',
        app: 'actions' as const,
        name: 'TOKEN',
        previous: 'TOKEN_PREVIOUS',
      },
      {
        kind: 'github-secret' as const,
        repository: 'acme/api',
        environment: 'production',
        app: 'actions' as const,
        name: 'API_TOKEN',
      },
      {
        kind: 'github-secret' as const,
        repository: 'acme/web',
        app: 'actions' as const,
        name: 'WEB_TOKEN',
      },
    ],
  },
  {
    id: 'svc/old',
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: 'acme/web',
        app: 'actions' as const,
        name: 'OLD_TOKEN',
      },
    ],
  },
  {
    id: 'svc/crash',
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: 'acme/api',
        app: 'actions' as const,
        name: 'CRASH_TOKEN',
      },
    ],
  },
  {
    id: 'svc/moved',
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: 'acme/api',
        environment: 'production',
        app: 'actions' as const,
        name: 'MOVED_TOKEN',
      },
    ],
  },
  {
    id: 'infra/deploy',
    type: 'ssh-ed25519' as const,
    targets: [
      {
        kind: 'github-deploy-key' as const,
        repository: 'acme/deploy',
        title: 'ci',
        'read-only': true,
      },
    ],
  },
];

/** The value a person writes over rekey's: never deleted, never shown. */
const PERSON = 'a-value-a-person-set-8c1f2e';
canary.register(PERSON, 'random');

const API = { repository: 'acme/api' };
const PROD = { repository: 'acme/api', environment: 'production' };
const WEB = { repository: 'acme/web' };
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

/** Removes the targets of `id`'s key.yaml whose block contains `match`. */
function dropTarget(id: string, match: string) {
  const yaml = text(bed.tree.get(keyFile(id)));
  const [head, rest] = yaml.split('\ntargets:\n') as [string, string];
  const at = rest.indexOf('\nversions:');
  const blocks = rest.slice(0, at).split(/\n(?=  - kind:)/);
  const kept = blocks.filter((b) => !b.includes(match));
  expect(kept.length).toBe(blocks.length - 1);
  bed.write(
    keyFile(id),
    `${head}\ntargets:${kept.length === 0 ? ' []' : `\n${kept.join('\n')}`}${rest.slice(at)}`,
  );
}

function removeKey(id: string) {
  for (const v of bed.key(id).versions) bed.write(materialFile(id, v.version), null);
  bed.write(keyFile(id), null);
}

function scan(result: DistributeResult) {
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    result: JSON.stringify(result),
    requests: bed.bodies.join('\n'),
    issues: bed
      .issues()
      .map((i) => [i.title, i.body ?? '', ...i.comments.map((c) => c.body)].join('\n'))
      .join('\n'),
  });
}

async function run(opts: { ports?: RunPorts; dryRun?: boolean } = {}) {
  const ports = opts.ports ?? bed.ports();
  const result = await distribute(bed.input(opts.dryRun ? { dryRun: true } : {}), ports);
  bed.emu.assertNoInvalidRequests();
  scan(result);
  return { result, writes: ports.writes };
}

const latestStatus = async () =>
  (await bed.ports().statuses.listStatuses(bed.head(), DISTRIBUTION_CONTEXT))[0];
const openIssues = (key: string) =>
  bed.issues().filter((i) => i.state === 'open' && (i.body ?? '').includes(key));
const removalsOf = (r: DistributeResult) =>
  r.removals.map((x) => `${x.key} ${x.where} ${x.outcome}`);

describe('a target taken out of key.yaml, or a key folder removed', () => {
  it('starts from a converged distribution', async () => {
    const { result } = await run();
    expect(result.outcome).toBe('converged');
    expect(bed.emu.secretNames(PROD).sort()).toEqual(['API_TOKEN', 'MOVED_TOKEN']);
    expect(bed.emu.secretNames(WEB).sort()).toEqual(['OLD_TOKEN', 'WEB_TOKEN']);
    // The receipts name the kind, key and version of every write, deploy keys included.
    const receipts = await readReceipts(bed.stateRef);
    expect(receipts).toContainEqual(
      expect.objectContaining({
        kind: 'github-secret',
        name: 'API_TOKEN',
        key: 'svc/api',
        version: 1,
      }),
    );
    expect(receipts).toContainEqual(
      expect.objectContaining({
        kind: 'github-deploy-key',
        repository: 'acme/deploy',
        key: 'infra/deploy',
        version: 1,
        title: 'ci (rekey infra/deploy v1)',
      }),
    );
  });

  it('deletes the removed target, and says success only once it is gone', async () => {
    dropTarget('svc/api', 'environment: production');
    await bed.commit('drop the production target');

    // The dry run prints the removal and writes nothing.
    const dry = await run({ dryRun: true });
    expect(dry.result.outcome).toBe('dry-run');
    expect(dry.writes).toEqual([]);
    expect(removalsOf(dry.result)).toEqual([
      'svc/api actions:env:acme/api:production API_TOKEN planned',
    ]);
    expect(renderDistributeSummary(dry.result)).toMatch(/would remove secret API_TOKEN/);
    expect(bed.logs).toContainEqual(
      expect.stringMatching(/svc\/api: dry run: remove secret API_TOKEN/),
    );
    expect(bed.emu.secretNames(PROD)).toContain('API_TOKEN');

    // The delete fails: the run is a failure like a failed write (status, issue), and the
    // receipt stays so the next run tries again.
    const failing = bed.ports({
      targets: (t): TargetPorts => ({
        ...t,
        secrets: {
          ...t.secrets,
          deleteSecret: async () => {
            throw new Error(
              'GitHub DELETE /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name} failed: 502',
            );
          },
        },
      }),
    });
    const failed = await run({ ports: failing });
    expect(failed.result.outcome).toBe('failed');
    expect(failed.result.status).toBe('failure');
    expect((await latestStatus())?.state).toBe('failure');
    expect(failed.result.keys.find((k) => k.key === 'svc/api')?.outcome).toBe('failed');
    expect(openIssues('svc/api')).toHaveLength(1);
    expect(openIssues('svc/api')[0]!.body).toMatch(/API_TOKEN/);
    expect(bed.emu.secretNames(PROD)).toContain('API_TOKEN');

    const { result } = await run();
    expect(result.outcome).toBe('converged');
    expect(result.status).toBe('success');
    expect(bed.emu.secretNames(PROD)).toEqual(['MOVED_TOKEN']);
    expect(removalsOf(result)).toEqual([
      'svc/api actions:env:acme/api:production API_TOKEN removed',
    ]);
    expect(result.evidence.removals).toEqual(result.removals);
    expect(renderDistributeSummary(result)).toMatch(
      /\| svc\/api \| actions:env:acme\/api:production API_TOKEN \| removed \|/,
    );
    expect(openIssues('svc/api')).toHaveLength(0);
    expect(
      (await readReceipts(bed.stateRef)).some((r) => 'name' in r && r.name === 'API_TOKEN'),
    ).toBe(false);

    // Converged: the next run removes nothing and writes nothing.
    const again = await run();
    expect(again.result.outcome).toBe('converged');
    expect(again.writes).toEqual([]);
    expect(again.result.removals).toEqual([]);
  });

  it('deletes what a removed key folder wrote', async () => {
    removeKey('svc/old');
    await bed.commit('remove svc/old');
    const { result, writes } = await run();
    expect(result.outcome).toBe('converged');
    expect(writes).toEqual(['delete OLD_TOKEN']);
    expect(bed.emu.secretNames(WEB)).toEqual(['WEB_TOKEN']);
    expect(result.keys.find((k) => k.key === 'svc/old')).toMatchObject({
      outcome: 'converged',
      targets: [],
      removals: [expect.objectContaining({ outcome: 'removed', version: 1 })],
    });
  });

  it("removes a destroyed version's deploy key with its target, and leaves a person's key", async () => {
    await bed.rotate('infra/deploy');
    await bed.commit('rotate infra/deploy');
    expect((await run()).result.outcome).toBe('converged');
    const titles = () =>
      bed.emu
        .repo('acme/deploy')
        .deployKeys.map((k) => k.title)
        .sort();
    expect(titles()).toEqual(['ci (rekey infra/deploy v1)', 'ci (rekey infra/deploy v2)']);
    // A deploy key a person added, with a title that merely looks like rekey's for another key.
    bed.emu.repo('acme/deploy').deployKeys.push({
      id: 9999,
      key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmU5z7l0iZAn9fSKoCtP4cQeD5uXbyVmT1VJvIAmVnK',
      title: 'ops (rekey infra/other v1)',
      read_only: true,
      created_at: bed.now().toISOString(),
      added_by: 'someone',
    });

    bed.revoke('infra/deploy', [1]);
    dropTarget('infra/deploy', 'github-deploy-key');
    await bed.commit('revoke v1 and drop the deploy-key target');
    const { result } = await run();
    expect(result.outcome).toBe('converged');
    expect(titles()).toEqual(['ops (rekey infra/other v1)']);
    expect(result.removals.map((r) => `${r.version} ${r.outcome}`).sort()).toEqual([
      '1 removed',
      '2 removed',
    ]);
    expect(result.removals.find((r) => r.version === 1)?.step).toMatch(/destroyed/);
  });

  it('never deletes a secret someone else rewrote, and the run is not a success', async () => {
    bed.advance(60_000);
    await bed
      .ports()
      .targets.secrets.putSecret(
        { kind: 'repository', app: 'actions', repository: 'acme/web' },
        'WEB_TOKEN',
        SecretValue.of(PERSON),
      );
    dropTarget('svc/api', 'acme/web');
    await bed.commit('drop the acme/web target');
    for (let attempt = 0; attempt < 2; attempt++) {
      const { result, writes } = await run();
      expect(result.outcome).toBe('failed');
      expect(result.status).toBe('failure');
      expect(writes).toEqual([]);
      expect(bed.emu.openSecret(WEB, 'WEB_TOKEN')).toBe(PERSON);
      expect(result.removals).toEqual([
        expect.objectContaining({ key: 'svc/api', outcome: 'refused' }),
      ]);
      expect(result.removals[0]!.step).toMatch(/written by someone else/);
      expect(openIssues('svc/api')[0]!.body).toMatch(/WEB_TOKEN/);
    }
    // Once the person deletes it (or lists it in a key.yaml again), the run converges.
    await bed
      .ports()
      .targets.secrets.deleteSecret(
        { kind: 'repository', app: 'actions', repository: 'acme/web' },
        'WEB_TOKEN',
      );
    const { result } = await run();
    expect(result.outcome).toBe('converged');
    expect(result.removals).toEqual([expect.objectContaining({ outcome: 'absent' })]);
  });

  it('converges after a crash between the delete and storing the receipts', async () => {
    removeKey('svc/crash');
    await bed.commit('remove svc/crash');
    class Crash extends Error {
      override readonly name = 'Crash';
    }
    // The process dies right after the delete: no status, no receipts stored, lease kept.
    let dead = false;
    const dying = bed.ports({
      targets: (t): TargetPorts => ({
        ...t,
        secrets: {
          ...t.secrets,
          deleteSecret: async (s, n) => {
            await t.secrets.deleteSecret(s, n);
            dead = true;
            throw new Crash('killed after the delete');
          },
        },
      }),
    });
    const deadPorts: RunPorts = {
      ...dying,
      state: {
        ...dying.state,
        vouch: (...a) => (dead ? Promise.reject(new Crash('gone')) : dying.state.vouch(...a)),
        read: (ref) => (dead ? Promise.reject(new Crash('gone')) : dying.state.read(ref)),
        write: (...a) => (dead ? Promise.reject(new Crash('gone')) : dying.state.write(...a)),
      },
      statuses: {
        ...dying.statuses,
        createStatus: (...a) =>
          dead ? Promise.reject(new Crash('gone')) : dying.statuses.createStatus(...a),
      },
    };
    await distribute(bed.input(), deadPorts).catch(() => undefined);
    expect(bed.emu.secretNames(API)).not.toContain('CRASH_TOKEN');
    expect(
      (await readReceipts(bed.stateRef)).some((r) => 'name' in r && r.name === 'CRASH_TOKEN'),
    ).toBe(true);

    bed.advance(31 * 60_000); // the dead run's lease expires
    const { result, writes } = await run();
    expect(result.outcome).toBe('converged');
    expect(writes).toEqual([]);
    expect(result.removals).toEqual([
      expect.objectContaining({ key: 'svc/crash', outcome: 'absent' }),
    ]);
    expect(
      (await readReceipts(bed.stateRef)).some((r) => 'name' in r && r.name === 'CRASH_TOKEN'),
    ).toBe(false);
  });
  it('a target the token cannot list fails; one GitHub answers 404 for is reported, not forgotten silently', async () => {
    removeKey('svc/moved');
    await bed.commit('remove svc/moved: its environment was deleted');
    const listing = (status: 403 | 404) =>
      bed.ports({
        targets: (t): TargetPorts => ({
          ...t,
          secrets: {
            ...t.secrets,
            listSecrets: async (scope) => {
              if (scope.kind !== 'environment') return t.secrets.listSecrets(scope);
              throw new GitHubError({
                status,
                code: status === 404 ? 'not-found' : 'forbidden',
                route: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets',
                detail: status === 404 ? 'Not Found' : 'Resource not accessible by integration',
              });
            },
          },
        }),
      });
    // 403: rekey cannot tell what is there: a failure, the receipt kept.
    const denied = await run({ ports: listing(403) });
    expect(denied.result.outcome).toBe('failed');
    expect(denied.result.removals).toEqual([
      expect.objectContaining({ key: 'svc/moved', outcome: 'failed' }),
    ]);
    expect(openIssues('svc/moved')).toHaveLength(1);
    // 404 (the environment, repository or organization is gone, or out of the token's sight):
    // nothing rekey can reach is left; the removal says so, and the key converges.
    const gone = await run({ ports: listing(404) });
    expect(gone.result.outcome).toBe('converged');
    expect(gone.result.removals).toEqual([
      expect.objectContaining({ key: 'svc/moved', outcome: 'unreachable' }),
    ]);
    expect(gone.result.removals[0]!.step).toMatch(/answers 404/);
    expect(renderDistributeSummary(gone.result)).toMatch(/unreachable/);
    expect(openIssues('svc/moved')).toHaveLength(0);
    expect(
      (await readReceipts(bed.stateRef)).some((r) => 'name' in r && r.name === 'MOVED_TOKEN'),
    ).toBe(false);
  });

  it('old receipts (stored before kind, key and version) still prove the writes to remove', async () => {
    // As a release before this change stored them: the four fields, no deploy keys.
    const got = await acquireLease(bed.stateRef, {
      holder: 'old-rekey',
      ttlMs: 60_000,
      now: bed.now,
    });
    if (got.result !== 'acquired') throw new Error('setup: lease busy');
    await got.lease.release(
      got.lease.receipts.flatMap((r) =>
        'scope' in r
          ? [{ scope: r.scope, name: r.name, fingerprint: r.fingerprint, updatedAt: r.updatedAt }]
          : [],
      ),
    );
    dropTarget('svc/api', 'name: TOKEN');
    await bed.commit('drop the last target of svc/api');
    const { result, writes } = await run();
    expect(result.outcome).toBe('converged');
    expect(writes).toEqual(['delete TOKEN']);
    expect(bed.emu.secretNames(API)).toEqual([]);
    // The key is found by the version's fingerprint.
    expect(result.removals).toEqual([
      expect.objectContaining({ key: 'svc/api', version: 1, outcome: 'removed' }),
    ]);
  });
});

describe('verify explains what distribution will remove', () => {
  let repo: AttackRepo;
  beforeAll(() => {
    repo = attackRepo();
  });
  afterAll(() => repo?.cleanup());
  const WEBHOOK = 'keys-manifest/payments/webhook-signing/key.yaml';
  const at = (head: string) => ({ base: repo.main, head, headKind: 'head' as const });

  it('a pull request that removes a target', async () => {
    const head = repo.branch('drop-target', (dir) =>
      edit(dir, WEBHOOK, (t) =>
        t.replace(/targets:\n(?: {2}- kind[\s\S]*?)(?=versions:)/, 'targets: []\n'),
      ),
    );
    const verdict = await pullVerdict(repo.dir, repo.main, head);
    expect(verdict.removals).toEqual([
      expect.stringMatching(
        /^secret WEBHOOK_SIGNING_KEY \(actions:env:acme\/payments-api:production\): no longer a target of payments\/webhook-signing; distribution deletes it/,
      ),
      expect.stringMatching(/^secret WEBHOOK_SIGNING_KEY_PREVIOUS /),
    ]);
    const summary = renderVerifySummary(verdict, at(head));
    expect(summary).toMatch(/After the merge, distribution removes:/);
    expect(summary).toMatch(/WEBHOOK_SIGNING_KEY_PREVIOUS/);
  });

  it('a pull request that removes a key folder', async () => {
    const head = repo.branch('drop-key', (dir) =>
      rmSync(join(dir, 'keys-manifest/identity/token-signing'), { recursive: true }),
    );
    const verdict = await pullVerdict(repo.dir, repo.main, head);
    expect(verdict.removals).toEqual([
      expect.stringMatching(
        /^file public\/jwks.json: identity\/token-signing is removed; distribution stops writing it/,
      ),
      expect.stringMatching(
        /^secret TOKEN_SIGNING_KEY \(actions:repo:acme\/identity-service\): identity\/token-signing is removed; distribution deletes it/,
      ),
    ]);
  });

  it('a pull request that removes nothing says nothing', async () => {
    const verdict = await pullVerdict(repo.dir, repo.main, repo.main);
    expect(verdict.removals).toEqual([]);
    expect(renderVerifySummary(verdict, at(repo.main))).not.toMatch(/distribution removes/);
  });
});
