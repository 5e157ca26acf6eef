// validateInBatches (what `rekey validate` runs) must find exactly what validateTree finds:
// the same diagnostics in the same order and the same counts, on trees with every kind of
// finding spread over several keys, whatever the batch size.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateInBatches, validateTree } from '../../src/commands/inspect.ts';
import { fileTree } from '../../src/core/snapshot.ts';
import {
  ed25519Pem,
  keyYaml,
  mat,
  materialYaml,
  NOW,
  OTHER_RECIPIENT,
  repo,
  setKey,
  type Files,
  type V,
} from '../core/lifecycle/fixtures.ts';

const IDS = ['a/one', 'a/two', 'b/three', 'b/three/nested', 'c/four', 'Bad_Id'];
const LIVE: V[] = [
  { version: 3, state: 'pre-activation' },
  { version: 2, state: 'active' },
  { version: 1, state: 'destroyed' },
];

/** One thing wrong (or right) with one key folder. */
const FAULTS = [
  'none',
  'missing-material',
  'material-for-destroyed',
  'orphan-version-file',
  'material-mismatch',
  'bad-yaml-material',
  'wrong-recipient',
  'private-key-in-material',
  'two-active',
  'unknown-policy',
  'no-key-yaml',
  'shared-target',
  'future-created',
  'bad-schema-key',
  'ed25519-no-public',
] as const;
type Fault = (typeof FAULTS)[number];

function apply(files: Files, id: string, fault: Fault): void {
  const file = `keys-manifest/${id}/key.yaml`;
  const type = fault === 'ed25519-no-public' ? 'ed25519' : undefined;
  setKey(files, id, LIVE, type ? { type } : {});
  switch (fault) {
    case 'missing-material':
      files.delete(mat(2, id));
      break;
    case 'material-for-destroyed':
      files.set(mat(1, id), materialYaml(id, 1));
      break;
    case 'orphan-version-file':
      files.set(mat(9, id), materialYaml(id, 9));
      break;
    case 'material-mismatch':
      files.set(mat(2, id), materialYaml(id, 2, { id: 'other/key', version: 7 }));
      break;
    case 'bad-yaml-material':
      files.set(mat(3, id), 'id: [unclosed\nversion: &a 3\n');
      break;
    case 'wrong-recipient':
      files.set(mat(2, id), materialYaml(id, 2, { recipients: [OTHER_RECIPIENT] }));
      break;
    case 'private-key-in-material':
      files.set(mat(3, id), `${materialYaml(id, 3)}# -----BEGIN OPENSSH PRIVATE KEY-----\n`);
      break;
    case 'two-active':
      files.set(
        file,
        keyYaml(
          [
            { version: 3, state: 'active' },
            { version: 2, state: 'active' },
          ],
          { id },
        ),
      );
      break;
    case 'unknown-policy':
      files.set(file, keyYaml(LIVE, { id, policy: 'nope' }));
      break;
    case 'no-key-yaml':
      files.delete(file);
      break;
    case 'shared-target':
      files.set(file, keyYaml(LIVE, { id }).replace(/name: \w+/, 'name: WEBHOOK_SIGNING_KEY'));
      break;
    case 'future-created':
      files.set(
        file,
        keyYaml([{ version: 2, state: 'active', created: '2099-01-01T00:00:00Z' }], { id }),
      );
      break;
    case 'bad-schema-key':
      files.set(file, keyYaml(LIVE, { id }).replace('policy:', 'polic:'));
      break;
    case 'ed25519-no-public':
      files.set(mat(2, id), materialYaml(id, 2));
      break;
    case 'none':
      break;
  }
}

function build(faults: readonly Fault[], irregular: boolean) {
  const files = repo([{ version: 1, state: 'active' }]);
  faults.forEach((f, i) => apply(files, IDS[i % IDS.length]!, f));
  const enc = new TextEncoder();
  return fileTree(
    [...files].map(([p, t]) => [p, enc.encode(t)] as const),
    irregular ? [{ path: mat(5, IDS[0]!), reason: 'symlink' as const }] : [],
  );
}

function same(tree: ReturnType<typeof build>, batch: number) {
  const whole = validateTree(tree, NOW);
  const batched = validateInBatches(tree, NOW, batch);
  expect(batched.counts).toEqual(whole.counts);
  expect(batched.diagnostics).toEqual(whole.diagnostics);
  return whole.diagnostics;
}

describe('validateInBatches', () => {
  it('finds what validateTree finds, every fault at once, batches of 1, 2 and 500', () => {
    const tree = build(FAULTS.slice(1), true);
    for (const b of [1, 2, 500]) {
      const found = same(tree, b);
      // The tree is far from valid: the comparison is not between two empty lists.
      expect(new Set(found.map((d) => d.rule)).size).toBeGreaterThan(12);
    }
  });

  it('finds what validateTree finds on random mixes of faults', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FAULTS), { minLength: 1, maxLength: IDS.length * 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (faults, batch, irregular) => {
          same(build(faults, irregular), batch);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a valid tree of several keys: no finding, the same counts', () => {
    const files = repo([{ version: 1, state: 'active' }]);
    for (const id of IDS.slice(0, 3)) setKey(files, id, LIVE);
    setKey(files, 'd/five', [{ version: 1, state: 'active' }], { type: 'ed25519' });
    files.set(mat(1, 'd/five'), materialYaml('d/five', 1, { public: ed25519Pem('d/five', 1) }));
    const tree = build([], false);
    expect(same(tree, 1)).toEqual([]);
    const enc = new TextEncoder();
    const t2 = fileTree(
      [...files].map(([p, t]) => [p, enc.encode(t)] as const),
      [],
    );
    expect(same(t2, 2)).toEqual([]);
    expect(validateInBatches(t2, NOW, 2).counts.keys).toBe(5);
  });
});
