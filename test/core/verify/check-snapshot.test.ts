import { describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../../src/core/load-snapshot.ts';
import { checkSnapshot } from '../../../src/core/verify/check-snapshot.ts';
import {
  KEY,
  KEY_FILE,
  keyYaml,
  mat,
  materialYaml,
  NOW,
  OTHER_RECIPIENT,
  repo,
  tree,
  versionLine,
  type Files,
  type V,
} from '../lifecycle/fixtures.ts';

const B0: V[] = [
  { version: 2, state: 'active' },
  { version: 1, state: 'deactivated' },
];
function check(files: Files) {
  const t = tree(files);
  const loaded = loadSnapshot(t);
  expect(loaded.diagnostics).toEqual([]);
  return checkSnapshot({ snapshot: loaded.snapshot, tree: t }, NOW).map(
    (d) => `${d.rule} ${d.file}:${d.line}`,
  );
}

describe('checkSnapshot', () => {
  it('passes a valid tree', () => {
    expect(check(repo(B0))).toEqual([]);
  });
  it('reports invariants, recipients of every material file, and private keys anywhere', () => {
    const files = repo(B0);
    files.set(
      KEY_FILE,
      keyYaml([
        { version: 2, state: 'active' },
        { version: 1, state: 'active' },
      ]),
    );
    // Not a change: the file has always been wrapped to the wrong recipient.
    files.set(mat(1), materialYaml(KEY, 1, { recipients: [OTHER_RECIPIENT] }));
    files.set(
      'policies/standard.yaml',
      `${files.get('policies/standard.yaml')}# -----BEGIN RSA PRIVATE KEY-----\n`,
    );
    expect(check(files)).toEqual([
      `lifecycle/multiple-active ${KEY_FILE}:${versionLine(1)}`,
      `verify/recipients-mismatch ${mat(1)}:4`,
      'verify/plaintext-private-key policies/standard.yaml:6',
    ]);
  });
});
