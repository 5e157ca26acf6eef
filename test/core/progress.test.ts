// Progress lines with a fake clock and a fake heartbeat: no timers, no waiting.
import { describe, expect, it } from 'vitest';
import { createProgress, formatSpan, progressLine } from '../../src/core/progress.ts';

function bed(opts: { heartbeat?: boolean } = {}) {
  let now = 1_000_000;
  const lines: string[] = [];
  const groups: string[] = [];
  const beats: (() => void)[] = [];
  let stopped = 0;
  const progress = createProgress({
    now: () => now,
    line: (t) => lines.push(t),
    group: { start: (t) => groups.push(`start ${t}`), end: () => groups.push('end') },
    ...(opts.heartbeat
      ? {
          every: (fn: () => void, ms: number) => {
            expect(ms).toBe(10_000);
            beats.push(fn);
            return () => void stopped++;
          },
        }
      : {}),
  });
  return {
    progress,
    lines,
    groups,
    advance: (ms: number) => void (now += ms),
    beat: () => beats.forEach((b) => b()),
    stopped: () => stopped,
  };
}

describe('progress', () => {
  it('says nothing for work that ends within 10 s', () => {
    const b = bed();
    const t = b.progress.start('distribute', 3, 'keys');
    for (let i = 0; i < 3; i++) {
      b.advance(3_000);
      t.tick();
    }
    t.end();
    expect(b.lines).toEqual([]);
    expect(b.groups).toEqual([]);
  });

  it('prints a line at least every 10 s of work, with done/total and an estimate, in one group', () => {
    const b = bed();
    const t = b.progress.start('distribute', 500, 'keys');
    // 500 keys at 1 s each: a line after each 10 s, never two within 10 s.
    for (let i = 0; i < 500; i++) {
      b.advance(1_000);
      t.tick();
    }
    t.end();
    expect(b.lines).toHaveLength(50 + 1);
    expect(b.lines[0]).toBe('distribute: 10/500 keys (2%), 10s elapsed, about 8m 10s left');
    expect(b.lines[24]).toBe('distribute: 250/500 keys (50%), 4m 10s elapsed, about 4m 10s left');
    expect(b.lines.at(-1)).toBe('distribute: 500/500 keys in 8m 20s');
    expect(b.groups).toEqual(['start distribute: 500 keys', 'end']);
  });

  it('the heartbeat prints while a single item takes longer than 10 s, then stops with the task', () => {
    const b = bed({ heartbeat: true });
    const t = b.progress.start('rotate', 4, 'keys');
    b.advance(9_000);
    b.beat();
    expect(b.lines).toEqual([]);
    b.advance(2_000);
    b.beat();
    expect(b.lines).toEqual(['rotate: 0/4 keys (0%), 11s elapsed, no estimate yet']);
    b.advance(5_000);
    t.tick(); // 16 s: only 5 s since the last line
    expect(b.lines).toHaveLength(1);
    b.advance(5_000);
    b.beat();
    expect(b.lines.at(-1)).toBe('rotate: 1/4 keys (25%), 21s elapsed, about 1m 03s left');
    t.end();
    t.end();
    expect(b.stopped()).toBe(1);
    b.advance(60_000);
    b.beat(); // a beat after the end (a timer racing its cancellation) prints nothing
    expect(b.lines.at(-1)).toBe('rotate: 1/4 keys in 21s');
    expect(b.groups).toEqual(['start rotate: 4 keys', 'end']);
  });

  it('never counts past the total', () => {
    const b = bed();
    const t = b.progress.start('audit', 2, 'commits');
    b.advance(10_000);
    t.tick(5);
    expect(b.lines).toEqual(['audit: 2/2 commits (100%), 10s elapsed, about 0s left']);
  });

  it.each([
    [0, '0s'],
    [59_400, '59s'],
    [60_000, '1m 00s'],
    [500_000, '8m 20s'],
    [3_723_000, '1h 02m'],
  ])('formatSpan(%d) = %s', (ms, text) => expect(formatSpan(ms)).toBe(text));

  it('a line is the task, a count and the unit: nothing else', () => {
    expect(progressLine('audit', 'commits', 3, 12, 30_000)).toBe(
      'audit: 3/12 commits (25%), 30s elapsed, about 1m 30s left',
    );
  });
});
