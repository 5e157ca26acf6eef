// Attack: impersonate rekey's pull requests. Anyone who can open a PR can paste rekey's hidden
// marker (`<!-- rekey:v1 {...} -->`) into its body. Before, every such PR was taken as rekey's:
// rotate skipped its key ("a rekey PR is open") and a handful of them spent `max-open-prs`,
// freezing all rotation. Now a PR is rekey's only when its author is in pipeline.yaml
// `pull-authors`, its head branch is in this repository and is `rekey/<action>/<key-id>` for
// the key its marker names, and it carries the `rekey` label. Each case below fails exactly
// one of these; rotate still rotates every key (and revoke still revokes), the budget is not
// spent, and the dashboard lists each PR as "claims to be rekey's".
import { Octokit } from '@octokit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDashboard } from '../../src/commands/dashboard.ts';
import { prepareRotation } from '../../src/commands/changes.ts';
import { revoke } from '../../src/commands/revoke.ts';
import { rotate, type RotateResult } from '../../src/commands/rotate.ts';
import { renderMarker } from '../../src/core/pull-body.ts';
import {
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
} from '../commands/rotate-bed.ts';

const REPO = 'acme/claims';
const KEYS = ['team/copied', 'team/forked', 'team/branch', 'team/label'] as const;
// Exactly as many open PRs as claimants: before, the claimants spent the whole budget.
const PIPELINE = "default-branch: main\nmax-open-prs: 4\npull-authors: ['rekey[bot]']\n";
const DUE = days(T0, 80);

let bed: Bed;
let c: Checkout;
let mallory: string;
const claimants = new Map<string, number>();

const octokit = (token: string) =>
  new Octokit({ auth: token, baseUrl: bed.emu.apiUrl, request: { fetch: globalThis.fetch } });

/** A branch from main with one commit, and a PR from it carrying `key`'s marker. */
async function claim(opts: {
  repo?: string;
  token: string;
  branch: string;
  key: string;
  action: 'rotate' | 'promote' | 'revoke';
  label: boolean;
}): Promise<number> {
  const api = octokit(opts.token);
  const fullName = opts.repo ?? REPO;
  const [owner, repo] = fullName.split('/') as [string, string];
  const main = await api.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
    owner,
    repo,
    ref: 'heads/main',
  });
  await api.request('POST /repos/{owner}/{repo}/git/refs', {
    owner,
    repo,
    ref: `refs/heads/${opts.branch}`,
    sha: main.data.object.sha,
  });
  await bed.emu.commitFiles(fullName, opts.branch, { 'notes.md': `${opts.branch}\n` }, 'notes\n');
  const pr = await api.request('POST /repos/{owner}/{repo}/pulls', {
    owner,
    repo,
    head: opts.branch,
    base: 'main',
    title: `rekey: ${opts.action} ${opts.key}`,
    body: `Looks like rekey's.\n\n${renderMarker({ action: opts.action, key: opts.key, versions: [2, 1] })}\n`,
  });
  if (opts.label)
    await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      owner,
      repo,
      issue_number: pr.data.number,
      labels: ['rekey', 'rekey:rotation'],
    });
  return pr.data.number;
}

const run = (): Promise<RotateResult> =>
  rotate(
    { tree: c.tree, sha: c.sha, history: c.history, firstParent: c.firstParent, now: DUE },
    { ...bed.ports(REPO), codec, generate },
  );

beforeAll(async () => {
  bed = await startBed();
  bed.at(T0);
  const files = await manifest(KEYS);
  files['policies/pipeline.yaml'] = PIPELINE;
  c = await bed.repo('claims', files);
  mallory = bed.emu.addToken({ kind: 'user', login: 'mallory', permissions: 'all' });
  bed.at(DUE);
  // A person's PR with a copied marker, on the very branch rekey would use for that action.
  claimants.set(
    'team/copied',
    await claim({
      token: mallory,
      branch: 'rekey/promote/team/copied',
      key: 'team/copied',
      action: 'promote',
      label: true,
    }),
  );
  // Everything right (made with the App's own token, to isolate the check) but from a fork.
  const forked = await claim({
    token: bed.token,
    branch: 'rekey/revoke/team/forked',
    key: 'team/forked',
    action: 'revoke',
    label: true,
  });
  bed.emu.fromFork(REPO, forked, 'mallory/claims');
  claimants.set('team/forked', forked);
  // The App's login and the label, but not the branch its marker names.
  claimants.set(
    'team/branch',
    await claim({
      token: bed.token,
      branch: 'rekey-rotate-team-branch',
      key: 'team/branch',
      action: 'rotate',
      label: true,
    }),
  );
  // Everything but the `rekey` label.
  claimants.set(
    'team/label',
    await claim({
      token: bed.token,
      branch: 'rekey/promote/team/label',
      key: 'team/label',
      action: 'promote',
      label: false,
    }),
  );
}, 120_000);

