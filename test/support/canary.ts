/**
 * The secret-leak canary (DESIGN "Testing and measuring"). Tests register every secret they
 * generate; anything the code under test writes where people can read it (logs, job
 * summaries, PR bodies, commit messages, issues, error messages, files) is then scanned for
 * the secret and for the forms it commonly takes when it leaks by accident:
 *
 * - the text itself, its lines (PEM and OpenSSH bodies), JSON-escaped and URL-encoded;
 * - base64, base64url and hex of the text, and of the bytes it encodes: the decoded random
 *   key, the DER inside a PEM, the openssh-key-v1 blob, the age scalar, the private members
 *   of the key (JWK d, p, q, dp, dq, qi; the Ed25519 seed). base64 is matched at all three
 *   byte alignments, so the secret is found even inside a larger base64-encoded blob.
 *
 * A form is only registered when it carries secret bytes: anything that also occurs in the
 * key's public part (an RSA PKCS#8 PEM contains the modulus, an OpenSSH private key contains
 * the public key and a constant header) is dropped, so printing a public key or a
 * fingerprint is never reported as a leak.
 *
 * Findings name WHERE (the caller's label, line and column) and WHICH secret and form, and
 * never print the secret or any form of it: the canary's own output is read by people too.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { bech32Decode } from '../../src/crypto/keys/bech32.ts';
import {
  encodeOpenSshPrivateKey,
  parseOpenSshPrivateKey,
  sshPublicLine,
} from '../../src/crypto/keys/openssh.ts';

/** Shorter forms would match by chance in large logs; every real secret form is longer. */
const MIN_FORM_LENGTH = 16;

interface Form {
  readonly text: string;
  readonly kind: string;
}

interface Registered {
  readonly label: string | undefined;
  readonly forms: readonly Form[];
}

export interface Leak {
  readonly where: string;
  /** 1-based number of the registered secret, in registration order. */
  readonly secret: number;
  readonly label: string | undefined;
  /** Which form was found (e.g. "hex of the decoded bytes"), never the form itself. */
  readonly form: string;
  readonly line: number;
  readonly column: number;
}

export class CanaryLeakError extends Error {
  override readonly name = 'CanaryLeakError';
  readonly leaks: readonly Leak[];
  constructor(leaks: readonly Leak[]) {
    super(
      `secret canary: ${leaks.length} leak${leaks.length === 1 ? '' : 's'} found:\n` +
        leaks
          .map(
            (l) =>
              `  ${l.where}:${l.line}:${l.column}: registered secret #${l.secret}` +
              `${l.label === undefined ? '' : ` (${l.label})`} appears as ${l.form}`,
          )
          .join('\n'),
    );
    this.leaks = leaks;
  }
}

export class Canary {
  readonly #secrets: Registered[] = [];

  /** Records a secret and its derived forms. `label` (e.g. "rsa-4096") must not be secret. */
  register(secret: string, label?: string): void {
    if (secret.length === 0) throw new Error('canary: cannot register an empty secret');
    this.#secrets.push({ label, forms: derivedForms(secret) });
  }

  get size(): number {
    return this.#secrets.length;
  }

  /** Forgets every registered secret (for suites that share one canary). */
  clear(): void {
    this.#secrets.length = 0;
  }

  /** Every registered secret form found in `text`, located; empty when clean. */
  findLeaks(text: string, where: string): Leak[] {
    const leaks: Leak[] = [];
    this.#secrets.forEach((s, i) => {
      // One finding per secret and place (the earliest) is enough to act on.
      let first: { at: number; form: Form } | undefined;
      for (const form of s.forms) {
        const at = text.indexOf(form.text);
        if (at !== -1 && (first === undefined || at < first.at)) first = { at, form };
      }
      if (first !== undefined)
        leaks.push({
          where,
          secret: i + 1,
          label: s.label,
          form: first.form.kind,
          ...position(text, first.at),
        });
    });
    return leaks;
  }

  /** Throws CanaryLeakError naming `where` when any registered secret form is in `text`. */
  assertAbsent(text: string, where: string): void {
    const leaks = this.findLeaks(text, where);
    if (leaks.length > 0) throw new CanaryLeakError(leaks);
  }

  /** Scans several places at once (`{ 'stdout': ..., 'PR body': ... }`) and reports all leaks. */
  scan(places: Readonly<Record<string, string>>): void {
    const leaks = Object.entries(places).flatMap(([where, text]) => this.findLeaks(text, where));
    if (leaks.length > 0) throw new CanaryLeakError(leaks);
  }
}

