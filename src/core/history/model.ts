import type { KeyState } from '../formats/key.ts';
import { isKeyId } from '../formats/key-id.ts';
import { readVersionStates, type VersionStatesResult } from './key-versions.ts';

/** A commit on the first-parent line of the default branch. */
export interface CommitRef {
  readonly sha: string;
  /** Committer time (when the change landed on the branch), ISO 8601 UTC to the second. */
  readonly time: string;
  /** `Name <email>` of the commit's author. */
  readonly author: string;
}

/** What a commit did to one `keys-manifest/<id>/key.yaml`, compared with its first parent. */
export type KeyFileChange =
  | {
      readonly keyId: string;
      readonly file: string;
      readonly kind: 'written';
      readonly content: Uint8Array | string;
      /**
       * The versions already read from `content` (readVersionStates), so that a caller may
       * drop the bytes before folding: `content` is then not read again.
       */
      readonly read?: VersionStatesResult;
    }
  | { readonly keyId: string; readonly file: string; readonly kind: 'deleted' | 'not-a-file' };

export interface ManifestCommit {
  readonly commit: CommitRef;
  readonly changes: readonly KeyFileChange[];
}

export interface VersionTimeline {
  /** The commit whose key.yaml first listed this version. */
  readonly appeared: CommitRef;
  /** The first commit at which the version was seen in each state. */
  readonly entered: Partial<Record<KeyState, CommitRef>>;
  /** The state in the newest readable key.yaml that listed the version. */
  readonly state: KeyState;
}

export interface KeyTimeline {
  readonly appeared: CommitRef;
  /** Set when key.yaml was deleted (and not re-added since). */
  readonly removed?: CommitRef;
  readonly versions: ReadonlyMap<number, VersionTimeline>;
  /**
   * Earlier keys with the same id, deleted before this one was added, oldest first. A key
   * re-created under an old id starts a fresh timeline: its v1 is not the old v1.
   */
  readonly earlier?: readonly KeyTimeline[];
}

/**
 * Something odd history holds: a file that could not be read, a version that went back to
 * a state it had left, an entry that disappeared. Recorded, never thrown: an old mistake
 * must not stop today's rotation. The audit reports these.
 */
export interface HistoryProblem {
  readonly rule:
    | 'history/unreadable-key-file'
    | 'history/invalid-version-entry'
    | 'history/invalid-key-path'
    | 'history/not-a-file'
    | 'history/state-reentered'
    | 'history/version-removed';
  readonly message: string;
  readonly file: string;
  readonly commit: CommitRef;
}

export interface HistoryIndex {
  readonly keys: ReadonlyMap<string, KeyTimeline>;
  readonly problems: readonly HistoryProblem[];
  /** Manifest-changing commits folded in, oldest first; the newest one, if any. */
  readonly commits: number;
  readonly last?: CommitRef;
}

interface MutableVersion {
  appeared: CommitRef;
  entered: Partial<Record<KeyState, CommitRef>>;
  state: KeyState;
  listed: boolean;
}
interface MutableKey {
  appeared: CommitRef;
  removed?: CommitRef;
  versions: Map<number, MutableVersion>;
  earlier: KeyTimeline[];
}

