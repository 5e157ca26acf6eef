import { describe, expect, it } from 'vitest';
import type { KeyDocument, PolicyDocument } from '../../src/core/formats/index.ts';
import {
  inert,
  parseMarker,
  renderMarker,
  renderPull,
  type PullMarker,
} from '../../src/core/pull-body.ts';

const key: KeyDocument = {
  id: 'payments/webhook-signing',
  description: 'Signs outbound payment webhooks',
  owner: '@acme/payments',
  policy: 'standard',
  type: 'random',
  options: { bytes: 32, encoding: 'base64' },
  targets: [
    {
      kind: 'github-secret',
      repository: 'acme/payments-api',
      environment: 'production',
      app: 'actions',
      name: 'WEBHOOK_SIGNING_KEY',
      previous: 'WEBHOOK_SIGNING_KEY_PREVIOUS',
    },
    { kind: 'file', path: 'out/webhook.env', format: 'env' },
  ],
  versions: [],
};
const policy: PolicyDocument = {
  name: 'standard',
  cryptoperiod: '90d',
  'rotate-before': '14d',
  grace: '7d',
  prepublish: '0d',
  approvals: 1,
  reviewers: ['@acme/security'],
  'require-probes': false,
  emergency: { reviewers: ['@acme/oncall'], approvals: 2 },
};

describe('rotation PR body', () => {
  it('tells the reviewer what changes, why, and what merging does', () => {
    const pull = renderPull({
      action: 'rotate',
      key,
      policy,
      version: 3,
      moves: [
        { version: 3, from: undefined, to: 'active' },
        { version: 2, from: 'active', to: 'deactivated' },
      ],
      fingerprints: new Map([
        [3, 'kcv:5f3a9c0d1e2b4a6f'],
        [2, 'kcv:0a1b2c3d4e5f6071'],
      ]),
      reason: 'v2 active 79 d of a 90 d cryptoperiod; rotate-before 14 d',
    });
    expect(pull.title).toBe('rekey: rotate payments/webhook-signing to v3');
    expect(pull.labels).toEqual(['rekey', 'rekey:rotation']);
    expect(pull.body).toMatchInlineSnapshot(`
      "## rotate payments/webhook-signing to v3

      Signs outbound payment webhooks (owner \`@acme/payments\`, policy \`standard\`, type \`random\`)

      **Why:** v2 active 79 d of a 90 d cryptoperiod; rotate\\-before 14 d

      | version | change | fingerprint |
      |---|---|---|
      | v3 | new → active | \`kcv:5f3a9c0d1e2b4a6f\` |
      | v2 | active → deactivated | \`kcv:0a1b2c3d4e5f6071\` |

      **Targets:**
      - Actions secret \`WEBHOOK_SIGNING_KEY\` in \`acme/payments-api\`, environment \`production\`; previous version to \`WEBHOOK_SIGNING_KEY_PREVIOUS\`
      - file \`out/webhook.env\` (env)

      **What merging does:**
      - Distribution puts v3 on every target and records the commit status \`rekey/distribution\` on the merge commit.
      - The previous version stays on \`previous\` targets for the policy's grace period (7d) after that, then a revocation PR destroys it.

      **Review:**
      - 1 approval required, not by the author and not by a bot.
      - The material is encrypted to the recipients in \`.sops.yaml\` on the default branch; the \`rekey/verify\` check enforces it and the lifecycle rules.
      - A fingerprint can be recomputed from the decrypted material by the distribution job (see docs/key-types.md); no reviewer needs the secret.

      <!-- rekey:v1 {"action":"rotate","key":"payments/webhook\\u002dsigning","versions":[3,2]} -->
      "
    `);
    expect(parseMarker(pull.body)).toEqual({
      action: 'rotate',
      key: 'payments/webhook-signing',
      versions: [3, 2],
    });
  });

  it('an emergency asks the emergency reviewers and records the incident inertly', () => {
    const pull = renderPull({
      action: 'emergency',
      key,
      policy,
      version: 4,
      moves: [
        { version: 4, from: undefined, to: 'active' },
        { version: 3, from: 'active', to: 'compromised' },
      ],
      fingerprints: new Map(),
      reason: 'emergency dispatch',
      incident: 'leaked in <script>alert(1)</script> [link](http://x) -->',
    });
    expect(pull.labels).toEqual(['rekey', 'rekey:emergency']);
    expect(pull.body).toContain('2 approvals required');
    expect(pull.body).not.toContain('<script>');
    expect(pull.body).not.toMatch(/\]\(http/);
    // Only the real marker closes a comment.
    expect(pull.body.match(/-->/g)).toHaveLength(1);
    expect(parseMarker(pull.body)).toEqual({ action: 'emergency', key: key.id, versions: [4, 3] });
  });
});

describe('marker', () => {
  it('round-trips and rejects anything not well formed', () => {
    const m: PullMarker = { action: 'revoke', key: 'a--b/c', versions: [1, 2] };
    expect(renderMarker(m).slice('<!--'.length, -'-->'.length)).not.toContain('--');
    expect(parseMarker(`text\n${renderMarker(m)}\n`)).toEqual(m);
    expect(
      parseMarker('<!-- rekey:v1 {"action":"rotate","key":"a","versions":[]} -->'),
    ).toBeUndefined();
    expect(
      parseMarker('<!-- rekey:v1 {"action":"delete","key":"a","versions":[1]} -->'),
    ).toBeUndefined();
    expect(parseMarker('<!-- rekey:v1 {not json} -->')).toBeUndefined();
    expect(
      parseMarker('<!-- rekey:v1 {"action":"rotate","key":"a","versions":[1],"extra":1} -->'),
    ).toBeUndefined();
    expect(parseMarker('no marker')).toBeUndefined();
  });

  it('inert text cannot open HTML, links or code', () => {
    expect(inert('a <b> [c](d) `e` *f*')).toBe('a \\<b\\> \\[c\\]\\(d\\) \\`e\\` \\*f\\*');
    expect(inert('x'.repeat(600))).toHaveLength(501);
  });

  it('inert text mentions nobody', () => {
    expect(inert('ping @acme/everyone')).toBe('ping @\u200bacme/everyone');
  });
});
