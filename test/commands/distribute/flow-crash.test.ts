// The process killed after each single write, in turn: the run's ports die right after its
// n-th target write (that write happened; the run never hears back, stores no receipts, does
// not release the lease, writes no status). The next run, once the lease has expired on the
// virtual clock, converges; it rewrites what the dead run wrote (no receipt proves those
// writes), which is the whole cost of a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import type { DistributeResult } from '../../../src/commands/distribute/types.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import type { TargetPorts } from '../../../src/core/ports/targets.ts';
import { startDistBed, STANDARD, type DistBed, type RunPorts } from './bed.ts';
import { targetChecks } from './targets-check.ts';

class Crash extends Error {
  override readonly name = 'Crash';
}

const WRITES = new Set([
  'putSecret',
  'deleteSecret',
  'addDeployKey',
  'deleteDeployKey',
  'writeFile',
  'deleteFile',
]);

/** Every method of every port throws once the process is dead; the n-th write kills it. */
function dying(ports: RunPorts, n: number): { ports: RunPorts; written: string[] } {
  let writes = 0;
  let dead = false;
  const written: string[] = [];
  const wrap = <T extends object>(o: T): T =>
    new Proxy(o, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          if (dead) throw new Crash('the process is gone');
          const result: unknown = await (v as (...a: unknown[]) => unknown).apply(target, args);
          if (WRITES.has(String(prop))) {
            written.push(`${String(prop)} ${String(args[1] ?? args[0])}`);
            if (++writes >= n) {
              dead = true;
              throw new Crash(`killed after write ${n}`);
            }
          }
          return result;
        };
      },
    });
  const targets: TargetPorts = {
    secrets: wrap(ports.targets.secrets),
    deployKeys: wrap(ports.targets.deployKeys),
    files: wrap(ports.targets.files),
  };
  return {
    written,
    ports: {
      ...ports,
      git: wrap(ports.git),
      statuses: wrap(ports.statuses),
      issues: wrap(ports.issues),
      state: wrap(ports.state),
      targets,
    },
  };
}

let bed: DistBed;
let expectDistributed: () => Promise<void>;
beforeAll(async () => {
  bed = await startDistBed();
  ({ expectDistributed } = targetChecks(bed));
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

const stepsOf = (r: DistributeResult) =>
  r.evidence.keys.flatMap((k) => k.targets.flatMap((t) => t.steps));

describe('distribute killed after each single write', () => {
  it('the next run converges every time', { timeout: 300_000 }, async () => {
    const ids = STANDARD.map((k) => k.id);
    // Onboarding and a first rotation, undisturbed: from then on every round (destroy the
    // oldest deactivated version, rotate) has the same plan.
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    let version = 1;
    const round = async () => {
      bed.advance(86_400_000);
      for (const id of ids) {
        if (version >= 2) bed.revoke(id, [version - 1]);
        await bed.rotate(id);
      }
      version++;
      await bed.commit(`rekey: round ${version}`);
    };
    await round();
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
    const plan = async () =>
      stepsOf(await distribute(bed.input({ dryRun: true }), bed.ports())).length;

    await round();
    const total = await plan();
    expect(total).toBeGreaterThanOrEqual(10);
    for (let n = 1; n <= total; n++) {
      if (n > 1) {
        await round();
        expect(await plan()).toBe(total);
      }
      const { ports, written } = dying(bed.ports(), n);
      // One key at a time, so "the n-th write" is one exact write of the plan.
      const outcome = await distribute(bed.input({ concurrency: 1 }), ports).then(
        () => 'finished',
        (e: unknown) => (e instanceof Crash ? 'crashed' : Promise.reject(e)),
      );
      expect(outcome, `write ${n}`).toBe('crashed');
      expect(written, `write ${n}`).toHaveLength(n);
      // No status came from the dead run.
      expect(await bed.ports().statuses.listStatuses(bed.head(), DISTRIBUTION_CONTEXT)).toEqual([]);

      // The lease is still held by the dead run: a new run is busy until it expires.
      const waiting = bed.ports();
      expect((await distribute(bed.input(), waiting)).outcome).toBe('busy');
      expect(waiting.writes).toEqual([]);

      bed.advance(31 * 60_000);
      const recovery = bed.ports();
      const result = await distribute(bed.input(), recovery);
      expect(result.problems, `write ${n}`).toEqual([]);
      expect(result.outcome, `write ${n}`).toBe('converged');
      await expectDistributed();
      // The secrets the dead run wrote are written again: no receipt proves them.
      const name = (w: string) => w.split(' ')[1];
      const recoveryPuts = recovery.writes.filter((w) => w.startsWith('put ')).map(name);
      for (const w of written.filter((x) => x.startsWith('putSecret')))
        expect(recoveryPuts, `write ${n}`).toContain(name(w));
      bed.emu.assertNoInvalidRequests();
    }
  });
});
