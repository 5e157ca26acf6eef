/**
 * The published demo recipient (`doctor/demo-recipient`). rekey's template ships an age
 * identity in demo/age-identity.txt so the example keys, the sandbox demo and the tests work
 * without setup; everybody can read anything encrypted to its recipient. A repository whose
 * `.sops.yaml` still names it encrypts every new version for the whole internet, and a
 * material file still wrapped for it is readable by anyone who has the repository. Both are
 * errors. `rekey init` replaces it; `rekey sops rewrap` (after removing it from .sops.yaml)
 * re-wraps the files. Pure: the tree in, findings out.
 */
import type { FileTree } from '../snapshot.ts';
import { finding, type DoctorFinding } from './findings.ts';

/** The recipient of demo/age-identity.txt (test/core/doctor/demo-recipient.test.ts checks it). */
export const DEMO_RECIPIENT = 'age1w99ncydejtgjg26pxg76xr3660u6zvlhxknsywau24pt7nklf3pqupwy02';

const MATERIAL = /^keys-manifest\/.+\.sops\.yaml$/;

export function checkDemoRecipient(tree: FileTree): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const decoder = new TextDecoder();
  const paths = [...tree.keys()].filter((p) => p === '.sops.yaml' || MATERIAL.test(p)).sort();
  for (const path of paths) {
    const lines = decoder.decode(tree.get(path)).split('\n');
    const line = lines.findIndex((l) => l.includes(DEMO_RECIPIENT) && !/^\s*#/.test(l));
    if (line < 0) continue;
    out.push(
      finding(
        'doctor/demo-recipient',
        path === '.sops.yaml'
          ? `.sops.yaml names the published demo recipient ${DEMO_RECIPIENT}: every key rekey encrypts is readable by anyone (its identity is in rekey's template, demo/age-identity.txt)`
          : `${path} is wrapped for the published demo recipient ${DEMO_RECIPIENT}: anyone can decrypt it`,
        { file: path, line: line + 1 },
      ),
    );
  }
  return out;
}
