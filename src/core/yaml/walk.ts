import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Node, ParsedNode, Scalar } from 'yaml';
import { yaml11Reading } from './ambiguity.ts';
import type { Findings } from './findings.ts';
import type { YamlRule } from './rules.ts';
import type { LineIndex } from './text.ts';

/**
 * After these findings the built value no longer says what the text says (an entry was left
 * out, an alias read as null), so the loader returns no value and callers validate nothing
 * against a guess. The other findings leave the YAML 1.2 reading intact.
 */
export const VALUE_IS_A_GUESS: ReadonlySet<YamlRule> = new Set<YamlRule>([
  'yaml/alias',
  'yaml/merge-key',
  'yaml/forbidden-key',
  'yaml/non-string-key',
  'yaml/duplicate-key',
  'yaml/non-finite-number',
  'yaml/too-deep',
  'yaml/too-many-nodes',
]);

/** Keys that would reach Object.prototype or a constructor in careless consumers. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * One pass over the composed nodes: builds the plain value (strings, finite numbers,
 * booleans, null, arrays, objects) and applies the node-level rules. Replaces `toJS()`, which
 * would expand aliases and apply tags before we could refuse them.
 */
export class Walk {
  /** Set when the value is no longer faithful to the text (see VALUE_IS_A_GUESS). */
  guessed = false;
  #nodes = 0;
  #deepReported = false;
  readonly #text: string;
  readonly #findings: Findings;
  readonly #lines: LineIndex;
  readonly #maxDepth: number;
  readonly #maxNodes: number;

  constructor(
    text: string,
    findings: Findings,
    lines: LineIndex,
    limits: { maxDepth: number; maxNodes: number },
  ) {
    this.#text = text;
    this.#findings = findings;
    this.#lines = lines;
    this.#maxDepth = limits.maxDepth;
    this.#maxNodes = limits.maxNodes;
  }

  #add(rule: YamlRule, message: string, offset: number): void {
    if (VALUE_IS_A_GUESS.has(rule)) this.guessed = true;
    this.#findings.add(rule, message, this.#lines.position(offset));
  }

  build(node: ParsedNode | null, depth: number): unknown {
    if (node === null) return null;
    if (++this.#nodes > this.#maxNodes) {
      if (this.#nodes === this.#maxNodes + 1)
        this.#add('yaml/too-many-nodes', `more than ${this.#maxNodes} values`, node.range[0]);
      return null;
    }
    if (isAlias(node)) {
      this.#add(
        'yaml/alias',
        'aliases (*name) are not allowed; write the value out',
        node.range[0],
      );
      return null;
    }
    this.#properties(node);
    if (isScalar(node)) return this.#scalar(node);
    if (depth >= this.#maxDepth) {
      // Normally refused earlier on the CST (cst-depth.ts); kept so this walk is safe alone.
      if (!this.#deepReported)
        this.#add('yaml/too-deep', `nested deeper than ${this.#maxDepth} levels`, node.range[0]);
      this.#deepReported = true;
      return null;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      for (const item of node.items) out.push(this.build(item as ParsedNode | null, depth + 1));
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = this.#key(
          pair.key as ParsedNode | null,
          out,
          (pair.value as ParsedNode | null)?.range[0] ?? node.range[0],
        );
        const value = this.build(pair.value as ParsedNode | null, depth + 1);
        // Only keys that passed #key are assigned: strings, never __proto__ and friends.
        if (key !== undefined) out[key] = value;
      }
      return out;
    }
    return null;
  }

  /** Anchors and tags are refused wherever they appear: keys, values, collections. */
  #properties(node: Node): void {
    if (node.anchor === undefined && node.tag === undefined) return;
    const start = node.range?.[0] ?? 0;
    if (node.anchor !== undefined)
      this.#add(
        'yaml/anchor',
        'anchors (&name) are not allowed',
        this.#propertyOffset(`&${node.anchor}`, start),
      );
    if (node.tag !== undefined)
      this.#add(
        'yaml/tag',
        `explicit tags (${tagKind(node.tag)}) are not allowed; remove it`,
        this.#propertyOffset('!', start),
      );
  }

  /**
   * Node ranges start after the node's properties; the anchor or tag itself is the last
   * occurrence of its marker before the node. A tag like `!!str` starts at its first `!`.
   */
  #propertyOffset(marker: string, nodeStart: number): number {
    let i = this.#text.lastIndexOf(marker, nodeStart);
    if (i === -1) return nodeStart;
    if (marker === '!') while (i > 0 && this.#text[i - 1] === '!') i--;
    return i;
  }

  #scalar(node: Scalar.Parsed): unknown {
    const value: unknown = node.value;
    if (node.type === 'PLAIN' && node.tag === undefined) {
      const reading = yaml11Reading(node.source, value);
      if (reading !== undefined)
        this.#add(
          'yaml/ambiguous-scalar',
          `YAML 1.1 readers take this plain value as ${reading}; quote it ("...") if you mean text, or write a plain decimal number`,
          node.range[0],
        );
    }
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) {
          this.#add(
            'yaml/non-finite-number',
            'infinite and NaN numbers are not allowed',
            node.range[0],
          );
          return null;
        }
        if (Number.isInteger(value) && !Number.isSafeInteger(value))
          this.#add(
            'yaml/unsafe-integer',
            'integer is too large to be read exactly; quote it if it is an identifier',
            node.range[0],
          );
        return value;
      default:
        // null, or what a tag produced (already reported): nothing non-JSON gets through.
        if (value !== null) this.guessed = true;
        return null;
    }
  }

  /** The key as a string, or undefined (after a finding) when it may not be used. */
  #key(
    node: ParsedNode | null,
    seen: Record<string, unknown>,
    valueStart: number,
  ): string | undefined {
    if (node === null) {
      // The parser composes an empty key as a null scalar; this is the same finding if not.
      this.#add(
        'yaml/non-string-key',
        'map keys must be strings; this entry has no key',
        valueStart,
      );
      return undefined;
    }
    if (isAlias(node)) {
      this.#add('yaml/alias', 'aliases (*name) are not allowed; write the key out', node.range[0]);
      return undefined;
    }
    if (!isScalar(node)) {
      this.#add(
        'yaml/non-string-key',
        'map keys must be strings, not lists or maps',
        node.range[0],
      );
      return undefined;
    }
    this.#properties(node);
    const key: unknown = node.value;
    if (typeof key !== 'string') {
      this.#add(
        'yaml/non-string-key',
        `map keys must be strings; quote this ${key === null ? 'null' : typeof key} key`,
        node.range[0],
      );
      return undefined;
    }
    if (node.type === 'PLAIN' && node.tag === undefined) {
      const reading = yaml11Reading(node.source, key);
      if (reading !== undefined)
        this.#add(
          'yaml/ambiguous-scalar',
          `YAML 1.1 readers take this plain key as ${reading}; quote it`,
          node.range[0],
        );
    }
    if (key === '<<') {
      this.#add(
        'yaml/merge-key',
        'merge keys (<<) are not allowed; write the entries out',
        node.range[0],
      );
      return undefined;
    }
    if (FORBIDDEN_KEYS.has(key)) {
      this.#add('yaml/forbidden-key', `key "${key}" is not allowed`, node.range[0]);
      return undefined;
    }
    if (Object.hasOwn(seen, key)) {
      this.#add(
        'yaml/duplicate-key',
        'duplicate key; each key may appear once in a map',
        node.range[0],
      );
      return undefined;
    }
    return key;
  }
}

/** Names the kind of tag without quoting it: messages never repeat text from the file. */
export function tagKind(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? '!!type' : '!tag';
}
