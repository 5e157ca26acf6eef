/**
 * The safe YAML loader every rekey input goes through (key.yaml, policies, pipeline,
 * material files, .sops.yaml). YAML is a large language and most of it is a liability in
 * files that decide who holds which key: aliases can expand exponentially, merge keys and
 * tags change what a reviewer sees, duplicate keys silently drop a line, YAML 1.1 readers
 * disagree about `no`. So the loader accepts a small, unambiguous subset and reports
 * everything else as a finding with file, line, column and a stable rule id (see
 * ./rules.ts): all of them, not the first.
 *
 * The deciding parser is js-yaml's event parser (`parseEvents`): a flat list of events with
 * source offsets, scalar styles and the ranges of anchors and tags, about 20x faster than the
 * `yaml` package's CST parser on the same bytes (bench/loader.bench.ts). Nothing is
 * constructed by js-yaml; one walk over the events (./event-walk.ts) builds the plain value
 * with the YAML 1.2 core schema and applies the node rules. It alone decides a file's value.
 *
 * Steps: size cap on the bytes; BOM and strict UTF-8; CR check; parseEvents with a depth
 * cap (its recursion is bounded by it); the event walk. When the parser refuses a file
 * (syntax error, too deep) or the file has several documents or a directive, the value is
 * undefined: decided. Only then is the `yaml` package (./yaml-package.ts) asked to LOCATE
 * and describe the problems, because it reports every syntax error with its position where
 * js-yaml stops at the first; when it finds none, js-yaml's own error is reported.
 *
 * Line numbers are computed only when a finding or a caller's locate() needs one, and the
 * events are not retained (see lazyLocate).
 */
import { EVENT_ID, parseEvents, SCALAR_STYLE, YAMLException } from 'js-yaml';
import type { Event } from 'js-yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import type { DocPath } from '../snapshot.ts';
import { locateInEvents } from './event-locate.ts';
import { EventWalk } from './event-walk.ts';
import { Findings } from './findings.ts';
import type { YamlRule } from './rules.ts';
import { DEFAULT_YAML_LIMITS } from './limits.ts';
import type { ParsedYaml, YamlLimits } from './limits.ts';
import { type LineIndex, readYamlText } from './text.ts';
import { parseWithYamlPackage } from './yaml-package.ts';

export { DEFAULT_YAML_LIMITS };
export type { ParsedYaml, YamlLimits };

/**
 * The largest refused file the `yaml` package is asked to describe. Its Document API checks
 * duplicate keys pair by pair (quadratic in a map's size), so a hostile megabyte would cost
 * minutes; above this (64 KiB, far above any manifest file) the deciding parser's own
 * finding is reported, at its position.
 */
const LOCATOR_MAX_BYTES = 64 * 1024;

/** How js-yaml says its depth limit stopped it. */
const DEPTH_EXCEEDED = /nesting exceeded maxDepth/;

/** Rules after which the file was refused as a whole by the parser, not by a node rule. */
const REFUSED_BY_PARSER = new Set([
  'yaml/syntax',
  'yaml/warning',
  'yaml/too-deep',
  'yaml/multiple-documents',
  'yaml/directive',
]);

/**
 * parseYaml with `keepEvents`: also the deciding parser's events and the text their offsets
 * index, when it read the file (both undefined when it refused or could not read it), so a
 * caller that builds its own tree from the events (the SOPS codec) does not parse twice.
 */
export interface ParsedYamlWithEvents extends ParsedYaml {
  readonly events: readonly Event[] | undefined;
  readonly text: string | undefined;
}

export interface ParseYamlOptions {
  /** Return the events and the text (ParsedYamlWithEvents); they are not retained otherwise. */
  readonly keepEvents?: boolean;
}

export function parseYaml(file: string, bytes: Uint8Array, limits?: YamlLimits): ParsedYaml;
export function parseYaml(
  file: string,
  bytes: Uint8Array,
  limits: YamlLimits,
  options: ParseYamlOptions & { readonly keepEvents: true },
): ParsedYamlWithEvents;
export function parseYaml(
  file: string,
  bytes: Uint8Array,
  limits: YamlLimits = {},
  options: ParseYamlOptions = {},
): ParsedYaml | ParsedYamlWithEvents {
  const { maxBytes, maxDepth, maxNodes } = { ...DEFAULT_YAML_LIMITS, ...limits };
  const fileStart: SourceLocation = { file, line: 0, column: 0 };
  const unreadable = (diagnostics: Diagnostic[]): ParsedYaml =>
    withEvents(options, { value: undefined, locate: () => fileStart, diagnostics });

  const findings = new Findings(file);
  const read = readYamlText(bytes, maxBytes, findings);
  if (!read) return unreadable(findings.list);
  const { text, lines } = read;

  const parsed = events(text, maxDepth);
  const refused = refusal(text, parsed);
  if (refused !== undefined || !Array.isArray(parsed))
    return unreadable(located(file, bytes, text, limits, findings, lines, refused!));

  const walk = new EventWalk(parsed, text, findings, lines, { maxDepth, maxNodes });
  const value = walk.document();
  return withEvents(
    options,
    {
      value: walk.guessed ? undefined : value,
      locate: lazyLocate(file, text, lines, maxDepth),
      diagnostics: findings.list,
    },
    parsed,
    text,
  );
}

