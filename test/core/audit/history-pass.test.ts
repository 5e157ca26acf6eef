// The audit's one pass over history (buildAuditHistory, real git): two processes, first-parent
// only with merges carrying their change, material and .sops.yaml changes, key.yaml at the ref;
// and the findings that depend on them: compromised versions left alive, a deleted .sops.yaml.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditHistory } from '../../../src/adapters/git/history.ts';
import { spawnGit, type SpawnGit } from '../../../src/adapters/git/process.ts';
import { buildAuditReport, type AuditHistory } from '../../../src/core/audit/index.ts';
import { GitRepo, keyYaml, material, POLICY, SOPS_CONFIG } from './git-history.ts';

const A = `age1${'q'.repeat(58)}`;
const tmp = mkdtempSync(join(tmpdir(), 'rekey-audit-pass-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const c: Record<string, string> = {};
let history: AuditHistory;
let spawned: string[][];
const policy = { name: 'standard', cryptoperiod: '90d', grace: '7d', approvals: 1 };

beforeAll(async () => {
  const r = await GitRepo.init(join(tmp, 'repo'));
  await r.write('.sops.yaml', SOPS_CONFIG([A]));
  await r.write('policies/standard.yaml', POLICY);
  await r.write('keys-manifest/svc/key.yaml', keyYaml('svc', [[1, 'active']]));
  await r.write('keys-manifest/svc/v1.sops.yaml', material('svc', 1));
  await r.write('keys-manifest/gone/key.yaml', keyYaml('gone', [[1, 'active']]));
  c.init = await r.commit('set up', '2026-01-01T00:00:00Z');
  // A side branch with the emergency, merged with --no-ff: main sees it at the merge.
  await r.git(['checkout', '-q', '-b', 'side']);
  await r.write(
    'keys-manifest/svc/key.yaml',
    keyYaml('svc', [
      [2, 'active'],
      [1, 'compromised'],
    ]),
  );
  await r.write('keys-manifest/svc/v2.sops.yaml', material('svc', 2));
  c.side = await r.commit('emergency', '2026-01-10T00:00:00Z');
  await r.git(['checkout', '-q', 'main']);
  await r.write('README.md', 'unrelated\n');
  c.unrelated = await r.commit('docs', '2026-01-11T00:00:00Z');
  await r.git(['merge', '-q', '--no-ff', '--no-gpg-sign', '-m', 'Merge emergency', 'side'], {
    GIT_AUTHOR_NAME: 'a',
    GIT_AUTHOR_EMAIL: 'a@x',
    GIT_COMMITTER_NAME: 'a',
    GIT_COMMITTER_EMAIL: 'a@x',
    GIT_AUTHOR_DATE: '1768435200 +0000', // 2026-01-15
    GIT_COMMITTER_DATE: '1768435200 +0000',
  });
  c.merge = await r.git(['rev-parse', 'HEAD']);
  await r.remove('.sops.yaml');
  await r.remove('keys-manifest/gone/key.yaml');
  c.remove = await r.commit('drop the sops config and a key', '2026-01-20T00:00:00Z');
  // Matched by the log's prefixes: a README and a nested file are read by nothing.
  await r.write('keys-manifest/README.md', 'how keys are laid out\n');
  await r.write('policies/notes/old.yaml', 'not a policy\n');
  // Paths too long for a key id or a policy name: reported or ignored, never fatal.
  await r.write(`keys-manifest/${'x'.repeat(210)}/key.yaml`, keyYaml('x', [[1, 'active']]));
  await r.write(`policies/${'p'.repeat(210)}.yaml`, POLICY.replace('standard', 'long'));
  c.readme = await r.commit('explain the folder', '2026-01-21T00:00:00Z');
  spawned = [];
  const counting: SpawnGit = (args, opts) => {
    spawned.push([...args]);
    return spawnGit(args, opts);
  };
  history = await buildAuditHistory(r.dir, 'main', { spawn: counting });
});

describe('buildAuditHistory', () => {
  it('runs exactly two git processes: one log, one cat-file', () => {
    expect(spawned.map((a) => a[0])).toEqual(['log', 'cat-file']);
  });

  it('walks first-parent history: the merge carries the side commit’s change; other files are no manifest change', () => {
    expect(history.commits.map((x) => x.commit.sha)).toEqual([c.init, c.merge, c.remove, c.readme]);
    expect(history.index.problems.map((p) => [p.rule, p.commit.sha])).toEqual([
      ['history/invalid-key-path', c.readme],
    ]);
    const merge = history.commits[1]!;
    expect(merge.parents).toHaveLength(2);
    expect(merge.subject).toBe('Merge emergency');
    expect(merge.keys).toEqual(['svc']);
    expect(merge.materials).toEqual([
      { keyId: 'svc', version: 2, file: 'keys-manifest/svc/v2.sops.yaml', kind: 'written' },
    ]);
    expect(history.index.keys.get('svc')!.versions.get(1)!.entered.compromised!.sha).toBe(c.merge);
  });

  it('records .sops.yaml on both sides, and the key.yaml files at the ref', () => {
    const removed = history.commits[2]!;
    expect(removed.sopsConfig?.before).toBeInstanceOf(Uint8Array);
    expect(removed.sopsConfig?.after).toBeUndefined();
    expect([...history.files!.keys()].sort()).toEqual([
      'keys-manifest/svc/key.yaml',
      'policies/standard.yaml',
    ]);
    expect(history.commits[0]!.policies).toEqual(['policies/standard.yaml']);
    expect(new TextDecoder().decode(history.files!.get('keys-manifest/svc/key.yaml'))).toContain(
      'state: compromised',
    );
  });
});

describe('findings that need the pass', () => {
  const report = (since?: Date) =>
    buildAuditReport({
      history,
      policies: new Map([['svc', policy]]),
      now: new Date('2026-02-01T00:00:00Z'),
      ref: 'main',
      graceToleranceMs: 7 * 86_400_000,
      ...(since ? { since } : {}),
    });

  it('a compromised version left undestroyed past the tolerance is flagged, and stays flagged after --since', () => {
    for (const r of [report(), report(new Date('2026-01-25T00:00:00Z'))]) {
      const f = r.findings.filter((x) => x.rule === 'audit/grace-exceeded');
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ key: 'svc', version: 1, severity: 'high', ongoing: true });
      expect(f[0]!.commits.map((x) => x.sha)).toEqual([c.merge]);
      expect(f[0]!.message).toMatch(/compromised since 2026-01-15T00:00:00Z .* exceeded by 10 d/);
    }
  });

  it('deleting .sops.yaml removes every recipient', () => {
    const f = report().findings.filter((x) => x.rule === 'audit/recipients-changed');
    expect(f.map((x) => x.commits[0]!.sha)).toEqual([c.remove]);
    expect(f[0]!.message).toMatch(/removed age1qqqq.*\(the file was deleted\)/);
  });

  it('a deleted key keeps its timeline, marked removed, without cryptoperiod findings', () => {
    const r = buildAuditReport({
      history,
      policies: new Map([['gone', { ...policy, cryptoperiod: '1d' }]]),
      now: new Date('2026-02-01T00:00:00Z'),
      ref: 'main',
      graceToleranceMs: 0,
    });
    expect(r.keys.find((k) => k.key === 'gone')!.removed!.sha).toBe(c.remove);
    expect(r.findings.filter((x) => x.key === 'gone')).toEqual([]);
  });
});
