// The short fixed-seed chaos campaign `npm test` runs (the long one is `npm run chaos`, a
// benchmark-like command, never a timed test): two keys live through rotation, review,
// distribution and revocation under seeded faults, and no invariant is violated. The same
// seed is run twice at once: the two histories (every fault and every run's outcome) match.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCampaign, type CampaignReport } from '../../src/sandbox/chaos/campaign.ts';
import { Canary } from '../support/canary.ts';

const short = (seed: number) =>
  runCampaign({
    seed,
    lifecycles: 2,
    keys: 2,
    perWorld: 2,
    rate: 0.05,
    newCanary: () => new Canary(),
  });

let a: CampaignReport;
let b: CampaignReport;
beforeAll(async () => {
  [a, b] = await Promise.all([short(7), short(7)]);
});

describe('the chaos campaign (fixed seed)', () => {
  it('drives whole lifecycles under faults and finds no violation', () => {
    expect(a.violations).toEqual([]);
    expect(a.lifecycles).toBeGreaterThanOrEqual(2);
    expect(Object.values(a.faults).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    expect(a.outcomes['review:merged']).toBeGreaterThanOrEqual(4);
    expect(a.outcomes['distribute:converged']).toBeGreaterThanOrEqual(1);
  });

  it('replays the same history from the same seed', () => {
    expect(a.history.length).toBeGreaterThan(0);
    expect(b.history).toEqual(a.history);
  });
});
