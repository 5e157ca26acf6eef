import { diagnostic, InvalidInputError, type Diagnostic } from '../../core/diagnostics.ts';
import { isKeyId } from '../../core/formats/key-id.ts';
import { parseYaml } from '../../core/yaml/index.ts';

/**
 * The plaintext of `keys-manifest/<id>/v<N>.sops.yaml` before encryption (DESIGN "Formats"):
 * `id`, `version`, `secret` and, for asymmetric types, `public`, in that order. Only
 * `secret` is encrypted (`encrypted_regex: ^secret$`), so `id` and `version` are bound to
 * the material by the SOPS MAC while `public` stays readable in review.
 */
export interface MaterialPlaintext {
  readonly id: string;
  readonly version: number;
  readonly secret: string;
  readonly public?: string | undefined;
}

/** Material files are small (an RSA-4096 PEM is about 3.3 KB); anything larger is not ours. */
export const MATERIAL_MAX_BYTES = 64 * 1024;
const MAX_VERSION = 1_000_000;
const KEYS = ['id', 'version', 'secret', 'public'] as const;

/**
 * Renders the plaintext document. Multi-line values (PEM, OpenSSH keys) become literal
 * blocks (`|`), so the file reads like the key it holds; single-line strings are always
 * double-quoted, so no value can be read as a number or a YAML 1.1 boolean by any reader.
 *
 * Written by hand rather than through the yaml package's stringifier: for some multi-line
 * values with control characters (never produced by rekey's generators, but possible in
 * imported material) yaml 2.9 folds a double-quoted scalar into text that reads back
 * differently. Each block is read back before it is used, and anything that is not plain
 * printable text is written as a double-quoted string with every other character escaped.
 */
export function materialPlaintext(m: MaterialPlaintext): string {
  if (!isKeyId(m.id)) throw new RangeError('material id is not a key id');
  if (!Number.isInteger(m.version) || m.version < 1 || m.version > MAX_VERSION)
    throw new RangeError(`material version must be an integer 1..${MAX_VERSION}`);
  if (m.secret.length === 0) throw new RangeError('material secret is empty');
  if (m.public !== undefined && m.public.length === 0)
    throw new RangeError('material public part is empty; omit it instead');

  const lines = [
    `id: ${doubleQuoted(m.id)}`,
    `version: ${m.version}`,
    `secret: ${scalar(m.secret)}`,
  ];
  if (m.public !== undefined) lines.push(`public: ${scalar(m.public)}`);
  return `${lines.join('\n')}\n`;
}

/** Printable text without tabs, CR, BOM or astral characters: safe in a literal block. */
const BLOCK_SAFE = /^[\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;

function scalar(value: string): string {
  if (value.includes('\n') && BLOCK_SAFE.test(value)) {
    const block = literalBlock(value);
    if (readsBack(block, value)) return block;
  }
  return doubleQuoted(value);
}

/**
 * `|` plus chomping (`-` no final newline, none for one, `+` for several) and, when the
 * first line is empty or starts with a space, an explicit indentation indicator, since a
 * reader would otherwise take the leading spaces for indentation.
 */
function literalBlock(value: string): string {
  const trailing = /\n*$/.exec(value)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const indent = /^[ \n]/.test(value) ? '2' : '';
  const body = trailing === 0 ? value : value.slice(0, -1);
  const lines = body.split('\n').map((l) => (l === '' ? '' : `  ${l}`));
  return `|${indent}${chomp}\n${lines.join('\n')}`;
}

/** Whether the deciding loader reads `rendered` back as exactly `value`, without findings. */
function readsBack(rendered: string, value: string): boolean {
  const r = parseYaml('material', new TextEncoder().encode(`v: ${rendered}\n`), {
    maxBytes: MATERIAL_MAX_BYTES + 16,
  });
  return r.diagnostics.length === 0 && (r.value as { v?: unknown } | undefined)?.v === value;
}

/** A YAML double-quoted string: printable ASCII as is, everything else escaped. */
function doubleQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/**
 * Parses decrypted material strictly, through the project's safe YAML loader (size cap, no
 * aliases, anchors, tags or merge keys, unique keys, warnings are errors), then exactly the
 * four keys above with their types. Throws InvalidInputError with every finding; messages
 * name the key and what was expected, never the value, because the value may be the secret.
 */
export function parseMaterialPlaintext(text: string, file = 'material'): MaterialPlaintext {
  const parsed = parseYaml(file, new TextEncoder().encode(text), { maxBytes: MATERIAL_MAX_BYTES });
  const out: Diagnostic[] = [...parsed.diagnostics];
  const value = parsed.value;
  // A file the loader could not read at all has nothing to check; after lesser findings the
  // loader's best reading is checked too, so every problem is reported at once.
  if (value === undefined) throw new InvalidInputError(out);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidInputError([
      ...out,
      diagnostic('material/not-a-map', 'material is a map of id, version, secret, public', {
        file,
        line: 1,
        column: 1,
      }),
    ]);

  const doc = value as Record<string, unknown>;
  const at = (key: string) => parsed.locate([key]);
  for (const key of Object.keys(doc))
    if (!(KEYS as readonly string[]).includes(key))
      // The key is not quoted either: a mangled file could have the secret in key position.
      out.push(
        diagnostic('material/unknown-key', `unknown key; material has ${KEYS.join(', ')}`, at(key)),
      );

  const str = (key: 'id' | 'secret' | 'public', required: boolean): string | undefined => {
    const v = doc[key];
    if (v === undefined) {
      if (required)
        out.push(diagnostic('material/missing-key', `missing required key "${key}"`, at(key)));
      return undefined;
    }
    if (typeof v !== 'string' || v.length === 0) {
      out.push(
        diagnostic('material/invalid-value', `"${key}" must be a non-empty string`, at(key)),
      );
      return undefined;
    }
    return v;
  };
  const id = str('id', true);
  if (id !== undefined && !isKeyId(id))
    out.push(
      diagnostic(
        'material/invalid-value',
        '"id" must be a key id (1-4 segments of [a-z0-9][a-z0-9-]* joined by "/")',
        at('id'),
      ),
    );
  const version = doc['version'];
  if (version === undefined)
    out.push(diagnostic('material/missing-key', 'missing required key "version"', at('version')));
  else if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 1 ||
    version > MAX_VERSION
  )
    out.push(
      diagnostic(
        'material/invalid-value',
        `"version" must be an integer 1..${MAX_VERSION}`,
        at('version'),
      ),
    );
  const secret = str('secret', true);
  const pub = str('public', false);
  if (out.length > 0 || id === undefined || secret === undefined || typeof version !== 'number')
    throw new InvalidInputError(out);
  return pub === undefined ? { id, version, secret } : { id, version, secret, public: pub };
}
