// The secret canary over failure issues: a real distribution of generated secrets fails on the
// emulator, its failed steps become the issue's details exactly as the flow builds them
// (describeStep + error), and no secret, nor any encoding of one, reaches an issue title,
// body or comment through create, update, halt, resume or close. A control run that does put
// a secret into details proves the scan reads the place issues are stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createIssuesAdapter } from '../../../src/adapters/github/issues.ts';
import {
  haltedKeys,
  recordDistribution,
  resumeKey,
} from '../../../src/commands/distribute/failures.ts';
import type { IssuesPort } from '../../../src/core/ports/github.ts';
import { applyTargetPlan } from '../../../src/core/targets/apply.ts';
import { desiredState } from '../../../src/core/targets/desired.ts';
import { observeTargets } from '../../../src/core/targets/observe.ts';
import { planTargets } from '../../../src/core/targets/plan.ts';
import { CanaryLeakError, canary } from '../../support/canary.ts';
import { testKey } from '../../core/targets/fixtures.ts';
import { startTargetBed, type TargetBed } from '../../adapters/targets/harness.ts';

const TARGETS = [
  { kind: 'github-secret', repository: 'acme/api', name: 'TOKEN', previous: 'TOKEN_PREVIOUS' },
  { kind: 'github-secret', repository: 'acme/web', name: 'TOKEN' },
];

let bed: TargetBed;
const portsFor = (repo: string): IssuesPort =>
  createIssuesAdapter(
    createGitHubClient({
      token: bed.emu.addToken({ kind: 'app', login: 'rekey', permissions: { issues: 'write' } }),
      apiUrl: bed.emu.apiUrl,
      serverUrl: bed.emu.serverUrl,
      fetch: globalThis.fetch,
      throttle: { enabled: false },
      retry: { baseDelayMs: 5 },
    }),
    { owner: 'acme', repo },
  );

/** Titles, bodies and comments of every issue in a repository. */
function issueText(repo: string): string {
  return [...bed.emu.repo(repo).issues.values()]
    .flatMap((i) => [i.title, i.body ?? '', ...i.comments.map((c) => c.body)])
    .join('\n---\n');
}

beforeAll(async () => {
  bed = await startTargetBed();
}, 60_000);
afterAll(async () => {
  bed?.emu.assertNoInvalidRequests();
  await bed?.close();
});

describe('failure issues and the secret canary', () => {
  it('no secret reaches an issue through create, update, halt, resume and close', async () => {
    const k = await testKey('random', ['active', 'deactivated'], TARGETS);
    bed.emu.inject({
      route: 'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}',
      status: 403,
      times: 100,
    });
    const ports = bed.ports();
    const desired = desiredState(k.doc, k.live);
    const plan = planTargets(k.doc, desired, await observeTargets(desired, ports), []);
    const applied = await applyTargetPlan(plan, ports);
    bed.emu.clearLog();
    const details = applied.results
      .filter((r) => r.outcome === 'failed')
      .map((r) => `${r.step}: ${r.error ?? 'failed'}`);
    expect(details.length).toBe(3); // TOKEN and TOKEN_PREVIOUS on acme/api, TOKEN on acme/web

    const issues = portsFor('api');
    const input = {
      failed: [{ key: k.doc.id, details }],
      converged: [],
      budget: 2,
      commit: '0123456789abcdef0123456789abcdef01234567',
      now: new Date('2026-11-22T07:00:00Z'),
    };
    const first = await recordDistribution(issues, { ...input, runUrl: 'https://x/runs/1' });
    const second = await recordDistribution(issues, { ...input, runUrl: 'https://x/runs/2' });
    expect(second[0]).toMatchObject({ halted: true, issue: first[0]!.issue });
    const halted = await haltedKeys(issues);
    expect(await resumeKey(issues, k.doc.id, 'oncall')).toBe('resumed');
    await recordDistribution(issues, { ...input, failed: [], converged: [k.doc.id] });

    const text = issueText('acme/api');
    expect(text).toContain('403');
    expect(text).toContain('TOKEN_PREVIOUS');
    canary.scan({
      'failure issues': text,
      'halted reasons': JSON.stringify([...halted]),
      records: JSON.stringify([first, second]),
    });
    expect(canary.size).toBeGreaterThan(0);

    // Control: details that did carry a secret would be caught in the same place.
    await recordDistribution(portsFor('web'), {
      ...input,
      failed: [{ key: k.doc.id, details: [`oops ${k.secret.get(2)!}`] }],
    });
    expect(() => canary.scan({ 'control issues': issueText('acme/web') })).toThrow(CanaryLeakError);
  }, 60_000);
});
