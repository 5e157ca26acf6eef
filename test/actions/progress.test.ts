// The actions' progress lines, through @actions/core as the runner reads it: one collapsible
// group per long task (`::group::` ... `::endgroup::`), opened at the first line; nothing at
// all for a task that ends within 10 s. The clock and the heartbeat are fakes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionProgress } from '../../src/actions/runtime.ts';

function capture() {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  return out;
}
afterEach(() => vi.restoreAllMocks());

describe('actionProgress', () => {
  it('logs inside one group, at least every 10 s, with done/total and an estimate', async () => {
    const { info, startGroup, endGroup } = await import('@actions/core');
    let now = 0;
    const beats: (() => void)[] = [];
    const p = actionProgress(
      { info, startGroup, endGroup },
      () => now,
      (fn) => {
        beats.push(fn);
        return () => undefined;
      },
    );
    const out = capture();
    const t = p.start('distribute', 4, 'keys');
    now = 12_000;
    t.tick();
    now = 25_000;
    beats.forEach((b) => b()); // a slow second key: the heartbeat speaks for it
    now = 30_000;
    t.at(4);
    t.end();
    vi.restoreAllMocks();
    expect(out.join('').split(/\r?\n/).filter(Boolean)).toEqual([
      '::group::distribute: 4 keys',
      'distribute: 1/4 keys (25%), 12s elapsed, about 36s left',
      'distribute: 1/4 keys (25%), 25s elapsed, about 1m 15s left',
      'distribute: 4/4 keys in 30s',
      '::endgroup::',
    ]);
  });

  it('prints nothing, and opens no group, for work done within 10 s', async () => {
    const core = await import('@actions/core');
    let now = 0;
    const p = actionProgress(core, () => now, null);
    const out = capture();
    const t = p.start('audit', 3, 'manifest commits');
    now = 9_000;
    t.at(3);
    t.end();
    vi.restoreAllMocks();
    expect(out).toEqual([]);
  });
});
