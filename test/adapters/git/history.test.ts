import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildHistoryIndex,
  isShallowRepository,
  nulTokens,
  parseHistoryLog,
} from '../../../src/adapters/git/history.ts';
import { GitReadError, spawnGit, type SpawnGit } from '../../../src/adapters/git/process.ts';
import type { HistoryIndex } from '../../../src/core/history/model.ts';
import { countingSpawn, TempRepo } from './repo-fixture.ts';

type V = [number, string];
const flow = (id: string, versions: V[]) =>
  `id: ${id}\npolicy: standard\nversions:\n` +
  versions
    .map(
      ([n, s]) =>
        `  - { version: ${n}, state: ${s}, created: 2026-01-01T00:00:00Z, fingerprint: "kcv:0123456789abcdef" }\n`,
    )
    .join('') +
  'targets: []\n';
const block = (id: string, versions: V[]) =>
  `id: ${id}\nversions:\n` +
  versions.map(([n, s]) => `- version: ${n}\n  state: ${s} # set by rekey\n`).join('');

const ALICE = 'Alice <alice@example.com>';
const BOB = 'Bob <bob@example.com>';

describe('buildHistoryIndex', () => {
  let repo: TempRepo;
  const sha: Record<string, string> = {};
  let index: HistoryIndex;
  let calls: string[][];

  beforeAll(async () => {
    repo = new TempRepo();
    sha.c1 = repo.commit(
      { 'keys-manifest/a/key.yaml': flow('a', [[1, 'active']]) },
      'add a',
      '2026-01-01T09:00:00Z',
      ALICE,
    );
    sha.c2 = repo.commit(
      {
        'keys-manifest/team/b/key.yaml': flow('team/b', [[1, 'pre-activation']]),
        'keys-manifest/team/b/v1.sops.yaml': 'x',
      },
      'add b',
      '2026-02-01T09:00:00Z',
    );
    // A rotation of a on a side branch, merged with a merge commit: on first-parent history
    // the rotation happens at the merge, not at the side commit.
    repo.git(['checkout', '-q', '-b', 'rotate-a']);
    sha.side = repo.commit(
      {
        'keys-manifest/a/key.yaml': flow('a', [
          [2, 'active'],
          [1, 'deactivated'],
        ]),
      },
      'rotate a',
      '2026-03-01T09:00:00Z',
      BOB,
    );
    repo.commit(
      {
        'keys-manifest/a/key.yaml':
          flow('a', [
            [2, 'active'],
            [1, 'deactivated'],
          ]) + '# reviewed\n',
      },
      'touch a',
      '2026-03-02T09:00:00Z',
      BOB,
    );
    repo.git(['checkout', '-q', 'main']);
    repo.commit({ 'README.md': 'hello\n' }, 'readme', '2026-03-03T09:00:00Z');
    repo.git(
      ['merge', '-q', '--no-ff', 'rotate-a', '-m', 'Merge rotate-a'],
      '2026-03-10T09:00:00Z',
      'Carol <carol@example.com>',
    );
    sha.merge = repo.git(['rev-parse', 'HEAD']).trim();
    // A promotion of b made of two side commits, squash-merged.
    repo.git(['checkout', '-q', '-b', 'promote-b']);
    repo.commit(
      { 'keys-manifest/team/b/key.yaml': flow('team/b', [[1, 'active']]) + '# wip\n' },
      'wip',
      '2026-03-20T09:00:00Z',
    );
    repo.commit(
      { 'keys-manifest/team/b/key.yaml': flow('team/b', [[1, 'active']]) },
      'promote b',
      '2026-03-21T09:00:00Z',
    );
    repo.git(['checkout', '-q', 'main']);
    repo.git(['merge', '-q', '--squash', 'promote-b']);
    sha.squash = repo.commit({}, 'promote b (#7)', '2026-04-01T09:00:00Z', BOB);
    // An unreadable file, then a good one, then the key is deleted.
    sha.bad = repo.commit(
      { 'keys-manifest/c/key.yaml': 'versions: [ {version: 1, state: active\n' },
      'broken c',
      '2026-05-01T09:00:00Z',
    );
    sha.good = repo.commit(
      { 'keys-manifest/c/key.yaml': block('c', [[1, 'active']]) },
      'fix c',
      '2026-05-02T09:00:00Z',
    );
    sha.gone = repo.commit(
      { 'keys-manifest/c/key.yaml': null },
      'remove c',
      '2026-06-01T09:00:00Z',
    );
    // A commit that touches only material: not a manifest change for the index.
    repo.commit({ 'keys-manifest/a/v2.sops.yaml': 'y' }, 'material only', '2026-06-02T09:00:00Z');

    const counter = countingSpawn();
    index = await buildHistoryIndex(repo.dir, 'main', { spawn: counter.spawn });
    calls = counter.calls;
  });
  afterAll(() => repo.remove());

  it('spawns exactly two git processes: one log, one cat-file', () => {
    expect(calls.map((c) => c[0])).toEqual(['log', 'cat-file']);
    expect(calls[0]).toContain('--first-parent');
    expect(calls[1]).toEqual(['cat-file', '--batch', '--buffer']);
  });

  it('counts only first-parent commits that changed a key.yaml', () => {
    // c1, c2, merge, squash, bad, good, gone
    expect(index.commits).toBe(7);
    expect(index.last?.sha).toBe(sha.gone);
  });

  it('dates a merged rotation at the merge commit, not the side commit', () => {
    const a = index.keys.get('a')!;
    const merge = {
      sha: sha.merge,
      time: '2026-03-10T09:00:00Z',
      author: 'Carol <carol@example.com>',
    };
    expect(a.appeared).toEqual({ sha: sha.c1, time: '2026-01-01T09:00:00Z', author: ALICE });
    expect(a.versions.get(1)).toEqual({
      appeared: a.appeared,
      entered: { active: a.appeared, deactivated: merge },
      state: 'deactivated',
    });
    expect(a.versions.get(2)).toEqual({
      appeared: merge,
      entered: { active: merge },
      state: 'active',
    });
    const everySha = JSON.stringify([...index.keys.values()].map((k) => [...k.versions.values()]));
    expect(everySha).not.toContain(sha.side);
  });

  it('dates a squash-merged promotion at the squash commit', () => {
    const b = index.keys.get('team/b')!.versions.get(1)!;
    expect(b.entered['pre-activation']?.sha).toBe(sha.c2);
    expect(b.entered.active).toEqual({
      sha: sha.squash,
      time: '2026-04-01T09:00:00Z',
      author: BOB,
    });
  });

  it('records an unreadable file as a problem and keeps going', () => {
    expect(index.problems).toEqual([
      expect.objectContaining({
        rule: 'history/unreadable-key-file',
        file: 'keys-manifest/c/key.yaml',
        commit: expect.objectContaining({ sha: sha.bad }),
      }),
    ]);
    const c = index.keys.get('c')!;
    expect(c.appeared.sha).toBe(sha.bad);
    expect(c.versions.get(1)?.entered.active?.sha).toBe(sha.good);
    expect(c.removed?.sha).toBe(sha.gone);
  });

  it('reads history at an older ref', async () => {
    const old = await buildHistoryIndex(repo.dir, sha.c2!);
    expect([...old.keys.keys()]).toEqual(['a', 'team/b']);
    expect(old.commits).toBe(2);
  });

  it('fails with a typed error for an unknown ref', async () => {
    const e = await buildHistoryIndex(repo.dir, 'no-such-branch').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitReadError);
    await expect(buildHistoryIndex(repo.dir, '--all')).rejects.toMatchObject({
      code: 'unknown-ref',
    });
  });

  it('knows a full clone is not shallow', async () => {
    expect(await isShallowRepository(repo.dir)).toBe(false);
  });
});

