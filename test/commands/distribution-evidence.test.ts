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

describe('distribution evidence with pinned status creators (pipeline.yaml status-creators)', () => {
  /** c1: a success by someone else, newest first over the App's failure; c3: the App's success. */
  const statuses = {
    listStatuses: async (ref: string): Promise<CommitStatus[]> => {
      const s = (state: CommitState, creator: string | null): CommitStatus => ({
        state,
        context: DISTRIBUTION_CONTEXT,
        description: null,
        targetUrl: null,
        createdAt: '2026-01-01T00:00:00Z',
        creator,
      });
      if (ref === 'c1') return [s('success', 'mallory'), s('failure', 'Rekey-App[bot]')];
      if (ref === 'c2') return [s('success', null)];
      if (ref === 'c3') return [s('success', 'rekey-app[bot]')];
      return [];
    },
  };
  const read = (trusted?: readonly string[]) =>
    readDistributionEvidence({
      firstParent: shas,
      since: new Map([['a', 'c0']]),
      statuses,
      max: 20,
      ...(trusted ? { trusted } : {}),
    });

  it('unpinned, any writer proves distribution', async () => {
    expect((await read()).provenAt.get('a')).toBe('c1');
  });

  it("pinned, another writer's success is ignored and the App's own status counts (any case)", async () => {
    const e = await read(['rekey-app[bot]']);
    expect(e.provenAt.get('a')).toBe('c3');
    expect(e.records[1]).toMatchObject({ sha: 'c1', status: { state: 'failure' } });
    expect(e.records[2]).toEqual({ sha: 'c2' });
  });

  it('pinned to someone who never wrote one: nothing is proven', async () => {
    expect((await read(['other-app[bot]'])).provenAt.size).toBe(0);
  });
});
