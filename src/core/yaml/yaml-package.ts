/**
 * The previous safe YAML loader, on the `yaml` package (CST parser + Document API). It no
 * longer decides anything: parse-yaml.ts (js-yaml's event parser) does. It is kept for two
 * jobs only: to LOCATE and describe the problems of a file the deciding parser has already
 * refused (its findings are richer: every syntax error, not the first), and as the reference
 * the differential tests compare the deciding loader against.
 *
 * Original description: the safe YAML loader every rekey input goes through (key.yaml, policies, material files,
 * .sops.yaml). YAML is a large language and most of it is a liability in files that decide
 * who holds which key: aliases can expand exponentially, merge keys and tags change what a
 * reviewer sees, duplicate keys silently drop a line, YAML 1.1 readers disagree about `no`.
 * So the loader accepts a small, unambiguous subset and reports everything else as a finding
 * with file, line, column and a stable rule id (see ./rules.ts): all of them, not the first.
 *
 * Steps: size cap on the bytes; BOM and strict UTF-8; CR check; the `yaml` package's CST
 * parser (iterative) with a nesting check before composing (the composer recurses); the
 * Document API with the YAML 1.2 core schema, no custom tags, no merge; one walk over the
 * nodes (./walk.ts) that builds the plain value and applies the node rules. Line numbers
 * are computed only when a finding or a caller's locate() needs one, and the Document is not
 * retained (see lazyLocate).
 */
import { Composer, Parser } from 'yaml';
import type { CST, Document, DocumentOptions, ParseOptions, SchemaOptions, YAMLError } from 'yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import { DEFAULT_YAML_LIMITS } from './limits.ts';
import type { ParsedYaml, YamlLimits } from './limits.ts';
import type { DocPath } from '../snapshot.ts';
import { firstTooDeep } from './cst-depth.ts';
import { Findings } from './findings.ts';
import { locateIn } from './locate.ts';
import { type LineIndex, readYamlText } from './text.ts';
import { Walk } from './walk.ts';

const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  schema: 'core',
  customTags: [],
  merge: false,
  uniqueKeys: true,
  intAsBigInt: false,
  prettyErrors: false,
  keepSourceTokens: false,
};

export function parseWithYamlPackage(
  file: string,
  bytes: Uint8Array,
  limits: YamlLimits = {},
): ParsedYaml {
  const { maxBytes, maxDepth, maxNodes } = { ...DEFAULT_YAML_LIMITS, ...limits };
  const fileStart: SourceLocation = { file, line: 0, column: 0 };
  const unreadable = (diagnostics: Diagnostic[]): ParsedYaml => ({
    value: undefined,
    locate: () => fileStart,
    diagnostics,
  });

  const findings = new Findings(file);
  const read = readYamlText(bytes, maxBytes, findings);
  if (!read) return unreadable(findings.list);
  const { text, lines } = read;

  const { doc, tooDeepAt, secondDocAt } = compose(text, maxDepth);
  if (tooDeepAt !== -1) {
    findings.add(
      'yaml/too-deep',
      `nested deeper than ${maxDepth} levels`,
      lines.position(tooDeepAt),
    );
    return unreadable(findings.list);
  }

  let unusable = false;
  if (secondDocAt !== -1) {
    findings.add(
      'yaml/multiple-documents',
      'only one YAML document per file (remove the second `---`)',
      lines.position(secondDocAt),
    );
    unusable = true;
  }
  for (const e of doc.errors) unusable = parserProblem(findings, lines, e, true) || unusable;
  for (const w of doc.warnings) parserProblem(findings, lines, w, false);
  if (doc.directives.yaml.explicit || Object.keys(doc.directives.tags).length > 1) {
    // A %YAML 1.1 directive would switch the parser to YAML 1.1 rules.
    findings.add('yaml/directive', 'remove %YAML / %TAG directives; files are read as YAML 1.2', {
      line: 1,
      column: 1,
    });
    unusable = true;
  }

  const walk = new Walk(text, findings, lines, { maxDepth, maxNodes });
  const value = unusable ? undefined : walk.build(doc.contents, 0);
  return {
    value: unusable || walk.guessed ? undefined : value,
    locate: lazyLocate(file, text, lines, maxDepth),
    diagnostics: findings.list,
  };
}

/**
 * locate() for a parsed file. A composed Document is many times larger than its text, and a
 * snapshot holds thousands of files of which almost none ever needs a position; so the
 * Document is not kept. The first locate() composes the same text again (same offsets) and
 * keeps that one for later calls.
 */
function lazyLocate(
  file: string,
  text: string,
  lines: LineIndex,
  maxDepth: number,
): (path: DocPath) => SourceLocation {
  let doc: Document.Parsed | undefined;
  return (path) => {
    doc ??= compose(text, maxDepth).doc;
    return { file, ...lines.position(locateIn(doc, path)) };
  };
}

/**
 * What `yaml.parseDocument` does, with one addition: each CST document's nesting is checked
 * before the (recursive) composer sees it. Only the first document is kept; a second one is
 * reported by its offset.
 */
function compose(
  text: string,
  maxDepth: number,
): { doc: Document.Parsed; tooDeepAt: number; secondDocAt: number } {
  let tooDeepAt = -1;
  function* checked(tokens: Iterable<CST.Token>): Generator<CST.Token> {
    for (const token of tokens) {
      if (token.type === 'document') {
        tooDeepAt = firstTooDeep(token, maxDepth);
        if (tooDeepAt !== -1) return;
      }
      yield token;
    }
  }
  const composer = new Composer(PARSE_OPTIONS);
  let doc: Document.Parsed | undefined;
  let secondDocAt = -1;
  for (const next of composer.compose(checked(new Parser().parse(text)), true, text.length)) {
    if (doc !== undefined) {
      secondDocAt = next.range[0];
      break;
    }
    doc = next;
  }
  // compose(forceDoc = true) always yields a document.
  return { doc: doc!, tooDeepAt, secondDocAt };
}

/** Maps one of the parser's own errors or warnings; returns whether the document is unusable. */
function parserProblem(
  findings: Findings,
  lines: LineIndex,
  e: YAMLError,
  isError: boolean,
): boolean {
  const at = lines.position(e.pos[0]);
  switch (e.code) {
    case 'DUPLICATE_KEY':
    case 'TAG_RESOLVE_FAILED':
      return false; // reported by the walk, with the key or the tag at its own position
    default:
      findings.add(
        isError ? 'yaml/syntax' : 'yaml/warning',
        `${firstLine(e.message)} (${e.code})`,
        at,
      );
      return isError;
  }
}

/**
 * The parser's message without the source text some messages end with ("Not a YAML token:
 * ..."): findings never repeat file content, which could be a secret in a mangled file.
 */
function firstLine(s: string): string {
  const line = s.split('\n', 1)[0]!;
  const colon = line.indexOf(': ');
  return colon === -1 ? line : line.slice(0, colon);
}
