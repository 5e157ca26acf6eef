// The history stream (src/adapters/git/log-stream.ts): commits in log order, each with exactly
// the blobs it asked for and only those; a blob git cannot give fails the whole read, and
// neither process is left behind (no hang when the log waits on cat-file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyLogArgs } from '../../../src/adapters/git/history.ts';
import { streamLog, type StreamedCommit } from '../../../src/adapters/git/log-stream.ts';
import { GitReadError } from '../../../src/adapters/git/process.ts';
import { countingSpawn, TempRepo } from './repo-fixture.ts';

const key = (n: number) => `id: a/b\nversions:\n  - { version: ${n}, state: active }\n`;

let repo: TempRepo;
beforeAll(() => {
  repo = new TempRepo();
  for (let n = 1; n <= 30; n++)
    repo.commit(
      { 'keys-manifest/a/b/key.yaml': key(n), 'README.md': `r${n}` },
      `c${n}`,
      `2026-01-${String(n).padStart(2, '0')}T00:00:00Z`,
    );
});
afterAll(() => repo.remove());

const newOids = (c: StreamedCommit) =>
  c.changes.filter((x) => x.status !== 'D').map((x) => x.newOid);

describe('streamLog', () => {
  it('hands over every commit in log order with its own blobs, newest first or oldest first', async () => {
    for (const reverse of [false, true]) {
      const seen: { time: string; text: string }[] = [];
      await streamLog(repo.dir, 'main', {
        args: historyLogArgs('main'),
        extra: 0,
        reverse,
        wants: newOids,
        onCommit: (c, blobs) => {
          expect([...blobs.keys()]).toEqual(newOids(c));
          seen.push({
            time: c.time,
            text: new TextDecoder().decode(blobs.get(c.changes[0]!.newOid)),
          });
        },
      });
      const expected = Array.from({ length: 30 }, (_, i) => ({
        time: `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
        text: key(i + 1),
      }));
      expect(seen).toEqual(reverse ? expected : expected.reverse());
    }
  });

  it('fails on a blob git does not have, and on an object that is not a blob, without hanging', async () => {
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim();
    for (const [oid, why] of [
      ['0'.repeat(40), /missing/],
      [tree, /not a blob/],
    ] as const) {
      const { spawn, calls } = countingSpawn();
      const run = streamLog(
        repo.dir,
        'main',
        { args: historyLogArgs('main'), extra: 0, wants: () => [oid], onCommit: () => {} },
        { spawn },
      );
      await expect(run).rejects.toThrow(why);
      await expect(run).rejects.toBeInstanceOf(GitReadError);
      expect(calls.map((c) => c[0])).toEqual(['log', 'cat-file']);
    }
  });

  it('an error thrown while folding a commit stops the read and is the one reported', async () => {
    let n = 0;
    const run = streamLog(repo.dir, 'main', {
      args: historyLogArgs('main'),
      extra: 0,
      wants: newOids,
      onCommit: () => {
        if (++n === 3) throw new Error('fold failed at the third commit');
      },
    });
    await expect(run).rejects.toThrow('fold failed at the third commit');
    expect(n).toBe(3);
  });

  it('stops when its signal is aborted, with the signal’s reason, and starts nothing once aborted', async () => {
    const stop = new AbortController();
    let n = 0;
    const run = streamLog(
      repo.dir,
      'main',
      {
        args: historyLogArgs('main'),
        extra: 0,
        wants: newOids,
        onCommit: () => {
          if (++n === 2) stop.abort(new Error('the checkout is shallow'));
        },
      },
      { signal: stop.signal },
    );
    await expect(run).rejects.toThrow('the checkout is shallow');
    // Not one commit after the abort, even when git's output arrived in one chunk.
    expect(n).toBe(2);
    const { spawn, calls } = countingSpawn();
    const again = streamLog(
      repo.dir,
      'main',
      { args: historyLogArgs('main'), extra: 0, wants: newOids, onCommit: () => {} },
      { spawn, signal: stop.signal },
    );
    await expect(again).rejects.toThrow('the checkout is shallow');
    expect(calls).toEqual([]);
  });
});
