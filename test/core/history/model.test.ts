import { describe, expect, it } from 'vitest';
import type { CommitRef, KeyFileChange, ManifestCommit } from '../../../src/core/history/model.ts';
import { enteredAt, foldHistory } from '../../../src/core/history/model.ts';

const ref = (n: number): CommitRef => ({
  sha: String(n).repeat(40).slice(0, 40),
  time: `2026-01-${String(n).padStart(2, '0')}T00:00:00Z`,
  author: 'A <a@x>',
});
const yaml = (versions: [number, string][]) =>
  'versions:\n' + versions.map(([v, s]) => `  - { version: ${v}, state: ${s} }\n`).join('');
const write = (keyId: string, versions: [number, string][]): KeyFileChange => ({
  keyId,
  file: `keys-manifest/${keyId}/key.yaml`,
  kind: 'written',
  content: new TextEncoder().encode(yaml(versions)),
});
const commits = (...changes: KeyFileChange[][]): ManifestCommit[] =>
  changes.map((c, i) => ({ commit: ref(i + 1), changes: c }));

describe('foldHistory', () => {
  it('records the first commit at which each version entered each state', () => {
    const index = foldHistory(
      commits(
        [write('k', [[1, 'active']])],
        [
          write('k', [
            [2, 'pre-activation'],
            [1, 'active'],
          ]),
        ],
        [
          write('k', [
            [2, 'active'],
            [1, 'deactivated'],
          ]),
        ],
        [
          write('k', [
            [2, 'active'],
            [1, 'destroyed'],
          ]),
        ],
      ),
    );
    const k = index.keys.get('k')!;
    expect(k.appeared).toEqual(ref(1));
    expect(k.versions.get(1)).toEqual({
      appeared: ref(1),
      entered: { active: ref(1), deactivated: ref(3), destroyed: ref(4) },
      state: 'destroyed',
    });
    expect(k.versions.get(2)?.entered).toEqual({ 'pre-activation': ref(2), active: ref(3) });
    expect(enteredAt(index, 'k', 2, 'active')).toEqual(ref(3));
    expect(enteredAt(index, 'k', 9, 'active')).toBeUndefined();
    expect(index.problems).toEqual([]);
    expect(index.commits).toBe(4);
  });

  it.each([
    [
      'a resurrection',
      [
        [write('k', [[1, 'active']])],
        [write('k', [[1, 'deactivated']])],
        [write('k', [[1, 'active']])],
      ],
      'history/state-reentered',
    ],
    [
      'a removed entry',
      [
        [
          write('k', [
            [2, 'active'],
            [1, 'deactivated'],
          ]),
        ],
        [write('k', [[2, 'active']])],
      ],
      'history/version-removed',
    ],
    [
      'a duplicate entry',
      [
        [
          write('k', [
            [1, 'active'],
            [1, 'deactivated'],
          ]),
        ],
      ],
      'history/invalid-version-entry',
    ],
    ['an unknown state', [[write('k', [[1, 'retired']])]], 'history/invalid-version-entry'],
    ['an invalid key path', [[write('Bad_Id', [[1, 'active']])]], 'history/invalid-key-path'],
    [
      'a key.yaml that became a symlink',
      [
        [write('k', [[1, 'active']])],
        [{ keyId: 'k', file: 'keys-manifest/k/key.yaml', kind: 'not-a-file' } as KeyFileChange],
      ],
      'history/not-a-file',
    ],
  ] as [string, KeyFileChange[][], string][])('records %s as a problem', (_name, changes, rule) => {
    const index = foldHistory(commits(...changes));
    expect(index.problems.map((p) => p.rule)).toEqual([rule]);
  });

  it('keeps the last readable states when a file cannot be read', () => {
    const index = foldHistory(
      commits(
        [write('k', [[1, 'active']])],
        [
          {
            keyId: 'k',
            file: 'keys-manifest/k/key.yaml',
            kind: 'written',
            content: 'versions: [\n',
          },
        ],
        [
          write('k', [
            [2, 'active'],
            [1, 'deactivated'],
          ]),
        ],
      ),
    );
    expect(index.problems).toEqual([
      expect.objectContaining({ rule: 'history/unreadable-key-file', commit: ref(2) }),
    ]);
    expect(enteredAt(index, 'k', 1, 'deactivated')).toEqual(ref(3));
  });

  it('marks a deleted key removed; a key re-created under its id starts a fresh timeline', () => {
    const del: KeyFileChange = { keyId: 'k', file: 'keys-manifest/k/key.yaml', kind: 'deleted' };
    const gone = foldHistory(commits([write('k', [[1, 'active']])], [del]));
    expect(gone.keys.get('k')?.removed).toEqual(ref(2));
    const back = foldHistory(
      commits([write('k', [[1, 'active']])], [del], [write('k', [[1, 'active']])]),
    );
    const k = back.keys.get('k')!;
    expect(k.removed).toBeUndefined();
    expect(k.appeared).toEqual(ref(3));
    // The new v1 became active at commit 3, not when the deleted key's v1 did.
    expect(enteredAt(back, 'k', 1, 'active')).toEqual(ref(3));
    expect(k.earlier).toEqual([
      {
        appeared: ref(1),
        removed: ref(2),
        versions: new Map([
          [1, { appeared: ref(1), entered: { active: ref(1) }, state: 'active' }],
        ]),
      },
    ]);
  });

  it('orders keys and versions deterministically', () => {
    const index = foldHistory(
      commits([
        write('z', [[1, 'active']]),
        write('a', [
          [3, 'active'],
          [1, 'destroyed'],
          [2, 'deactivated'],
        ]),
      ]),
    );
    expect([...index.keys.keys()]).toEqual(['a', 'z']);
    expect([...index.keys.get('a')!.versions.keys()]).toEqual([1, 2, 3]);
  });
});
