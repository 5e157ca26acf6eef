// The revoke use case against the GitHub emulator: real first-parent history in a clone,
// real `rekey/distribution` commit statuses, and the gate of DESIGN.md "Flows: revoke".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEmergency, prepareRotation } from '../../src/commands/changes.ts';
import { renderRevokeSummary, revoke, type RevokeResult } from '../../src/commands/revoke.ts';
import { REKEY_MARKER_PREFIX } from '../../src/commands/rotate.ts';
import { parseMarker } from '../../src/core/pull-body.ts';
import { canary } from '../support/canary.ts';
import {
  callsFor,
  codec,
  days,
  dec,
  generate,
  manifest,
  sopsConfig,
  startBed,
  T0,
  type Bed,
  type Checkout,
} from './rotate-bed.ts';

let bed: Bed;
const T1 = days(T0, 80);
const hours = (d: Date, n: number) => new Date(d.getTime() + n * 3_600_000);
const MUTATING = /^(POST|PATCH|PUT|DELETE) /;

beforeAll(async () => {
  bed = await startBed();
}, 60_000);

afterAll(async () => {
  await bed?.close();
});

/** A repository whose key was rotated (or rotated in an emergency) by a merge at T1. */
async function rotated(name: string, emergency: boolean): Promise<Checkout> {
  bed.at(T0);
  const c = await bed.repo(name, await manifest(['svc/key']));
  const change = emergency
    ? await prepareEmergency(
        c.tree,
        'svc/key',
        { now: T1, sopsConfig, reason: 'leaked', compromised: true },
        { codec, generate },
      )
    : await prepareRotation(
        c.tree,
        'svc/key',
        { now: T1, sopsConfig, prepublish: false },
        { codec, generate },
      );
  bed.at(T1);
  await bed.emu.commitFiles(
    c.fullName,
    'main',
    Object.fromEntries(change.files.map((f) => [f.path, f.content && dec(f.content)])),
    change.message,
  );
  return bed.refresh(c);
}

function run(c: Checkout, now: Date): Promise<RevokeResult> {
  return revoke(
    { tree: c.tree, sha: c.sha, history: c.history, firstParent: c.firstParent, now },
    bed.ports(c.fullName),
  );
}

const outcomesOf = (r: RevokeResult) => ('keys' in r ? r.keys.map((k) => k.outcome) : r.kind);

describe('revoke over the emulator', () => {
  it('keeps the gate closed without distribution proof and within grace, then opens one PR', async () => {
    const c = await rotated('grace', false);
    const merge = c.sha;

    bed.emu.clearLog();
    const none = await run(c, days(T1, 1));
    expect(outcomesOf(none)).toEqual(['skipped']);
    expect(none.kind === 'applied' && none.keys[0]).toMatchObject({
      reason: expect.stringContaining('no rekey/distribution success'),
    });
    expect(callsFor(bed.emu, c.fullName).filter((o) => MUTATING.test(o))).toEqual([]);

    // Distribution proves v2 an hour after the merge.
    bed.at(hours(T1, 1));
    await bed
      .ports(c.fullName)
      .statuses.createStatus(merge, { state: 'success', context: 'rekey/distribution' });

    const early = await run(c, days(T1, 2));
    expect(outcomesOf(early)).toEqual(['skipped']);
    expect(early.kind === 'applied' && early.keys[0]).toMatchObject({
      reason: expect.stringContaining('grace period is 7 d'),
    });

    bed.emu.clearLog();
    const late = await run(c, days(T1, 8));
    const calls = callsFor(bed.emu, c.fullName);
    console.log(
      `revoke: gate open after grace: ${calls.length} REST calls (${late.kind === 'applied' ? late.statusCalls : '?'} status reads): ${calls.join(', ')}`,
    );
    expect(outcomesOf(late)).toEqual(['created']);
    expect(late.kind === 'applied' && late.statusCalls).toBe(1);
    const pulls = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.headRef).toBe('rekey/revoke/svc/key');
    expect(pulls[0]!.labels).toEqual(expect.arrayContaining(['rekey', 'rekey:revocation']));
    expect(parseMarker(pulls[0]!.body)).toMatchObject({ action: 'revoke', versions: [1] });
    expect(pulls[0]!.body).toContain('**Revocation gate:**');
    expect(pulls[0]!.body).toContain('grace 7 d passed');

    const again = await run(c, days(T1, 9));
    expect(outcomesOf(again)).toEqual(['unchanged']);
    expect(await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX)).toHaveLength(
      1,
    );

    const summary = renderRevokeSummary(late);
    expect(summary).toContain('| svc/key | v1 (deactivated) | open |');
    canary.scan({
      summary,
      result: JSON.stringify([none, early, late, again]),
      ...Object.fromEntries(bed.bodies.map((b, i) => [`request body ${i}`, b])),
    });
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('revokes a compromised version as soon as its successor is proven, without grace', async () => {
    const c = await rotated('compromised', true);
    bed.at(hours(T1, 1));
    await bed
      .ports(c.fullName)
      .statuses.createStatus(c.sha, { state: 'success', context: 'rekey/distribution' });
    const r = await run(c, hours(T1, 2));
    expect(outcomesOf(r)).toEqual(['created']);
    expect(r.kind === 'applied' && r.verdicts).toEqual([
      expect.objectContaining({ version: 1, state: 'compromised', open: true }),
    ]);
    const pulls = await bed.ports(c.fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
    expect(pulls[0]!.body).toContain('compromised: no grace');
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('does nothing, with no status read, when no version waits for revocation', async () => {
    bed.at(T0);
    const c = await bed.repo('idle', await manifest(['svc/key']));
    bed.emu.clearLog();
    const r = await run(c, days(T0, 1));
    expect(r).toMatchObject({ kind: 'applied', keys: [], statusCalls: 0 });
    expect(callsFor(bed.emu, c.fullName)).toEqual([]);
  }, 60_000);
});
