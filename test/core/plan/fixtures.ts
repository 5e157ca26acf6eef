import { fileLocation } from '../../../src/core/diagnostics.ts';
import type { KeyState } from '../../../src/core/formats/index.ts';
import { keyDocument, pipelineDocument, policyDocument } from '../../../src/core/formats/index.ts';
import type { CommitRef, HistoryIndex, KeyTimeline } from '../../../src/core/history/model.ts';
import type { Located } from '../../../src/core/snapshot.ts';
import type { PlanSnapshot } from '../../../src/core/plan/steps.ts';

export const located = <T>(file: string, value: T): Located<T> => ({
  file,
  value,
  locate: () => fileLocation(file),
});

export const POLICIES = {
  standard: {
    name: 'standard',
    cryptoperiod: '90d',
    'rotate-before': '14d',
    grace: '7d',
    approvals: 1,
  },
  prepub: {
    name: 'prepub',
    cryptoperiod: '90d',
    'rotate-before': '14d',
    grace: '7d',
    prepublish: '7d',
    approvals: 1,
  },
  berlin: {
    name: 'berlin',
    cryptoperiod: '90d',
    'rotate-before': '14d',
    grace: '7d',
    approvals: 1,
    window: { days: ['sun'], hours: '09:00-16:00', timezone: 'Europe/Berlin' },
  },
};

export type VersionSpec = [version: number, state: KeyState, created: string];

export function key(id: string, policy: string, versions: VersionSpec[]) {
  return keyDocument.parse({
    id,
    description: `key ${id}`,
    owner: '@acme/team',
    policy,
    type: 'random',
    options: { bytes: 32 },
    versions: versions.map(([version, state, created]) => ({
      version,
      state,
      created,
      fingerprint: 'kcv:0123456789abcdef',
    })),
  });
}

export function snapshot(keys: ReturnType<typeof key>[], maxOpenPrs = 10): PlanSnapshot {
  return {
    keys: new Map(keys.map((k) => [k.id, located(`keys-manifest/${k.id}/key.yaml`, k)])),
    policies: new Map(
      Object.values(POLICIES).map((p) => [
        p.name,
        located(`policies/${p.name}.yaml`, policyDocument.parse(p)),
      ]),
    ),
    pipeline: pipelineDocument.parse({ 'max-open-prs': maxOpenPrs }),
  };
}

export const commit = (time: string): CommitRef => ({
  sha: Buffer.from(time).toString('hex').slice(0, 40).padEnd(40, '0'),
  time,
  author: 'Alice <alice@example.com>',
});

/** History where each listed version entered each listed state at the given time. */
export function history(
  spec: Record<string, Record<number, Partial<Record<KeyState, string>>>>,
): HistoryIndex {
  const keys = new Map<string, KeyTimeline>();
  for (const [id, versions] of Object.entries(spec)) {
    const map = new Map<
      number,
      KeyTimeline['versions'] extends ReadonlyMap<number, infer V> ? V : never
    >();
    for (const [n, states] of Object.entries(versions)) {
      const entered = Object.fromEntries(Object.entries(states).map(([s, t]) => [s, commit(t)]));
      const first = Object.values(entered)[0]!;
      const last = Object.keys(states).at(-1) as KeyState;
      map.set(Number(n), { appeared: first, entered, state: last });
    }
    keys.set(id, { appeared: commit('2026-01-01T00:00:00Z'), versions: map });
  }
  return { keys, problems: [], commits: keys.size };
}
