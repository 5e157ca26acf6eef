/**
 * Re-wrapping live material for the recipients `.sops.yaml` names now (`sops updatekeys`
 * for a whole manifest): shared by `rekey sops rewrap` and distribution's `rekey/rewrap` PR.
 *
 * `stale` finds, without any key, every live material file whose recipients differ from its
 * creation rule's (the only difference a re-wrap can fix: a different crypt rule or MAC mode
 * is left to preflight, which refuses it); `rewrapFiles` re-wraps them with an identity that
 * opens them as they are. Values, MAC and lastmodified stay byte-identical
 * (src/crypto/sops/rewrap.ts); verify recognises the result as a `rewrap`.
 */
import { materialFile, type KeyDocument } from '../core/formats/index.ts';
import { RecipientsMismatchError } from '../core/ports/sops.ts';
import type { FileTree } from '../core/snapshot.ts';
import { findCreationRule, type SopsConfig } from '../core/sops-config.ts';
import {
  checkFileAgainstRule,
  type RewrapOptions,
  type RewrapResult,
} from '../crypto/sops/index.ts';

/** What re-wraps a file: the built-in codec (it needs the data key, so an identity). */
export interface Rewrapper {
  rewrap(path: string, encrypted: Uint8Array, options: RewrapOptions): Promise<RewrapResult>;
}

/** A live material file that is not wrapped for its rule's recipients. */
export interface StaleFile {
  readonly key: string;
  readonly path: string;
}

/** The live material files of `keys` (every version not destroyed) wrapped for other recipients. */
export function staleMaterial(
  keys: readonly KeyDocument[],
  tree: FileTree,
  config: SopsConfig,
): StaleFile[] {
  const out: StaleFile[] = [];
  for (const key of keys)
    for (const v of key.versions) {
      if (v.state === 'destroyed') continue;
      const path = materialFile(key.id, v.version);
      const bytes = tree.get(path);
      const rule = findCreationRule(config, path);
      if (bytes === undefined || rule === undefined) continue;
      try {
        checkFileAgainstRule(path, bytes, rule);
      } catch (e) {
        // Anything else (a malformed file, another crypt rule) is preflight's to report.
        if (e instanceof RecipientsMismatchError) out.push({ key: key.id, path });
      }
    }
  return out;
}

export interface RewrappedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface RewrapOutcome {
  readonly rewrapped: readonly RewrappedFile[];
  /** Files already wrapped for their rule's recipients. */
  readonly unchanged: readonly string[];
  /** Per file, why it could not be re-wrapped (secret-free: SOPS errors name file and path). */
  readonly problems: ReadonlyMap<string, string>;
}

const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';

/** Re-wraps each of `paths` in `tree` for its creation rule. Pure apart from the codec. */
export async function rewrapFiles(
  paths: readonly string[],
  tree: FileTree,
  config: SopsConfig,
  codec: Rewrapper,
): Promise<RewrapOutcome> {
  const rewrapped: RewrappedFile[] = [];
  const unchanged: string[] = [];
  const problems = new Map<string, string>();
  for (const path of [...new Set(paths)].sort()) {
    const bytes = tree.get(path);
    const rule = findCreationRule(config, path);
    if (bytes === undefined) problems.set(path, `${path}: no such file`);
    else if (rule === undefined)
      problems.set(path, `${path}: no .sops.yaml creation rule matches this path`);
    else
      try {
        const r = await codec.rewrap(path, bytes, {
          rule,
          yamlIndent: config.yamlIndent,
          jsonIndent: config.jsonIndent,
        });
        if (r.outcome === 'unchanged') unchanged.push(path);
        else rewrapped.push({ path, bytes: r.bytes, added: r.added, removed: r.removed });
      } catch (e) {
        problems.set(path, message(e));
      }
  }
  return { rewrapped, unchanged, problems };
}

/** `+age1…, -age1…` for a person. */
export function describeRewrap(f: Pick<RewrappedFile, 'added' | 'removed'>): string {
  return [...f.added.map((r) => `+${r}`), ...f.removed.map((r) => `-${r}`)].join(', ');
}
