/**
 * Material is never edited in place (principle 4: material once generated is never
 * regenerated). Between base and head, a material file of an existing version may change
 * only in its age stanzas: that is `sops updatekeys` re-wrapping the same data key for new
 * recipients, which leaves the ciphertext, the MAC and lastmodified untouched.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { KeyFacts, MaterialFacts } from './model.ts';
import { violation } from './rules.ts';

export interface MaterialComparison {
  /** Some file changed only in its key wrapping (a configuration change). */
  readonly rewrapped: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

export function compareMaterials(base: KeyFacts, head: KeyFacts): MaterialComparison {
  const diagnostics: Diagnostic[] = [];
  let rewrapped = false;
  for (const [n, bm] of base.materials) {
    const hm = head.materials.get(n);
    if (hm === undefined || hm.text === bm.text) continue;
    const edited = MATERIAL_FIELDS.filter(
      (f) => JSON.stringify(f.get(bm)) !== JSON.stringify(f.get(hm)),
    );
    if (edited.length === 0) rewrapped = true;
    else
      diagnostics.push(
        violation(
          'lifecycle/material-edited',
          `${hm.file}: ${edited.map((f) => f.name).join(', ')} changed for existing v${n}; material is never edited in place (only re-wrapping the data key for new recipients is). Add a new version instead`,
          hm.locate(edited[0]!.path),
        ),
      );
  }
  return { rewrapped, diagnostics };
}

/** The clear parts of a material file that bind it to one version; see DESIGN.md "Formats". */
const MATERIAL_FIELDS: readonly {
  name: string;
  path: readonly string[];
  get: (m: MaterialFacts) => unknown;
}[] = [
  { name: 'secret', path: ['secret'], get: (m) => m.secret },
  { name: 'id', path: ['id'], get: (m) => m.id },
  { name: 'version', path: ['version'], get: (m) => m.version },
  { name: 'public', path: ['public'], get: (m) => m.public },
  { name: 'sops.mac', path: ['sops', 'mac'], get: (m) => m.mac },
  { name: 'sops.lastmodified', path: ['sops', 'lastmodified'], get: (m) => m.lastmodified },
];
