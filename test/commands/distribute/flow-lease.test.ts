// The run over time: the lease renewed between keys when it nears expiry, a lease lost to
// another run (keys not started are skipped, nothing else written by this run), the default
// branch moving while preflight runs, and the retry budget: a key failing `retry-budget`
// times is halted, later runs leave it alone (and say so), and a resume retries it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { HALTED_LABEL } from '../../../src/commands/distribute/failures.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import type { StateRefPort } from '../../../src/core/ports/github.ts';
import type { TargetPorts } from '../../../src/core/ports/targets.ts';
import { simpleKeys, simpleRepos, startDistBed, type DistBed } from './bed.ts';

const KEYS = simpleKeys(4);
const ids = KEYS.map((k) => k.id);
const MINUTE = 60_000;

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: simpleRepos(4) });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

/** Target ports whose every secret write takes `minutes` on the virtual clock. */
function slow(minutes: number, then?: () => Promise<void>) {
  return (t: TargetPorts): TargetPorts => ({
    ...t,
    secrets: {
      ...t.secrets,
      putSecret: async (...args) => {
        const r = await t.secrets.putSecret(...args);
        bed.advance(minutes * MINUTE);
        await then?.();
        return r;
      },
    },
  });
}

async function rotateAll() {
  bed.advance(86_400_000);
  for (const id of ids) await bed.rotate(id);
  return bed.commit('rekey: rotate all');
}

describe('distribute over time', () => {
  it('renews the lease between keys, so a contender stays out', async () => {
    await rotateAll();
    const messages: string[] = [];
    const ports = bed.ports();
    const recording: StateRefPort = {
      ...ports.state,
      read: (ref) => ports.state.read(ref),
      write: async (ref, parent, files, message) => {
        messages.push(message.split('\n')[0]!);
        return ports.state.write(ref, parent, files, message);
      },
    };
    const contenders: string[] = [];
    // Each key writes 2 secrets (20 virtual minutes); the TTL is 30 minutes.
    const result = await distribute(bed.input({ concurrency: 1 }), {
      ...ports,
      state: recording,
      targets: slow(10, async () => {
        const other = await distribute(bed.input({ holder: 'contender' }), bed.ports());
        contenders.push(other.outcome);
      })(ports.targets),
    });
    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe('converged');
    expect(messages.filter((m) => m.startsWith('rekey: renew')).length).toBeGreaterThan(0);
    expect(messages.at(-1)).toMatch(/^rekey: release/);
    expect(contenders.length).toBe(8);
    expect(new Set(contenders)).toEqual(new Set(['busy']));
  });

  it('a lost lease stops the run before the next key; what was not started is skipped', async () => {
    await rotateAll();
    const ports = bed.ports({ targets: slow(20) });
    let writes = 0;
    // After acquiring, every further lease write loses the compare-and-swap (another run won).
    const losing: StateRefPort = {
      ...ports.state,
      read: (ref) => ports.state.read(ref),
      write: async (ref, parent, files, message) =>
        ++writes === 1 ? ports.state.write(ref, parent, files, message) : { result: 'conflict' },
    };
    const result = await distribute(bed.input({ concurrency: 1 }), { ...ports, state: losing });
    expect(result.outcome).toBe('failed');
    expect(result.status).toBe('failure');
    expect(result.problems.join('\n')).toMatch(/the lease was lost/);
    expect(result.problems.join('\n')).toMatch(
      /receipts were not stored: the lease is another run's now/,
    );
    // Skipped keys were not attempted: no failure issue for them.
    expect(result.keys.filter((k) => k.issue !== undefined)).toEqual([]);
    expect(result.keys.map((k) => k.outcome)).toEqual([
      'converged',
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(ports.writes).toHaveLength(2);
    expect(renderDistributeSummary(result)).toMatch(/skipped/);
    // Clean up: the lease on GitHub is still held by the (simulated) winner's write of ours.
    bed.advance(31 * MINUTE);
    const next = await distribute(bed.input(), bed.ports());
    expect(next.outcome).toBe('converged');
    expect(bed.issues().filter((i) => i.state === 'open')).toHaveLength(0);
  });

  it('the default branch moving during preflight: superseded, nothing written', async () => {
    await rotateAll();
    const input = bed.input();
    let pushed = false;
    const ports = bed.ports();
    const moving: TargetPorts = {
      ...ports.targets,
      secrets: {
        ...ports.targets.secrets,
        publicKey: async (scope) => {
          if (!pushed) {
            pushed = true;
            await bed.rotate(ids[0]!);
            await bed.commit('rekey: rotate during preflight');
          }
          return ports.targets.secrets.publicKey(scope);
        },
      },
    };
    const result = await distribute(input, { ...ports, targets: moving });
    expect(pushed).toBe(true);
    expect(result.outcome).toBe('superseded');
    expect(ports.writes).toEqual([]);
    expect(await bed.ports().statuses.listStatuses(input.commit, DISTRIBUTION_CONTEXT)).toEqual([]);
    expect((await distribute(bed.input(), bed.ports())).outcome).toBe('converged');
  });

  it('halts a key at the retry budget, leaves it alone, and resumes it on request', async () => {
    await rotateAll();
    // svc/key-2 fails in each of the next 3 runs (retry-budget: 3), then the fault is spent.
    bed.emu.inject({
      method: 'PUT',
      path: /\/repos\/acme\/r2\/actions\/secrets\/TOKEN$/,
      status: 403,
      times: 3,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await distribute(bed.input(), bed.ports());
      expect(r.outcome).toBe('failed');
      outcomes.push(r.keys.find((k) => k.key === 'svc/key-2')!.outcome);
    }
    expect(outcomes).toEqual(['failed', 'failed', 'halted']);
    const issue = bed.issues().find((i) => i.state === 'open')!;
    expect(issue.labels).toContain(HALTED_LABEL);

    // Halted: not touched (no write to acme/r2), the run fails and says why.
    bed.emu.clearLog();
    const skipped = await distribute(bed.input(), bed.ports());
    expect(skipped.outcome).toBe('failed');
    expect(skipped.status).toBe('failure');
    expect(skipped.keys.find((k) => k.key === 'svc/key-2')).toMatchObject({ outcome: 'halted' });
    expect(bed.emu.requestLog.filter((r) => r.path.includes('/repos/acme/r2/'))).toEqual([]);
    expect(renderDistributeSummary(skipped)).toMatch(/halted/);

    // A person resumes it: the next run retries it and converges.
    const resumed = await distribute(bed.input({ resume: ['svc/key-2'] }), bed.ports());
    expect(resumed.problems).toEqual([]);
    expect(resumed.outcome).toBe('converged');
    expect(resumed.status).toBe('success');
    expect(bed.emu.openSecret({ repository: 'acme/r2' }, 'TOKEN')).toBe(
      bed.material('svc/key-2', bed.key('svc/key-2').versions[0]!.version).secret,
    );
    expect(bed.issues().filter((i) => i.state === 'open')).toHaveLength(0);
  });
});
