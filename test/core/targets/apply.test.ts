// applyTargetPlan with per-target concurrency: steps of one target keep their plan order,
// different targets overlap up to the limit, results and receipts come back in plan order.
import { describe, expect, it } from 'vitest';
import type { SecretScope, TargetPorts } from '../../../src/core/ports/targets.ts';
import { applyTargetPlan } from '../../../src/core/targets/apply.ts';
import { desiredState } from '../../../src/core/targets/desired.ts';
import { describeStep, planTargets } from '../../../src/core/targets/plan.ts';
import { testKey } from './fixtures.ts';

const repos = ['acme/a', 'acme/b', 'acme/c', 'acme/d'];

async function planFor() {
  const targets = repos.map((repository) => ({
    kind: 'github-secret',
    repository,
    name: 'TOKEN',
    previous: 'TOKEN_PREVIOUS',
  }));
  const key = await testKey('random', ['active', 'deactivated'], targets);
  const desired = desiredState(key.doc, key.live);
  const empty = {
    secrets: new Map(),
    selected: new Map(),
    deployKeys: new Map(),
    files: new Map(),
  };
  return planTargets(key.doc, desired, empty, []);
}

/** Ports whose secret writes wait a tick and record when they start and end. */
function recordingPorts(failOn?: string) {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const where = (s: SecretScope) => (s.kind === 'organization' ? s.organization : s.repository);
  const secrets: TargetPorts['secrets'] = {
    publicKey: () => Promise.reject(new Error('unused')),
    listSecrets: () => Promise.reject(new Error('unused')),
    selectedRepositories: () => Promise.reject(new Error('unused')),
    async putSecret(scope, name) {
      const id = `${where(scope)} ${name}`;
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${id}`);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      log.push(`end ${id}`);
      if (id === failOn) throw new Error(`PUT failed for ${id}`);
      return { result: 'created', updatedAt: '2026-11-22T07:00:00Z' };
    },
    deleteSecret: () => Promise.reject(new Error('unused')),
  };
  const ports = { secrets, deployKeys: {}, files: {} } as unknown as TargetPorts;
  return { ports, log, peak: () => peak };
}

describe('applyTargetPlan concurrency', () => {
  it('one at a time by default, in plan order', async () => {
    const plan = await planFor();
    const { ports, log, peak } = recordingPorts();
    const result = await applyTargetPlan(plan, ports);
    expect(peak()).toBe(1);
    expect(result.ok).toBe(true);
    expect(result.results.map((r) => r.step)).toEqual(plan.steps.map(describeStep));
    expect(log.filter((l) => l.startsWith('start'))).toEqual(
      repos.flatMap((repo) => [`start ${repo} TOKEN_PREVIOUS`, `start ${repo} TOKEN`]),
    );
  });

  it('overlaps targets up to the limit; previous before name within each target', async () => {
    const plan = await planFor();
    const { ports, log, peak } = recordingPorts();
    const result = await applyTargetPlan(plan, ports, { concurrency: 3 });
    expect(peak()).toBe(3);
    for (const repo of repos)
      expect(log.indexOf(`end ${repo} TOKEN_PREVIOUS`)).toBeLessThan(
        log.indexOf(`start ${repo} TOKEN`),
      );
    // Results and receipts in plan order, whatever the interleaving.
    const sequential = await applyTargetPlan(plan, recordingPorts().ports);
    expect(result.results.map((r) => r.step)).toEqual(sequential.results.map((r) => r.step));
    expect(
      result.receipts.map((r) => (r.kind === 'github-deploy-key' ? '' : `${r.scope} ${r.name}`)),
    ).toEqual(
      repos.flatMap((repo) => [
        `actions:repo:${repo} TOKEN_PREVIOUS`,
        `actions:repo:${repo} TOKEN`,
      ]),
    );
  });

  it('a failed step fails the key; the other targets still run', async () => {
    const plan = await planFor();
    const { ports, log } = recordingPorts('acme/b TOKEN_PREVIOUS');
    const result = await applyTargetPlan(plan, ports, { concurrency: 4 });
    expect(result.ok).toBe(false);
    expect(result.results.filter((r) => r.outcome === 'failed')).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('end'))).toHaveLength(8);
    expect(result.receipts).toHaveLength(7);
  });
});
