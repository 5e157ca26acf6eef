/**
 * File target formats: pure `versions -> bytes` functions. Every format but `jwks` writes the
 * active version's secret; `jwks` writes the public keys of every version a verifier should
 * trust (pre-activation, active, deactivated) and nothing private.
 */
import type { KeyDocument, KeyType } from '../formats/key.ts';
import { JWK_TYPES, publicJwk, type PublicJwk } from './jwk.ts';
import { SecretValue } from './secret-value.ts';

export type FileFormat = 'raw' | 'env' | 'json' | 'kubernetes-secret' | 'jwks';

export class TargetRenderError extends Error {
  override readonly name = 'TargetRenderError';
}

/** The variable / property / data key used when the target names none: `payments/webhook-signing` -> `PAYMENTS_WEBHOOK_SIGNING`. */
export function defaultEntryName(keyId: string): string {
  return keyId.toUpperCase().replace(/[/-]/g, '_');
}

/** Characters an env value may carry unquoted (POSIX sh and dotenv agree on these). */
const BARE = /^[A-Za-z0-9_./+=:@-]*$/;

/**
 * `NAME=value\n`. Anything beyond BARE is single-quoted, which both `sh` (`. file`) and
 * dotenv parsers read literally, newlines included. A value with a single quote has no form
 * both agree on, so it is refused (rekey's key types never produce one).
 */
export function renderEnv(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new TargetRenderError(`env variable names are [A-Za-z_][A-Za-z0-9_]*; got ${name}`);
  if (BARE.test(value)) return `${name}=${value}\n`;
  if (value.includes("'"))
    throw new TargetRenderError(
      `the value for ${name} contains a single quote; env cannot carry it`,
    );
  return `${name}='${value}'\n`;
}

export function renderJson(name: string, value: string): string {
  return `${JSON.stringify({ [name]: value }, null, 2)}\n`;
}

/** Kubernetes object names are DNS subdomains; a key id maps onto one with `/` -> `.`. */
export function kubernetesName(keyId: string): string {
  const name = keyId.replace(/\//g, '.');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name))
    throw new TargetRenderError(`${keyId} does not map onto a Kubernetes object name`);
  return name;
}

/** A `v1/Secret` manifest (YAML; every scalar is quoted or base64, so no YAML surprises). */
export function renderKubernetesSecret(keyId: string, dataKey: string, value: string): string {
  if (!/^[-._a-zA-Z0-9]+$/.test(dataKey))
    throw new TargetRenderError(`Kubernetes data keys are [-._a-zA-Z0-9]+; got ${dataKey}`);
  const data = Buffer.from(value, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${kubernetesName(keyId)}`,
    '  annotations:',
    `    rekey.dev/key: ${JSON.stringify(keyId)}`,
    'type: Opaque',
    'data:',
    `  ${dataKey}: ${data}`,
    '',
  ].join('\n');
}

export interface JwksEntry {
  readonly version: number;
  readonly fingerprint: string;
  readonly public: string;
}

/** `{"keys": [...]}`, newest version first, public members only. */
export function renderJwks(type: KeyType, entries: readonly JwksEntry[]): string {
  if (!JWK_TYPES.includes(type))
    throw new TargetRenderError(`jwks needs an ${JWK_TYPES.join(', ')} key, not ${type}`);
  const keys: PublicJwk[] = [...entries]
    .sort((a, b) => b.version - a.version)
    .map((e) => publicJwk(type, e.public, e.fingerprint));
  return `${JSON.stringify({ keys }, null, 2)}\n`;
}

export interface RenderInput {
  readonly key: Pick<KeyDocument, 'id' | 'type'>;
  readonly format: FileFormat;
  readonly name?: string | undefined;
  /** The active version's secret; undefined when the key has none. */
  readonly active?: SecretValue | undefined;
  /** For jwks: the versions to publish. */
  readonly publish: readonly JwksEntry[];
}

/** The file's bytes, or null when the file should not exist (no active version). */
export function renderFile(input: RenderInput): SecretValue | null {
  const { key, format } = input;
  if (format === 'jwks') return SecretValue.of(renderJwks(key.type, input.publish));
  if (input.active === undefined) return null;
  const name = input.name ?? defaultEntryName(key.id);
  const value = input.active.text();
  switch (format) {
    case 'raw':
      return input.active;
    case 'env':
      return SecretValue.of(renderEnv(name, value));
    case 'json':
      return SecretValue.of(renderJson(name, value));
    case 'kubernetes-secret':
      return SecretValue.of(renderKubernetesSecret(key.id, name, value));
  }
}
