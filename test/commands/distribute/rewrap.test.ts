// distribute when .sops.yaml changes who may read some material, against the emulator: the
// keys whose files are wrapped for other recipients are held (nothing written to their
// targets, the status says so) and ONE rekey/rewrap PR re-wraps them, values and MAC
// unchanged; the other keys are distributed; a re-run finds the same PR; verify judges the
// PR a pure `rewrap`; after it merges, the held keys are distributed.
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createGitHubPorts } from '../../../src/adapters/github/index.ts';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import type { DistributeResult } from '../../../src/commands/distribute/types.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import { verifyPull } from '../../../src/commands/verify-pull.ts';
import type { FileTree } from '../../../src/core/snapshot.ts';
import { canary } from '../../support/canary.ts';
import { codec, SOPS_YAML } from '../rotate-bed.ts';
import { REPO, startDistBed, TOKEN_PERMISSIONS, type DistBed } from './bed.ts';

const PERMISSIONS = { ...TOKEN_PERMISSIONS, pull_requests: 'write' } as const;
const HELD = 'payments/webhook';
const MATERIAL = 'keys-manifest/payments/webhook/v1.sops.yaml';
const dec = new TextDecoder();

let bed: DistBed;
let fresh: string;
beforeAll(async () => {
  bed = await startDistBed();
  fresh = await identityToRecipient(await generateIdentity());
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

async function run(withPulls = true) {
  const ports = bed.ports({ permissions: PERMISSIONS });
  const token = bed.emu.addToken({ kind: 'app', login: 'rekey', permissions: PERMISSIONS });
  const gh = createGitHubPorts(
    createGitHubClient({
      token,
      apiUrl: bed.emu.apiUrl,
      serverUrl: bed.emu.serverUrl,
      throttle: { enabled: false },
      retry: { baseDelayMs: 1 },
    }),
    { owner: 'acme', repo: 'keys' },
  );
  const result = await distribute(bed.input(), {
    ...ports,
    ...(withPulls ? { rewrap: { git: gh.git, pulls: gh.pulls, codec } } : {}),
  });
  bed.emu.assertNoInvalidRequests();
  scan(result);
  return { result, writes: ports.writes };
}

function scan(result: DistributeResult) {
  const pulls = [...bed.emu.repo(REPO).issues.values()];
  canary.scan({
    logs: bed.logs.join('\n'),
    summary: renderDistributeSummary(result),
    evidence: JSON.stringify(result.evidence),
    result: JSON.stringify(result),
    'PR bodies': pulls.map((p) => `${p.title}\n${p.body}`).join('\n'),
  });
}

/** Open PRs on rekey/rewrap, with their issue half (title, body, labels, state). */
const openRewraps = () => {
  const repo = bed.emu.repo(REPO);
  return [...repo.pulls.values()]
    .map((p) => ({ ...p, issue: repo.issues.get(p.number)! }))
    .filter((p) => p.headRef === 'rekey/rewrap' && p.issue.state === 'open');
};

async function treeAt(rev: string): Promise<FileTree> {
  const git = bed.emu.repo(REPO).git;
  const out = new Map<string, Uint8Array>();
  for (const e of await git.readTree(rev, true))
    if (e.type === 'blob') out.set(e.path, await git.readBlob(e.sha));
  return out;
}

describe('distribute: re-wrap hold', () => {
  it('converges first, with every key', async () => {
    const { result } = await run();
    expect(result.outcome).toBe('converged');
  });

  it('holds the keys .sops.yaml now wants re-wrapped, opens one rekey/rewrap PR, distributes the rest', async () => {
    // payments/ material gains a recipient; the other keys' rule is unchanged. A rotation of
    // another key in the same push must still reach its targets.
    const demo = /age: (age1\S+)/.exec(SOPS_YAML)![1]!;
    const rules = SOPS_YAML.replace(
      'creation_rules:\n',
      `creation_rules:\n  - path_regex: ^keys-manifest/payments/.+/v[0-9]+\\.sops\\.yaml$\n    encrypted_regex: ^secret$\n    age: ${demo},${fresh}\n`,
    );
    bed.write('.sops.yaml', rules);
    await bed.rotate('shared/npm');
    await bed.commit('sops: payments readable by the new identity; rotate shared/npm');

    const { result, writes } = await run();
    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe('failed');
    const byKey = new Map(result.keys.map((k) => [k.key, k.outcome]));
    expect(byKey.get(HELD)).toBe('held');
    expect(byKey.get('shared/npm')).toBe('converged');
    expect(writes.some((w) => w.includes('WEBHOOK_KEY') || w.includes('payments'))).toBe(false);
    expect(writes.length).toBeGreaterThan(0);
    expect(result.problems).toEqual([]);

    expect(openRewraps()).toHaveLength(1);
    const pull = openRewraps()[0]!;
    expect(result.rewrap).toMatchObject({ number: pull.number, outcome: 'created' });
    expect([...pull.issue.labels].sort()).toEqual(['rekey', 'rekey:rewrap']);
    expect(pull.issue.body).toContain(`+${fresh}`);
    expect(pull.issue.body).toContain(MATERIAL);

    const status = (await bed.ports().statuses.listStatuses(bed.head(), DISTRIBUTION_CONTEXT))[0];
    expect(status).toMatchObject({ state: 'failure' });
    expect(status?.description).toContain('held for the re-wrap PR');
    const summary = renderDistributeSummary(result);
    expect(summary).toContain('### Held for a re-wrap');
    expect(summary).toContain(`#${pull.number}`);

    // The PR is a pure re-wrap to the base branch's recipients, and the file opens with
    // the identity the files were wrapped for before.
    const base = { sha: bed.head(), tree: await treeAt(bed.head()) };
    const head = { sha: pull.headSha, tree: await treeAt('refs/heads/rekey/rewrap') };
    const verdict = await verifyPull(
      { base, head, now: bed.now(), headRef: 'rekey/rewrap', author: 'rekey[bot]' },
      {
        history: () => Promise.reject(new Error('unused')),
        firstParent: () => Promise.reject(new Error('unused')),
      },
    );
    expect(verdict.diagnostics).toEqual([]);
    expect(verdict.kind).toBe('rewrap');
    const enc = (t: FileTree) =>
      dec
        .decode(t.get(MATERIAL))
        .split('\n')
        .filter((l) => l.includes('ENC['));
    expect(enc(head.tree)).toEqual(enc(base.tree));
    expect(await codec.decrypt(MATERIAL, head.tree.get(MATERIAL)!)).toEqual(
      await codec.decrypt(MATERIAL, base.tree.get(MATERIAL)!),
    );
  });

  it('a re-run finds the same PR, writes nothing to the branch, and still holds the key', async () => {
    const before = openRewraps()[0]!;
    const sha = await bed.emu.repo(REPO).git.readRef('refs/heads/rekey/rewrap');
    const { result, writes } = await run();
    expect(openRewraps()).toHaveLength(1);
    expect(result.rewrap).toMatchObject({ number: before.number, outcome: 'unchanged' });
    expect(await bed.emu.repo(REPO).git.readRef('refs/heads/rekey/rewrap')).toBe(sha);
    expect(result.keys.find((k) => k.key === HELD)?.outcome).toBe('held');
    expect(writes).toEqual([]);
  });

  it('another recipient change updates the same PR, fast-forward, with a pure re-wrap of main', async () => {
    const before = openRewraps()[0]!;
    const oldHead = (await bed.emu.repo(REPO).git.readRef('refs/heads/rekey/rewrap'))!;
    const second = await identityToRecipient(await generateIdentity());
    const text = dec.decode(bed.tree.get('.sops.yaml'));
    bed.write('.sops.yaml', text.replace(`,${fresh}\n`, `,${fresh},${second}\n`));
    await bed.commit('sops: payments readable by a second identity too');
    const { result } = await run();
    expect(openRewraps()).toHaveLength(1);
    expect(result.rewrap).toMatchObject({ number: before.number, outcome: 'updated' });
    const newHead = (await bed.emu.repo(REPO).git.readRef('refs/heads/rekey/rewrap'))!;
    expect(newHead).not.toBe(oldHead);
    const parents = await bed.emu.repo(REPO).git.resolveCommit(`${newHead}^`);
    expect(parents).toBe(oldHead);
    const base = await treeAt(bed.head());
    const head = await treeAt(newHead);
    const verdict = await verifyPull(
      {
        base: { sha: bed.head(), tree: base },
        head: { sha: newHead, tree: head },
        now: bed.now(),
        headRef: 'rekey/rewrap',
      },
      {
        history: () => Promise.reject(new Error('unused')),
        firstParent: () => Promise.reject(new Error('unused')),
      },
    );
    expect(verdict.diagnostics).toEqual([]);
    expect(verdict.kind).toBe('rewrap');
    expect(openRewraps()[0]!.issue.body).toContain(`+${second}`);
  });

  it('without the PR ports the key is held and reported, and no PR is opened', async () => {
    const before = bed.emu.repo(REPO).pulls.size;
    const { result } = await run(false);
    expect(result.keys.find((k) => k.key === HELD)?.outcome).toBe('held');
    expect(bed.emu.repo(REPO).pulls.size).toBe(before);
  });

  it('after the PR merges, the held key is distributed again', async () => {
    const branch = await treeAt('refs/heads/rekey/rewrap');
    bed.write(MATERIAL, dec.decode(branch.get(MATERIAL)));
    await bed.commit('Merge rekey/rewrap');
    const { result, writes } = await run();
    expect(result.outcome).toBe('converged');
    // Its targets hold v1 since the first run: the same material, nothing to write.
    expect(result.keys.find((k) => k.key === HELD)?.outcome).toBe('unchanged');
    expect(result.rewrap).toBeUndefined();
    expect(writes).toEqual([]);
  });
});
