// Rotate leaves halted keys alone: the rotate command given `haltedKeys(issues)` skips the key
// and links its issue, and the bundled rotate action reads the halted keys itself (the way the
// runner runs it), until `resumeKey` lets rotation open the key's PR again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  haltedKeys,
  recordDistribution,
  resumeKey,
} from '../../../src/commands/distribute/failures.ts';
import { REKEY_MARKER_PREFIX, rotate } from '../../../src/commands/rotate.ts';
import { bundleAction, runScheduled } from '../../actions/runner.ts';
import { codec, days, manifest, startBed, T0, type Bed } from '../rotate-bed.ts';

let bed: Bed;
let bundle: string;

beforeAll(async () => {
  bed = await startBed();
  bundle = await bundleAction('rotate', bed.tmp);
}, 120_000);
afterAll(async () => {
  bed?.emu.assertNoInvalidRequests();
  await bed?.close();
});

/** Halts `key` the way distribution does: failed runs up to the budget (1 here). */
async function halt(fullName: string, key: string) {
  const [r] = await recordDistribution(bed.ports(fullName).issues, {
    failed: [{ key, details: ['put TOKEN in actions:repo:acme/api: 403 Forbidden'] }],
    converged: [],
    budget: 1,
    commit: '0123456789abcdef0123456789abcdef01234567',
  });
  expect(r?.halted).toBe(true);
  return r!;
}

describe('rotate skips halted keys', () => {
  it('the command skips the halted key, names why and links its issue', async () => {
    bed.at(days(T0, -80));
    const c = await bed.repo('halted-cmd', await manifest(['app/one', 'app/two']));
    const record = await halt(c.fullName, 'app/one');
    bed.at(T0);
    const ports = bed.ports(c.fullName);
    const result = await rotate(
      { ...c, now: T0, halted: await haltedKeys(ports.issues) },
      { ...ports, codec },
    );
    if (result.kind !== 'applied') throw new Error(`expected applied, got ${result.kind}`);
    const one = result.keys.find((k) => k.keyId === 'app/one')!;
    if (one.outcome !== 'skipped') throw new Error(`expected skipped, got ${one.outcome}`);
    expect(one.reason).toMatch(/^halted \(label rekey:halted\): a person must resume it/);
    expect(one.reason).toContain(`see ${record.url}`);
    expect(result.keys.find((k) => k.keyId === 'app/two')!.outcome).toBe('created');
    const open = await ports.pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(open.map((p) => p.headRef)).toEqual(['rekey/rotate/app/two']);
  });

  it('the halted keys are read only when some key is due, never for an emergency', async () => {
    bed.at(T0);
    const c = await bed.repo('halted-lazy', await manifest(['app/one']));
    let loads = 0;
    const loader = async () => {
      loads++;
      return haltedKeys(bed.ports(c.fullName).issues);
    };
    const ports = { ...bed.ports(c.fullName), codec };
    const quiet = await rotate({ ...c, now: T0, halted: loader }, ports);
    expect(quiet.kind).toBe('applied');
    expect(loads).toBe(0);
    const urgent = await rotate(
      {
        ...c,
        now: T0,
        halted: loader,
        emergency: { key: 'app/one', reason: 'leaked', compromised: true },
      },
      ports,
    );
    expect(urgent.kind).toBe('applied');
    expect(loads).toBe(0);
    const due = await rotate({ ...c, now: days(T0, 80), halted: loader, dryRun: true }, ports);
    expect(due.kind).toBe('dry-run');
    expect(loads).toBe(1);
  });

  it('the rotate action bundle reads halted keys itself; resumed keys rotate again', async () => {
    // The bundle reads the real clock: committed 80 days ago, both keys are due.
    bed.at(days(new Date(), -80));
    const c = await bed.repo('halted-bundle', await manifest(['app/one', 'app/two']));
    const record = await halt(c.fullName, 'app/one');
    const go = () =>
      runScheduled(bed, bundle, c, { token: bed.token }, { cron: '17 6 * * *', runId: '77' });
    bed.emu.clearLog();
    const first = await go();
    expect(first.code, first.stdout).toBe(0);
    expect(JSON.parse(first.outputs.created!)).toEqual(['app/two']);
    expect(first.stdout).toContain('app/one: skipped (halted (label rekey:halted)');
    expect(first.stdout).toContain(record.url);
    expect(bed.emu.calls('GET /repos/{owner}/{repo}/issues')).toBe(1);

    expect(await resumeKey(bed.ports(c.fullName).issues, 'app/one', 'oncall')).toBe('resumed');
    const second = await go();
    expect(second.code, second.stdout).toBe(0);
    expect(JSON.parse(second.outputs.created!)).toEqual(['app/one']);
  }, 120_000);
});
