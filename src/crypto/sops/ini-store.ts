/**
 * INI store, as sops reads and writes it with gopkg.in/ini.v1 (stores/ini/store.go): each
 * section is a top-level map of string values (keys before any section belong to `DEFAULT`);
 * a comment above a section is that section's first item; a comment above a key (or after its
 * value, `;`/`#` start an inline comment in ini.v1) follows the key; leading `;`/`#` and
 * spaces are stripped from comment text. Values may be quoted (`"…"`, `` `…` ``) or span lines
 * between `"""`. The metadata is the `[sops]` section, flattened below the top
 * (`age__list_0__map_enc`), newlines escaped as `\n`; sops 3.13.0/3.13.1 wrote `"""` blocks
 * instead, and both are read.
 */
import type { SourceLocation } from '../../core/diagnostics.ts';
import { MalformedSopsFileError } from '../../core/ports/sops.ts';
import { flatten, unflatten } from './dotenv-store.ts';
import type { LoadedFile, Store } from './store.ts';
import type { Branch, CommentItem, Leaf, Pair } from './tree.ts';

/** stripCommentChar: drops every leading `;`/`#` and space of the comment's first line. */
const stripComment = (c: string): string =>
  c.startsWith(';') ? c.replace(/^[; ]+/, '') : c.startsWith('#') ? c.replace(/^[# ]+/, '') : c;

interface Section {
  name: string;
  comment?: string;
  items: (Pair | CommentItem)[];
}

export const iniStore: Store = {
  name: 'ini',
  load(file: string, text: string): LoadedFile {
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const sections: Section[] = [];
    const locations = new WeakMap<Leaf, SourceLocation>();
    let current: Section | undefined;
    let pending: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim();
      if (line === '') continue;
      if (line.startsWith(';') || line.startsWith('#')) {
        pending.push(line);
        continue;
      }
      const at = { file, line: i + 1, column: 1 };
      if (line.startsWith('[')) {
        if (!line.endsWith(']')) throw new MalformedSopsFileError(at, 'invalid INI section header');
        current = { name: line.slice(1, -1).trim(), items: [] };
        if (pending.length) current.comment = stripComment(pending.join('\n'));
        pending = [];
        sections.push(current);
        continue;
      }
      const d = line.search(/[=:]/);
      if (d <= 0) throw new MalformedSopsFileError(at, 'invalid INI line: expected key = value');
      const key = line.slice(0, d).trim();
      let rest = line.slice(d + 1).trim();
      let value: string;
      let inline: string | undefined;
      if (rest.startsWith('"""')) {
        rest = rest.slice(3);
        const parts: string[] = [];
        while (!rest.includes('"""')) {
          parts.push(rest);
          if (++i >= lines.length) throw new MalformedSopsFileError(at, 'unterminated """ value');
          rest = lines[i] as string;
        }
        parts.push(rest.slice(0, rest.indexOf('"""')));
        value = parts.join('\n');
      } else if (/^(["`]).*\1$/.test(rest) && rest.length >= 2) {
        value = rest.slice(1, -1);
      } else {
        const c = rest.search(/[;#]/);
        value = c < 0 ? rest : rest.slice(0, c).trimEnd();
        if (c >= 0) inline = rest.slice(c);
      }
      if (!current) {
        current = { name: 'DEFAULT', items: [] };
        sections.push(current);
      }
      const v = { t: 'str' as const, v: value };
      locations.set(v, at);
      current.items.push({ t: 'pair', key, value: v });
      const comment = [...pending, ...(inline ? [inline] : [])];
      if (comment.length)
        current.items.push({ t: 'comment', text: stripComment(comment.join('\n')), inline: false });
      pending = [];
    }

    const meta = sections.find((s) => s.name === 'sops');
    const metadata = meta
      ? unflatten(
          meta.items
            .filter((x): x is Pair => x.t === 'pair' && x.value.t === 'str')
            .map((x) => [x.key, (x.value as { v: string }).v.replaceAll('\\n', '\n')] as const),
        )
      : undefined;
    const branch: Branch = {
      t: 'map',
      items: sections
        .filter((s) => s.name !== 'sops')
        .map((s): Pair => ({
          t: 'pair',
          key: s.name,
          value: {
            t: 'map',
            items: [
              ...(s.comment ? [{ t: 'comment' as const, text: s.comment, inline: false }] : []),
              ...s.items,
            ],
          },
        })),
    };
    return { branches: [branch], metadata, reserved: meta !== undefined, locations };
  },

  emit(branches, metadata): string {
    const out: string[] = [];
    for (const item of branches[0]?.items ?? []) {
      if (item.t !== 'pair' || item.value.t !== 'map') continue;
      const items = item.value.items;
      let first = 0;
      const head = items[0];
      if (head?.t === 'comment') {
        out.push(`; ${head.text}`);
        first = 1;
      }
      out.push(`[${item.key}]`);
      // A comment item follows its key in the tree and is written above it (ini.v1 Key.Comment).
      let lastKeyLine = -1;
      for (const x of items.slice(first)) {
        if (x.t === 'comment') {
          if (lastKeyLine >= 0) out.splice(lastKeyLine, 0, `; ${x.text}`);
          if (lastKeyLine >= 0) lastKeyLine += 1;
          continue;
        }
        const value = x.value.t === 'str' ? x.value.v : 'v' in x.value ? String(x.value.v) : '';
        lastKeyLine = out.length;
        out.push(`${x.key} = ${iniValue(value)}`);
      }
      out.push('');
    }
    if (metadata) {
      out.push('[sops]');
      for (const [k, v] of flatten(metadata, '')) out.push(`${k} = ${v.replaceAll('\n', '\\n')}`);
      out.push('');
    }
    return out.map((l) => l + '\n').join('');
  },
};

/** Quotes values ini.v1 would otherwise cut or trim. */
function iniValue(v: string): string {
  if (v.includes('\n')) return `"""${v}"""`;
  if (/[;#]/.test(v) || v !== v.trim() || /^["`]/.test(v))
    return v.includes('"') ? `\`${v}\`` : `"${v}"`;
  return v;
}
