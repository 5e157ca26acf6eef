// Actions and Dependabot secrets. Each scope (repository, environment, organization) has a real
// libsodium key pair, as on GitHub; a PUT is accepted only when `encrypted_value` is a sealed
// box that opens with the scope's current key. The emulator keeps the private keys so a test
// can open what was written (`openSecret`), which is how tests prove distribution worked.
import { randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';

export type SecretApp = 'actions' | 'dependabot';

export type SecretScope =
  | { app?: SecretApp; repository: string; environment?: string }
  | { app?: SecretApp; organization: string };

export interface KeyPair {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface StoredSecret {
  name: string;
  sealed: Uint8Array;
  keyPair: KeyPair;
  created_at: string;
  updated_at: string;
  visibility?: 'all' | 'private' | 'selected';
  selectedRepositoryIds: number[];
}

export const sodiumReady: Promise<void> = sodium.ready;

export function scopeKey(scope: SecretScope): string {
  const app = scope.app ?? 'actions';
  if ('organization' in scope) return `${app}:org:${scope.organization.toLowerCase()}`;
  const repo = scope.repository.toLowerCase();
  return scope.environment ? `${app}:env:${repo}:${scope.environment}` : `${app}:repo:${repo}`;
}

export class SecretBoxes {
  readonly #keys = new Map<string, KeyPair>();
  readonly #secrets = new Map<string, Map<string, StoredSecret>>();

  /** The scope's current key pair, created on first use. */
  keyPair(scope: string): KeyPair {
    let kp = this.#keys.get(scope);
    if (!kp) {
      kp = this.#newKeyPair();
      this.#keys.set(scope, kp);
    }
    return kp;
  }

  /** Replaces the scope's key pair (GitHub rotates these); sealed values stay openable. */
  rotateKey(scope: string): KeyPair {
    const kp = this.#newKeyPair();
    this.#keys.set(scope, kp);
    return kp;
  }

  #newKeyPair(): KeyPair {
    const { publicKey, privateKey } = sodium.crypto_box_keypair();
    const keyId = `${randomInt(1e8, 1e9)}${randomInt(1e8, 1e9)}`;
    return { keyId, publicKey, privateKey };
  }

  publicKeyJson(scope: string): { key_id: string; key: string } {
    const kp = this.keyPair(scope);
    return {
      key_id: kp.keyId,
      key: sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL),
    };
  }

  /**
   * Checks a PUT body against the scope's current key. Returns the sealed bytes, or a reason
   * for a 422 (which never includes the value).
   */
  check(
    scope: string,
    keyId: string,
    encrypted: string,
  ): { sealed: Uint8Array } | { problem: string } {
    const kp = this.keyPair(scope);
    if (keyId !== kp.keyId) return { problem: `key_id ${keyId} is not the current public key` };
    let sealed: Uint8Array;
    try {
      sealed = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
    } catch {
      return { problem: 'encrypted_value is not base64' };
    }
    try {
      sodium.crypto_box_seal_open(sealed, kp.publicKey, kp.privateKey);
    } catch {
      return { problem: 'encrypted_value is not a sealed box for the current public key' };
    }
    return { sealed };
  }

  list(scope: string): StoredSecret[] {
    return [...(this.#secrets.get(scope)?.values() ?? [])].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  }

  get(scope: string, name: string): StoredSecret | undefined {
    return this.#secrets.get(scope)?.get(name.toUpperCase());
  }

  /** Stores a secret; true when it was created, false when updated. */
  put(
    scope: string,
    secret: Omit<StoredSecret, 'name' | 'created_at' | 'updated_at'> & {
      name: string;
      now: string;
    },
  ): boolean {
    let map = this.#secrets.get(scope);
    if (!map) {
      map = new Map();
      this.#secrets.set(scope, map);
    }
    const name = secret.name.toUpperCase();
    const existing = map.get(name);
    const { now, ...rest } = secret;
    map.set(name, { ...rest, name, created_at: existing?.created_at ?? now, updated_at: now });
    return existing === undefined;
  }

  delete(scope: string, name: string): boolean {
    return this.#secrets.get(scope)?.delete(name.toUpperCase()) ?? false;
  }

  /** The plaintext of a stored secret (tests only), or undefined when there is none. */
  open(scope: string, name: string): string | undefined {
    const s = this.get(scope, name);
    if (!s) return undefined;
    const plain = sodium.crypto_box_seal_open(s.sealed, s.keyPair.publicKey, s.keyPair.privateKey);
    return sodium.to_string(plain);
  }
}
