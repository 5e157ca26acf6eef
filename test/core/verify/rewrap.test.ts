/**
 * verify's `rewrap` change kind: the template's material re-wrapped (by the real codec, with
 * the published demo identity) for the recipients of the BASE branch's .sops.yaml is accepted
 * as `rewrap`; a re-wrap with anything else, one whose recipients the base rule does not name,
 * and a `rekey/rewrap` PR that is not a re-wrap are refused.
 */
import { readFileSync } from 'node:fs';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { readWorkingTree } from '../../../src/adapters/files/working-tree.ts';
import { loadSopsConfig } from '../../../src/cli/sops.ts';
import { verifyPull, type GateEvidencePorts } from '../../../src/commands/verify-pull.ts';
import type { FileTree } from '../../../src/core/snapshot.ts';
import { findCreationRule } from '../../../src/core/sops-config.ts';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import { demoIdentityFile, root } from '../../cli/harness.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const DEMO = readFileSync(demoIdentityFile, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
const DEMO_RECIPIENT = 'age1w99ncydejtgjg26pxg76xr3660u6zvlhxknsywau24pt7nklf3pqupwy02';
const ports: GateEvidencePorts = {
  history: () => Promise.reject(new Error('not needed')),
  firstParent: () => Promise.reject(new Error('not needed')),
};
const enc = new TextEncoder();

let template: FileTree;
let materials: string[];
let fresh: string;
beforeAll(async () => {
  template = await readWorkingTree(root);
  materials = [...template.keys()].filter((p) => /\/v\d+\.sops\.yaml$/.test(p)).sort();
  fresh = await identityToRecipient(await generateIdentity());
});

/** .sops.yaml naming `recipients` instead of the demo one. */
function withRecipients(tree: FileTree, recipients: readonly string[]): Map<string, Uint8Array> {
  const text = new TextDecoder().decode(tree.get('.sops.yaml'));
  const out = new Map(tree);
  out.set('.sops.yaml', enc.encode(text.replace(DEMO_RECIPIENT, recipients.join(','))));
  return out;
}

/** Every material file of `tree` re-wrapped for the rules of `config`'s .sops.yaml. */
async function rewrapAll(tree: FileTree, config: FileTree): Promise<Map<string, Uint8Array>> {
  const rules = loadSopsConfig(config);
  const codec = new BuiltinSopsCodec({ identities: DEMO });
  const out = new Map(tree);
  for (const p of materials) {
    const r = await codec.rewrap(p, tree.get(p)!, { rule: findCreationRule(rules, p)! });
    out.set(p, r.bytes);
  }
  return out;
}

const verify = (base: FileTree, head: FileTree, extra: object = {}) =>
  verifyPull(
    { base: { sha: 'b', tree: base }, head: { sha: 'h', tree: head }, now: NOW, ...extra },
    ports,
  );
const rules = (ds: readonly { rule: string }[]) => [...new Set(ds.map((d) => d.rule))].sort();

describe('verify: rewrap', () => {
  it('accepts a pure re-wrap to the base branch recipients as its own kind', async () => {
    // The base branch's .sops.yaml already names the demo recipient and a new one.
    const base = withRecipients(template, [DEMO_RECIPIENT, fresh]);
    const head = await rewrapAll(base, base);
    const r = await verify(base, head, { headRef: 'rekey/rewrap' });
    expect(r.diagnostics).toEqual([]);
    expect(r.kind).toBe('rewrap');
    expect(materials.length).toBeGreaterThan(1);
  });

  it('refuses a re-wrap that also changes a value', async () => {
    const base = withRecipients(template, [DEMO_RECIPIENT, fresh]);
    const head = await rewrapAll(base, base);
    const key = 'keys-manifest/payments/webhook-signing/key.yaml';
    head.set(
      key,
      enc.encode(
        new TextDecoder().decode(head.get(key)).replace(/description: .*/, 'description: changed'),
      ),
    );
    const r = await verify(base, head);
    expect(r.kind).not.toBe('rewrap');
    expect(rules(r.diagnostics)).toContain('change/rewrap-not-pure');
    expect(r.diagnostics.find((d) => d.rule === 'change/rewrap-not-pure')?.file).toBe(key);
  });

  it('refuses a re-wrap that also changes an encrypted value', async () => {
    const base = withRecipients(template, [DEMO_RECIPIENT, fresh]);
    const head = await rewrapAll(base, base);
    const file = materials[1]!;
    const text = new TextDecoder().decode(head.get(file));
    // Another ciphertext for `secret`: a different value (the MAC no longer matches it either).
    head.set(
      file,
      enc.encode(
        text.replace(/data:([A-Za-z0-9+/])/, (_m, c: string) => `data:${c === 'A' ? 'B' : 'A'}`),
      ),
    );
    const r = await verify(base, head, { headRef: 'rekey/rewrap' });
    expect(r.kind).not.toBe('rewrap');
    expect(rules(r.diagnostics)).toEqual(
      expect.arrayContaining(['change/rewrap-not-pure', 'lifecycle/material-edited']),
    );
    expect(
      r.diagnostics.filter((d) => d.rule === 'change/rewrap-not-pure').map((d) => d.file),
    ).toEqual([file]);
  });

  it('refuses a re-wrap whose material also changed a clear field', async () => {
    const base = withRecipients(template, [DEMO_RECIPIENT, fresh]);
    const head = await rewrapAll(base, base);
    const file = materials[0]!;
    const text = new TextDecoder().decode(head.get(file));
    head.set(file, enc.encode(text.replace(/^version: (\d+)$/m, 'version: 99')));
    const r = await verify(base, head, { headRef: 'rekey/rewrap' });
    expect(r.kind).not.toBe('rewrap');
    expect(rules(r.diagnostics)).toEqual(
      expect.arrayContaining(['change/rewrap-not-pure', 'lifecycle/material-edited']),
    );
  });

  it("refuses recipients the base branch's .sops.yaml does not name (the PR's own does not count)", async () => {
    // The head changes .sops.yaml to add a recipient and re-wraps to it in one go.
    const head = await rewrapAll(template, withRecipients(template, [DEMO_RECIPIENT, fresh]));
    const headWithConfig = withRecipients(head, [DEMO_RECIPIENT, fresh]);
    for (const h of [head, headWithConfig]) {
      const r = await verify(template, h);
      expect(rules(r.diagnostics)).toContain('verify/recipients-mismatch');
      expect(r.diagnostics.length).toBeGreaterThan(0);
    }
    const mixed = await verify(template, headWithConfig);
    expect(rules(mixed.diagnostics)).toContain('change/rewrap-not-pure');
  });

  it('refuses a rekey/rewrap PR that carries no re-wrap', async () => {
    const head = withRecipients(template, [fresh]);
    const r = await verify(template, head, { headRef: 'rekey/rewrap' });
    expect(rules(r.diagnostics)).toContain('change/rewrap-not-pure');
    const elsewhere = await verify(template, head, { headRef: 'topic' });
    expect(rules(elsewhere.diagnostics)).not.toContain('change/rewrap-not-pure');
  });
});
