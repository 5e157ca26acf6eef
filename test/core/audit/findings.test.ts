// Each finding kind in a case built for it, in a real git repository read by the real history
// adapter; GitHub's evidence (PRs, approvals, distribution proofs) is given as data here (the
// adapter against the emulator is tested in test/adapters/github/audit.test.ts). A key handled
// the way rekey handles keys sits beside them and must yield nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditHistory } from '../../../src/adapters/git/history.ts';
import {
  buildAuditReport,
  destructionSubject,
  type AuditHistory,
  type AuditPolicy,
  type DistributionProof,
  type Finding,
  type PullEvidence,
} from '../../../src/core/audit/index.ts';
import { GitRepo, keyYaml, material, POLICY, SOPS_CONFIG, type V } from './git-history.ts';

const A = `age1${'q'.repeat(58)}`;
const B = `age1${'p'.repeat(58)}`;
const policy: AuditPolicy = { name: 'standard', cryptoperiod: '90d', grace: '7d', approvals: 1 };
const KEYS = ['clean', 'crypto', 'grace', 'material', 'unproven', 'approvals'];
// The approvals key lives long on purpose: only its PRs are under test.
const policies = new Map(
  KEYS.map((k) => [k, k === 'approvals' ? { ...policy, cryptoperiod: '365d' } : policy]),
);
const NOW = new Date('2026-04-15T00:00:00Z');

