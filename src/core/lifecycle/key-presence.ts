/**
 * A key that appears or disappears in a change. A new key starts with no versions or with
 * v1 active; a key may be removed only when every version is destroyed (its targets are then
 * cleaned up and nothing live is left behind unaudited).
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { KeyComparison } from './change.ts';
import type { KeyFacts } from './model.ts';
import { violation } from './rules.ts';

export function newKey(head: KeyFacts): KeyComparison {
  const versions = head.doc.value.versions;
  const diagnostics: Diagnostic[] = [];
  versions.forEach((v, i) => {
    if (i === 0 && v.version === 1 && v.state === 'active') return;
    diagnostics.push(
      violation(
        'lifecycle/new-key-versions',
        i === 0
          ? `a new key starts with v1 active (or no versions), not v${v.version} ${v.state}`
          : `a new key starts with a single entry, v1 active; remove v${v.version} (${v.state}): a key's history begins when rekey first sees it`,
        head.doc.locate(['versions', i, i === 0 && v.version === 1 ? 'state' : 'version']),
      ),
    );
  });
  return {
    change: {
      keyId: head.id,
      kinds: ['new-key'],
      moves: versions.map((v) => ({ version: v.version, from: undefined, to: v.state })),
      configuration: [],
    },
    diagnostics,
  };
}

export function removedKey(base: KeyFacts): KeyComparison {
  const versions = base.doc.value.versions;
  const live = versions.flatMap((v, i) => (v.state === 'destroyed' ? [] : [i]));
  const diagnostics = live
    .slice(0, 1)
    .map((i) =>
      violation(
        'lifecycle/key-removed',
        `key ${base.id} was removed while ${live.map((j) => `v${versions[j]!.version} (${versions[j]!.state})`).join(', ')} ${live.length === 1 ? 'is' : 'are'} live; ` +
          'destroy every version through revocation first, so its targets are cleaned up and the audit trail is complete',
        base.doc.locate(['versions', i, 'state']),
      ),
    );
  return {
    change: {
      keyId: base.id,
      kinds: ['removal'],
      moves: versions.map((v) => ({ version: v.version, from: v.state, to: undefined })),
      configuration: [],
    },
    diagnostics,
  };
}
