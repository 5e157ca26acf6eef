// Attack: forge rekey's own record. `refs/rekey/distribution` holds the lease and the receipts
// every run trusts, and anyone who may push to the manifest repository (contents: write) may
// move it: no branch rule covers a ref outside refs/heads. Mallory copies receipts.json, bumps
// TOKEN's receipt to the version main is about to distribute (its fingerprint is public in
// key.yaml; the updated_at is in the ref itself), drops the receipt of a secret whose key main
// just removed, sets a lease of her own, and pushes that commit onto the ref. Before, the next
// distribution found "receipt matches updated_at", skipped the write, and reported v3
// converged while v2 stayed on the target; and it forgot the orphan. Now a state commit is
// rekey's only when a `rekey/state` status from a status-creators login vouches for it.
// Driven through the real distribute command against the emulator; canary over everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/adapters/github/client.ts';
import { createStateRefAdapter } from '../../src/adapters/github/refs.ts';
import { distribute, renderDistributeSummary } from '../../src/commands/distribute/index.ts';
import {
  LEASE_FILE,
  readReceipts,
  RECEIPTS_FILE,
  STATE_REF,
} from '../../src/commands/distribute/lease.ts';
import { STATE_CONTEXT } from '../../src/commands/distribute/state-auth.ts';
import type { DistributeResult } from '../../src/commands/distribute/types.ts';
import { keyFile, materialFile } from '../../src/core/formats/index.ts';
import { SecretValue } from '../../src/core/targets/secret-value.ts';
import type { StateRefPort } from '../../src/core/ports/github.ts';
import { startDistBed, type DistBed } from '../commands/distribute/bed.ts';
import { canary } from '../support/canary.ts';

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
      },
    ],
  },
  {
    id: 'svc/gone',
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: 'acme/api',
        app: 'actions' as const,
        name: 'GONE_TOKEN',
      },
    ],
  },
];
const API = { repository: 'acme/api' };
const PINNED =
  "default-branch: main\nretry-budget: 3\nlease-ttl: 30m\nstatus-creators: ['rekey[bot]']\n";

let bed: DistBed;
let mallory: StateRefPort;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: ['acme/api'], pipeline: PINNED });
  mallory = attacker(bed, { contents: 'write', metadata: 'read' });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

/** A user who may push to acme/keys (and, with `statuses`, write commit statuses). */
function attacker(b: DistBed, permissions: Record<string, 'read' | 'write'>): StateRefPort {
  const token = b.emu.addToken({ kind: 'user', login: 'mallory', permissions });
  const client = createGitHubClient({
    token,
    apiUrl: b.emu.apiUrl,
    serverUrl: b.emu.serverUrl,
    throttle: { enabled: false },
    retry: { baseDelayMs: 1 },
  });
  return createStateRefAdapter(client, { owner: 'acme', repo: 'keys' });
}

type Json = Record<string, unknown>;

/** Mallory's commit on the state ref: the head's files, changed by `forge`. */
async function forge(
  port: StateRefPort,
  change: (receipts: Json[], lease: Json) => { receipts: Json[]; lease: Json },
): Promise<string> {
  const head = (await port.read(STATE_REF))!;
  const before = {
    receipts: JSON.parse(head.files.get(RECEIPTS_FILE)!) as Json[],
    lease: JSON.parse(head.files.get(LEASE_FILE)!) as Json,
  };
  const after = change(before.receipts, before.lease);
  const wrote = await port.write(
    STATE_REF,
    head.commit,
    new Map([
      [LEASE_FILE, `${JSON.stringify(after.lease, null, 2)}\n`],
      [RECEIPTS_FILE, `${JSON.stringify(after.receipts, null, 2)}\n`],
    ]),
    'rekey: release distribution lease, 1 receipt(s)\n',
  );
  if (wrote.result !== 'written') throw new Error('the forged commit did not land');
  return wrote.commit;
}

function scan(result: DistributeResult, extra: Record<string, string> = {}) {
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    result: JSON.stringify(result),
    requests: bed.bodies.join('\n'),
    ...extra,
  });
}

async function run() {
  const result = await distribute(bed.input(), bed.ports());
  bed.emu.assertNoInvalidRequests();
  scan(result);
  return result;
}

const fingerprint = (id: string, version: number) =>
  bed.key(id).versions.find((v) => v.version === version)!.fingerprint;

