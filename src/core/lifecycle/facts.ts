/**
 * Builds the facts the lifecycle rules read (model.ts) from loaded documents. Material files
 * are read as plain located YAML, not through a strict schema: verify must still compare a
 * malformed file with its base (the schema's own findings are reported by the loader), and
 * the rules only ever compare these values, never trust them.
 */
import type { Located } from '../snapshot.ts';
import type { MaterialFacts } from './model.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (v: unknown, k: string): unknown =>
  isObj(v) && Object.hasOwn(v, k) ? v[k] : undefined;

/** The clear fields of a parsed material file (any shape: missing fields read as undefined). */
export function materialFacts(doc: Located<unknown>, text: string, loaded: boolean): MaterialFacts {
  const sops = field(doc.value, 'sops');
  return {
    file: doc.file,
    id: field(doc.value, 'id'),
    version: field(doc.value, 'version'),
    secret: field(doc.value, 'secret'),
    public: field(doc.value, 'public'),
    mac: field(sops, 'mac'),
    lastmodified: field(sops, 'lastmodified'),
    recipients: recipientGroups(sops),
    text,
    loaded,
    locate: (path) => doc.locate(path),
  };
}

/** sops reads the flat lists when any is non-empty, else `key_groups` (sops-format.md §7). */
function recipientGroups(sops: unknown): string[][] {
  const flat = ageRecipients(field(sops, 'age'));
  const groups = field(sops, 'key_groups');
  if (flat.length > 0 || !Array.isArray(groups)) return [flat];
  return groups.map((g) => ageRecipients(field(g, 'age')));
}

function ageRecipients(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    const r = field(e, 'recipient');
    return typeof r === 'string' ? [r] : [];
  });
}
