import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { KeyMaterialError } from './errors.ts';

/*
 * ssh-ed25519 keys in OpenSSH's own formats.
 *
 * node:crypto generates Ed25519 keys but can only write them as PKCS#8, SPKI, JWK or raw
 * bytes; OpenSSH private keys use the "openssh-key-v1" container (PROTOCOL.key in the
 * OpenSSH sources), which nothing installed here writes. It is small and fully specified,
 * so it is encoded and parsed by hand below: unencrypted (cipher and KDF "none": the file is
 * protected by SOPS, and a passphrase would have to be stored next to it anyway), one key.
 * The tests prove the encoder against `ssh-keygen -y`, which we did not write.
 */

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const KEY_TYPE = 'ssh-ed25519';
const ARMOR_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const ARMOR_END = '-----END OPENSSH PRIVATE KEY-----';
/** The private section is padded to the cipher's block size; "none" counts as 8. */
const BLOCK_SIZE = 8;
/** PKCS#8 DER of an Ed25519 private key is this fixed prefix followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Comments end up in `authorized_keys` lines and deploy-key titles: one line of printable ASCII. */
export const SSH_COMMENT_PATTERN = /^[!-~]+(?: [!-~]+)*$/;
export const DEFAULT_SSH_COMMENT = 'rekey';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function sshString(data: Uint8Array | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return Buffer.concat([u32(bytes.length), bytes]);
}

