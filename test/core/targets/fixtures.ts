// Keys with real material for the target tests: a key.yaml document and its decrypted live
// versions, generated in memory. Every secret is registered with the canary.
import {
  type KeyDocument,
  type KeyState,
  type KeyType,
  keyDocument,
} from '../../../src/core/formats/key.ts';
import type { LiveVersion } from '../../../src/core/targets/desired.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { generateKey } from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';

export interface TestKey {
  doc: KeyDocument;
  live: LiveVersion[];
  /** Plaintext secret by version (tests compare against it; never print it). */
  secret: Map<number, string>;
  public: Map<number, string>;
  fingerprint: Map<number, string>;
}

/** `states` newest first, as key.yaml lists versions: index 0 is the highest version. */
export async function testKey(
  type: KeyType,
  states: readonly KeyState[],
  targets: unknown[],
  id = 'payments/webhook-signing',
): Promise<TestKey> {
  const options = type === 'random' ? { bytes: 32, encoding: 'base64' as const } : undefined;
  const versions = [];
  const live: LiveVersion[] = [];
  const secret = new Map<number, string>();
  const pub = new Map<number, string>();
  const fingerprint = new Map<number, string>();
  for (const [i, state] of states.entries()) {
    const version = states.length - i;
    const k = await generateKey(type, options);
    canary.register(k.secret, `${type} v${version}`);
    versions.push({ version, state, created: '2026-11-01T00:00:00Z', fingerprint: k.fingerprint });
    fingerprint.set(version, k.fingerprint);
    if (k.public !== undefined) pub.set(version, k.public);
    if (state !== 'destroyed') {
      secret.set(version, k.secret);
      live.push({ version, secret: SecretValue.of(k.secret), public: k.public });
    }
  }
  const doc = keyDocument.parse({
    id,
    description: 'test key',
    owner: '@acme/payments',
    policy: 'standard',
    type,
    ...(options ? { options } : {}),
    targets,
    versions,
  });
  return { doc, live, secret, public: pub, fingerprint };
}
