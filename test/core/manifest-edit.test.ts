import { describe, expect, it } from 'vitest';
import {
  addVersion,
  ManifestEditError,
  rotate,
  setVersionState,
} from '../../src/core/manifest-edit.ts';

const base = `# Signs outbound payment webhooks
id: payments/webhook-signing
type: random
versions: # newest first
  - { version: 1, state: active, created: 2026-01-01T00:00:00Z, fingerprint: "kcv:0011223344556677" }
targets: [] # filled in later
`;
const v2 = {
  version: 2,
  state: 'active',
  created: '2026-03-01T00:00:00Z',
  fingerprint: 'kcv:8899aabbccddeeff',
} as const;

describe('manifest edits', () => {
  it('rotation adds the new version on top and deactivates the previous active one', () => {
    expect(rotate(base, v2, 1)).toBe(`# Signs outbound payment webhooks
id: payments/webhook-signing
type: random
versions: # newest first
  - { version: 2, state: active, created: 2026-03-01T00:00:00Z, fingerprint: "kcv:8899aabbccddeeff" }
  - { version: 1, state: deactivated, created: 2026-01-01T00:00:00Z, fingerprint: "kcv:0011223344556677" }
targets: [] # filled in later
`);
  });

  it('a prepublished version leaves the active one alone', () => {
    const out = rotate(base, { ...v2, state: 'pre-activation' }, 1);
    expect(out).toContain('{ version: 2, state: pre-activation,');
    expect(out).toContain('{ version: 1, state: active,');
  });

  it('creates versions when the key has none', () => {
    expect(addVersion('id: a\n', v2)).toBe(
      'id: a\nversions:\n  - { version: 2, state: active, created: 2026-03-01T00:00:00Z, fingerprint: "kcv:8899aabbccddeeff" }\n',
    );
  });

  it('changes one state and nothing else', () => {
    const out = setVersionState(base, 1, 'compromised');
    expect(out).toBe(base.replace('state: active', 'state: compromised'));
  });

  it('refuses a missing version or a broken file', () => {
    expect(() => setVersionState(base, 7, 'destroyed')).toThrow(ManifestEditError);
    expect(() => addVersion('versions: {a: 1}\n', v2)).toThrow(/not a list/);
    expect(() => addVersion('a: [\n', v2)).toThrow(ManifestEditError);
  });
});

describe('manifest edits on a key without versions', () => {
  it('turns `versions: []` into a block list', () => {
    expect(addVersion('id: a\nversions: [] # none yet\ntargets: []\n', v2)).toBe(
      'id: a\nversions: # none yet\n  - { version: 2, state: active, created: 2026-03-01T00:00:00Z, fingerprint: "kcv:8899aabbccddeeff" }\ntargets: []\n',
    );
  });
  it('refuses a flow list it would have to re-render', () => {
    expect(() => addVersion('versions: [{version: 1}]\n', v2)).toThrow(/block list/);
  });
});
