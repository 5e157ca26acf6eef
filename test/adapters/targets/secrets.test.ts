import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createSecretsAdapter } from '../../../src/adapters/targets/secrets.ts';
import type { KeyDocument } from '../../../src/core/formats/key.ts';
import type { TargetPorts } from '../../../src/core/ports/targets.ts';
import { applyTargetPlan } from '../../../src/core/targets/apply.ts';
import { desiredState, type LiveVersion } from '../../../src/core/targets/desired.ts';
import { observeTargets } from '../../../src/core/targets/observe.ts';
import { planTargets, type Receipt } from '../../../src/core/targets/plan.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { canary } from '../../support/canary.ts';
import { testKey, type TestKey } from '../../core/targets/fixtures.ts';
import { startTargetBed, type TargetBed } from './harness.ts';

const TARGETS = [
  { kind: 'github-secret', repository: 'acme/api', name: 'TOKEN', previous: 'TOKEN_PREVIOUS' },
  {
    kind: 'github-secret',
    repository: 'acme/api',
    app: 'dependabot',
    name: 'DEP_TOKEN',
    previous: 'DEP_TOKEN_PREVIOUS',
  },
  {
    kind: 'github-secret',
    repository: 'acme/api',
    environment: 'production',
    name: 'ENV_TOKEN',
    previous: 'ENV_TOKEN_PREVIOUS',
  },
  {
    kind: 'github-secret',
    organization: 'acme',
    name: 'ORG_TOKEN',
    previous: 'ORG_TOKEN_PREVIOUS',
    visibility: 'selected',
    'selected-repositories': ['acme/web'],
  },
  {
    kind: 'github-secret',
    organization: 'acme',
    app: 'dependabot',
    name: 'ORG_DEP_TOKEN',
    previous: 'ORG_DEP_TOKEN_PREVIOUS',
    visibility: 'all',
  },
];

/** The emulator's scope for each target above, and its public-key route. */
const SCOPES = [
  {
    scope: { repository: 'acme/api' },
    key: 'GET /repos/{owner}/{repo}/actions/secrets/public-key',
  },
  {
    scope: { repository: 'acme/api', app: 'dependabot' as const },
    key: 'GET /repos/{owner}/{repo}/dependabot/secrets/public-key',
  },
  {
    scope: { repository: 'acme/api', environment: 'production' },
    key: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
  },
  { scope: { organization: 'acme' }, key: 'GET /orgs/{org}/actions/secrets/public-key' },
  {
    scope: { organization: 'acme', app: 'dependabot' as const },
    key: 'GET /orgs/{org}/dependabot/secrets/public-key',
  },
];

