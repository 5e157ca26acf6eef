// The audit's history pass does not read past a symlink or submodule in the manifest: a
// material file, a policy or .sops.yaml that history shows as one is a `history/not-a-file`
// finding with its path and commit, like a key.yaml that became one.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAuditHistory } from '../../../src/adapters/git/history.ts';
import { GitRepo, keyYaml, material, POLICY, SOPS_CONFIG } from './git-history.ts';

const A = `age1${'q'.repeat(58)}`;
const tmp = mkdtempSync(join(tmpdir(), 'rekey-audit-irregular-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('buildAuditHistory', () => {
  it('lists every non-regular entry rekey would read, at the commit that added it', async () => {
    const r = await GitRepo.init(join(tmp, 'repo'));
    await r.write('.sops.yaml', SOPS_CONFIG([A]));
    await r.write('policies/standard.yaml', POLICY);
    await r.write('keys-manifest/svc/key.yaml', keyYaml('svc', [[1, 'active']]));
    await r.write('keys-manifest/svc/v1.sops.yaml', material('svc', 1));
    const init = await r.commit('set up', '2026-01-01T00:00:00Z');
    symlinkSync('v1.sops.yaml', join(r.dir, 'keys-manifest/svc/v2.sops.yaml'));
    symlinkSync('standard.yaml', join(r.dir, 'policies/lax.yaml'));
    const links = await r.commit('links', '2026-01-02T00:00:00Z');
    await r.git(['update-index', '--add', '--cacheinfo', `160000,${init},keys-manifest/vendor`]);
    await r.git(['commit', '-q', '--no-gpg-sign', '-m', 'submodule'], {
      GIT_AUTHOR_NAME: 'a',
      GIT_AUTHOR_EMAIL: 'a@x',
      GIT_COMMITTER_NAME: 'a',
      GIT_COMMITTER_EMAIL: 'a@x',
    });
    const sub = await r.git(['rev-parse', 'HEAD']);

    const history = await buildAuditHistory(r.dir, 'HEAD');
    const problems = history.index.problems
      .filter((p) => p.rule === 'history/not-a-file')
      .map((p) => [p.file, p.commit.sha]);
    expect(problems.sort()).toEqual(
      [
        ['keys-manifest/svc/v2.sops.yaml', links.trim()],
        ['policies/lax.yaml', links.trim()],
        ['keys-manifest/vendor', sub.trim()],
      ].sort(),
    );
  });
});
