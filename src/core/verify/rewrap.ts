/**
 * A re-wrap (`rekey sops rewrap`, distribution's `rekey/rewrap` PR, `sops updatekeys`): the
 * data key of existing material wrapped for other recipients. It is its own kind of change
 * (`rewrap`), reviewed for one thing only, who can read the keys, so it carries nothing else:
 *
 * - every changed path is a material file of a version both sides have, and in each the
 *   only difference is `sops.age` / `sops.key_groups` / `sops.shamir_threshold`: the
 *   encrypted values, `sops.mac`, `sops.lastmodified`, the clear fields and every other
 *   metadata key are byte-identical as parsed (the data key and what it encrypts are the
 *   same; a changed value could not keep the MAC without the data key, but a changed clear
 *   field under a hand-made MAC could, so nothing is taken on trust);
 * - the new recipients are the BASE branch's `.sops.yaml` rule's (checkRecipients, which verify
 *   runs on every changed material file, reports `verify/recipients-mismatch` otherwise).
 *
 * A change that re-wraps some material and does anything else, or a PR on rekey's
 * `rekey/rewrap` branch that is not a pure re-wrap, is refused as `change/rewrap-not-pure`.
 * Pure: the caller lists the changed paths.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { parseMaterialPath } from '../formats/index.ts';
import type { ChangeKind } from '../lifecycle/classify.ts';
import { violation } from '../lifecycle/rules.ts';
import type { FileTree } from '../snapshot.ts';
import { parseYaml } from '../yaml/index.ts';

/** The branch distribution opens its re-wrap PR on (src/commands/distribute/rewrap.ts). */
export const REWRAP_BRANCH = 'rekey/rewrap';
/** The label of that PR, next to `rekey`. */
export const REWRAP_LABEL = 'rekey:rewrap';

/** The metadata keys a re-wrap may change: who the data key is wrapped for. */
const WRAPPING = new Set(['age', 'key_groups', 'shamir_threshold']);

/** Whether `path` changed between the trees only in its data key's wrapping. */
export function isStanzaOnlyChange(path: string, base: FileTree, head: FileTree): boolean {
  const b = base.get(path);
  const h = head.get(path);
  if (b === undefined || h === undefined || parseMaterialPath(path) === undefined) return false;
  const before = withoutWrapping(path, b);
  const after = withoutWrapping(path, h);
  return before !== undefined && before === after;
}

function withoutWrapping(path: string, bytes: Uint8Array): string | undefined {
  const { value } = parseYaml(path, bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const doc = value as Record<string, unknown>;
  const sops = doc['sops'];
  if (typeof sops !== 'object' || sops === null || Array.isArray(sops)) return undefined;
  const rest = Object.entries(sops as Record<string, unknown>).filter(([k]) => !WRAPPING.has(k));
  return JSON.stringify({ ...doc, sops: Object.fromEntries(rest) }, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v,
  );
}

export interface RewrapInput {
  readonly base: FileTree;
  readonly head: FileTree;
  /** Every path the change touches (pipeline code included). */
  readonly changedPaths: readonly string[];
  /** The kind verify found otherwise. */
  readonly kind: ChangeKind;
  /** The PR's head branch, when known. */
  readonly headRef?: string | undefined;
}

export interface RewrapVerdict {
  /** `rewrap` for a pure re-wrap; otherwise the kind given. */
  readonly kind: ChangeKind;
  /** Material files re-wrapped, sorted. */
  readonly rewrapped: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export function checkRewrap(input: RewrapInput): RewrapVerdict {
  const paths = [...new Set(input.changedPaths)].sort();
  const rewrapped = paths.filter((p) => isStanzaOnlyChange(p, input.base, input.head));
  const others = paths.filter((p) => !rewrapped.includes(p));
  const onBranch = input.headRef === REWRAP_BRANCH;
  if (rewrapped.length > 0 && others.length === 0)
    return { kind: 'rewrap', rewrapped, diagnostics: [] };
  if (rewrapped.length === 0 && !onBranch) return { kind: input.kind, rewrapped, diagnostics: [] };
  const why =
    rewrapped.length > 0
      ? `this change re-wraps the data key of ${list(rewrapped)} and also changes`
      : `this pull request is on ${REWRAP_BRANCH}, where rekey only re-wraps data keys, but it changes`;
  const diagnostics = (others.length > 0 ? others : ['.']).map((file) =>
    violation(
      'change/rewrap-not-pure',
      `${why} ${file === '.' ? 'nothing it may' : file}; a re-wrap changes only who can decrypt (the age stanzas), with values, MAC and lastmodified byte-identical, and goes in a pull request of its own`,
      { file: file === '.' ? REWRAP_BRANCH : file, line: 0, column: 0 },
    ),
  );
  return { kind: input.kind, rewrapped, diagnostics };
}

const list = (paths: readonly string[]): string =>
  paths.length <= 3
    ? paths.join(', ')
    : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;
