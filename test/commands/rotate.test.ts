// The rotate use case against the GitHub emulator (every request validated against GitHub's
// OpenAPI description), reading a real git clone of the emulator's repository as the checkout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRotation } from '../../src/commands/changes.ts';
import {
  outcomes,
  REKEY_MARKER_PREFIX,
  renderRotateSummary,
  rotate,
  type RotateInput,
  type RotateResult,
} from '../../src/commands/rotate.ts';
import { parseMarker } from '../../src/core/pull-body.ts';
import { canary } from '../support/canary.ts';
import {
  callsFor,
  codec,
  days,
  dec,
  POLICY,
  sopsConfig,
  generate,
  git,
  gitAsync,
  manifest,
  startBed,
  T0,
  type Bed,
  type Checkout,
} from './rotate-bed.ts';

let bed: Bed;
let files3: Record<string, string>;
const DUE = days(T0, 80);
const MUTATING = /^(POST|PATCH|PUT|DELETE) /;

beforeAll(async () => {
  bed = await startBed();
  files3 = await manifest(['team/alpha', 'team/beta', 'team/gamma']);
}, 60_000);

afterAll(async () => {
  await bed?.close();
});

function input(c: Checkout, extra: Partial<RotateInput> = {}): RotateInput {
  return {
    tree: c.tree,
    sha: c.sha,
    history: c.history,
    firstParent: c.firstParent,
    now: DUE,
    ...extra,
  };
}

function run(c: Checkout, extra: Partial<RotateInput> = {}): Promise<RotateResult> {
  return rotate(input(c, extra), { ...bed.ports(c.fullName), codec, generate });
}

async function openPulls(fullName: string) {
  return bed.ports(fullName).pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
}

