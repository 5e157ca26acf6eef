/**
 * One word for a whole change, for PR labels, the job summary and the CLI: what kind of
 * change is this? A change that does two kinds of thing (say, a rotation of one key and a
 * revocation of another) is `mixed`; reviewers should see that at a glance, since rekey's
 * own PRs never mix.
 */
import type { KeyChange, KeyChangeKind } from './change.ts';

export type ChangeKind =
  | 'none'
  | 'rotation'
  | 'promotion'
  | 'revocation'
  | 'emergency'
  | 'new-key'
  | 'configuration'
  /** Set by verify from the changed paths: `.github/`, `actions/`, `dist/`, `src/`, `package*.json`. */
  | 'pipeline-code'
  /** Set by verify: only the data keys of existing material re-wrapped (verify/rewrap.ts). */
  | 'rewrap'
  | 'mixed';

/**
 * `configFiles`: changed policy files and `.sops.yaml`, which are configuration. Removing a
 * fully destroyed key is reported as configuration too: it changes no live material.
 */
export function classifyChange(
  keys: readonly KeyChange[],
  configFiles: readonly string[],
): ChangeKind {
  const kinds = new Set<Exclude<ChangeKind, 'none' | 'mixed' | 'pipeline-code' | 'rewrap'>>();
  for (const k of keys) for (const kind of k.kinds) kinds.add(overall(kind));
  if (configFiles.length > 0) kinds.add('configuration');
  if (kinds.size === 0) return 'none';
  if (kinds.size > 1) return 'mixed';
  return [...kinds][0]!;
}

function overall(
  kind: KeyChangeKind,
): Exclude<ChangeKind, 'none' | 'mixed' | 'pipeline-code' | 'rewrap'> {
  return kind === 'removal' ? 'configuration' : kind;
}
