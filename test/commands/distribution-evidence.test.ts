import { describe, expect, it } from 'vitest';
import {
  DISTRIBUTION_CONTEXT,
  readDistributionEvidence,
} from '../../src/commands/distribution-evidence.ts';
import type { CommitState, CommitStatus } from '../../src/core/ports/github.ts';

const shas = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];

/** A status port over a fixed table, recording which commits were asked for. */
function port(table: Record<string, CommitState>) {
  const asked: string[] = [];
  return {
    asked,
    statuses: {
      listStatuses: async (ref: string): Promise<CommitStatus[]> => {
        asked.push(ref);
        const state = table[ref];
        return state
          ? [
              {
                state,
                context: DISTRIBUTION_CONTEXT,
                description: null,
                targetUrl: null,
                createdAt: `2026-01-0${ref[1]}T00:00:00Z`,
                creator: 'app',
              },
            ]
          : [];
      },
    },
  };
}

describe('distribution evidence', () => {
  it('reads oldest first from the earliest subject and stops at the first success for all', async () => {
    const p = port({ c2: 'failure', c3: 'success', c5: 'success' });
    const e = await readDistributionEvidence({
      firstParent: shas,
      since: new Map([
        ['a', 'c1'],
        ['b', 'c2'],
      ]),
      statuses: p.statuses,
      max: 20,
    });
    expect(p.asked).toEqual(['c1', 'c2', 'c3']);
    expect([...e.provenAt]).toEqual([
      ['a', 'c3'],
      ['b', 'c3'],
    ]);
    expect(e.records[2]).toEqual({
      sha: 'c2',
      status: { state: 'failure', at: '2026-01-02T00:00:00Z' },
    });
    expect(e).toMatchObject({ calls: 3, bounded: false });
  });

  it('skips commits no remaining subject counts, and proves nothing before its own commit', async () => {
    const p = port({ c1: 'success', c4: 'success' });
    const e = await readDistributionEvidence({
      firstParent: shas,
      since: new Map([
        ['a', 'c1'],
        ['b', 'c4'],
      ]),
      statuses: p.statuses,
      max: 20,
    });
    expect(p.asked).toEqual(['c1', 'c4']);
    expect([...e.provenAt]).toEqual([
      ['a', 'c1'],
      ['b', 'c4'],
    ]);
  });

  it('fails closed at the bound, and never proves a subject whose commit is off first-parent', async () => {
    const p = port({ c5: 'success' });
    const e = await readDistributionEvidence({
      firstParent: shas,
      since: new Map([
        ['a', 'c0'],
        ['ghost', 'zz'],
      ]),
      statuses: p.statuses,
      max: 2,
    });
    expect(e).toMatchObject({ calls: 2, bounded: true });
    expect(e.provenAt.size).toBe(0);
    const none = await readDistributionEvidence({
      firstParent: shas,
      since: new Map([['ghost', 'zz']]),
      statuses: p.statuses,
      max: 5,
    });
    expect(none).toMatchObject({ calls: 0, bounded: false });
  });
});