async function remoteBranches(c: Checkout): Promise<string[]> {
  return (await gitAsync(c.work, 'ls-remote', '--heads', 'origin', 'rekey/*'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t')[1]!.replace('refs/heads/', ''))
    .sort();
}

function scanForSecrets(places: Record<string, string>): void {
  canary.scan({
    ...places,
    // Request bodies: only the encrypted material file may carry anything secret-derived,
    // and SOPS encryption leaves nothing of the plaintext in it.
    ...Object.fromEntries(bed.bodies.map((b, i) => [`request body ${i}`, b])),
  });
}

describe('rotate over the emulator', () => {
  it('opens exactly one PR per due key, within the call budget, then changes nothing', async () => {
    bed.at(T0);
    const c = await bed.repo('three', files3);
    bed.emu.clearLog();
    bed.at(DUE);
    const first = await run(c);
    expect(first.kind).toBe('applied');
    if (first.kind !== 'applied') return;
    expect(first.keys.map((k) => [k.keyId, k.outcome])).toEqual([
      ['team/alpha', 'created'],
      ['team/beta', 'created'],
      ['team/gamma', 'created'],
    ]);
    const calls1 = callsFor(bed.emu, c.fullName);
    console.log(
      `rotate: 3 due keys, first run: ${calls1.length} REST calls (${calls1.length / 3} per new PR incl. the shared 2)`,
    );
    expect(calls1.length).toBeLessThanOrEqual(2 + 6 * 3);

    const pulls = await openPulls(c.fullName);
    expect(pulls).toHaveLength(3);
    for (const p of pulls) {
      expect(p.labels).toEqual(expect.arrayContaining(['rekey', 'rekey:rotation']));
      expect(parseMarker(p.body)).toMatchObject({ action: 'rotate', versions: [2, 1] });
    }
    expect(await remoteBranches(c)).toEqual([
      'rekey/rotate/team/alpha',
      'rekey/rotate/team/beta',
      'rekey/rotate/team/gamma',
    ]);

    bed.emu.clearLog();
    const second = await run(c);
    const calls2 = callsFor(bed.emu, c.fullName);
    console.log(`rotate: second run over the same 3 keys: ${calls2.length} REST calls`);
    expect(calls2.length).toBeLessThanOrEqual(3);
    expect(calls2.filter((o) => MUTATING.test(o))).toEqual([]);
    expect(second.kind === 'applied' && second.keys.map((k) => k.outcome)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(await openPulls(c.fullName)).toHaveLength(3);

    const summary = renderRotateSummary('rekey rotate', first);
    expect(summary).toContain('| team/alpha | created |');
    scanForSecrets({
      summary,
      outputs: JSON.stringify(outcomes(first.keys)),
      result: JSON.stringify(first),
      pulls: JSON.stringify(pulls),
    });
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('makes at most 8 REST calls for one new rotation PR and at most 3 when nothing is due', async () => {
    bed.at(T0);
    const c = await bed.repo('one', await manifest(['solo/key']));
    bed.emu.clearLog();
    const idle = await run(c, { now: days(T0, 10) });
    const idleCalls = callsFor(bed.emu, c.fullName);
    console.log(`rotate: nothing due: ${idleCalls.length} REST calls: ${idleCalls.join(', ')}`);
    expect(idleCalls.length).toBeLessThanOrEqual(3);
    expect(idle.kind === 'applied' && idle.keys[0]?.outcome).toBe('unchanged');

    bed.emu.clearLog();
    bed.at(DUE);
    const r = await run(c);
    const calls = callsFor(bed.emu, c.fullName);
    console.log(`rotate: one new rotation PR: ${calls.length} REST calls: ${calls.join(', ')}`);
    expect(r.kind === 'applied' && r.keys[0]?.outcome).toBe('created');
    expect(calls.length).toBeLessThanOrEqual(8);
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('10 concurrent runs open exactly one PR, branch and version per due key', async () => {
    // Bounded: six orderings (simultaneous and staggered starts), each a fresh repository.
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      bed.at(T0);
      const c = await bed.repo(`race-${seed}`, files3);
      bed.at(DUE);
      bed.emu.clearLog();
      const delays = Array.from({ length: 10 }, (_, i) => ((i * 7 + seed * 13) % 10) * seed);
      const results = await Promise.all(
        delays.map(async (ms) => {
          await new Promise((r) => setTimeout(r, ms));
          return run(c);
        }),
      );
      const pulls = await openPulls(c.fullName);
      const keys = pulls.map((p) => parseMarker(p.body)?.key).sort();
      expect(keys).toEqual(['team/alpha', 'team/beta', 'team/gamma']);
      expect(await remoteBranches(c)).toHaveLength(3);
      // Each PR's head commit adds exactly v2 (no second version was committed on top).
      for (const p of pulls) expect(parseMarker(p.body)?.versions).toEqual([2, 1]);
      const created = results.flatMap((r) =>
        r.kind === 'applied' ? r.keys.filter((k) => k.outcome === 'created') : [],
      );
      expect(created).toHaveLength(3);
      const creates = callsFor(bed.emu, c.fullName).filter(
        (o) => o === 'POST /repos/{owner}/{repo}/pulls',
      );
      console.log(
        `rotate: seed ${seed}: 10 concurrent runs, outcomes ${JSON.stringify(
          results.map((r) =>
            r.kind === 'applied' ? r.keys.map((k) => k.outcome[0]).join('') : r.kind,
          ),
        )}, ${creates.length} PR create calls, ${pulls.length} open PRs`,
      );
    }
    bed.emu.assertNoInvalidRequests();
  }, 240_000);

  it('an emergency dispatch opens one labelled PR with the active version marked compromised', async () => {
    bed.at(T0);
    const c = await bed.repo('emergency', files3);
    bed.at(days(T0, 3));
    const r = await run(c, {
      now: days(T0, 3),
      emergency: {
        key: 'team/beta',
        reason: 'token pasted in a public channel',
        compromised: true,
      },
    });
    expect(r.kind === 'applied' && r.keys.map((k) => [k.keyId, k.outcome])).toEqual([
      ['team/beta', 'created'],
    ]);
    const pulls = await openPulls(c.fullName);
    expect(pulls).toHaveLength(1);
    const [p] = pulls;
    expect(p!.headRef).toBe('rekey/emergency/team/beta');
    expect(p!.labels).toEqual(expect.arrayContaining(['rekey', 'rekey:emergency']));
    expect(p!.body).toContain('v1 | active → compromised');
    expect(p!.body).toContain('token pasted in a public channel');
    await gitAsync(c.work, 'fetch', '-q', 'origin', 'rekey/emergency/team/beta');
    const message = git(c.work, 'log', '-1', '--format=%B', 'FETCH_HEAD');
    expect(message).toContain('Rekey-Reason: token pasted in a public channel');
    expect(message).toContain('v1 is marked compromised.');
    const keyYaml = git(c.work, 'show', 'FETCH_HEAD:keys-manifest/team/beta/key.yaml');
    expect(keyYaml).toMatch(/\{ version: 1, state: compromised,/);
    bed.emu.assertNoInvalidRequests();
  }, 60_000);

  it('writes nothing when the default branch is invalid, the run is superseded, or a dry run', async () => {
    bed.at(T0);
    const c = await bed.repo('guards', files3);
    bed.at(DUE);

    bed.emu.clearLog();
    const broken = new Map(c.tree);
    broken.set('policies/standard.yaml', new TextEncoder().encode('name: standard\n'));
    const invalid = await run(c, { tree: broken });
    expect(invalid.kind).toBe('invalid');
    expect(callsFor(bed.emu, c.fullName)).toEqual([]);

    const dry = await run(c, { dryRun: true });
    expect(dry.kind).toBe('dry-run');
    expect(dry.kind === 'dry-run' && dry.text).toContain('team/alpha');

    await bed.emu.commitFiles(c.fullName, 'main', { 'README.md': 'moved\n' }, 'docs: move main');
    const superseded = await run(c);
    expect(superseded.kind).toBe('superseded');
    expect(callsFor(bed.emu, c.fullName).filter((o) => MUTATING.test(o))).toEqual([]);
    expect(await openPulls(c.fullName)).toHaveLength(0);
  }, 60_000);

  it('adopts a branch another run created but whose PR was never opened', async () => {
    bed.at(T0);
    const c = await bed.repo('adopt', await manifest(['lone/key']));
    bed.at(DUE);
    // A run that died after creating the branch: its commit is there, its PR is not.
    const ports = bed.ports(c.fullName);
    const crashed = await rotate(input(c), {
      ...ports,
      pulls: {
        ...ports.pulls,
        listOpenRekeyPulls: ports.pulls.listOpenRekeyPulls,
        createPull: () => Promise.reject(new Error('runner lost')),
      },
      codec,
      generate,
    }).catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(Error);
    expect(await remoteBranches(c)).toEqual(['rekey/rotate/lone/key']);
    await gitAsync(c.work, 'fetch', '-q', 'origin', 'rekey/rotate/lone/key');
    const theirs = /Rekey-Fingerprint: (\S+)/.exec(
      git(c.work, 'log', '-1', '--format=%B', 'FETCH_HEAD'),
    )![1]!;

    const r = await run(c);
    expect(r.kind === 'applied' && r.keys[0]).toMatchObject({
      outcome: 'adopted',
      fingerprint: theirs,
    });
    const pulls = await openPulls(c.fullName);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain(theirs);
    expect(await remoteBranches(c)).toEqual(['rekey/rotate/lone/key']);
    bed.emu.assertNoInvalidRequests();
  }, 60_000);
  it('opens a promotion PR only once the pre-activation version is proven distributed', async () => {
    bed.at(T0);
    const policy = POLICY.replace('approvals: 1\n', 'approvals: 1\nprepublish: 2d\n');
    let c = await bed.repo('promote', await manifest(['pre/key'], policy));
    // The prepublishing rotation, merged at DUE: v2 arrives pre-activation.
    const change = await prepareRotation(
      c.tree,
      'pre/key',
      { now: DUE, sopsConfig, prepublish: true },
      { codec, generate },
    );
    expect(change.moves).toEqual([{ version: 2, from: undefined, to: 'pre-activation' }]);
    bed.at(DUE);
    await bed.emu.commitFiles(
      c.fullName,
      'main',
      Object.fromEntries(change.files.map((f) => [f.path, f.content && dec(f.content)])),
      change.message,
    );
    c = await bed.refresh(c);

    const later = days(DUE, 3);
    const unproven = await run(c, { now: later });
    expect(unproven.kind === 'applied' && unproven.keys[0]).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('no rekey/distribution success'),
    });
    expect(await openPulls(c.fullName)).toHaveLength(0);

    bed.at(days(DUE, 1));
    await bed
      .ports(c.fullName)
      .statuses.createStatus(c.sha, { state: 'success', context: 'rekey/distribution' });
    const proven = await run(c, { now: later });
    expect(proven.kind === 'applied' && proven.keys[0]).toMatchObject({
      outcome: 'created',
      action: 'promote',
      branch: 'rekey/promote/pre/key',
    });
    expect(proven.kind === 'applied' && proven.statusCalls).toBe(1);
    const pulls = await openPulls(c.fullName);
    expect(parseMarker(pulls[0]!.body)).toMatchObject({ action: 'promote', versions: [2, 1] });
    bed.emu.assertNoInvalidRequests();
  }, 60_000);
  it('leaves a stale branch carrying another change alone and says so', async () => {
    bed.at(T0);
    const c = await bed.repo('stale', await manifest(['old/key']));
    bed.at(DUE);
    const { git: port } = bed.ports(c.fullName);
    const head = (await port.getBranchHead('main'))!;
    await port.commitFiles({
      base: head,
      changes: [{ path: 'notes.txt', content: new TextEncoder().encode('left over\n') }],
      message:
        'rekey: rotate old/key to v7\n\nRekey-Key: old/key\nRekey-Action: rotate\nRekey-Version: 7\nRekey-Fingerprint: kcv:0000000000000000\n',
      branch: { name: 'rekey/rotate/old/key', mode: 'create' },
    });
    bed.emu.clearLog();
    const r = await run(c);
    expect(r.kind === 'applied' && r.keys[0]).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('Rekey-Version trailer differs'),
    });
    expect(await openPulls(c.fullName)).toHaveLength(0);
    const calls = callsFor(bed.emu, c.fullName);
    expect(calls.filter((o) => o.startsWith('POST /repos/{owner}/{repo}/pulls'))).toEqual([]);
    bed.emu.assertNoInvalidRequests();
  }, 60_000);
});
