// The revocation gate with a policy that says `require-probes: true`: it opens only for a key
// that declares a probe (distribution fails such a key whenever a probe does not confirm the
// active version, so the distribution success then also proves the probes confirmed it).
import { describe, expect, it } from 'vitest';
import { keyDocument, loadDocument, policyDocument } from '../../../src/core/formats/index.ts';
import { HistoryIndexBuilder } from '../../../src/core/history/model.ts';
import { gateEvidence, revocationGate } from '../../../src/core/lifecycle/revocation-gate.ts';
import { KEY, KEY_FILE, keyYaml, NOW, STANDARD, type V } from './fixtures.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const V2: V[] = [
  { version: 2, state: 'active' },
  { version: 1, state: 'deactivated' },
];
const c1 = 'c1'.repeat(20);
const c2 = 'c2'.repeat(20);
const PROBE = `    probe: { url: 'https://api.example.com/health', expect: fingerprint }`;

function gateFor(o: { requireProbes: boolean; probe: boolean }) {
  const lines = keyYaml(V2).split('\n');
  const at = lines.findIndex((l) => l.startsWith('    name: '));
  if (o.probe) lines.splice(at + 1, 0, PROBE);
  const yaml = lines.join('\n');
  const key = loadDocument(KEY_FILE, enc(yaml), keyDocument);
  expect(key.diagnostics).toEqual([]);
  const policy = loadDocument(
    'policies/standard.yaml',
    enc(STANDARD + (o.requireProbes ? 'require-probes: true\n' : '')),
    policyDocument,
  );
  expect(policy.diagnostics).toEqual([]);
  const b = new HistoryIndexBuilder();
  const at40 = { time: '2026-10-13T04:00:00Z', author: 'A <a@example.com>' };
  b.add({
    commit: { sha: c1, ...at40 },
    changes: [
      {
        keyId: KEY,
        file: KEY_FILE,
        kind: 'written',
        content: keyYaml([{ version: 1, state: 'active' }]),
      },
    ],
  });
  b.add({
    commit: { sha: c2, time: '2026-11-10T04:00:00Z', author: 'A <a@example.com>' },
    changes: [{ keyId: KEY, file: KEY_FILE, kind: 'written', content: yaml }],
  });
  return revocationGate(
    gateEvidence({
      base: { keys: new Map([[KEY, key.doc!]]), policies: new Map([['standard', policy.doc!]]) },
      history: b.finish(),
      firstParent: [
        { sha: c1 },
        { sha: c2, status: { state: 'success', at: '2026-11-10T05:00:00Z' } },
      ],
      now: NOW,
    }),
  );
}

describe('require-probes', () => {
  it('the policy field defaults to false', () => {
    const p = loadDocument('policies/standard.yaml', enc(STANDARD), policyDocument);
    expect(p.doc?.value['require-probes']).toBe(false);
  });

  it.each([
    [{ requireProbes: false, probe: false }, true, /grace 7 d passed$/],
    [{ requireProbes: true, probe: true }, true, /confirmed in use by 1 probe, grace 7 d passed$/],
    [
      { requireProbes: true, probe: false },
      false,
      /require-probes: true, but none of its targets declares a probe/,
    ],
  ])('%o -> open %s', (o, open, reason) => {
    const verdict = gateFor(o)(KEY, 1, { state: 'deactivated' });
    expect(verdict.open).toBe(open);
    expect(verdict.reason).toMatch(reason);
  });

  it('a probe URL must be https without credentials', () => {
    for (const url of [
      'http://api.example.com/h',
      'https://u:p@api.example.com/h',
      'https://api.example.com/h#x',
    ]) {
      const yaml = keyYaml(V2).replace(
        /(    name: .*\n)/,
        `$1    probe: { url: '${url}', expect: jwks-kid }\n`,
      );
      const r = loadDocument(KEY_FILE, enc(yaml), keyDocument);
      expect(r.diagnostics.map((d) => d.message).join('\n')).toMatch(/https:\/\/ URL without user/);
    }
  });
});
