/**
 * dotenv store (reference §8): `KEY=VALUE` lines split at the first `=`, key verbatim, `\n`
 * in values unescaped; `#` lines are comments; every value is a string. The metadata is
 * flattened under the `sops_` prefix with `__map_` / `__list_` separators.
 */
import { MalformedSopsFileError } from '../../core/ports/sops.ts';
import type { SourceLocation } from '../../core/diagnostics.ts';
import type { LoadedFile, Store } from './store.ts';
import type { CommentItem, Leaf, Pair } from './tree.ts';

const PREFIX = 'sops_';

/** Flattens metadata as stores/flatten.go does (`age__list_0__map_enc`). */
export function flatten(
  v: unknown,
  prefix: string,
  out: [string, string][] = [],
): [string, string][] {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${prefix}__list_${i}`, out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v))
      flatten(x, prefix === '' ? k : `${prefix}__map_${k}`, out);
  else if (v !== undefined && v !== null) out.push([prefix, String(v)]);
  return out;
}

/** The inverse of flatten: `age__list_0__map_enc` back to `{age: [{enc}]}`. */
export function unflatten(
  entries: readonly (readonly [string, string])[],
): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [flat, value] of entries) {
    const parts = flat.split(/__(map|list)_/);
    // parts: [first, kind, name, kind, name, …]
    let node: Record<string, unknown> | unknown[] = root;
    let key: string | number = parts[0] ?? '';
    for (let i = 1; i < parts.length; i += 2) {
      const kind = parts[i];
      const next = parts[i + 1] ?? '';
      const cur = (node as Record<string, unknown>)[key as string];
      const child = cur ?? (kind === 'list' ? [] : {});
      (node as Record<string, unknown>)[key as string] = child;
      node = child as Record<string, unknown>;
      key = kind === 'list' ? Number(next) : next;
    }
    (node as Record<string, unknown>)[key as string] = value;
  }
  return root;
}

export const dotenvStore: Store = {
  name: 'dotenv',
  load(file: string, text: string): LoadedFile {
    const items: (Pair | CommentItem)[] = [];
    const meta: [string, string][] = [];
    const locations = new WeakMap<Leaf, SourceLocation>();
    text.split('\n').forEach((raw, i) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return;
      if (line.startsWith('#')) {
        items.push({ t: 'comment', text: line.slice(1), inline: false });
        return;
      }
      const eq = line.indexOf('=');
      if (eq < 0)
        throw new MalformedSopsFileError(
          { file, line: i + 1, column: 1 },
          'invalid dotenv line: expected KEY=VALUE',
        );
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).replaceAll('\\n', '\n');
      if (key.startsWith(PREFIX)) meta.push([key.slice(PREFIX.length), value]);
      else {
        const v = { t: 'str' as const, v: value };
        locations.set(v, { file, line: i + 1, column: eq + 2 });
        items.push({ t: 'pair', key, value: v });
      }
    });
    return {
      branches: [{ t: 'map', items }],
      metadata: meta.length > 0 ? unflatten(meta) : undefined,
      reserved: meta.length > 0,
      locations,
    };
  },
  emit(branches, metadata): string {
    const lines: string[] = [];
    for (const item of branches[0]?.items ?? []) {
      if (item.t === 'comment') lines.push(`#${item.text}`);
      else if (item.value.t === 'str')
        lines.push(`${item.key}=${item.value.v.replaceAll('\n', '\\n')}`);
      else if (item.value.t !== 'null' && item.value.t !== 'map' && item.value.t !== 'list')
        lines.push(`${item.key}=${String(item.value.v)}`);
    }
    if (metadata)
      for (const [k, v] of flatten(metadata, ''))
        lines.push(`${PREFIX}${k}=${v.replaceAll('\n', '\\n')}`);
    return lines.map((l) => l + '\n').join('');
  },
};
