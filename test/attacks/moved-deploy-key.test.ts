// A deploy-key target moved from one repository to another in one pull request. GitHub accepts
// a public key as a deploy key once, in any repository ("key is already in use"; the emulator
// refuses it the same way), so adding the key to the new repository before it is gone from
// the old one fails every time. Distribution runs the removals of what no key claims any more
// (the old repository's deploy keys, proven rekey's by the receipts) before it applies the
// keys, so one run moves the key; a run that dies after the delete, before its receipts are
// stored, converges on the next. Driven through the real distribute command against the
// emulator; the canary scans everything each run produced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute, renderDistributeSummary } from '../../src/commands/distribute/index.ts';
import { readReceipts } from '../../src/commands/distribute/lease.ts';
import type { DistributeResult } from '../../src/commands/distribute/types.ts';
import { keyFile } from '../../src/core/formats/index.ts';
import type { TargetPorts } from '../../src/core/ports/targets.ts';
import { startDistBed, type DistBed, type RunPorts } from '../commands/distribute/bed.ts';
import { canary } from '../support/canary.ts';

const KEYS = [
  {
    id: 'infra/deploy',
    type: 'ssh-ed25519' as const,
    targets: [
      { kind: 'github-deploy-key' as const, repository: 'acme/a', title: 'ci', 'read-only': true },
    ],
  },
  {
    id: 'infra/crash',
    type: 'ssh-ed25519' as const,
    targets: [
      { kind: 'github-deploy-key' as const, repository: 'acme/a', title: 'ci', 'read-only': true },
    ],
  },
];

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed({ keys: KEYS, repos: ['acme/a', 'acme/b'] });
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const titles = (repo: string) =>
  bed.emu
    .repo(repo)
    .deployKeys.map((k) => k.title)
    .sort();

function move(id: string, from: string, to: string) {
  const yaml = text(bed.tree.get(keyFile(id)));
  const moved = yaml.replace(`repository: ${from}`, `repository: ${to}`);
  expect(moved).not.toBe(yaml);
  bed.write(keyFile(id), moved);
}

function scan(result: DistributeResult) {
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    result: JSON.stringify(result),
    requests: bed.bodies.join('\n'),
  });
}

async function run(ports: RunPorts = bed.ports()) {
  const result = await distribute(bed.input(), ports);
  bed.emu.assertNoInvalidRequests();
  scan(result);
  return { result, writes: ports.writes };
}

describe('a deploy-key target moved from acme/a to acme/b', () => {
  it('starts converged, and the emulator refuses the key in a second repository', async () => {
    const { result } = await run();
    expect(result.outcome).toBe('converged');
    expect(titles('acme/a')).toEqual(['ci (rekey infra/crash v1)', 'ci (rekey infra/deploy v1)']);
    // What a run adding before removing would meet: GitHub's refusal.
    const line = bed.emu.repo('acme/a').deployKeys[0]!.key;
    await expect(
      bed.ports().targets.deployKeys.addDeployKey('acme/b', {
        title: 'copy',
        key: line,
        readOnly: true,
      }),
    ).rejects.toThrow(/already in use/);
  });

  it('one run removes the key from acme/a, then adds it to acme/b', async () => {
    move('infra/deploy', 'acme/a', 'acme/b');
    await bed.commit('move infra/deploy to acme/b');
    bed.emu.clearLog();
    const { result } = await run();
    expect(result.outcome, JSON.stringify(result.problems)).toBe('converged');
    expect(result.status).toBe('success');
    expect(titles('acme/a')).toEqual(['ci (rekey infra/crash v1)']);
    expect(titles('acme/b')).toEqual(['ci (rekey infra/deploy v1)']);
    expect(result.removals).toEqual([
      expect.objectContaining({ key: 'infra/deploy', outcome: 'removed', version: 1 }),
    ]);
    // The delete on acme/a came before the add on acme/b.
    const ops = bed.emu.requestLog
      .filter((r) => r.method !== 'GET' && /\/repos\/acme\/[ab]\/keys/.test(r.path))
      .map((r) => `${r.method} ${r.path.replace(/^.*\/repos\//, '')}`);
    expect(ops[0]).toMatch(/^DELETE acme\/a\/keys\/\d+$/);
    expect(ops[1]).toBe('POST acme/b/keys');
    const receipts = await readReceipts(bed.stateRef);
    expect(
      receipts.filter((r) => r.kind === 'github-deploy-key' && r.key === 'infra/deploy'),
    ).toEqual([expect.objectContaining({ repository: 'acme/b' })]);

    const again = await run();
    expect(again.result.outcome).toBe('converged');
    expect(again.writes).toEqual([]);
  });

  it('converges after a crash between the delete on acme/a and storing the receipts', async () => {
    move('infra/crash', 'acme/a', 'acme/b');
    await bed.commit('move infra/crash to acme/b');
    class Crash extends Error {
      override readonly name = 'Crash';
    }
    let dead = false;
    const dying = bed.ports({
      targets: (t): TargetPorts => ({
        ...t,
        deployKeys: {
          ...t.deployKeys,
          deleteDeployKey: async (repo, id) => {
            await t.deployKeys.deleteDeployKey(repo, id);
            dead = true;
            throw new Crash('killed after the delete');
          },
        },
      }),
    });
    const gone = () => Promise.reject(new Crash('gone'));
    const deadPorts: RunPorts = {
      ...dying,
      state: {
        ...dying.state,
        vouch: (...a) => (dead ? gone() : dying.state.vouch(...a)),
        read: (ref) => (dead ? gone() : dying.state.read(ref)),
        write: (...a) => (dead ? gone() : dying.state.write(...a)),
      },
      statuses: {
        ...dying.statuses,
        createStatus: (...a) => (dead ? gone() : dying.statuses.createStatus(...a)),
      },
    };
    await distribute(bed.input(), deadPorts).catch(() => undefined);
    expect(dead).toBe(true);
    expect(titles('acme/a')).toEqual([]);
    // No receipts were stored for whatever the dying run did after the delete.

    bed.advance(31 * 60_000); // the dead run's lease expires
    const { result } = await run();
    expect(result.outcome, JSON.stringify(result.problems)).toBe('converged');
    expect(result.removals).toEqual([
      expect.objectContaining({ key: 'infra/crash', outcome: 'absent' }),
    ]);
    expect(titles('acme/b')).toEqual(['ci (rekey infra/crash v1)', 'ci (rekey infra/deploy v1)']);
    expect(
      (await readReceipts(bed.stateRef)).filter(
        (r) => r.kind === 'github-deploy-key' && r.repository === 'acme/a',
      ),
    ).toEqual([]);
    const again = await run();
    expect(again.result.outcome).toBe('converged');
    expect(again.writes).toEqual([]);
  });
});
