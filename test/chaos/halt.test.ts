// Regression (5bc9122): with one run URL for every run, failed attempts were never counted
// and a stuck target never halted its key. In the campaign's world, a target that keeps
// failing halts its key after the retry budget (2), and a person's resume clears it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { faultHook, type Stuck } from '../../src/sandbox/chaos/hook.ts';
import { Observer } from '../../src/sandbox/chaos/invariants.ts';
import { Prng } from '../../src/sandbox/chaos/prng.ts';
import { distributeRun } from '../../src/sandbox/chaos/runs.ts';
import { RunWire } from '../../src/sandbox/chaos/wire.ts';
import { KEYS_REPO, TARGET_REPO, openWorld, type World } from '../../src/sandbox/chaos/world.ts';
import { Canary } from '../support/canary.ts';

let w: World;
const stuck: Stuck = { until: null };
const quiet = () => new RunWire(new Prng(1), { rate: 0 });
const halted = () =>
  [...w.emu.repo(KEYS_REPO).issues.values()].filter(
    (i) => i.state === 'open' && i.labels.includes('rekey:halted'),
  ).length;

beforeEach(async () => {
  w = await openWorld({
    keys: 1,
    start: new Date('2027-01-01T09:00:00Z'),
    canary: new Canary(),
    received: () => {},
  });
  w.emu.setFaultHook(faultHook(TARGET_REPO, stuck, () => w.now()));
});
afterEach(() => w.close());

it('halts a key whose target keeps failing, and resumes it', async () => {
  const obs = new Observer(w);
  const head = (await obs.head()).sha;
  stuck.until = new Date('2027-01-10T00:00:00Z');
  expect((await distributeRun(w, quiet(), [], head)).outcome).toBe('failed');
  expect(halted()).toBe(0);
  expect((await distributeRun(w, quiet(), [], head)).outcome).toBe('failed');
  expect(halted()).toBe(1);
  stuck.until = null;
  expect((await distributeRun(w, quiet(), [], head, [w.keyIds[0]!])).outcome).toBe('converged');
  expect(halted()).toBe(0);
  expect(obs.statusOf(head)?.state).toBe('success');
});
