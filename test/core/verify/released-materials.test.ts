/**
 * verifyTrees lets go of the documents of material files a change leaves alone (issue #13:
 * verify proportional to the change): the head's are checked and dropped, the base's are
 * not loaded at all (they are the head's). The verdict must be the one the full snapshots give:
 * here it is compared with compareSides over facts that hold every document, on changes
 * where rules do read unchanged material (an orphan and a file of a destroyed version, both
 * located in the unchanged file; a rotation, whose comparison reads the old versions).
 */
import { describe, expect, it } from 'vitest';
import { sortDiagnostics } from '../../../src/core/diagnostics.ts';
import { loadSnapshot } from '../../../src/core/load-snapshot.ts';
import type { FileTree } from '../../../src/core/snapshot.ts';
import { compareSides } from '../../../src/core/verify/verify-change.ts';
import { loadSides, verifyTrees } from '../../../src/core/verify/verify-trees.ts';
import { manifestFactsOf, sopsConfigOf } from '../../../src/core/verify/snapshot-side.ts';
import {
  KEY,
  mat,
  materialYaml,
  NOW,
  repo,
  setKey,
  tree,
  type Files,
  type V,
} from '../lifecycle/fixtures.ts';

const B0: V[] = [
  { version: 2, state: 'active' },
  { version: 1, state: 'deactivated' },
];
const ROTATED: V[] = [
  { version: 3, state: 'active' },
  { version: 2, state: 'deactivated' },
  B0[1]!,
];
const OTHER = 'team/other-key';

/** What verify said before documents were released: every document held, no cache. */
function reference(base: FileTree, head: FileTree) {
  const b = loadSnapshot(base);
  const h = loadSnapshot(head);
  const r = compareSides(
    {
      manifest: manifestFactsOf({ snapshot: b.snapshot, tree: base }),
      sopsConfig: sopsConfigOf(b.snapshot),
      files: base,
    },
    {
      manifest: manifestFactsOf({ snapshot: h.snapshot, tree: head }),
      sopsConfig: undefined,
      files: head,
    },
    { now: NOW },
  );
  return { ...r, diagnostics: sortDiagnostics([...h.diagnostics, ...r.diagnostics]) };
}

/** A base with a second key whose folder is broken in ways the head keeps unchanged. */
function brokenBase(): Files {
  const files = setKey(repo(B0), OTHER, [
    { version: 2, state: 'active' },
    { version: 1, state: 'destroyed' },
  ]);
  files.set(mat(1, OTHER), materialYaml(OTHER, 1)); // material of a destroyed version
  files.set(mat(7, OTHER), materialYaml(OTHER, 7)); // material no version lists
  files.set(mat(2, OTHER), materialYaml(OTHER, 2, { id: 'team/wrong' })); // a loader finding
  return files;
}

describe('verifyTrees with released material documents', () => {
  it('keeps only the documents of changed material files', () => {
    const base = brokenBase();
    const head = setKey(new Map(base), KEY, ROTATED);
    const sides = loadSides(tree(base), tree(head));
    expect([...sides.head.snapshot.materials.keys()]).toEqual([mat(3)]);
    expect([...sides.base.snapshot.materials.keys()]).toEqual([]);
    expect([...(sides.head.released ?? [])].sort()).toEqual(
      [mat(1), mat(2), mat(1, OTHER), mat(7, OTHER)].sort(),
    );
  });

  it('finds, at the same lines, what the full snapshots find in unchanged files', () => {
    const base = brokenBase();
    const head = setKey(new Map(base), KEY, ROTATED);
    const got = verifyTrees(tree(base), tree(head), { now: NOW });
    const rules = got.diagnostics.map((d) => `${d.rule} ${d.file}:${d.line}`);
    expect(rules).toContain(`lifecycle/material-orphan ${mat(7, OTHER)}:1`);
    expect(rules).toContain(`manifest/material-mismatch ${mat(2, OTHER)}:1`);
    expect(rules.some((r) => r.startsWith('lifecycle/material-for-destroyed'))).toBe(true);
    expect(got).toEqual(reference(tree(base), tree(head)));
  });

  it('compares an edited old version of a changed key as before', () => {
    const base = repo(B0);
    const head = setKey(new Map(base), KEY, ROTATED);
    // v1 edited in place (its mac), v2 unchanged: only v1 and v3 keep their documents.
    head.set(
      mat(1),
      materialYaml(KEY, 1, { mac: 'ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]' }),
    );
    const got = verifyTrees(tree(base), tree(head), { now: NOW });
    expect(got.diagnostics.map((d) => d.rule)).toContain('lifecycle/material-edited');
    expect(got).toEqual(reference(tree(base), tree(head)));
  });

  it('gives the full verdict on an unchanged tree and on a plain rotation', () => {
    const base = repo(B0);
    for (const head of [new Map(base), setKey(new Map(base), KEY, ROTATED)])
      expect(verifyTrees(tree(base), tree(head), { now: NOW })).toEqual(
        reference(tree(base), tree(head)),
      );
  });
});