describe('parseHistoryLog', () => {
  const A = 'a'.repeat(40);
  const Z = '0'.repeat(40);
  it('takes paths positionally, whatever bytes they hold', () => {
    const out =
      `\x01${A}\x001767225600\x00A <a@x>\x00\n` +
      `:000000 100644 ${Z} ${A} A\x00keys-manifest/we:ird\n/key.yaml\x00` +
      `:100644 000000 ${A} ${Z} D\x00keys-manifest/x/key.yaml\x00`;
    expect(parseHistoryLog(out)).toEqual([
      {
        sha: A,
        time: '2026-01-01T00:00:00Z',
        author: 'A <a@x>',
        changes: [
          { path: 'keys-manifest/we:ird\n/key.yaml', status: 'A', newMode: '100644', newOid: A },
          { path: 'keys-manifest/x/key.yaml', status: 'D', newMode: '000000', newOid: Z },
        ],
      },
    ]);
  });
  it('rejects output it does not understand', () => {
    expect(() => parseHistoryLog('garbage\x00')).toThrow(GitReadError);
  });
});

describe('nulTokens', () => {
  it('yields the same tokens however the stream is chunked', () => {
    const stream = Buffer.from(
      `\x01abc\x00123\x00\n:100644 100644 x y M\x00p\u00e9th\x00tail-without-nul`,
    );
    const whole: string[] = [];
    nulTokens((t) => whole.push(t))(stream);
    expect(whole).toEqual(['\x01abc', '123', '\n:100644 100644 x y M', 'p\u00c3\u00a9th']);
    const split: string[] = [];
    const push = nulTokens((t) => split.push(t));
    for (const b of stream) push(Buffer.of(b));
    expect(split).toEqual(whole);
  });
});