/** The canary tests share; vitest gives each test file its own module instance. */
export const canary = new Canary();

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function derivedForms(secret: string): Form[] {
  const forms: Form[] = [];
  const publicCorpus: string[] = [];
  const add = (kind: string, text: string) => forms.push({ kind, text });

  add('the secret text', secret);
  const trimmed = secret.trim();
  add('the secret text', trimmed);
  add('JSON-escaped text', JSON.stringify(trimmed).slice(1, -1));
  add('URL-encoded text', encodeURIComponent(trimmed));
  bytesForms(Buffer.from(trimmed, 'utf8'), 'the secret text', add);
  trimmed.split('\n').forEach((line, i) => {
    if (!line.startsWith('-----')) add(`line ${i + 1} of the secret text`, line.trim());
  });

  const pem = /^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)-----END PRIVATE KEY-----$/.exec(
    trimmed,
  );
  const openssh =
    /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)-----END OPENSSH PRIVATE KEY-----$/.exec(
      trimmed,
    );
  if (pem) {
    bytesForms(Buffer.from(pem[1]!, 'base64'), 'the DER of the PEM', add);
    try {
      const key = createPrivateKey(trimmed);
      const jwk = key.export({ format: 'jwk' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const)
        jwkMember(jwk, member, (bytes) => bytesForms(bytes, `private key member ${member}`, add));
      const pub = createPublicKey(key);
      publicCorpus.push(pub.export({ type: 'spki', format: 'pem' }).toString());
      bytesForms(pub.export({ type: 'spki', format: 'der' }), 'public', (_, t) =>
        publicCorpus.push(t),
      );
      const pubJwk = pub.export({ format: 'jwk' });
      for (const member of ['n', 'e', 'x', 'y'] as const)
        jwkMember(pubJwk, member, (bytes) =>
          bytesForms(bytes, 'public', (_, t) => publicCorpus.push(t)),
        );
    } catch {
      // Not a key node:crypto reads: the text and DER forms above still apply.
    }
  } else if (openssh) {
    bytesForms(
      Buffer.from(openssh[1]!.replaceAll('\n', ''), 'base64'),
      'the openssh-key-v1 blob',
      add,
    );
    try {
      const key = parseOpenSshPrivateKey(secret);
      bytesForms(key.seed, 'the Ed25519 seed', add);
      const line = sshPublicLine(key.publicKey, key.comment);
      publicCorpus.push(line);
      bytesForms(key.publicKey, 'public', (_, t) => publicCorpus.push(t));
      bytesForms(Buffer.from(line.split(' ')[1]!, 'base64'), 'public', (_, t) =>
        publicCorpus.push(t),
      );
      // The same file with a zero seed and check int: lines equal to its lines hold only the
      // constant header, the public key and the comment.
      const template = encodeOpenSshPrivateKey({ ...key, seed: new Uint8Array(32), checkInt: 0 });
      publicCorpus.push(template);
      bytesForms(
        Buffer.from(template.split('\n').slice(1, -2).join(''), 'base64'),
        'public',
        (_, t) => publicCorpus.push(t),
      );
    } catch {
      // Not parseable: the blob forms above still apply.
    }
  } else if (/^AGE-SECRET-KEY-1/i.test(trimmed)) {
    add('the lower-case identity', trimmed.toLowerCase());
    try {
      bytesForms(bech32Decode(trimmed).bytes, 'the X25519 scalar', add);
    } catch {
      // Not valid bech32: the text forms above still apply.
    }
  } else if (!trimmed.includes('\n')) {
    // A random key: whatever encoding it is in, register the bytes it decodes to.
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      const bytes = Buffer.from(trimmed, encoding);
      const canonical = bytes.toString(encoding);
      if (canonical === trimmed || canonical === trimmed.toLowerCase())
        bytesForms(bytes, 'the decoded bytes', add);
    }
  }

  const seen = new Set<string>();
  return forms.filter((f) => {
    if (f.text.length < MIN_FORM_LENGTH || seen.has(f.text)) return false;
    seen.add(f.text);
    return !publicCorpus.some((p) => p.includes(f.text));
  });
}

function jwkMember(jwk: JsonWebKey, member: string, use: (bytes: Buffer) => void): void {
  const value: unknown = jwk[member];
  if (typeof value === 'string') use(Buffer.from(value, 'base64url'));
}

/**
 * hex (both cases) and base64 / base64url of `bytes` at the three byte alignments. At
 * alignment k the bytes follow k other bytes, so only the characters that depend on
 * `bytes` alone are kept: from ceil(8k/6) up to floor(8(k+n)/6).
 */
function bytesForms(bytes: Uint8Array, what: string, add: (kind: string, text: string) => void) {
  const hex = Buffer.from(bytes).toString('hex');
  add(`hex of ${what}`, hex);
  add(`hex of ${what}`, hex.toUpperCase());
  const n = bytes.length;
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const core = b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + n)) / 6));
    add(`base64 of ${what}`, core);
    add(`base64url of ${what}`, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
}