afterAll(async () => {
  bed?.emu.assertNoInvalidRequests();
  await bed?.close();
});

describe("pull requests that only claim to be rekey's", () => {
  it('hold no key back and spend no max-open-prs: every due key gets its rotation PR', async () => {
    const first = await run();
    expect(first.kind).toBe('applied');
    if (first.kind !== 'applied') return;
    expect(first.keys.map((k) => [k.keyId, k.outcome])).toEqual(
      [...KEYS].sort().map((id) => [id, 'created']),
    );
    expect(first.plan?.budget.open).toBe(0);
    for (const k of first.keys) {
      expect(k.outcome === 'created' && k.pull.number).not.toBe(claimants.get(k.keyId));
      expect(k.outcome === 'created' && k.branch).toBe(`rekey/rotate/${k.keyId}`);
    }

    // rekey's own PRs still count: the next run changes nothing and points at them.
    const second = await run();
    expect(second.kind === 'applied' && second.keys.map((k) => k.outcome)).toEqual(
      KEYS.map(() => 'unchanged'),
    );
    if (second.kind === 'applied') expect(second.plan?.budget.open).toBe(4);
  }, 120_000);

  it("are listed on the dashboard as claiming to be rekey's, with why", async () => {
    const p = bed.ports(REPO);
    const r = await updateDashboard(
      { tree: c.tree, history: c.history, now: DUE, dryRun: true },
      { pulls: p.pulls, issues: p.issues, halted: async () => new Map() },
    );
    const section = r.body.slice(r.body.indexOf("## Pull requests that claim to be rekey's"));
    expect(section).not.toBe(r.body);
    const row = (key: string) =>
      section.split('\n').find((l) => l.startsWith(`| [#${claimants.get(key)}](`)) ?? '';
    expect(row('team/copied')).toContain('`mallory`');
    expect(row('team/copied')).toContain('not in pipeline.yaml pull\\-authors');
    expect(row('team/forked')).toContain('mallory/claims');
    expect(row('team/branch')).toContain('is not rekey/rotate/team/branch');
    expect(row('team/label')).toContain('no \\`rekey\\` label');
    // Each claimant fails exactly the one check its case is about.
    for (const key of claimants.keys()) expect(row(key).split('; ')).toHaveLength(1);
    // The open rekey PRs listed are rekey's own, not the claimants.
    const own = r.body.slice(
      r.body.indexOf('## Open rekey pull requests'),
      r.body.indexOf(section),
    );
    for (const n of claimants.values()) expect(own).not.toContain(`[#${n}](`);
    expect(own.match(/\| \[#\d+\]\(/g)).toHaveLength(4);
  }, 60_000);
});

describe("a revocation PR that only claims to be rekey's", () => {
  it('does not hold the revocation back: revoke opens its own PR once the gate holds', async () => {
    bed.at(T0);
    const files = await manifest(['svc/key']);
    files['policies/pipeline.yaml'] = PIPELINE;
    const base = await bed.repo('claims-revoke', files);
    const change = await prepareRotation(
      base.tree,
      'svc/key',
      { now: DUE, sopsConfig, prepublish: false },
      { codec, generate },
    );
    bed.at(DUE);
    const fullName = base.fullName;
    await bed.emu.commitFiles(
      fullName,
      'main',
      Object.fromEntries(change.files.map((f) => [f.path, f.content && dec(f.content)])),
      change.message,
    );
    const r = await bed.refresh(base);
    await bed
      .ports(fullName)
      .statuses.createStatus(r.sha, { state: 'success', context: 'rekey/distribution' });
    const claimant = await claim({
      repo: fullName,
      token: mallory,
      branch: 'mallory/revoke-svc-key',
      key: 'svc/key',
      action: 'revoke',
      label: true,
    });

    const result = await revoke(
      {
        tree: r.tree,
        sha: r.sha,
        history: r.history,
        firstParent: r.firstParent,
        now: days(DUE, 8),
      },
      bed.ports(fullName),
    );
    expect(result.kind === 'applied' && result.keys.map((k) => [k.keyId, k.outcome])).toEqual([
      ['svc/key', 'created'],
    ]);
    const opened = result.kind === 'applied' ? result.keys[0]! : undefined;
    expect(opened && 'branch' in opened && opened.branch).toBe('rekey/revoke/svc/key');
    expect(
      opened && 'pull' in opened && typeof opened.pull === 'object' && opened.pull.number,
    ).not.toBe(claimant);
  }, 120_000);
});