const tmp = mkdtempSync(join(tmpdir(), 'rekey-audit-findings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const c: Record<string, string> = {};
let history: AuditHistory;

async function setKey(r: GitRepo, id: string, versions: V[]) {
  await r.write(`keys-manifest/${id}/key.yaml`, keyYaml(id, versions));
}

beforeAll(async () => {
  const r = await GitRepo.init(join(tmp, 'repo'));
  await r.write('.sops.yaml', SOPS_CONFIG([A]));
  await r.write('policies/standard.yaml', POLICY);
  for (const id of KEYS) {
    await setKey(r, id, [[1, 'active']]);
    await r.write(`keys-manifest/${id}/v1.sops.yaml`, material(id, 1));
  }
  c.init = await r.commit('set up', '2026-01-01T00:00:00Z');
  for (const id of ['clean', 'grace', 'material', 'unproven']) {
    await setKey(r, id, [
      [2, 'active'],
      [1, 'deactivated'],
    ]);
    await r.write(`keys-manifest/${id}/v2.sops.yaml`, material(id, 2));
    c[`${id}-rotate`] = await r.commit(`rekey: rotate ${id} to v2`, '2026-02-01T00:00:00Z');
  }
  for (const id of ['clean', 'material', 'unproven']) {
    await setKey(r, id, [
      [2, 'active'],
      [1, 'destroyed'],
    ]);
    if (id !== 'material') await r.remove(`keys-manifest/${id}/v1.sops.yaml`);
    c[`${id}-revoke`] = await r.commit(`rekey: revoke ${id} v1`, '2026-02-09T00:00:00Z');
  }
  await setKey(r, 'grace', [
    [2, 'active'],
    [1, 'destroyed'],
  ]);
  await r.remove('keys-manifest/grace/v1.sops.yaml');
  c['grace-revoke'] = await r.commit('rekey: revoke grace v1', '2026-03-20T00:00:00Z');
  await r.write('.sops.yaml', SOPS_CONFIG([A, B]));
  c.recipients = await r.commit('add a recipient', '2026-03-25T00:00:00Z');
  for (const [i, name] of ['by-author', 'by-bot', 'none', 'direct'].entries()) {
    await r.write(
      'keys-manifest/approvals/key.yaml',
      keyYaml('approvals', [[1, 'active']]) + `# ${name}\n`,
    );
    c[name] = await r.commit(`edit ${name}`, `2026-04-0${i + 1}T00:00:00Z`);
  }
  history = await buildAuditHistory(r.dir, 'main');
});

const pull = (n: number, over: Partial<PullEvidence> = {}): PullEvidence => ({
  number: n,
  url: `https://github.com/acme/infra/pull/${n}`,
  title: `PR ${n}`,
  author: 'rekey-app[bot]',
  authorBot: true,
  mergedBy: 'carol',
  mergedAt: '2026-01-01T00:00:00Z',
  headSha: 'f'.repeat(40),
  labels: [],
  approvals: [{ login: 'carol', bot: false, at: '2026-01-01T00:00:00Z' }],
  staleApprovals: [],
  ...over,
});

function report(withGitHub: boolean) {
  const pulls = new Map<string, PullEvidence | null>();
  history.commits.forEach((x, i) => pulls.set(x.commit.sha, pull(i + 1)));
  pulls.set(
    c['by-author']!,
    pull(90, {
      author: 'dave',
      authorBot: false,
      approvals: [{ login: 'dave', bot: false, at: '' }],
    }),
  );
  pulls.set(
    c['by-bot']!,
    pull(91, {
      author: 'dave',
      authorBot: false,
      approvals: [{ login: 'helper[bot]', bot: true, at: '' }],
    }),
  );
  pulls.set(c.none!, pull(92, { approvals: [], staleApprovals: ['erin'] }));
  pulls.set(c.direct!, null);
  const proven = (id: string): DistributionProof => ({
    result: 'proven',
    sha: c[`${id}-rotate`]!,
    at: '2026-02-01T00:10:00Z',
  });
  const distribution = new Map<string, DistributionProof>([
    [destructionSubject('clean', 1), proven('clean')],
    [destructionSubject('material', 1), proven('material')],
    [destructionSubject('grace', 1), proven('grace')],
    [destructionSubject('unproven', 1), { result: 'unproven' }],
  ]);
  return buildAuditReport({
    history,
    policies,
    now: NOW,
    ref: 'main',
    repository: 'acme/infra',
    serverUrl: 'https://github.com',
    graceToleranceMs: 7 * 86_400_000,
    ...(withGitHub ? { github: { pulls, distribution, calls: 42, budget: 300, notes: [] } } : {}),
  });
}

const summary = (fs: readonly Finding[]) =>
  fs.map((f) => ({
    rule: f.rule,
    key: f.key,
    version: f.version,
    commits: f.commits.map((x) => x.sha),
  }));

describe('audit findings over a generated history', () => {
  it('reads every manifest commit in one pass, with material and .sops.yaml changes', () => {
    expect(history.commits).toHaveLength(1 + 4 + 3 + 1 + 1 + 4);
    const sops = history.commits.filter((x) => x.sopsConfig);
    expect(sops.map((x) => [x.commit.sha, !!x.sopsConfig?.before, !!x.sopsConfig?.after])).toEqual([
      [c.init, false, true],
      [c.recipients, true, true],
    ]);
    expect(history.commits.find((x) => x.commit.sha === c['clean-revoke'])?.materials).toEqual([
      { keyId: 'clean', version: 1, file: 'keys-manifest/clean/v1.sops.yaml', kind: 'deleted' },
    ]);
  });

  it('without GitHub: cryptoperiod, grace, material and recipients, each at its commits', () => {
    const r = report(false);
    expect(summary(r.findings)).toEqual([
      { rule: 'audit/cryptoperiod-exceeded', key: 'crypto', version: 1, commits: [c.init] },
      {
        rule: 'audit/grace-exceeded',
        key: 'grace',
        version: 1,
        commits: [c['grace-rotate'], c['grace-revoke']],
      },
      {
        rule: 'audit/material-not-removed',
        key: 'material',
        version: 1,
        commits: [c['material-revoke']],
      },
      {
        rule: 'audit/recipients-changed',
        key: undefined,
        version: undefined,
        commits: [c.recipients],
      },
    ]);
    const text = r.findings.map((f) => f.message).join('\n');
    expect(text).toMatch(
      /active since 2026-01-01T00:00:00Z, 14 d longer than its 90d cryptoperiod/,
    );
    expect(text).toMatch(/destroyed at 2026-03-20T00:00:00Z, 40 d past its 7d grace/);
    expect(text).toContain(`added ${B.slice(0, 16)}`);
    expect(r.github.notChecked.join('\n')).toMatch(/approvals.*no GitHub token/);
    expect(r.findings[0]!.commits[0]!.url).toBe(`https://github.com/acme/infra/commit/${c.init}`);
  });

  it('with GitHub: adds unproven destruction, approvals and the direct push', () => {
    const r = report(true);
    const extra = summary(r.findings).filter(
      (f) => !/cryptoperiod|grace-exceeded|material-not|recipients/.test(f.rule),
    );
    expect(extra).toEqual([
      {
        rule: 'audit/destroyed-unproven',
        key: 'unproven',
        version: 1,
        commits: [c['unproven-rotate'], c['unproven-revoke']],
      },
      {
        rule: 'audit/approval-by-author',
        key: 'approvals',
        version: undefined,
        commits: [c['by-author']],
      },
      {
        rule: 'audit/approval-missing',
        key: 'approvals',
        version: undefined,
        commits: [c['by-author']],
      },
      {
        rule: 'audit/approval-by-bot',
        key: 'approvals',
        version: undefined,
        commits: [c['by-bot']],
      },
      {
        rule: 'audit/approval-missing',
        key: 'approvals',
        version: undefined,
        commits: [c['by-bot']],
      },
      { rule: 'audit/approval-missing', key: 'approvals', version: undefined, commits: [c.none] },
      { rule: 'audit/direct-push', key: 'approvals', version: undefined, commits: [c.direct] },
    ]);
    expect(r.findings.find((f) => f.commits[0]!.sha === c.none)?.message).toMatch(
      /0 of 1 .*older head by erin/,
    );
    expect(r.github.notChecked).toEqual([]);
  });

  it('a proof younger than the grace at destruction is destroyed-within-grace', () => {
    const r = report(true);
    const early = buildAuditReport({
      history,
      policies,
      now: NOW,
      ref: 'main',
      graceToleranceMs: 7 * 86_400_000,
      github: {
        pulls: new Map(),
        distribution: new Map([
          [
            destructionSubject('clean', 1),
            { result: 'proven', sha: c['clean-rotate']!, at: '2026-02-05T00:00:00Z' },
          ],
        ]),
        calls: 1,
        budget: 300,
        notes: [],
      },
    });
    expect(summary(early.findings).filter((f) => f.key === 'clean')).toEqual([
      {
        rule: 'audit/destroyed-within-grace',
        key: 'clean',
        version: 1,
        commits: [c['clean-rotate'], c['clean-revoke']],
      },
    ]);
    expect(r.findings.filter((f) => f.key === 'clean')).toEqual([]);
  });

  it('--since leaves out findings whose commits all came before it, unless they last', () => {
    const r = buildAuditReport({
      history,
      policies,
      now: NOW,
      ref: 'main',
      graceToleranceMs: 7 * 86_400_000,
      since: new Date('2026-03-21T00:00:00Z'),
    });
    // crypto v1 is still past its cryptoperiod: that lasts, so --since does not hide it.
    expect(r.findings.map((f) => [f.rule, f.key, f.ongoing])).toEqual([
      ['audit/cryptoperiod-exceeded', 'crypto', true],
      ['audit/recipients-changed', undefined, undefined],
    ]);
  });

  it('the key handled as rekey handles keys has a timeline and no finding', () => {
    const r = report(true);
    const clean = r.keys.find((k) => k.key === 'clean')!;
    expect(clean.versions.map((v) => [v.version, v.state, v.events.map((e) => e.kind)])).toEqual([
      [2, 'active', ['active', 'material-written']],
      [
        1,
        'destroyed',
        ['active', 'material-written', 'deactivated', 'destroyed', 'material-deleted'],
      ],
    ]);
    expect(r.findings.filter((f) => f.key === 'clean')).toEqual([]);
  });
});

describe('audit/material-by-person', () => {
  const build = (pullAuthors: readonly string[] | undefined, byDave: boolean) => {
    const pulls = new Map<string, PullEvidence | null>();
    history.commits.forEach((x, i) => pulls.set(x.commit.sha, pull(i + 1)));
    if (byDave) pulls.set(c['grace-rotate']!, pull(93, { author: 'dave', authorBot: false }));
    return buildAuditReport({
      history,
      policies,
      now: NOW,
      ref: 'main',
      graceToleranceMs: 7 * 86_400_000,
      github: { pulls, distribution: new Map(), calls: 1, budget: 300, notes: [] },
      ...(pullAuthors ? { pullAuthors } : {}),
    }).findings.filter((f) => f.rule === 'audit/material-by-person');
  };

  it('flags a new version whose PR a person opened, from the PR author', () => {
    const found = build(['Rekey-App[bot]'], true);
    expect(summary(found)).toEqual([
      {
        rule: 'audit/material-by-person',
        key: 'grace',
        version: 2,
        commits: [c['grace-rotate']],
      },
    ]);
    expect(found[0]!.pull?.number).toBe(93);
    expect(found[0]!.message).toContain('opened by dave');
  });

  it('flags nothing when the App opened every PR, or pull-authors is unset', () => {
    expect(build(['rekey-app[bot]'], false)).toEqual([]);
    expect(build(undefined, true)).toEqual([]);
  });
});
