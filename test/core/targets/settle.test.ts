// Receipts of secret writes settled from the scope's list (src/core/targets/settle.ts): the
// updated_at the list shows becomes the receipt's; a secret the list does not show, or a list
// that fails, fails the write and leaves no receipt; each scope is listed once.
import { describe, expect, it } from 'vitest';
import type { ObservedSecret, SecretScope } from '../../../src/core/ports/targets.ts';
import {
  PENDING_UPDATED_AT,
  settleWrites,
  withSettled,
  type ApplyResult,
  type PendingStep,
  type SecretReceipt,
} from '../../../src/core/targets/index.ts';

const scope = (repository: string): SecretScope => ({
  kind: 'repository',
  app: 'actions',
  repository,
});
const receipt = (repo: string, name: string): SecretReceipt => ({
  kind: 'github-secret',
  scope: `actions:repo:${repo}`,
  name,
  fingerprint: 'kcv:00',
  updatedAt: PENDING_UPDATED_AT,
  key: 'svc/a',
  version: 1,
});

describe('settleWrites and withSettled', () => {
  it('takes updated_at from one list per scope; unproven writes fail and lose their receipt', async () => {
    const pending: PendingStep[] = [
      { step: 0, scope: scope('acme/api'), receipt: receipt('acme/api', 'A') },
      { step: 1, scope: scope('acme/api'), receipt: receipt('acme/api', 'GONE') },
      { step: 2, scope: scope('acme/web'), receipt: receipt('acme/web', 'B') },
    ];
    const listed: string[] = [];
    const lists: Record<string, ObservedSecret[]> = {
      'acme/api': [{ name: 'a', updatedAt: '2026-12-01T10:00:00Z' }],
    };
    const settled = await settleWrites(pending, {
      listSecrets: async (s) => {
        const repo = s.kind === 'repository' ? s.repository : '';
        listed.push(repo);
        const l = lists[repo];
        if (!l) throw new Error('GET /repos/{owner}/{repo}/actions/secrets: 503');
        return l;
      },
    });
    expect(listed.sort()).toEqual(['acme/api', 'acme/web']);
    const result: ApplyResult = {
      key: 'svc/a',
      results: pending.map((p) => ({
        step: `put ${p.receipt.name}`,
        target: 0,
        kind: 'put-secret' as const,
        outcome: 'done' as const,
        detail: 'created',
      })),
      receipts: pending.map((p) => p.receipt),
      ok: true,
      pending,
    };
    const after = withSettled(result, settled);
    expect(after.receipts).toEqual([
      { ...receipt('acme/api', 'A'), updatedAt: '2026-12-01T10:00:00Z' },
    ]);
    expect(after.ok).toBe(false);
    expect(after.results.map((r) => r.outcome)).toEqual(['done', 'failed', 'failed']);
    expect(after.results[1]!.error).toMatch(/GONE is not in the list of actions:repo:acme\/api/);
    expect(after.results[2]!.error).toMatch(/list of actions:repo:acme\/web that proves it failed/);
    expect(after.pending).toBeUndefined();
  });
});
