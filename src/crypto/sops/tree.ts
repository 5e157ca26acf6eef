/**
 * The format-neutral SOPS tree and the walk that encrypts, decrypts and MACs it, following
 * sops.go `walkBranch`/`walkSlice`/`shouldBeEncrypted`/`Tree.Encrypt`/`Tree.Decrypt`
 * (reference §3-§5): depth-first in document order over every document; nulls skipped;
 * AAD = map keys joined by `:` plus `:` (no list indices); comments take the path of the
 * collection holding them and never enter the MAC.
 */
import { createHash } from 'node:crypto';
import type { CryptRule } from '../../core/sops-config.ts';
import { compileRe2, type Re2Result } from '../../core/sops-config.ts';
import type { Scalar } from './values.ts';
import { parseTyped, scalarText } from './values.ts';
import { isEncString, open, parseEnc, seal } from './aes.ts';
import { UnsupportedSopsFeatureError } from '../../core/ports/sops.ts';

export interface CommentItem {
  readonly t: 'comment';
  /** The text after `#` (leading space kept), or the ENC string of an encrypted comment. */
  readonly text: string;
  readonly inline: boolean;
}
export interface NullValue {
  readonly t: 'null';
}
export interface Branch {
  readonly t: 'map';
  readonly items: readonly (Pair | CommentItem)[];
}
export interface Pair {
  readonly t: 'pair';
  readonly key: string;
  readonly value: Value;
}
export interface List {
  readonly t: 'list';
  readonly items: readonly (Value | CommentItem)[];
}
export type Value = Scalar | NullValue | Branch | List;
export type Leaf = Scalar | CommentItem;

export interface WalkRules {
  readonly crypt: CryptRule;
  readonly macOnlyEncrypted: boolean;
  /** How string values become plaintext bytes (the store's; default utf8). */
  readonly encoding?: 'utf8' | 'latin1' | undefined;
}

/** SHA-256("sops"): the MAC prefix when mac_only_encrypted is set (sops.go:89-93). */
const MAC_ONLY_ENCRYPTED_INIT = createHash('sha256').update('sops').digest();

type Visit = (leaf: Leaf, path: readonly string[], encrypted: boolean) => Leaf;

/** Calls `visit` on every leaf in document order and rebuilds the tree from its results. */
export function walk(branches: readonly Branch[], rules: WalkRules, visit: Visit): Branch[] {
  const decide = encryptionDecider(rules.crypt);
  const onLeaf = (leaf: Leaf, path: readonly string[], stack: readonly string[][]) =>
    visit(leaf, path, decide(path, stack, leaf.t === 'comment'));
  return branches.map((b) => walkBranch(b, [], [], onLeaf));
}

type OnLeaf = (leaf: Leaf, path: readonly string[], stack: readonly string[][]) => Leaf;

function walkValue(v: Value, path: readonly string[], stack: string[][], f: OnLeaf): Value {
  switch (v.t) {
    case 'null':
      return v;
    case 'map':
      return walkBranch(v, path, stack, f);
    case 'list':
      return walkList(v, path, stack, f);
    default:
      return f(v, path, stack) as Scalar;
  }
}

function walkBranch(b: Branch, path: readonly string[], outer: string[][], f: OnLeaf): Branch {
  const stack = [...outer, []];
  const top = stack.length - 1;
  const items = b.items.map((item) => {
    if (item.t === 'comment') {
      stack[top] = [...(stack[top] ?? []), item.text];
      return f(item, path, stack) as CommentItem;
    }
    const value = walkValue(item.value, [...path, item.key], stack, f);
    stack[top] = [];
    return { t: 'pair', key: item.key, value } as const;
  });
  return { t: 'map', items };
}

function walkList(l: List, path: readonly string[], outer: string[][], f: OnLeaf): List {
  const stack = [...outer, []];
  const top = stack.length - 1;
  const items = l.items.map((item) => {
    if (item.t === 'comment') {
      stack[top] = [...(stack[top] ?? []), item.text];
      return f(item, path, stack) as CommentItem;
    }
    const v = walkValue(item, path, stack, f);
    stack[top] = [];
    return v;
  });
  return { t: 'list', items };
}

