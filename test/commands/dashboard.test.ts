// The dashboard issue against the emulator: created once, left alone while nothing changes
// (no write at all), updated when a key becomes due and when rotation PRs open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDashboard, type DashboardPorts } from '../../src/commands/dashboard.ts';
import { rotate } from '../../src/commands/rotate.ts';
import type { HaltedKey } from '../../src/core/dashboard/render.ts';
import { haltedKeys, recordDistribution } from '../../src/commands/distribute/failures.ts';
import {
  type Bed,
  type Checkout,
  codec,
  days,
  generate,
  manifest,
  startBed,
  T0,
} from './rotate-bed.ts';

let bed: Bed;
let c: Checkout;
const MUTATING = /^(POST|PATCH|PUT|DELETE) /;
const HOUR = 3_600_000;

beforeAll(async () => {
  bed = await startBed();
  c = await bed.repo('dash', await manifest(['payments/webhook', 'infra/db']));
}, 60_000);
afterAll(async () => {
  bed.emu.assertNoInvalidRequests();
  await bed?.close();
});

const ports = (halted: ReadonlyMap<string, HaltedKey> = new Map()): DashboardPorts => {
  const p = bed.ports(c.fullName);
  return { pulls: p.pulls, issues: p.issues, halted: async () => halted };
};
const run = (now: Date, halted?: ReadonlyMap<string, HaltedKey>) =>
  updateDashboard({ tree: c.tree, history: c.history, now }, ports(halted));
const writes = () =>
  bed.emu.requestLog.filter((r) => MUTATING.test(r.operation ?? '')).map((r) => r.operation);
/** Issues labelled rekey:dashboard (PRs share the issue numbers and the map). */
const issues = () =>
  [...bed.emu.repo(c.fullName).issues.values()].filter((i) => i.labels.includes('rekey:dashboard'));

describe('the dashboard issue', () => {
  it('is created once, with the labels rekey and rekey:dashboard', async () => {
    const r = await run(days(T0, 10));
    expect(r.issue?.result).toBe('created');
    expect(issues()).toHaveLength(1);
    const issue = issues()[0]!;
    expect(issue.title).toBe('rekey dashboard');
    expect([...issue.labels].sort()).toEqual(['rekey', 'rekey:dashboard']);
    expect(issue.body).toBe(r.body);
    expect(r.body).toContain('**2 keys**: 2 ok, 0 due');
  });

  it('is left alone on later runs while nothing changes: no write, result unchanged', async () => {
    bed.emu.clearLog();
    for (const h of [1, 2, 5]) {
      const r = await run(new Date(days(T0, 10).getTime() + h * HOUR));
      expect(r.issue?.result).toBe('unchanged');
    }
    expect(writes()).toEqual([]);
    expect(issues()).toHaveLength(1);
  });

  it('is updated when a key becomes due, in place', async () => {
    bed.emu.clearLog();
    const r = await run(days(T0, 77));
    expect(r.issue?.result).toBe('updated');
    expect(writes()).toEqual(['PATCH /repos/{owner}/{repo}/issues/{issue_number}']);
    expect(issues()).toHaveLength(1);
    expect(issues()[0]!.body).toContain('**2 keys**: 0 ok, 2 due');
    expect((await run(days(T0, 77))).issue?.result).toBe('unchanged');
  });

  it('links the rotation PRs once they are open, and shows halted keys with the reason', async () => {
    const rotated = await rotate(
      {
        tree: c.tree,
        sha: c.sha,
        history: c.history,
        firstParent: c.firstParent,
        now: days(T0, 77),
      },
      { ...bed.ports(c.fullName), codec, generate },
    );
    expect(rotated.kind).toBe('applied');
    const r = await run(days(T0, 77));
    expect(r.issue?.result).toBe('updated');
    const pulls = [...bed.emu.repo(c.fullName).pulls.values()];
    expect(pulls).toHaveLength(2);
    for (const p of pulls)
      expect(r.body).toContain(
        `[#${p.number}](${bed.emu.serverUrl}/${c.fullName}/pull/${p.number})`,
      );
    expect(r.body).toContain('## Open rekey pull requests');

    // infra/db fails distribution with a retry budget of 1: halted, with an issue saying why.
    const p = bed.ports(c.fullName);
    await recordDistribution(p.issues, {
      failed: [{ key: 'infra/db', details: ['acme/api: 403 on the public key'] }],
      converged: [],
      budget: 1,
      commit: c.sha,
    });
    const real: DashboardPorts = {
      pulls: p.pulls,
      issues: p.issues,
      halted: () => haltedKeys(p.issues),
    };
    const h = await updateDashboard({ tree: c.tree, history: c.history, now: days(T0, 77) }, real);
    expect(h.issue?.result).toBe('updated');
    expect(h.body).toContain('## Halted keys');
    expect(h.body).toMatch(
      /\| `infra\/db` \| distribution failed 1 time\\\(s\\\) since .*403 on the public key.* \| \[#\d+\]\(/,
    );
    expect(h.body).toMatch(/\| `infra\/db` \| ⛔ halted \|/);
    const again = await updateDashboard(
      { tree: c.tree, history: c.history, now: days(T0, 77) },
      real,
    );
    expect(again.issue?.result).toBe('unchanged');
    expect(issues()).toHaveLength(1);
  });

  it('renders without writing on a dry run', async () => {
    bed.emu.clearLog();
    const r = await updateDashboard(
      { tree: c.tree, history: c.history, now: days(T0, 200), dryRun: true },
      ports(),
    );
    expect(r.issue).toBeUndefined();
    expect(r.body).toContain('overdue');
    expect(writes()).toEqual([]);
  });
});