describe('buildHistoryIndex without manifest changes', () => {
  it('returns an empty index and starts no cat-file', async () => {
    const repo = new TempRepo();
    try {
      repo.commit(
        { 'README.md': 'hi\n', 'keys-manifest/README.md': 'keys go here\n' },
        'init',
        '2026-01-01T00:00:00Z',
      );
      const { spawn, calls } = countingSpawn();
      const index = await buildHistoryIndex(repo.dir, 'HEAD', { spawn });
      expect(index).toEqual({ keys: new Map(), problems: [], commits: 0 });
      expect(calls.map((c) => c[0])).toEqual(['log']);
    } finally {
      repo.remove();
    }
  });
});

describe('buildHistoryIndex and material files', () => {
  it('lists material under the keys-manifest/ prefix but never asks cat-file for it', async () => {
    const repo = new TempRepo();
    try {
      repo.commit(
        {
          'keys-manifest/m/key.yaml': 'versions:\n  - { version: 1, state: active }\n',
          'keys-manifest/m/v1.sops.yaml': 'secret: ENC[AES256_GCM,data:x]\n',
        },
        'add m',
        '2026-01-01T00:00:00Z',
      );
      repo.commit(
        { 'keys-manifest/m/v2.sops.yaml': 'secret: ENC[y]\n' },
        'material only',
        '2026-01-02T00:00:00Z',
      );
      const oid = (path: string) => repo.git(['rev-parse', `HEAD:${path}`]).trim();
      const asked: string[] = [];
      const spawn: SpawnGit = (args, options) => {
        const child = spawnGit(args, options);
        if (args[0] === 'cat-file') {
          const write = child.stdin.write.bind(child.stdin) as (chunk: string) => boolean;
          child.stdin.write = ((chunk: string) => {
            asked.push(
              ...String(chunk)
                .split('\n')
                .filter((l) => l !== ''),
            );
            return write(chunk);
          }) as typeof child.stdin.write;
        }
        return child;
      };
      const index = await buildHistoryIndex(repo.dir, 'HEAD', { spawn });
      expect(index.commits).toBe(1);
      expect(asked).toEqual([oid('keys-manifest/m/key.yaml')]);
      expect(asked).not.toContain(oid('keys-manifest/m/v1.sops.yaml'));
    } finally {
      repo.remove();
    }
  });
});