/** The result as it is, or with the events and text when the caller asked to keep them. */
function withEvents(
  options: ParseYamlOptions,
  result: ParsedYaml,
  events?: readonly Event[],
  text?: string,
): ParsedYaml | ParsedYamlWithEvents {
  return options.keepEvents ? { ...result, events, text } : result;
}

interface Refusal {
  readonly rule: YamlRule;
  readonly message: string;
  readonly offset: number;
}

/**
 * Why the deciding parser refuses the file as a whole, or undefined: it threw, or the text
 * holds several documents, a directive, content after `...`, or syntax parsers disagree on.
 */
function refusal(text: string, parsed: Event[] | YAMLException): Refusal | undefined {
  if (!Array.isArray(parsed))
    return {
      rule: DEPTH_EXCEEDED.test(parsed.reason) ? 'yaml/too-deep' : 'yaml/syntax',
      message: parserReason(parsed.reason),
      offset: parsed.mark?.position ?? 0,
    };
  if (hasDirective(parsed))
    return {
      rule: 'yaml/directive',
      message: 'remove %YAML / %TAG directives; files are read as YAML 1.2',
      offset: 0,
    };
  const end = secondDocumentAt(text, parsed);
  if (end !== -1)
    return {
      rule: 'yaml/multiple-documents',
      message: 'only one YAML document per file (remove the second `---` or the `...`)',
      offset: end,
    };
  const ambiguous = ambiguousSyntax(text, parsed);
  if (ambiguous !== undefined) return { rule: 'yaml/ambiguous-syntax', ...ambiguous };
  return undefined;
}

/**
 * Where a second document starts (or -1). Besides a second DOCUMENT event, anything but
 * comments after a `...` end marker counts: parsers disagree on what such text is (js-yaml
 * reads `...\na` as one document, the `yaml` package as two), so it is refused whichever
 * reading the parser took.
 */
