import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/core/plan/plan.ts';
import { renderDashboard } from '../../../src/core/dashboard/render.ts';
import { boxLine, newlyTicked, tickedBoxes, untick } from '../../../src/core/dashboard/requests.ts';
import { key, snapshot } from '../plan/fixtures.ts';

const box = (kind: 'rotate' | 'resume' | 'retry', keyId: string, on = false) =>
  boxLine({ kind, keyId }).replace('- [ ]', on ? '- [x]' : '- [ ]');

describe('dashboard checkboxes', () => {
  const body = [
    '# rekey dashboard',
    box('rotate', 'svc/a', true),
    box('rotate', 'svc/b'),
    box('resume', 'svc/c', true).replace('[x]', '[X]'),
    box('retry', 'svc/d', true),
    box('rotate', 'svc/a', true),
    '- [x] <!-- rekey:request destroy svc/a --> an unknown request',
    '- [x] <!-- rekey:request rotate ../../etc --> not a key id',
    '  - [x] <!-- rekey:request rotate svc/e --> indented: not one of ours',
    '- [x] rotate `svc/f` now (no tag: text alone means nothing)',
  ].join('\n');

  it('reads the ticked boxes by their tag, each once, and nothing else', () => {
    expect(tickedBoxes(body)).toEqual([
      { kind: 'rotate', keyId: 'svc/a' },
      { kind: 'resume', keyId: 'svc/c' },
      { kind: 'retry', keyId: 'svc/d' },
    ]);
  });

  it('counts only what this edit ticked: changes.body.from narrows, never widens', () => {
    const before = untick(body, [{ kind: 'rotate', keyId: 'svc/a' }]);
    expect(newlyTicked(body, before)).toEqual([{ kind: 'rotate', keyId: 'svc/a' }]);
    expect(newlyTicked(body, body)).toEqual([]);
    // A `from` claiming boxes the current body does not tick adds nothing.
    expect(newlyTicked(before.replace(/\[x\]/gi, '[ ]'), body)).toEqual([]);
    expect(newlyTicked(body)).toEqual(tickedBoxes(body));
  });

  it('unticks exactly the boxes asked for, every other byte unchanged, idempotently', () => {
    const once = untick(body, [{ kind: 'retry', keyId: 'svc/d' }]);
    expect(once).toBe(body.replace(box('retry', 'svc/d', true), box('retry', 'svc/d')));
    expect(untick(once, [{ kind: 'retry', keyId: 'svc/d' }])).toBe(once);
    const all = untick(body, tickedBoxes(body));
    expect(tickedBoxes(all)).toEqual([]);
    expect(all.split('\n')).toHaveLength(body.split('\n').length);
  });

  it('refuses to render a box for something that is not a key id', () => {
    expect(() => boxLine({ kind: 'rotate', keyId: 'a`b' })).toThrow(RangeError);
  });

  it('offers rotate now per ok or due key, resume per halted key, retry per failed key', () => {
    const snap = snapshot([
      key('svc/ok', 'standard', [[1, 'active', '2026-11-01T09:00:00Z']]),
      key('svc/due', 'standard', [[1, 'active', '2026-08-01T09:00:00Z']]),
      key('svc/halted', 'standard', [[1, 'active', '2026-11-01T09:00:00Z']]),
      key('svc/failed', 'standard', [[1, 'active', '2026-11-01T09:00:00Z']]),
      key('svc/pr', 'standard', [[1, 'active', '2026-08-01T09:00:00Z']]),
    ]);
    const now = new Date('2026-12-01T10:00:00Z');
    const pulls = [
      { keyId: 'svc/pr', kind: 'rotate' as const, number: 7, url: 'https://x/pull/7' },
    ];
    const halted = new Map([['svc/halted', { issue: 3, url: 'https://x/issues/3', reason: 'r' }]]);
    const p = plan({ snapshot: snap, openPulls: pulls, halted: ['svc/halted'], now });
    const { body: text } = renderDashboard({
      snapshot: snap,
      plan: p,
      pulls,
      halted,
      failed: new Set(['svc/failed']),
      now,
    });
    const boxes = text.split('\n').filter((l) => l.startsWith('- [ ] <!-- rekey:request'));
    expect(boxes.map((l) => /request (\w+ \S+) -->/.exec(l)![1]).sort()).toEqual([
      'resume svc/halted',
      'retry svc/failed',
      'rotate svc/due',
      'rotate svc/ok',
    ]);
    expect(text.indexOf('## Actions')).toBeLessThan(text.indexOf('<!-- rekey:dashboard -->'));
  });
});