function frozen(k: MutableKey): KeyTimeline {
  const versions = new Map<number, VersionTimeline>();
  for (const n of [...k.versions.keys()].sort((a, b) => a - b)) {
    const v = k.versions.get(n)!;
    versions.set(n, { appeared: v.appeared, entered: { ...v.entered }, state: v.state });
  }
  return {
    appeared: k.appeared,
    ...(k.removed ? { removed: k.removed } : {}),
    versions,
    ...(k.earlier.length > 0 ? { earlier: [...k.earlier] } : {}),
  };
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Folds manifest commits, oldest first, into per-version timelines. Feed it with
 * {@link add} as commits stream in, then call {@link finish}.
 */
export class HistoryIndexBuilder {
  private readonly keys = new Map<string, MutableKey>();
  private readonly problems: HistoryProblem[] = [];
  private commits = 0;
  private last: CommitRef | undefined;

  add({ commit, changes }: ManifestCommit): void {
    this.commits++;
    this.last = commit;
    for (const change of changes) this.apply(commit, change);
  }

  /**
   * A manifest, policy or `.sops.yaml` path that history shows as a symlink, submodule or
   * other non-regular entry at `commit` (key.yaml itself is reported through {@link add}).
   * Such a tree never validated; the audit lists it rather than reading past it.
   */
  notAFile(commit: CommitRef, file: string): void {
    this.problem(
      'history/not-a-file',
      'a symlink, submodule or other non-regular entry here, not a file rekey reads',
      file,
      commit,
    );
  }

  finish(): HistoryIndex {
    const keys = new Map<string, KeyTimeline>();
    for (const id of [...this.keys.keys()].sort()) keys.set(id, frozen(this.keys.get(id)!));
    return {
      keys,
      problems: [...this.problems],
      commits: this.commits,
      ...(this.last ? { last: this.last } : {}),
    };
  }

  private problem(rule: HistoryProblem['rule'], message: string, file: string, commit: CommitRef) {
    this.problems.push({ rule, message, file, commit });
  }

  private apply(commit: CommitRef, change: KeyFileChange): void {
    const { keyId, file } = change;
    if (!isKeyId(keyId)) {
      this.problem(
        'history/invalid-key-path',
        'key.yaml outside a valid key id folder',
        file,
        commit,
      );
      return;
    }
    let key = this.keys.get(keyId);
    if (change.kind !== 'written') {
      if (change.kind === 'not-a-file')
        this.problem('history/not-a-file', 'key.yaml is a symlink or submodule here', file, commit);
      if (key) key.removed = commit;
      return;
    }
    const read =
      change.read ??
      readVersionStates(
        typeof change.content === 'string' ? change.content : decoder.decode(change.content),
      );
    if (!key) {
      key = { appeared: commit, versions: new Map(), earlier: [] };
      this.keys.set(keyId, key);
    } else if (key.removed) {
      const { earlier, ...previous } = key;
      earlier.push(frozen({ ...previous, earlier: [] }));
      key.appeared = commit;
      key.versions = new Map();
      delete key.removed;
    }
    if (!read.ok) {
      this.problem(
        'history/unreadable-key-file',
        `could not read versions: ${read.reason}`,
        file,
        commit,
      );
      return; // states stay as they were at the last readable commit
    }
    for (const s of read.skipped) this.problem('history/invalid-version-entry', s, file, commit);

    const seen = new Set<number>();
    for (const { version, state } of read.versions) {
      if (seen.has(version)) {
        this.problem(
          'history/invalid-version-entry',
          `version ${version} listed twice`,
          file,
          commit,
        );
        continue;
      }
      seen.add(version);
      const v = key.versions.get(version);
      if (!v) {
        key.versions.set(version, {
          appeared: commit,
          entered: { [state]: commit },
          state,
          listed: true,
        });
        continue;
      }
      v.listed = true;
      if (v.state === state) continue;
      if (v.entered[state] !== undefined)
        this.problem(
          'history/state-reentered',
          `version ${version} went back from ${v.state} to ${state}`,
          file,
          commit,
        );
      else v.entered[state] = commit;
      v.state = state;
    }
    for (const [n, v] of key.versions)
      if (v.listed && !seen.has(n)) {
        v.listed = false;
        this.problem('history/version-removed', `version ${n} is no longer listed`, file, commit);
      }
  }
}

/** {@link HistoryIndexBuilder} over a whole sequence, oldest commit first. */
export function foldHistory(commits: Iterable<ManifestCommit>): HistoryIndex {
  const b = new HistoryIndexBuilder();
  for (const c of commits) b.add(c);
  return b.finish();
}

/** When `version` of `keyId` first entered `state` on first-parent history, if known. */
export function enteredAt(
  index: HistoryIndex,
  keyId: string,
  version: number,
  state: KeyState,
): CommitRef | undefined {
  return index.keys.get(keyId)?.versions.get(version)?.entered[state];
}