let bed: TargetBed;
beforeAll(async () => {
  bed = await startTargetBed();
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

/** One distribution run: observe, plan, apply with fresh ports. */
async function run(
  doc: KeyDocument,
  live: readonly LiveVersion[],
  receipts: Receipt[] = [],
  ports: TargetPorts = bed.ports(),
) {
  const desired = desiredState(doc, live);
  const plan = planTargets(doc, desired, await observeTargets(desired, ports), receipts);
  const applied = await applyTargetPlan(plan, ports);
  canary.scan({
    plan: JSON.stringify(plan) + inspect(plan, { depth: 10 }),
    applied: JSON.stringify(applied) + inspect(applied, { depth: 10 }),
    logs: bed.logs.join('\n'),
  });
  expect(applied.results.filter((r) => r.outcome === 'failed')).toEqual([]);
  return { plan, applied };
}

/** What every slot opens to, per scope: [name, previous] plaintexts or undefined when absent. */
function opened(): (string | undefined)[][] {
  return SCOPES.map(({ scope }, i) => {
    const t = TARGETS[i]!;
    const names = bed.emu.secretNames(scope);
    return [t.name, t.previous].map((n) =>
      names.includes(n) ? bed.emu.openSecret(scope, n) : undefined,
    );
  });
}

describe('github-secret targets against the emulator', () => {
  let k: TestKey;
  let receipts: Receipt[] = [];

  it('first run: every sealed secret opens to the desired value; one public-key fetch per scope', async () => {
    k = await testKey('random', ['active', 'deactivated'], TARGETS);
    bed.emu.clearLog();
    const { plan, applied } = await run(k.doc, k.live);
    expect(plan.steps.map((s) => s.kind)).toEqual(Array(10).fill('put-secret'));
    expect(opened()).toEqual(SCOPES.map(() => [k.secret.get(2), k.secret.get(1)]));
    for (const s of SCOPES) expect(bed.emu.calls(s.key), s.key).toBe(1);
    expect(applied.receipts).toHaveLength(10);
    receipts = [...applied.receipts];
    bed.emu.assertNoInvalidRequests();
  });

  it('organization secrets carry their visibility and selected repositories', async () => {
    const adapter = createSecretsAdapter(
      createGitHubClient({
        token: bed.emu.addToken({ kind: 'app', permissions: 'all' }),
        apiUrl: bed.emu.apiUrl,
        serverUrl: bed.emu.serverUrl,
        fetch: globalThis.fetch,
        throttle: { enabled: false },
      }),
    );
    const org = await adapter.listSecrets({
      kind: 'organization',
      app: 'actions',
      organization: 'acme',
    });
    expect(org.find((s) => s.name === 'ORG_TOKEN')?.visibility).toBe('selected');
    expect(
      await adapter.selectedRepositories(
        { kind: 'organization', app: 'actions', organization: 'acme' },
        'ORG_TOKEN',
      ),
    ).toEqual(['acme/web']);
    const dep = await adapter.listSecrets({
      kind: 'organization',
      app: 'dependabot',
      organization: 'acme',
    });
    expect(dep.find((s) => s.name === 'ORG_DEP_TOKEN')?.visibility).toBe('all');
  });

  it('second run with the receipts: an empty plan, no writes', async () => {
    bed.emu.clearLog();
    const { plan } = await run(k.doc, k.live, receipts);
    expect(plan.steps).toEqual([]);
    expect(plan.current).toBe(10);
    expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('without receipts every secret is written again (it cannot be read back)', async () => {
    const { plan } = await run(k.doc, k.live);
    expect(plan.steps.map((s) => s.reason)).toEqual(Array(10).fill('no record of a rekey write'));
  });

  it('a secret written by someone else since is written again', async () => {
    const { applied } = await run(k.doc, k.live);
    receipts = [...applied.receipts];
    const ports = bed.ports();
    await ports.secrets.putSecret(
      { kind: 'repository', app: 'actions', repository: 'acme/api' },
      'TOKEN',
      SecretValue.of('tampered-value-123'),
    );
    const { plan } = await run(k.doc, k.live, receipts);
    expect(plan.steps.map((s) => [s.kind, 'name' in s ? s.name : '', s.reason])).toEqual([
      ['put-secret', 'TOKEN', 'written by someone else since rekey wrote it'],
    ]);
    expect(bed.emu.openSecret({ repository: 'acme/api' }, 'TOKEN')).toBe(k.secret.get(2));
  });

  it('rotation: name <- new active, previous <- the newly deactivated; destroyed never present', async () => {
    const r = await testKey('random', ['active', 'deactivated', 'destroyed'], TARGETS);
    await run(r.doc, r.live);
    expect(opened()).toEqual(SCOPES.map(() => [r.secret.get(3), r.secret.get(2)]));
  });

  it('emergency: a compromised version leaves every target at once', async () => {
    const e = await testKey('random', ['active', 'compromised', 'destroyed'], TARGETS);
    const { plan } = await run(e.doc, e.live);
    expect(plan.steps.filter((s) => s.kind === 'delete-secret')).toHaveLength(5);
    expect(opened()).toEqual(SCOPES.map(() => [e.secret.get(3), undefined]));
    for (const { scope } of SCOPES)
      for (const n of bed.emu.secretNames(scope))
        expect(bed.emu.openSecret(scope, n)).not.toBe(e.secret.get(2));
  });

  it('a scope key GitHub rotated mid-run is fetched again, once', async () => {
    const ports = bed.ports();
    const scope = { kind: 'repository', app: 'actions', repository: 'acme/api' } as const;
    await ports.secrets.publicKey(scope);
    bed.emu.rotateSecretKey({ repository: 'acme/api' });
    bed.emu.clearLog();
    const v = SecretValue.of('after-rotation-value-0001');
    canary.register(v.text());
    expect((await ports.secrets.putSecret(scope, 'ROTATED', v)).result).toBe('created');
    expect(bed.emu.openSecret({ repository: 'acme/api' }, 'ROTATED')).toBe(v.text());
    expect(bed.emu.calls(SCOPES[0]!.key)).toBe(1);
    expect(await ports.secrets.deleteSecret(scope, 'ROTATED')).toBe('deleted');
    expect(await ports.secrets.deleteSecret(scope, 'ROTATED')).toBe('absent');
  });

  it('a failure names the route, never the value', async () => {
    const ports = bed.ports();
    const v = SecretValue.of('value-in-a-missing-env-0001');
    canary.register(v.text());
    const err = await ports.secrets
      .putSecret(
        { kind: 'environment', app: 'actions', repository: 'acme/api', environment: 'staging' },
        'X',
        v,
      )
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toContain('environments/{environment_name}/secrets');
    canary.scan({
      error: `${err?.message}\n${inspect(err)}\n${JSON.stringify(err)}`,
      logs: bed.logs.join('\n'),
    });
  });
});