/**
 * Crypt-rule patterns compiled once, not once per file (a handful per repository; the
 * RegExps have no g/y flag, so `test` keeps no state between files).
 */
const COMPILED = new Map<string, Re2Result>();
function compiled(pattern: string): Re2Result {
  let r = COMPILED.get(pattern);
  if (r === undefined) {
    if (COMPILED.size >= 64) COMPILED.clear();
    r = compileRe2(pattern);
    COMPILED.set(pattern, r);
  }
  return r;
}

/** `Tree.shouldBeEncrypted` for the one crypt rule in force. */
function encryptionDecider(
  crypt: CryptRule,
): (path: readonly string[], stack: readonly string[][], isComment: boolean) => boolean {
  const re = () => {
    const r = compiled(crypt.value);
    if ('problem' in r) throw new Error(`${crypt.kind}: ${r.problem}`);
    return r.regex;
  };
  switch (crypt.kind) {
    case 'unencrypted_suffix':
      return (path) => !path.some((p) => p.endsWith(crypt.value));
    case 'encrypted_suffix':
      return (path) => path.some((p) => p.endsWith(crypt.value));
    case 'unencrypted_regex': {
      const r = re();
      return (path) => !path.some((p) => r.test(p));
    }
    case 'encrypted_regex': {
      const r = re();
      return (path) => path.some((p) => r.test(p));
    }
    case 'unencrypted_comment_regex': {
      const r = re();
      return (_path, stack) => !stack.some((cs) => cs.some((c) => r.test(c)));
    }
    case 'encrypted_comment_regex': {
      const r = re();
      return (_path, stack, isComment) =>
        stack.some((cs, i) =>
          cs.some((c, j) => {
            // The matching comment line itself stays clear (sops.go:487-507).
            if (isComment && i === stack.length - 1 && j === cs.length - 1) return false;
            return r.test(c);
          }),
        );
    }
  }
}

export const aadOf = (path: readonly string[]): string => `${path.join(':')}:`;

