import { describe, expect, it } from 'vitest';
import { foldHistory } from '../../../src/core/history/model.ts';
import { loadSnapshot } from '../../../src/core/load-snapshot.ts';
import { plan } from '../../../src/core/plan/plan.ts';

// The planner against the real loader: a FileTree goes through loadSnapshot, history through
// foldHistory, exactly as the rotate command wires them.
const enc = new TextEncoder();
const keyYaml = (versions: string) =>
  `id: payments/webhook-signing
description: Signs outbound payment webhooks
owner: "@acme/payments"
policy: standard
type: random
options: { bytes: 32, encoding: base64 }
versions:
${versions}`;

describe('plan over a loaded snapshot', () => {
  it('rotates a key whose active version history dates 80 days back', () => {
    const v1 =
      '  - { version: 1, state: active, created: 2026-11-01T00:00:00Z, fingerprint: "kcv:5f3a9c0d1e2b4a6f" }\n';
    const tree = new Map([
      [
        'policies/standard.yaml',
        enc.encode(
          'name: standard\ncryptoperiod: 90d\nrotate-before: 14d\ngrace: 7d\napprovals: 1\n',
        ),
      ],
      ['policies/pipeline.yaml', enc.encode('max-open-prs: 4\n')],
      ['keys-manifest/payments/webhook-signing/key.yaml', enc.encode(keyYaml(v1))],
    ]);
    const { snapshot, diagnostics } = loadSnapshot(tree);
    expect(diagnostics).toEqual([]);
    const history = foldHistory([
      {
        commit: { sha: 'a'.repeat(40), time: '2026-09-01T00:00:00Z', author: 'A <a@x>' },
        changes: [
          {
            keyId: 'payments/webhook-signing',
            file: 'keys-manifest/payments/webhook-signing/key.yaml',
            kind: 'written',
            content: keyYaml(v1),
          },
        ],
      },
    ]);
    const p = plan({
      snapshot,
      history,
      openPulls: [],
      halted: [],
      now: new Date('2026-11-20T00:00:00Z'),
    });
    // created says 19 days; first-parent history says 80 days, and history wins.
    expect(p.steps).toEqual([
      expect.objectContaining({
        kind: 'rotate',
        keyId: 'payments/webhook-signing',
        version: 2,
        due: '2026-11-16T00:00:00Z',
        notes: [],
      }),
    ]);
    expect(p.budget).toEqual({ max: 4, open: 0, planned: 1 });
  });
});
