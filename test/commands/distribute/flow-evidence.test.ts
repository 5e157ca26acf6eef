// What a run leaves behind for people: the evidence JSON (per key and target: observed,
// desired, steps, outcome, versions and fingerprints), the job summary table, the status and
// the issue; and the canary over all of them, the logs and every request body, with a target
// failing so that error paths are covered too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distribute } from '../../../src/commands/distribute/index.ts';
import { renderDistributeSummary } from '../../../src/commands/distribute/summary.ts';
import { DISTRIBUTION_CONTEXT } from '../../../src/commands/distribution-evidence.ts';
import { canary } from '../../support/canary.ts';
import { STANDARD, startDistBed, type DistBed } from './bed.ts';

let bed: DistBed;
beforeAll(async () => {
  bed = await startDistBed();
}, 120_000);
afterAll(async () => {
  await bed?.close();
});

describe('distribution evidence', () => {
  it('records what was observed and done per key and target, and leaks nothing', async () => {
    await distribute(bed.input(), bed.ports());
    bed.advance(86_400_000);
    for (const k of STANDARD) await bed.emergency(k.id, true);
    await bed.commit('rekey: emergency');
    bed.emu.inject({
      method: 'POST',
      path: /\/repos\/acme\/deploy\/keys$/,
      status: 422,
      times: 1,
    });
    const input = bed.input();
    const result = await distribute(input, bed.ports());
    expect(result.outcome).toBe('failed');

    const doc = result.evidence;
    expect(doc).toMatchObject({
      schema: 'rekey.distribution/v1',
      commit: input.commit,
      run: input.runUrl,
      holder: input.holder,
      outcome: 'failed',
      status: 'failure',
    });
    expect(Date.parse(doc.finishedAt)).toBeGreaterThanOrEqual(Date.parse(doc.startedAt));
    // Compromised keys are applied first: all four have a compromised version, so id order.
    expect(doc.keys.map((k) => k.key)).toEqual([
      'auth/jwt',
      'infra/deploy',
      'payments/webhook',
      'shared/npm',
    ]);
    const webhook = doc.keys.find((k) => k.key === 'payments/webhook')!;
    expect(webhook.versions).toEqual(
      bed
        .key('payments/webhook')
        .versions.map((v) => ({ version: v.version, state: v.state, fingerprint: v.fingerprint })),
    );
    const repoSecret = webhook.targets[0]!;
    expect(repoSecret).toMatchObject({
      kind: 'github-secret',
      where: 'actions:repo:acme/api WEBHOOK_KEY, WEBHOOK_KEY_PREVIOUS',
      outcome: 'converged',
    });
    expect(repoSecret.observed).toEqual([
      expect.stringMatching(/^WEBHOOK_KEY updated \d{4}-/),
      'WEBHOOK_KEY_PREVIOUS absent',
    ]);
    const v2 = bed.key('payments/webhook').versions.find((v) => v.version === 2)!;
    expect(repoSecret.desired).toEqual([
      `v2 ${v2.fingerprint} -> WEBHOOK_KEY`,
      'nothing -> WEBHOOK_KEY_PREVIOUS',
    ]);
    expect(repoSecret.steps).toEqual([
      expect.objectContaining({
        outcome: 'done',
        detail: 'updated',
        step: expect.stringMatching(/^put secret WEBHOOK_KEY \(actions:repo:acme\/api\) <- v2 /),
      }),
    ]);
    const deploy = doc.keys.find((k) => k.key === 'infra/deploy')!;
    expect(deploy.outcome).toBe('failed');
    expect(deploy.issue).toMatch(/\/issues\/\d+$/);
    const dk = deploy.targets[0]!;
    expect(dk.outcome).toBe('failed');
    expect(dk.steps.map((s) => s.outcome)).toEqual(['done', 'failed']);
    expect(dk.errors[0]).toMatch(
      /add deploy key .* GitHubError: GitHub POST \/repos\/\{owner\}\/\{repo\}\/keys failed: 422/,
    );

    const summary = renderDistributeSummary(result);
    const rows = summary
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| key') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(STANDARD.reduce((n, k) => n + k.targets.length, 0));
    expect(summary).toMatch(
      /\| infra\/deploy \| deploy keys of acme\/deploy \| failed \| delete deploy key .*<br>FAILED add deploy key/,
    );
    expect(summary).toContain('### Failure issues');
    expect(summary).toContain(deploy.issue!);
    expect(summary).toContain(`v2 ${v2.fingerprint} -&gt; WEBHOOK_KEY`);

    const status = (
      await bed.ports().statuses.listStatuses(input.commit, DISTRIBUTION_CONTEXT)
    )[0]!;
    expect(status).toMatchObject({ state: 'failure', targetUrl: input.runUrl });
    expect(status.description).toBe('1 of 4 keys not distributed: infra/deploy');

    // The canary: every secret ever generated in this bed, against everything people can read.
    expect(canary.size).toBeGreaterThanOrEqual(8);
    const issues = bed.issues();
    expect(issues.length).toBeGreaterThan(0);
    canary.scan({
      logs: bed.logs.join('\n'),
      summary,
      evidence: JSON.stringify(doc, null, 2),
      result: JSON.stringify(result),
      'status description': status.description ?? '',
      'issue bodies': issues
        .map((i) => [i.title, i.body ?? '', ...i.comments.map((c) => c.body)].join('\n'))
        .join('\n'),
      'request bodies': bed.bodies.join('\n'),
    });
    // And the canary would have seen one: a summary quoting a secret is found.
    expect(() =>
      canary.assertAbsent(`${summary}${bed.material('payments/webhook', 2).secret}`, 'summary'),
    ).toThrow(/secret canary/);
    // Every decrypted secret was handed to the mask before anything else.
    for (const k of STANDARD)
      for (const v of bed.key(k.id).versions)
        expect(bed.masked.has(bed.material(k.id, v.version).secret)).toBe(true);
  });
});
