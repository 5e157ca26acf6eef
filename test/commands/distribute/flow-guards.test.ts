// The ways a run must write nothing: a stale commit (the default branch moved), a lease held
// by a contending run, a preflight failure (wrong identity, tampered MAC, fingerprint
// mismatch, a target the token cannot read), an invalid manifest, and a dry run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import type { DistributeResult } from '../../../src/commands/distribute/types.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import { generateKey } from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';
import { startDistBed, TOKEN_PERMISSIONS, type DistBed } from './bed.ts';

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed();
}, 120_000);
afterAll(async () => {
  await bed?.close();
});
beforeEach(() => {
  bed.emu.clearLog();
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Requests that change a target (secrets, deploy keys) in the emulator's log. */
const targetWrites = () =>
  bed.emu.requestLog.filter(
    (r) => r.method !== 'GET' && /\/(secrets|keys)(\/|$)/.test(r.route ?? ''),
  );

function scan(result: DistributeResult) {
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    requests: bed.bodies.join('\n'),
    issues: bed
      .issues()
      .map((i) => [i.title, i.body ?? '', ...i.comments.map((c) => c.body)].join('\n'))
      .join('\n'),
  });
}

async function statusesOf(sha: string) {
  return bed.ports().statuses.listStatuses(sha, DISTRIBUTION_CONTEXT);
}

