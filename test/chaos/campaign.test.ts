// The short fixed-seed chaos campaign `npm test` runs (the long one is `npm run chaos`, a
// benchmark-like command, never a timed test): two keys live through rotation, review,
// distribution and revocation under seeded faults, and no invariant is violated.
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../src/sandbox/chaos/campaign.ts';
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

describe('the chaos campaign (fixed seed)', () => {
  it('drives whole lifecycles under faults and finds no violation', async () => {
    const r = await short(7);
    expect(r.violations).toEqual([]);
    expect(r.lifecycles).toBeGreaterThanOrEqual(2);
    expect(Object.values(r.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(r.outcomes['review:merged']).toBeGreaterThanOrEqual(4);
    expect(r.outcomes['distribute:converged']).toBeGreaterThanOrEqual(1);
  });

  it('replays the same history from the same seed', async () => {
    const [a, b] = [await short(11), await short(11)];
    expect(a.history.length).toBeGreaterThan(0);
    expect(b.history).toEqual(a.history);
  });
});
