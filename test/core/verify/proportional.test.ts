/**
 * verify reads what the change costs: with the base's parse cache the head re-parses only
 * the files whose bytes differ, and the verdict is the one a cold load of the head gives.
 */
import { describe, expect, it, vi } from 'vitest';
import * as formats from '../../../src/core/formats/index.ts';
import { loadSnapshot, type LoadCache } from '../../../src/core/load-snapshot.ts';
import { KEY_YAML, materialYaml, POLICY_YAML } from '../formats/examples.ts';

vi.mock('../../../src/core/formats/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof formats>();
  return { ...real, loadDocument: vi.fn(real.loadDocument) };
});

const enc = new TextEncoder();
const tree = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([p, t]) => [p, enc.encode(t)]));
const KEY = 'keys-manifest/payments/webhook-signing';
const BASE = {
  'policies/standard.yaml': POLICY_YAML,
  [`${KEY}/key.yaml`]: KEY_YAML,
  [`${KEY}/v2.sops.yaml`]: materialYaml('payments/webhook-signing', 2),
  [`${KEY}/v3.sops.yaml`]: materialYaml('payments/webhook-signing', 3),
};

describe('loadSnapshot with a cache', () => {
  it('parses an unchanged file once and a changed one again, with the same result', () => {
    const loads = vi.mocked(formats.loadDocument);
    const cache: LoadCache = new Map();
    const base = loadSnapshot(tree(BASE), { cache });
    expect(base.diagnostics).toEqual([]);
    loads.mockClear();
    // Fresh byte arrays (as a second git read gives), one file edited, one added.
    const headFiles = {
      ...BASE,
      'policies/standard.yaml': POLICY_YAML.replace('approvals: 1', 'approvals: 2'),
      'policies/other.yaml': POLICY_YAML.replace('name: standard', 'name: other'),
    };
    const head = loadSnapshot(tree(headFiles), { cache });
    expect(loads.mock.calls.map((c) => c[0]).sort()).toEqual([
      'policies/other.yaml',
      'policies/standard.yaml',
    ]);
    expect(head.snapshot.keys.get('payments/webhook-signing')).toBe(
      base.snapshot.keys.get('payments/webhook-signing'),
    );
    const cold = loadSnapshot(tree(headFiles));
    expect(head.diagnostics).toEqual(cold.diagnostics);
    expect(JSON.stringify([...head.snapshot.policies])).toBe(
      JSON.stringify([...cold.snapshot.policies]),
    );
    expect(JSON.stringify([...head.snapshot.keys])).toBe(JSON.stringify([...cold.snapshot.keys]));
  });
});

describe('an unchanged key', () => {
  it('compares to nothing: no change, no finding (why verify may skip it)', async () => {
    const { compareKey } = await import('../../../src/core/lifecycle/transitions.ts');
    const { manifestFactsOf } = await import('../../../src/core/verify/snapshot-side.ts');
    const t = tree(BASE);
    const side = { snapshot: loadSnapshot(t).snapshot, tree: t };
    const facts = manifestFactsOf(side);
    expect(facts.keys.size).toBe(1);
    for (const k of facts.keys.values())
      expect(compareKey(k, k, { gate: () => ({ open: false, reason: 'closed' }) })).toEqual({
        change: undefined,
        diagnostics: [],
      });
  });
});
