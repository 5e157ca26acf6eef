/**
 * Every rule of verify that one tree can be put to on its own, for `rekey validate` and the
 * rotate flow's check of the default branch: the lifecycle invariants, and the content of
 * every material file (public form, recipients equal to this tree's own `.sops.yaml` rule)
 * and a private-key scan of every manifest and policy file. No transition rules: there is no
 * base to compare with. Load findings are the caller's (`loadSnapshot` returns them).
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { checkManifestInvariants } from '../lifecycle/invariants.ts';
import { checkPublicForm } from './material-content.ts';
import { isScannedPath, scanForPrivateKeys } from './plaintext.ts';
import { checkRecipients } from './recipients.ts';
import { manifestFactsOf, sopsConfigOf, type ChangeSide } from './snapshot-side.ts';

export function checkSnapshot(side: ChangeSide, now: Date): Diagnostic[] {
  const manifest = manifestFactsOf(side);
  const config = sopsConfigOf(side.snapshot);
  const out = checkManifestInvariants(manifest, now);
  for (const key of manifest.keys.values())
    for (const mat of key.materials.values())
      if (mat.loaded)
        out.push(...checkPublicForm(mat, key.doc.value.type), ...checkRecipients(mat, config));
  const decoder = new TextDecoder();
  for (const [path, bytes] of side.tree)
    if (isScannedPath(path)) out.push(...scanForPrivateKeys(path, decoder.decode(bytes)));
  return sortDiagnostics(out);
}