export class MacHasher {
  readonly #h = createHash('sha512');
  readonly #macOnly: boolean;
  readonly #encoding: 'utf8' | 'latin1';
  constructor(macOnlyEncrypted: boolean, encoding: 'utf8' | 'latin1' = 'utf8') {
    this.#macOnly = macOnlyEncrypted;
    this.#encoding = encoding;
    if (macOnlyEncrypted) this.#h.update(MAC_ONLY_ENCRYPTED_INIT);
  }
  add(leaf: Leaf, encrypted: boolean): void {
    if (leaf.t === 'comment' || (this.#macOnly && !encrypted)) return;
    this.#h.update(scalarText(leaf), this.#encoding);
  }
  /** Uppercase hex, as Go's `%X`. */
  hex(): string {
    return this.#h.digest('hex').toUpperCase();
  }
}

/** Why a leaf could not be decrypted; the codec turns it into a typed, located error. */
export type DecryptProblem =
  | { readonly kind: 'not-encrypted'; readonly leaf: Leaf; readonly aad: string }
  | { readonly kind: 'authentication'; readonly leaf: Leaf; readonly aad: string }
  | { readonly kind: 'bad-type'; readonly leaf: Leaf; readonly aad: string };

export class DecryptFailure extends Error {
  readonly problem: DecryptProblem;
  constructor(problem: DecryptProblem) {
    super(`${problem.kind} at ${problem.aad}`);
    this.problem = problem;
  }
}

/**
 * Decrypts every value that the rule says is encrypted and computes the MAC over the
 * plaintext. Comments that fail to decrypt are kept as they are, as sops does (they may
 * predate comment encryption; comments are not in the MAC). `onDecrypted` sees each
 * (aad, type, plaintext, ENC string) so a later encryption can keep unchanged ciphertext.
 */
export function decryptTree(
  branches: readonly Branch[],
  rules: WalkRules,
  key: Uint8Array,
  onDecrypted?: (aad: string, leaf: Leaf, enc: string) => void,
): { branches: Branch[]; mac: string } {
  const mac = new MacHasher(rules.macOnlyEncrypted, rules.encoding);
  const out = walk(branches, rules, (leaf, path, encrypted) => {
    let v: Leaf = leaf;
    if (encrypted) {
      const aad = aadOf(path);
      if (leaf.t === 'comment') {
        const enc = parseEnc(leaf.text);
        const plain = enc && enc.type === 'comment' ? open(key, enc, aad) : undefined;
        if (plain) {
          v = { t: 'comment', text: Buffer.from(plain).toString('utf8'), inline: leaf.inline };
          onDecrypted?.(aad, v, leaf.text);
        }
      } else if (leaf.t === 'str' && leaf.v === '') {
        v = leaf;
      } else {
        const enc = leaf.t === 'str' && isEncString(leaf.v) ? parseEnc(leaf.v) : undefined;
        if (!enc) throw new DecryptFailure({ kind: 'not-encrypted', leaf, aad });
        const plain = open(key, enc, aad);
        if (!plain) throw new DecryptFailure({ kind: 'authentication', leaf, aad });
        const text = Buffer.from(plain).toString(rules.encoding ?? 'utf8');
        const typed = enc.type === 'comment' ? undefined : parseTyped(enc.type, text);
        if (!typed) throw new DecryptFailure({ kind: 'bad-type', leaf, aad });
        v = typed;
        onDecrypted?.(aad, v, (leaf as { v: string }).v);
      }
    }
    mac.add(v, encrypted);
    return v;
  });
  return { branches: out, mac: mac.hex() };
}

/** A key for reusing ciphertext: same AAD, type and plaintext bytes under the same data key. */
export const reuseKey = (aad: string, leaf: Leaf): string =>
  leaf.t === 'comment' ? `${aad}\0comment\0${leaf.text}` : `${aad}\0${leaf.t}\0${scalarText(leaf)}`;

/**
 * Encrypts every value the rule selects with a fresh random IV, except that a value whose
 * (AAD, type, plaintext) equals one in `reuse` keeps that exact ENC string: `reuse` must come
 * from decrypting the previous file under the SAME data key, so no IV is ever reused for a
 * different plaintext. Empty strings and empty comments stay as they are (aes/cipher.go).
 */
export function encryptTree(
  branches: readonly Branch[],
  rules: WalkRules,
  key: Uint8Array,
  reuse?: ReadonlyMap<string, string>,
): { branches: Branch[]; mac: string } {
  const mac = new MacHasher(rules.macOnlyEncrypted, rules.encoding);
  const guard =
    rules.crypt.kind === 'unencrypted_comment_regex' ? compiled(rules.crypt.value) : undefined;
  const commentGuard = guard && 'regex' in guard ? guard.regex : undefined;
  const out = walk(branches, rules, (leaf, path, encrypted) => {
    mac.add(leaf, encrypted);
    if (!encrypted) return leaf;
    if (leaf.t === 'comment' ? leaf.text === '' : leaf.t === 'str' && leaf.v === '') return leaf;
    const aad = aadOf(path);
    const kept = reuse?.get(reuseKey(aad, leaf));
    if (leaf.t === 'comment') {
      const text = kept ?? seal(key, Buffer.from(leaf.text, 'utf8'), aad, 'comment');
      // sops refuses this too: such a comment would be read back as clear text (sops.go:549-560).
      if (commentGuard?.test(text))
        throw new UnsupportedSopsFeatureError(
          'sops',
          'unencrypted_comment_regex matches an encrypted comment; make it stricter',
        );
      return { t: 'comment', text, inline: leaf.inline };
    }
    const plain = Buffer.from(scalarText(leaf), rules.encoding ?? 'utf8');
    return { t: 'str', v: kept ?? seal(key, plain, aad, leaf.t) };
  });
  return { branches: out, mac: mac.hex() };
}