describe('receipts forged onto refs/rekey/distribution', () => {
  it('starts with v2 of svc/api distributed and vouched for by rekey', async () => {
    expect((await run()).outcome).toBe('converged');
    await bed.rotate('svc/api');
    await bed.commit('rekey: rotate svc/api to v2');
    const r = await run();
    expect(r.outcome).toBe('converged');
    expect(r.tampering).toBeUndefined();
    expect(bed.emu.openSecret(API, 'TOKEN')).toBe(bed.material('svc/api', 2).secret);
    // The head of the state ref carries rekey's status, by the App's login.
    const head = (await bed.stateRef.read(STATE_REF))!.commit;
    expect(await bed.stateRef.vouchers(head, STATE_CONTEXT)).toEqual(['rekey[bot]']);
  });

  it('a bumped version, a dropped orphan and a forged lease: rewritten, removed, reported', async () => {
    // Main moves on: svc/api to v3, svc/gone removed (its GONE_TOKEN is now an orphan).
    await bed.rotate('svc/api');
    for (const v of bed.key('svc/gone').versions)
      bed.write(materialFile('svc/gone', v.version), null);
    bed.write(keyFile('svc/gone'), null);
    await bed.commit('rekey: rotate svc/api to v3, retire svc/gone');

    // Mallory, before the distribution runs.
    const expires = new Date(bed.now().getTime() + 10 * 60_000).toISOString();
    const forged = await forge(mallory, (receipts, lease) => ({
      receipts: receipts
        .filter((r) => r['name'] !== 'GONE_TOKEN')
        .map((r) =>
          r['name'] === 'TOKEN' ? { ...r, version: 3, fingerprint: fingerprint('svc/api', 3) } : r,
        ),
      lease: { ...lease, holder: 'mallory', released: false, expiresAt: expires },
    }));
    expect((await bed.stateRef.read(STATE_REF))!.commit).toBe(forged);

    // The forged lease is honoured: a lease only ever delays (until its expiry).
    const busy = await run();
    expect(busy.outcome).toBe('busy');
    expect(bed.emu.openSecret(API, 'TOKEN')).toBe(bed.material('svc/api', 2).secret);

    bed.advance(11 * 60_000);
    const r = await run();
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('converged');
    expect(r.status).toBe('success');
    // The forged receipt did not skip the write: v3 is on the target.
    expect(bed.emu.openSecret(API, 'TOKEN')).toBe(bed.material('svc/api', 3).secret);
    expect(r.keys.find((k) => k.key === 'svc/api')?.outcome).toBe('converged');
    // The dropped receipt was not forgotten: the orphan is gone.
    expect(bed.emu.secretNames(API)).not.toContain('GONE_TOKEN');
    expect(r.removals.map((x) => `${x.where} ${x.outcome}`)).toEqual([
      'actions:repo:acme/api GONE_TOKEN removed',
    ]);
    // Reported, naming the forged commit, in the result, the evidence and the summary.
    expect(r.tampering).toMatch(new RegExp(`the head ${forged.slice(0, 12)} has no rekey/state`));
    expect(r.tampering).toMatch(/1 not there, 2 missing/);
    expect(r.evidence.tampering).toBe(r.tampering);
    expect(renderDistributeSummary(r)).toContain("### The state ref was not rekey's");
    expect(bed.logs.some((l) => l.startsWith('warn ') && l.includes(forged.slice(0, 12)))).toBe(
      true,
    );

    // Vouched state again: the next run trusts it, reports nothing and writes nothing.
    const again = await distribute(bed.input(), bed.ports());
    scan(again);
    expect(again.tampering).toBeUndefined();
    expect(again.outcome).toBe('converged');
    expect(again.keys.map((k) => k.outcome)).toEqual(['unchanged']);
    const receipts = await readReceipts(bed.stateRef);
    expect(receipts.map((x) => ('name' in x ? `${x.name} v${x.version}` : ''))).toEqual([
      'TOKEN v3',
    ]);
  });

  it('a status Mallory writes herself does not vouch: status-creators pins the App', async () => {
    const withStatuses = attacker(bed, { contents: 'write', metadata: 'read', statuses: 'write' });
    const forged = await forge(withStatuses, (receipts, lease) => ({
      receipts: receipts.map((r) => (r['name'] === 'TOKEN' ? { ...r, version: 2 } : r)),
      lease,
    }));
    await withStatuses.vouch(forged, STATE_CONTEXT, 'trust me');
    expect(await bed.stateRef.vouchers(forged, STATE_CONTEXT)).toEqual(['mallory']);
    const r = await run();
    expect(r.outcome).toBe('converged');
    expect(r.tampering).toMatch(/has no rekey\/state status from a status-creators login/);
    // The vouched receipt (v3) is the one used: TOKEN is current, nothing rewritten.
    expect(bed.emu.openSecret(API, 'TOKEN')).toBe(bed.material('svc/api', 3).secret);
    expect(r.keys.map((k) => k.outcome)).toEqual(['unchanged']);
  });

  it('an orphan receipt with a wrong updated_at fails no run: disowned, the secret kept', async () => {
    // A secret rekey never wrote, in a repository rekey reaches (a person's, say).
    await bed
      .ports()
      .targets.secrets.putSecret(
        { kind: 'repository', app: 'actions', repository: 'acme/api' },
        'HUMAN_TOKEN',
        SecretValue.of('not-rekeys-value'),
      );
    // Mallory names it in a receipt of her own, with an updated_at that is not the secret's:
    // with a trusted receipt that is "written by someone else since" (refused, the run fails,
    // and the receipt is kept for a person to settle), so every run would fail from now on.
    const forged = await forge(mallory, (receipts, lease) => ({
      receipts: [
        ...receipts,
        {
          kind: 'github-secret',
          scope: 'actions:repo:acme/api',
          name: 'HUMAN_TOKEN',
          fingerprint: fingerprint('svc/api', 1),
          updatedAt: '2026-01-01T00:00:00Z',
          key: 'svc/old',
          version: 1,
        },
      ],
      lease,
    }));
    const r = await run();
    expect(r.problems).toEqual([]);
    expect(r.outcome).toBe('converged');
    expect(r.removals).toEqual([]);
    expect(r.tampering).toMatch(new RegExp(forged.slice(0, 12)));
    expect(bed.emu.secretNames(API)).toContain('HUMAN_TOKEN');
    expect(
      bed.logs.some((l) => l.includes('HUMAN_TOKEN') && l.includes('receipt is dropped')),
    ).toBe(true);
    // Not carried on: the next run finds nothing to say about it.
    const again = await run();
    expect(again.outcome).toBe('converged');
    expect(again.removals).toEqual([]);
    expect(again.tampering).toBeUndefined();
  });
});
