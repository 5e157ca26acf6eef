// A manifest imported with its past: a version already destroyed in the first commit that
// shows it. Its destruction predates the history, so the audit does not ask GitHub for a proof
// and says so, instead of reporting it unproven. Hand-written GitHub fakes count the calls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditHistory } from '../../src/adapters/git/history.ts';
import { audit, type AuditPorts } from '../../src/commands/audit.ts';
import type { CommitStatus } from '../../src/core/ports/github.ts';
import { GitRepo, keyYaml, material, POLICY } from '../core/audit/git-history.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rekey-audit-imported-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let repo: GitRepo;
const c: Record<string, string> = {};

beforeAll(async () => {
  repo = await GitRepo.init(join(tmp, 'repo'));
  await repo.write('README.md', 'infra\n');
  c.root = await repo.commit('create the repository', '2026-01-01T00:00:00Z');
  await repo.write('policies/standard.yaml', POLICY);
  await repo.write(
    'keys-manifest/ssh/key.yaml',
    keyYaml('ssh', [
      [2, 'active'],
      [1, 'destroyed'],
    ]),
  );
  await repo.write('keys-manifest/ssh/v2.sops.yaml', material('ssh', 2));
  c.import = await repo.commit('import the manifest', '2026-01-02T00:00:00Z');
  await repo.write(
    'keys-manifest/ssh/key.yaml',
    keyYaml('ssh', [
      [3, 'active'],
      [2, 'deactivated'],
      [1, 'destroyed'],
    ]),
  );
  await repo.write('keys-manifest/ssh/v3.sops.yaml', material('ssh', 3));
  c.rotate = await repo.commit('rekey: rotate ssh to v3', '2026-01-10T00:00:00Z');
  await repo.write(
    'keys-manifest/ssh/key.yaml',
    keyYaml('ssh', [
      [3, 'active'],
      [2, 'destroyed'],
      [1, 'destroyed'],
    ]),
  );
  await repo.remove('keys-manifest/ssh/v2.sops.yaml');
  c.revoke = await repo.commit('rekey: revoke ssh v2', '2026-01-20T00:00:00Z');
});

function ports(statusCalls: string[]): AuditPorts {
  const merged = (sha: string) => ({
    number: 1,
    url: 'https://github.com/acme/infra/pull/1',
    title: 't',
    author: 'rekey[bot]',
    authorType: 'Bot',
    mergedBy: 'carol',
    mergedAt: '2026-01-01T00:00:00Z',
    mergeCommitSha: sha,
    headSha: 'h',
    baseRef: 'main',
    labels: [],
  });
  return {
    history: (ref) => buildAuditHistory(repo.dir, ref),
    github: {
      firstParent: async () => [c.root!, c.import!, c.rotate!, c.revoke!],
      statuses: {
        async listStatuses(sha): Promise<CommitStatus[]> {
          statusCalls.push(sha);
          return sha === c.rotate
            ? [
                {
                  state: 'success',
                  context: 'rekey/distribution',
                  description: null,
                  targetUrl: null,
                  createdAt: '2026-01-10T01:00:00Z',
                  creator: 'rekey[bot]',
                },
              ]
            : [];
        },
      },
      pulls: {
        mergedPullForCommit: async (sha) => ({ pull: merged(sha), calls: 1 }),
        listReviews: async () => ({
          reviews: [
            {
              login: 'carol',
              userType: 'User',
              state: 'APPROVED',
              commitId: 'h',
              submittedAt: null,
            },
          ],
          calls: 1,
        }),
      },
    },
  };
}

describe('a manifest imported with destroyed versions', () => {
  it('checks the destruction it saw happen, and names the one it could not', async () => {
    const statusCalls: string[] = [];
    const r = await audit(
      { ref: 'main', now: new Date('2026-01-21T00:00:00Z') },
      ports(statusCalls),
    );
    expect(r.findings).toEqual([]);
    // Only v2's destruction is checked: statuses from v3's activation up to v2's destruction.
    expect(statusCalls).toEqual([c.rotate]);
    expect(r.github.notChecked).toEqual([
      'distribution before destruction of ssh v1: already destroyed when history first shows it',
    ]);
    expect(r.github.calls).toBe(1 + 3 * 2);
  });
});
