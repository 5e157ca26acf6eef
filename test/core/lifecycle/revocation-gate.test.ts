import { describe, expect, it } from 'vitest';
import { keyDocument, loadDocument, policyDocument } from '../../../src/core/formats/index.ts';
import { HistoryIndexBuilder } from '../../../src/core/history/model.ts';
import {
  gateEvidence,
  revocationGate,
  type DistributionRecord,
} from '../../../src/core/lifecycle/revocation-gate.ts';
import { verifyTrees } from '../../../src/core/verify/verify-trees.ts';
import { KEY, KEY_FILE, keyYaml, NOW, repo, setKey, STANDARD, tree, type V } from './fixtures.ts';

const day = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * day).toISOString().slice(0, 19) + 'Z';
const commit = (sha: string, days: number) => ({
  sha,
  time: ago(days),
  author: 'A <a@example.com>',
});
const enc = (s: string) => new TextEncoder().encode(s);

// First-parent history: c1 adds v1 active, c2 rotates to v2, c3 touches something else.
const V2: V[] = [
  { version: 2, state: 'active' },
  { version: 1, state: 'deactivated' },
];
function history() {
  const b = new HistoryIndexBuilder();
  b.add({
    commit: commit('c1'.repeat(20), 40),
    changes: [
      {
        keyId: KEY,
        file: KEY_FILE,
        kind: 'written',
        content: keyYaml([{ version: 1, state: 'active' }]),
      },
    ],
  });
  b.add({
    commit: commit('c2'.repeat(20), 12),
    changes: [{ keyId: KEY, file: KEY_FILE, kind: 'written', content: keyYaml(V2) }],
  });
  return b.finish();
}
const base = {
  keys: new Map([[KEY, loadDocument(KEY_FILE, enc(keyYaml(V2)), keyDocument).doc!]]),
  policies: new Map([
    ['standard', loadDocument('policies/standard.yaml', enc(STANDARD), policyDocument).doc!],
  ]),
};
function gate(firstParent: DistributionRecord[], b = base) {
  return revocationGate(gateEvidence({ base: b, history: history(), firstParent, now: NOW }));
}
const c1 = 'c1'.repeat(20);
const c2 = 'c2'.repeat(20);
const c3 = 'c3'.repeat(20);
const success = (days: number) => ({ state: 'success' as const, at: ago(days) });

describe('revocation gate', () => {
  it.each([
    [
      'opens when the successor was distributed longer ago than grace',
      [{ sha: c1 }, { sha: c2, status: success(10) }, { sha: c3 }],
      'deactivated',
      true,
      'grace 7 d passed',
    ],
    [
      'accepts proof on a later commit',
      [{ sha: c1 }, { sha: c2 }, { sha: c3, status: success(8) }],
      'deactivated',
      true,
      'proven distributed at c3c3',
    ],
    [
      'stays closed within grace',
      [{ sha: c1 }, { sha: c2, status: success(2) }],
      'deactivated',
      false,
      'the grace period is 7 d',
    ],
    [
      'needs no grace for a compromised version',
      [{ sha: c1 }, { sha: c2, status: success(0.01) }],
      'compromised',
      true,
      'no grace',
    ],
    [
      'ignores proof from before the successor became active',
      [{ sha: c1, status: success(30) }, { sha: c2 }],
      'deactivated',
      false,
      'no rekey/distribution success at or after c2c2',
    ],
    [
      'ignores failed distributions',
      [{ sha: c1 }, { sha: c2, status: { state: 'failure' as const, at: ago(10) } }],
      'deactivated',
      false,
      'not proven on every target',
    ],
    [
      'stays closed when C is not on first-parent history',
      [{ sha: c3, status: success(10) }],
      'deactivated',
      false,
      'is not on first-parent history',
    ],
  ] as const)('%s', (_, firstParent, state, open, reason) => {
    const verdict = gate([...firstParent])(KEY, 1, { state });
    expect(verdict.open).toBe(open);
    expect(verdict.reason).toContain(reason);
  });

  it('stays closed when the key has no active version', () => {
    const noActive = loadDocument(
      KEY_FILE,
      enc(keyYaml([{ version: 2, state: 'deactivated' }, V2[1]!])),
      keyDocument,
    ).doc!;
    const verdict = gate([{ sha: c2, status: success(10) }], {
      ...base,
      keys: new Map([[KEY, noActive]]),
    })(KEY, 1, { state: 'deactivated' });
    expect(verdict).toEqual({ open: false, reason: expect.stringContaining('no active version') });
  });

  it('stays closed when history does not know the key', () => {
    const verdict = gate([{ sha: c2, status: success(10) }])('other/key', 1, {
      state: 'deactivated',
    });
    expect(verdict.open).toBe(false);
  });

  it('decides verify: a closed gate is reported with its reason at the version entry', () => {
    const b = repo(V2);
    const h = setKey(new Map(b), KEY, [V2[0]!, { version: 1, state: 'destroyed' }]);
    const closed = verifyTrees(tree(b), tree(h), {
      now: NOW,
      gate: gate([{ sha: c1 }, { sha: c2, status: success(2) }]),
    });
    expect(closed.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'lifecycle/revocation-gate-closed',
        file: KEY_FILE,
        line: 13,
        message: expect.stringContaining('grace period is 7 d'),
      }),
    ]);
    const open = verifyTrees(tree(b), tree(h), {
      now: NOW,
      gate: gate([{ sha: c1 }, { sha: c2, status: success(9) }]),
    });
    expect(open.diagnostics).toEqual([]);
    expect(open.kind).toBe('revocation');
  });
});
