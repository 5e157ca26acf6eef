/**
 * A SCRAM-SHA-256 verifier computed on the client (RFC 5802 §3, RFC 7677), in the form
 * PostgreSQL stores in pg_authid.rolpassword and accepts as-is in `ALTER ROLE ... PASSWORD`:
 *
 *   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 *   SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations, 32 bytes)
 *   StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
 *   ServerKey      = HMAC(SaltedPassword, "Server Key")
 *
 * The server (and its statement log) sees only this: it cannot log in with it (a login needs
 * ClientKey, which StoredKey does not reveal). The password must be printable ASCII: SASLprep
 * leaves that unchanged, so client and server derive the same key (the postgres-role kind
 * refuses anything else).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default (scram_iterations) and RFC 7677's minimum. */
export const SCRAM_ITERATIONS = 4096;

export function scramSha256Verifier(
  password: Uint8Array,
  salt: Uint8Array = randomBytes(16),
  iterations = SCRAM_ITERATIONS,
): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  try {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
  } finally {
    salted.fill(0);
    clientKey.fill(0);
  }
}
