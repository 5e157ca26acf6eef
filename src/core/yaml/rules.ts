/**
 * Every finding the safe YAML loader can report, by stable rule id. docs/formats.md renders
 * this table; tools and tests match on the ids, never on message text.
 */
export const YAML_RULES = {
  'yaml/too-large': 'The file is larger than the size cap; it is rejected before parsing.',
  'yaml/encoding': 'The file is not valid UTF-8.',
  'yaml/bom': 'The file starts with a byte order mark; save it as UTF-8 without BOM.',
  'yaml/crlf':
    'A carriage return (CRLF or CR line ending); use LF so diffs and line numbers agree.',
  'yaml/syntax': 'The YAML parser could not read the file.',
  'yaml/warning': 'The YAML parser warned about the file; warnings are errors here.',
  'yaml/ambiguous-syntax':
    'Syntax YAML parsers read differently: a tab in indentation, an indented `---` or `...`, a top-level block scalar with an indentation indicator (`|1-`); rewrite it.',
  'yaml/multiple-documents': 'More than one YAML document (`---`) in the file.',
  'yaml/directive': 'A `%YAML` or `%TAG` directive; the loader always reads YAML 1.2.',
  'yaml/anchor': 'An anchor (`&name`); anchors and aliases are not allowed.',
  'yaml/alias': 'An alias (`*name`); aliases can expand exponentially and hide content.',
  'yaml/merge-key': 'A merge key (`<<`); merges hide where values come from.',
  'yaml/tag': 'An explicit tag (`!foo`, `!!str`, `!!binary`, ...); the loader takes no tags.',
  'yaml/duplicate-key': 'The same key appears twice in one mapping.',
  'yaml/forbidden-key': 'A `__proto__`, `constructor` or `prototype` key.',
  'yaml/non-string-key': 'A mapping key that is not a string (number, boolean, null, list, map).',
  'yaml/ambiguous-scalar':
    'A plain scalar a YAML 1.1 reader would read differently (yes/no/on/off, 017, 1:30, 0x1F, ...); quote it.',
  'yaml/non-finite-number': 'A number that is infinite or not a number (`.inf`, `.nan`).',
  'yaml/unsafe-integer': 'An integer too large to be represented exactly.',
  'yaml/too-deep': 'Lists and maps nested deeper than the depth cap.',
  'yaml/too-many-nodes': 'More values than the node cap.',
  'yaml/too-many-problems': 'So many findings that the rest of the file was not reported.',
} as const satisfies Record<string, string>;

export type YamlRule = keyof typeof YAML_RULES;