/** The SSH wire encoding of an Ed25519 public key (RFC 8709 section 4). */
export function sshPublicBlob(publicKey: Uint8Array): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** Reads SSH wire data; every read is bounds-checked and a short read throws. */
class WireReader {
  private offset = 0;
  private readonly data: Buffer;
  constructor(data: Buffer) {
    this.data = data;
  }
  uint32(): number {
    if (this.offset + 4 > this.data.length) throw new Error('truncated');
    const n = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return n;
  }
  bytes(n: number): Buffer {
    if (this.offset + n > this.data.length) throw new Error('truncated');
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
  get remaining(): number {
    return this.data.length - this.offset;
  }
}

/** The raw 32-byte Ed25519 public key of a 32-byte seed, derived by node:crypto. */
export function ed25519PublicFromSeed(seed: Uint8Array): Buffer {
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return spki.subarray(spki.length - 32);
}

export interface OpenSshEd25519 {
  /** The 32-byte private seed. */
  readonly seed: Uint8Array;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  readonly comment: string;
  /**
   * The "check int" written twice at the start of the private section. OpenSSH compares
   * the two copies after decryption to detect a wrong passphrase; ssh-keygen writes a
   * random value even for unencrypted keys, and so do we: a fixed value would mark every
   * rekey-made key, and would be known plaintext if the file were ever encrypted.
   */
  readonly checkInt: number;
}

/** Encodes an openssh-key-v1 private key file, armored and wrapped at 70 columns like ssh-keygen. */
export function encodeOpenSshPrivateKey(key: OpenSshEd25519): string {
  const pub = sshPublicBlob(key.publicKey);
  const parts = [
    u32(key.checkInt),
    u32(key.checkInt),
    sshString(KEY_TYPE),
    sshString(key.publicKey),
    // OpenSSH stores the Ed25519 private key as seed || public key (64 bytes).
    sshString(Buffer.concat([key.seed, key.publicKey])),
    sshString(key.comment),
  ];
  let length = parts.reduce((n, p) => n + p.length, 0);
  const padding: number[] = [];
  for (let i = 1; length % BLOCK_SIZE !== 0; i++, length++) padding.push(i);
  const privateSection = Buffer.concat([...parts, Buffer.from(padding)]);
  const body = Buffer.concat([
    MAGIC,
    sshString('none'), // cipher
    sshString('none'), // kdf
    sshString(''), // kdf options
    u32(1), // number of keys
    sshString(pub),
    sshString(privateSection),
  ]).toString('base64');
  const lines = body.match(/.{1,70}/g) ?? [];
  return `${ARMOR_BEGIN}\n${lines.join('\n')}\n${ARMOR_END}\n`;
}

/** A fresh ssh-ed25519 key: OpenSSH private key text and its `authorized_keys` line. */
export function generateOpenSsh(comment: string): { secret: string; public: string } {
  const seed = randomBytes(32);
  const publicKey = ed25519PublicFromSeed(seed);
  const checkInt = randomBytes(4).readUInt32BE(0);
  return {
    secret: encodeOpenSshPrivateKey({ seed, publicKey, comment, checkInt }),
    public: sshPublicLine(publicKey, comment),
  };
}

export function sshPublicLine(publicKey: Uint8Array, comment: string): string {
  return `${KEY_TYPE} ${sshPublicBlob(publicKey).toString('base64')} ${comment}`;
}

const malformedSecret = () =>
  new KeyMaterialError(
    'secret-malformed',
    'the secret is not an unencrypted OpenSSH ssh-ed25519 private key (-----BEGIN OPENSSH PRIVATE KEY-----)',
  );

/**
 * Parses an openssh-key-v1 file strictly: one unencrypted ssh-ed25519 key, equal check
 * ints, the public key stored three times agreeing, padding 1, 2, 3, ... and the public key
 * actually derived from the seed. Throws `secret-malformed` with a fixed message.
 */
export function parseOpenSshPrivateKey(text: string): OpenSshEd25519 {
  const m =
    /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)\n-----END OPENSSH PRIVATE KEY-----\n?$/.exec(
      text,
    );
  if (!m) throw malformedSecret();
  const b64 = m[1]!.replaceAll('\n', '');
  const data = Buffer.from(b64, 'base64');
  if (data.toString('base64') !== b64) throw malformedSecret();
  try {
    const outer = new WireReader(data);
    if (!outer.bytes(MAGIC.length).equals(MAGIC)) throw malformedSecret();
    if (outer.string().toString('latin1') !== 'none') throw malformedSecret(); // encrypted
    if (outer.string().toString('latin1') !== 'none') throw malformedSecret();
    if (outer.string().length !== 0) throw malformedSecret();
    if (outer.uint32() !== 1) throw malformedSecret();
    const pubBlob = outer.string();
    const priv = new WireReader(outer.string());
    if (outer.remaining !== 0) throw malformedSecret();

    const pub = new WireReader(pubBlob);
    if (pub.string().toString('latin1') !== KEY_TYPE) throw malformedSecret();
    const publicKey = pub.string();
    if (publicKey.length !== 32 || pub.remaining !== 0) throw malformedSecret();

    const check1 = priv.uint32();
    const check2 = priv.uint32();
    if (check1 !== check2) throw malformedSecret();
    if (priv.string().toString('latin1') !== KEY_TYPE) throw malformedSecret();
    if (!priv.string().equals(publicKey)) throw malformedSecret();
    const both = priv.string();
    if (both.length !== 64 || !both.subarray(32).equals(publicKey)) throw malformedSecret();
    const comment = priv.string().toString('utf8');
    const padding = priv.bytes(priv.remaining);
    if (padding.length >= BLOCK_SIZE || padding.some((b, i) => b !== i + 1))
      throw malformedSecret();
    const seed = Buffer.from(both.subarray(0, 32));
    if (!ed25519PublicFromSeed(seed).equals(publicKey)) throw malformedSecret();
    return { seed, publicKey: Buffer.from(publicKey), comment, checkInt: check1 };
  } catch (e) {
    if (e instanceof KeyMaterialError) throw e;
    throw malformedSecret();
  }
}

/**
 * Parses `ssh-ed25519 <base64> [comment]` (an `authorized_keys` / deploy-key line) and
 * returns the 32-byte public key. Throws `public-malformed`.
 */
export function parseSshPublicLine(line: string): { publicKey: Buffer; comment: string } {
  const malformed = () =>
    new KeyMaterialError(
      'public-malformed',
      'the public part is not an "ssh-ed25519 AAAA... comment" line',
    );
  const m = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})(?: ([!-~]+(?: [!-~]+)*))?\n?$/.exec(line);
  if (!m) throw malformed();
  const blob = Buffer.from(m[1]!, 'base64');
  if (blob.toString('base64') !== m[1]) throw malformed();
  try {
    const r = new WireReader(blob);
    if (r.string().toString('latin1') !== KEY_TYPE) throw malformed();
    const publicKey = r.string();
    if (publicKey.length !== 32 || r.remaining !== 0) throw malformed();
    return { publicKey: Buffer.from(publicKey), comment: m[2] ?? '' };
  } catch {
    throw malformed();
  }
}

/** `SHA256:` + unpadded base64 of SHA-256 over the public key blob, as `ssh-keygen -l` prints. */
export function sshFingerprint(publicKey: Uint8Array): string {
  const digest = createHash('sha256').update(sshPublicBlob(publicKey)).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
