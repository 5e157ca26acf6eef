import type { KeyType } from '../../core/formats/key.ts';
import { generateAge } from './age.ts';
import { KeyMaterialError } from './errors.ts';
import { DEFAULT_SSH_COMMENT, generateOpenSsh, SSH_COMMENT_PATTERN } from './openssh.ts';
import { generatePkix } from './pkix.ts';
import { checkRandomOptions, generateRandom, type RandomOptions } from './random.ts';
import { fingerprintOf } from './verify.ts';

/** Fresh key material, in memory only. */
export interface GeneratedKey {
  /**
   * The text stored in the encrypted `secret` field of `v<N>.sops.yaml`: PKCS#8 PEM
   * (ed25519, ecdsa-p256, rsa-*), an OpenSSH private key (ssh-ed25519), `AGE-SECRET-KEY-1...`
   * (age-x25519) or the encoded bytes (random).
   */
  readonly secret: string;
  /**
   * What reviewers and targets see, stored in clear: SPKI PEM, an `ssh-ed25519 AAAA...
   * comment` line, or the `age1...` recipient. Absent for random keys.
   */
  readonly public?: string;
  /** The fingerprint recorded in key.yaml (see docs/key-types.md). */
  readonly fingerprint: string;
}

export interface SshOptions {
  /** The comment of an ssh-ed25519 key (default `rekey`): one line of printable ASCII. */
  readonly comment?: string;
}

/**
 * Generates a new key of `type`. Random keys need `options` (key.yaml's `options`);
 * other types refuse them, as key.yaml does. ssh-ed25519 takes an optional comment.
 */
export async function generateKey(
  type: KeyType,
  options?: RandomOptions,
  ssh: SshOptions = {},
): Promise<GeneratedKey> {
  if (type !== 'random' && options !== undefined)
    throw new KeyMaterialError('options-invalid', `options apply to random keys only, not ${type}`);
  if (type !== 'ssh-ed25519' && ssh.comment !== undefined)
    throw new KeyMaterialError('options-invalid', `a comment applies to ssh-ed25519 keys only`);
  switch (type) {
    case 'random': {
      const opts = checkRandomOptions(options);
      const secret = generateRandom(opts);
      return { secret, fingerprint: await fingerprintOf(type, { secret }, opts) };
    }
    case 'ed25519':
    case 'ecdsa-p256':
    case 'rsa-3072':
    case 'rsa-4096':
      return withFingerprint(type, await generatePkix(type));
    case 'ssh-ed25519': {
      const comment = ssh.comment ?? DEFAULT_SSH_COMMENT;
      if (comment.length > 100 || !SSH_COMMENT_PATTERN.test(comment))
        throw new KeyMaterialError(
          'options-invalid',
          'an ssh comment is 1-100 printable ASCII characters, single spaces between words',
        );
      return withFingerprint(type, generateOpenSsh(comment));
    }
    case 'age-x25519':
      return withFingerprint(type, await generateAge());
  }
}

async function withFingerprint(
  type: KeyType,
  material: { secret: string; public: string },
): Promise<GeneratedKey> {
  return { ...material, fingerprint: await fingerprintOf(type, material) };
}