describe('distribute writes nothing when it must not', () => {
  it('a dry run plans every step and writes nothing at all', async () => {
    const ports = bed.ports();
    const result = await distribute(bed.input({ dryRun: true }), ports);
    expect(result.outcome).toBe('dry-run');
    expect(result.status).toBeUndefined();
    expect(ports.writes).toEqual([]);
    expect(bed.emu.requestLog.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(
      result.evidence.keys.flatMap((k) => k.targets.flatMap((t) => t.steps)).length,
    ).toBeGreaterThan(5);
    expect(renderDistributeSummary(result)).toMatch(/would put secret WEBHOOK_KEY/);
    scan(result);
  });

  it('a stale run (the default branch moved) writes nothing and releases the lease', async () => {
    const stale = bed.input();
    await bed.rotate('payments/webhook');
    await bed.commit('rekey: rotate payments/webhook');
    const ports = bed.ports();
    const result = await distribute(stale, ports);
    expect(result.outcome).toBe('superseded');
    expect(result.problems[0]).toMatch(/main moved to/);
    expect(ports.writes).toEqual([]);
    expect(targetWrites()).toEqual([]);
    expect(await statusesOf(stale.commit)).toEqual([]);
    // The lease was released: the run for the new head proceeds at once.
    const fresh = await distribute(bed.input(), bed.ports());
    expect(fresh.outcome).toBe('converged');
    scan(result);
  });

  it('two runs contending for the lease: one proceeds, the other is busy and writes nothing', async () => {
    await bed.rotate('shared/npm');
    await bed.commit('rekey: rotate shared/npm');
    const a = bed.ports();
    const b = bed.ports();
    const [ra, rb] = await Promise.all([
      distribute(bed.input({ holder: 'run-a' }), a),
      distribute(bed.input({ holder: 'run-b' }), b),
    ]);
    const outcomes = [ra.outcome, rb.outcome].sort();
    expect(outcomes).toEqual(['busy', 'converged']);
    const loser = ra.outcome === 'busy' ? a : b;
    const winner = ra.outcome === 'busy' ? b : a;
    expect(loser.writes).toEqual([]);
    expect(winner.writes.length).toBeGreaterThan(0);
    const busy = ra.outcome === 'busy' ? ra : rb;
    expect(busy.problems[0]).toMatch(/lease is held by/);
    expect(busy.status).toBeUndefined();
    expect(await statusesOf(bed.head())).toHaveLength(1);
  });

  describe('preflight failures', () => {
    const failures: [
      string,
      () => Promise<{ over?: Parameters<DistBed['ports']>[0]; restore: () => void }>,
      RegExp,
    ][] = [
      [
        'wrong identity',
        async () => {
          const other = await generateKey('age-x25519');
          return {
            over: { sops: new BuiltinSopsCodec({ identities: [other.secret] }) },
            restore: () => undefined,
          };
        },
        /NoMatchingIdentityError/,
      ],
      [
        'tampered MAC',
        async () => {
          const path = 'keys-manifest/auth/jwt/v1.sops.yaml';
          const before = bed.tree.get(path)!;
          const text = dec(before);
          const tampered = text.replace(
            /(mac: ENC\[AES256_GCM,data:)(.)/,
            (_, p: string, c: string) => `${p}${c === 'A' ? 'B' : 'A'}`,
          );
          expect(tampered).not.toBe(text);
          bed.tree.set(path, enc(tampered));
          return { restore: () => void bed.tree.set(path, before) };
        },
        /MacMismatchError/,
      ],
      [
        'fingerprint mismatch',
        async () => {
          const path = 'keys-manifest/payments/webhook/key.yaml';
          const before = bed.tree.get(path)!;
          const fp = bed
            .key('payments/webhook')
            .versions.find((v) => v.state === 'active')!.fingerprint;
          bed.tree.set(path, enc(dec(before).replace(fp, 'kcv:0123456789abcdef')));
          return { restore: () => void bed.tree.set(path, before) };
        },
        /fingerprint .* differs from key.yaml's kcv:0123456789abcdef/,
      ],
      [
        'a target the token cannot read',
        async () => {
          bed.emu.inject({
            method: 'GET',
            path: /\/repos\/acme\/deploy\/keys$/,
            status: 403,
            times: 1,
          });
          return { restore: () => undefined };
        },
        /observing the targets failed: GitHubError/,
      ],
    ];
    it.each(failures)(
      '%s: preflight-failed, status failure, an issue, and no target write',
      async (_, arrange, why) => {
        await bed.rotate('auth/jwt');
        await bed.rotate('infra/deploy');
        await bed.commit('rekey: rotate');
        const { over, restore } = await arrange();
        const openBefore = bed.issues().filter((i) => i.state === 'open').length;
        const ports = bed.ports(over);
        const result = await distribute(bed.input(), ports);
        restore();
        expect(result.outcome).toBe('preflight-failed');
        expect(result.problems.join('\n')).toMatch(why);
        expect(ports.writes).toEqual([]);
        expect(targetWrites()).toEqual([]);
        expect(result.status).toBe('failure');
        const status = (await statusesOf(bed.head()))[0]!;
        expect(status.state).toBe('failure');
        expect(status.description).toMatch(/^preflight failed/);
        expect(bed.issues().filter((i) => i.state === 'open').length).toBeGreaterThan(openBefore);
        expect(renderDistributeSummary(result)).toMatch(/Nothing was written to any target/);
        scan(result);
        // The next run, with the problem gone, converges and closes the issues.
        const next = await distribute(bed.input(), bed.ports());
        expect(next.problems).toEqual([]);
        expect(next.outcome).toBe('converged');
        expect(bed.issues().filter((i) => i.state === 'open')).toHaveLength(0);
      },
    );
  });

  it('a token that can read but not write secrets passes preflight and fails visibly at the write', async () => {
    await bed.rotate('payments/webhook');
    await bed.commit('rekey: rotate payments/webhook');
    const ports = bed.ports({ permissions: { ...TOKEN_PERMISSIONS, secrets: 'read' } });
    const result = await distribute(bed.input(), ports);
    expect(result.outcome).toBe('failed');
    expect(result.status).toBe('failure');
    const key = result.keys.find((k) => k.key === 'payments/webhook')!;
    expect(key.outcome).toBe('failed');
    expect(key.issue).toBeDefined();
    expect(key.targets[0]!.errors.join('\n')).toMatch(/403 .*secrets=write/);
    scan(result);
    const next = await distribute(bed.input(), bed.ports());
    expect(next.outcome).toBe('converged');
  });

  it('an invalid manifest: outcome invalid, nothing read from or written to GitHub', async () => {
    const input = bed.input();
    const tree = new Map(input.tree);
    tree.set('keys-manifest/payments/webhook/key.yaml', enc('id: payments/webhook\n'));
    const result = await distribute({ ...input, tree }, bed.ports());
    expect(result.outcome).toBe('invalid');
    expect(result.problems.length).toBeGreaterThan(0);
    expect(bed.emu.requestLog).toEqual([]);
  });
});