function secondDocumentAt(text: string, events: readonly Event[]): number {
  if (documents(events) > 1) {
    const m = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/m.exec(text.slice(1));
    return m === null ? 0 : m.index + 1;
  }
  if (!text.includes('...')) return -1;
  DOCUMENT_END.lastIndex = 0;
  const m = DOCUMENT_END.exec(text);
  return m !== null && CONTENT_LINE.test(text.slice(m.index + 3)) ? m.index : -1;
}
const DOCUMENT_END = /^\.\.\.(?=[ \t\r\n]|$)/gm;
/** A line with something other than blanks and a comment. */
const CONTENT_LINE = /^[ \t\r]*[^\s#]/m;

/**
 * Constructs on which YAML parsers are known to disagree, found by the differential tests
 * (test/core/yaml/differential.test.ts) between js-yaml and the `yaml` package: a tab in a
 * line's leading whitespace outside a scalar's text (`\ta` is a document to one, an error
 * to the other), a `---` or `...` that is indented (a marker to one, text to the other), a
 * top-level block scalar indentation indicator (`|1-`: one leading space or none). rekey never
 * writes them; the loader refuses them rather than pick a reading.
 */
function ambiguousSyntax(
  text: string,
  events: readonly Event[],
): { message: string; offset: number } | undefined {
  const marker = text.includes('---') || text.includes('...') ? INDENTED_MARKER.exec(text) : null;
  if (marker !== null)
    return {
      message: 'an indented `---` or `...`; parsers disagree whether it is a marker or text',
      offset: marker.index + marker[1]!.length,
    };
  const tab = indentingTab(text, events);
  if (tab !== -1) return { message: 'a tab in indentation; indent with spaces', offset: tab };
  // Only the document's own root: nested (`a: |2`) both parsers agree.
  const ev = events[1];
  if (
    ev !== undefined &&
    ev.type === EVENT_ID.SCALAR &&
    (ev.style === SCALAR_STYLE.LITERAL_BLOCK || ev.style === SCALAR_STYLE.FOLDED_BLOCK) &&
    ev.valueStart !== -1
  ) {
    const lineStart = text.lastIndexOf('\n', ev.valueStart - 2) + 1;
    const header = INDENTATION_INDICATOR.exec(text.slice(lineStart, ev.valueStart));
    if (header !== null)
      return {
        message:
          'a top-level block scalar with an indentation indicator (|1-); parsers disagree on its base',
        offset: lineStart + header.index,
      };
  }
  return undefined;
}
const INDENTED_MARKER = /^([ \t]+)(?:---|\.\.\.)(?=[ \t\r\n]|$)/m;
const INDENTATION_INDICATOR = /[|>](?:[1-9][-+]?|[-+][1-9])/;

/** The offset of a tab in a line's leading whitespace outside any scalar's text, or -1. */
function indentingTab(text: string, events: readonly Event[]): number {
  if (text.indexOf('\t') === -1) return -1;
  const tabs = /^( *)\t/gm;
  let e = 0;
  for (let m = tabs.exec(text); m !== null; m = tabs.exec(text)) {
    const at = m.index + m[1]!.length;
    // Scalars come in source order: move past the ones that end before the tab.
    let inside = false;
    for (; e < events.length; e++) {
      const ev = events[e]!;
      if (ev.type !== EVENT_ID.SCALAR || ev.valueStart === -1) continue;
      if (ev.valueEnd <= at) continue;
      inside = ev.valueStart <= at;
      break;
    }
    if (!inside) return at;
  }
  return -1;
}

/** The parser's events, or the exception it threw (the file is refused either way). */
function events(text: string, maxDepth: number): Event[] | YAMLException {
  try {
    // One more level than the cap: the walk reports the first collection past the cap itself;
    // the parser's own limit only keeps its recursion bounded on hostile input.
    return parseEvents(text, { maxDepth: maxDepth + 2 });
  } catch (e) {
    if (e instanceof YAMLException) return e;
    throw e;
  }
}

function documents(events: readonly Event[]): number {
  let n = 0;
  for (let i = 0; i < events.length; i = skipDocument(events, i)) n++;
  return n;
}

/** Index after the document that starts at `i` (a DOCUMENT event and its matching POP). */
function skipDocument(events: readonly Event[], i: number): number {
  let open = 0;
  do {
    const t = events[i++]!.type;
    if (t === EVENT_ID.POP) open--;
    else if (t !== EVENT_ID.SCALAR && t !== EVENT_ID.ALIAS) open++;
  } while (open > 0 && i < events.length);
  return i;
}

function hasDirective(events: readonly Event[]): boolean {
  const doc = events[0];
  return doc !== undefined && doc.type === EVENT_ID.DOCUMENT && doc.directives.length > 0;
}

/**
 * The findings for a file the deciding parser refused as a whole. The `yaml` package
 * locates and describes the problems (every syntax error, the first collection past the depth
 * cap, the second `---`); if it sees none of those, the refusal is reported from js-yaml.
 */
function located(
  file: string,
  bytes: Uint8Array,
  text: string,
  limits: YamlLimits,
  findings: Findings,
  lines: LineIndex,
  refused: Refusal,
): Diagnostic[] {
  const maxDepth = limits.maxDepth ?? DEFAULT_YAML_LIMITS.maxDepth;
  if (refused.rule === 'yaml/too-deep') {
    // Too deep: the first collection past the cap lies before the point where the parser
    // stopped, so the locator reads only that prefix (its own parser is slow on a megabyte
    // of `[`; this keeps a hostile file cheap). Only its depth finding is used.
    const prefix = encoder.encode(text.slice(0, refused.offset));
    const first =
      prefix.length > LOCATOR_MAX_BYTES
        ? undefined
        : parseWithYamlPackage(file, prefix, limits).diagnostics.find(
            (d) => d.rule === 'yaml/too-deep',
          );
    findings.add(
      'yaml/too-deep',
      `nested deeper than ${maxDepth} levels`,
      first ?? lines.position(refused.offset),
    );
    return findings.list;
  }
  if (bytes.length <= LOCATOR_MAX_BYTES) {
    const described = parseWithYamlPackage(file, bytes, limits).diagnostics;
    if (described.some((d) => REFUSED_BY_PARSER.has(d.rule))) return described;
  }
  findings.add(refused.rule, refused.message, lines.position(refused.offset));
  return findings.list;
}

/** js-yaml's reason, which names the construct and never quotes the file. */
function parserReason(reason: string): string {
  return reason.split('\n', 1)[0]!.slice(0, 200);
}

/**
 * locate() for a parsed file. The events of a file are many times larger than its text, and
 * a snapshot holds thousands of files of which almost none ever needs a position; so they are
 * not kept. The first locate() parses the same text again (same offsets) and keeps them.
 */
function lazyLocate(
  file: string,
  text: string,
  lines: LineIndex,
  maxDepth: number,
): (path: DocPath) => SourceLocation {
  let parsed: Event[] | undefined;
  return (path) => {
    parsed ??= parseEvents(text, { maxDepth: maxDepth + 2 });
    return { file, ...lines.position(locateInEvents(parsed, text, path)) };
  };
}

const encoder = new TextEncoder();

/**
 * Whether a string must be quoted when written as a YAML value: true when this loader
 * would not read it back, written plain, as exactly that string without findings (`yes`,
 * `017`, `1:30`, `null`, `a: b`, a leading space...). For code that writes manifests.
 */
export function needsQuoting(s: string): boolean {
  const r = parseYaml('', encoder.encode(`k: ${s}\n`));
  return r.diagnostics.length > 0 || (r.value as { k?: unknown } | undefined)?.k !== s;
}
