/**
 * Invariants every snapshot of the manifest must hold, whatever change produced it
 * (DESIGN.md "Formats" and "Lifecycle"). They are checked on the head of every change, so a
 * change can never leave the default branch in a state the rules below forbid.
 *
 * Across keys: one target has one owner (`target/shared`, `target/shadowed`).
 *
 * Cross-file format rules are the loader's (load-snapshot.ts) and are not repeated here: a
 * material file whose clear id/version disagree with its path is `manifest/material-mismatch`,
 * one in a folder without key.yaml is `manifest/orphan-material`.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { materialFile } from '../formats/index.ts';
import { checkTargetOwnership } from '../targets/ownership.ts';
import type { KeyFacts, ManifestFacts } from './model.ts';
import { violation } from './rules.ts';

/**
 * `material: false` leaves out the rules that compare key.yaml with the material files present
 * (lifecycle/material-*), for a caller that did not read them (plan).
 */
export interface InvariantOptions {
  readonly material?: boolean;
}

export function checkManifestInvariants(
  m: ManifestFacts,
  now: Date,
  opts: InvariantOptions = {},
): Diagnostic[] {
  const keys = [...m.keys.values()];
  return [
    ...keys.flatMap((key) => checkKeyInvariants(key, now, opts)),
    // One target, one owner (targets/ownership.ts): a rule across keys, on every snapshot.
    ...checkTargetOwnership(keys.map((k) => k.doc)),
  ];
}

export function checkKeyInvariants(
  key: KeyFacts,
  now: Date,
  opts: InvariantOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { doc } = key;
  const versions = doc.value.versions;
  const at = (i: number, field: string) => doc.locate(['versions', i, field]);

  // Newest first: strictly decreasing numbers. Report the first entry out of order only;
  // one misplaced entry would otherwise make every later one look wrong too.
  for (let i = 1; i < versions.length; i++) {
    const above = versions[i - 1]!.version;
    const here = versions[i]!.version;
    if (here > above) {
      out.push(
        violation(
          'lifecycle/version-order',
          `v${here} is listed below v${above}; list versions newest first`,
          at(i, 'version'),
        ),
      );
      break;
    }
  }

  const seen = new Set<number>();
  versions.forEach((v, i) => {
    if (seen.has(v.version))
      out.push(
        violation(
          'lifecycle/version-duplicate',
          `v${v.version} is listed twice; each version number names one piece of material`,
          at(i, 'version'),
        ),
      );
    seen.add(v.version);
  });

  const max = Math.max(0, ...seen);
  const missing: number[] = [];
  for (let n = 1; n <= max; n++) if (!seen.has(n)) missing.push(n);
  if (missing.length > 0) {
    // Point at the entry just newer than the first gap, where a reviewer would look.
    const firstMissing = missing[0]!;
    const above = versions.findIndex((v) => v.version > firstMissing && !seen.has(v.version - 1));
    out.push(
      violation(
        'lifecycle/version-gap',
        // A hostile `version: 1000000` must not produce a megabyte of message.
        `${missing
          .slice(0, 5)
          .map((n) => `v${n}`)
          .join(
            ', ',
          )}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} ${missing.length === 1 ? 'is' : 'are'} missing; version numbers run from v1 without gaps and entries are never removed`,
        above >= 0 ? at(above, 'version') : doc.locate(['versions']),
      ),
    );
  }

  for (const state of ['active', 'pre-activation'] as const) {
    const idx = versions.flatMap((v, i) => (v.state === state ? [i] : []));
    for (const i of idx.slice(1))
      out.push(
        violation(
          state === 'active' ? 'lifecycle/multiple-active' : 'lifecycle/multiple-pre-activation',
          `v${versions[i]!.version} and v${versions[idx[0]!]!.version} are both ${state}; a key has at most one ${state} version` +
            (state === 'active' ? ' (move the older one to deactivated in the same change)' : ''),
          at(i, 'state'),
        ),
      );
  }

  versions.forEach((v, i) => {
    if (Date.parse(v.created) > now.getTime())
      out.push(
        violation(
          'lifecycle/created-in-future',
          `v${v.version} was created ${v.created}, after the time of this check (${iso(now)}); creation times are taken when the material is generated`,
          at(i, 'created'),
        ),
      );
  });

  if (opts.material === false) return out;
  // Material files: exactly one per live version, none for destroyed versions.
  const listed = new Map(versions.map((v, i) => [v.version, i] as const));
  versions.forEach((v, i) => {
    if (listed.get(v.version) !== i) return; // duplicates reported above
    const has = key.materials.has(v.version);
    const path = materialFile(key.id, v.version);
    if (v.state === 'destroyed' && has)
      out.push(
        violation(
          'lifecycle/material-for-destroyed',
          `v${v.version} is destroyed but ${path} still exists; delete it in the change that destroys the version`,
          at(i, 'state'),
        ),
      );
    if (v.state !== 'destroyed' && !has)
      out.push(
        violation(
          'lifecycle/material-missing',
          `v${v.version} is ${v.state} but ${path} does not exist; every live version keeps its encrypted material`,
          at(i, 'state'),
        ),
      );
  });
  for (const [n, mat] of key.materials) {
    if (!listed.has(n))
      out.push(
        violation(
          'lifecycle/material-orphan',
          `${mat.file} is not listed in ${doc.file}; add v${n} to versions or delete the file`,
          mat.locate([]),
        ),
      );
  }
  return out;
}

const iso = (d: Date): string => d.toISOString().slice(0, 19) + 'Z';
