/**
 * Registers a decrypted secret, and the forms it could be printed in, with the runner's log
 * masking (`core.setSecret` in the action) before anything else is done with it. The runner
 * replaces every registered string in logs; a secret printed in another encoding would pass
 * through, so the encodings a bug or a library could plausibly print are registered too:
 *
 * - the text, trimmed, and each line of a multi-line value (PEM and OpenSSH bodies);
 * - base64, base64url and hex of the text (a kubernetes-secret file holds the base64);
 * - for a single-line value that is itself base64, base64url or hex (random keys): the hex
 *   and base64 forms of the bytes it decodes to;
 * - for a PEM or OpenSSH block: the base64 body joined on one line, and the hex of its bytes.
 *
 * Forms shorter than 8 characters are not registered: masking them would blank out ordinary
 * words in logs and protects nothing (no rekey secret is that short).
 */
const MIN = 8;

function bytesForms(bytes: Buffer, out: Set<string>): void {
  out.add(bytes.toString('base64'));
  out.add(bytes.toString('base64').replace(/=+$/, ''));
  out.add(bytes.toString('base64url'));
  out.add(bytes.toString('hex'));
  out.add(bytes.toString('hex').toUpperCase());
}

/** Every form of `secret` to mask, longest first. Pure; exported for tests. */
export function secretForms(secret: string): string[] {
  const out = new Set<string>();
  const trimmed = secret.trim();
  out.add(secret);
  out.add(trimmed);
  out.add(JSON.stringify(trimmed).slice(1, -1));
  bytesForms(Buffer.from(trimmed, 'utf8'), out);
  const lines = trimmed.split(/\r?\n/).map((l) => l.trim());
  if (lines.length > 1) {
    for (const line of lines) if (!line.startsWith('-----')) out.add(line);
    const body = lines.filter((l) => !l.startsWith('-----')).join('');
    if (/^[A-Za-z0-9+/=]+$/.test(body)) {
      out.add(body);
      bytesForms(Buffer.from(body, 'base64'), out);
    }
  } else {
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      const bytes = Buffer.from(trimmed, encoding);
      const canonical = bytes.toString(encoding);
      if (bytes.length > 0 && (canonical === trimmed || canonical === trimmed.toLowerCase()))
        bytesForms(bytes, out);
    }
  }
  return [...out].filter((f) => f.length >= MIN).sort((a, b) => b.length - a.length);
}

export function maskSecret(secret: string, mask: (value: string) => void): void {
  for (const form of secretForms(secret)) mask(form);
}
