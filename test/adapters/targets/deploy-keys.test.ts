import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyDocument } from '../../../src/core/formats/key.ts';
import { applyTargetPlan } from '../../../src/core/targets/apply.ts';
import {
  deployKeyTitle,
  desiredState,
  type LiveVersion,
} from '../../../src/core/targets/desired.ts';
import { observeTargets } from '../../../src/core/targets/observe.ts';
import { planTargets } from '../../../src/core/targets/plan.ts';
import { generateKey } from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';
import { testKey } from '../../core/targets/fixtures.ts';
import { startTargetBed, type TargetBed } from './harness.ts';

const ID = 'deploy/api';
const TARGET = { kind: 'github-deploy-key', repository: 'acme/api', title: 'ci' };

let bed: TargetBed;
beforeAll(async () => {
  bed = await startTargetBed();
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

async function run(doc: KeyDocument, live: readonly LiveVersion[]) {
  const ports = bed.ports();
  const desired = desiredState(doc, live);
  const plan = planTargets(doc, desired, await observeTargets(desired, ports));
  const applied = await applyTargetPlan(plan, ports);
  canary.scan({
    plan: JSON.stringify(plan) + inspect(plan, { depth: 10 }),
    applied: JSON.stringify(applied),
    logs: bed.logs.join('\n'),
  });
  expect(applied.results.filter((r) => r.outcome === 'failed')).toEqual([]);
  return plan;
}

const onGitHub = async () =>
  (await bed.ports().deployKeys.listDeployKeys('acme/api')).map((k) => [
    k.title,
    k.key,
    k.readOnly,
  ]);
const material = (line: string) => line.split(' ').slice(0, 2).join(' ');

describe('github-deploy-key targets against the emulator', () => {
  it('adds the live keys, deletes only its own destroyed and compromised ones', async () => {
    // A key a person added: rekey must never delete it.
    const own = await generateKey('ssh-ed25519');
    await bed.ports().deployKeys.addDeployKey('acme/api', {
      title: `laptop (rekey ${ID} vX)`,
      key: own.public!,
      readOnly: false,
    });

    const v1 = await testKey('ssh-ed25519', ['active'], [TARGET], ID);
    const first = await run(v1.doc, v1.live);
    expect(first.steps.map((s) => s.kind)).toEqual(['add-deploy-key']);
    expect(await onGitHub()).toEqual([
      [`laptop (rekey ${ID} vX)`, material(own.public!), false],
      [deployKeyTitle('ci', ID, 1), material(v1.public.get(1)!), true],
    ]);

    // Idempotent: nothing to do, and nothing is written.
    bed.emu.clearLog();
    expect((await run(v1.doc, v1.live)).steps).toEqual([]);
    expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('rotation keeps the deactivated key in grace; destroy and compromise remove rekey keys', async () => {
    const k = await testKey(
      'ssh-ed25519',
      ['pre-activation', 'active', 'deactivated'],
      [TARGET],
      ID,
    );
    const p0 = await run(k.doc, k.live);
    expect(p0.steps.map((s) => [s.kind, s.reason])).toEqual([
      ['delete-deploy-key', "not v1's key material"],
      ['add-deploy-key', 'absent'],
      ['add-deploy-key', 'absent'],
    ]);
    const titles = async () => (await onGitHub()).map((x) => x[0]);
    // The v1 key of the previous test is another material: it is rekey's and not wanted.
    expect(await titles()).toEqual([
      `laptop (rekey ${ID} vX)`,
      deployKeyTitle('ci', ID, 2),
      deployKeyTitle('ci', ID, 1),
    ]);
    expect((await onGitHub()).map((x) => x[1])).not.toContain(material(k.public.get(3)!)); // pre-activation

    const revoked = {
      ...k,
      doc: {
        ...k.doc,
        versions: k.doc.versions.map((v) =>
          v.version === 1 ? { ...v, state: 'destroyed' as const } : v,
        ),
      },
    };
    await run(
      revoked.doc,
      k.live.filter((v) => v.version !== 1),
    );
    expect(await titles()).toEqual([`laptop (rekey ${ID} vX)`, deployKeyTitle('ci', ID, 2)]);

    const compromised = {
      ...k.doc,
      versions: k.doc.versions.map((v) =>
        v.version === 2
          ? { ...v, state: 'compromised' as const }
          : v.version === 1
            ? { ...v, state: 'destroyed' as const }
            : v.version === 3
              ? { ...v, state: 'active' as const }
              : v,
      ),
    };
    const plan = await run(
      compromised,
      k.live.filter((v) => v.version !== 1),
    );
    expect(plan.steps.map((s) => [s.kind, s.reason])).toEqual([
      ['delete-deploy-key', 'v2 is compromised'],
      ['add-deploy-key', 'absent'],
    ]);
    expect(await titles()).toEqual([`laptop (rekey ${ID} vX)`, deployKeyTitle('ci', ID, 3)]);
    bed.emu.assertNoInvalidRequests();
  });

  it('deleting a key that is gone already is "absent"', async () => {
    expect(await bed.ports().deployKeys.deleteDeployKey('acme/api', 999999)).toBe('absent');
  });
});
