/**
 * Ports for the distribution targets (DESIGN "Flows: distribute"). Adapters in
 * src/adapters/targets implement them; the core observes, plans and applies through them.
 * Failures are thrown (`GitHubError` for GitHub, Node's errors for files); none of them
 * carries a secret value.
 */
import type { PortOf, TargetKindName } from '../targets/kind.ts';
import type { SecretValue } from '../targets/secret-value.ts';

export type SecretApp = 'actions' | 'dependabot';

/** Where a GitHub secret lives. `repository` and `organization` are as key.yaml writes them. */
export type SecretScope =
  | { readonly kind: 'repository'; readonly app: SecretApp; readonly repository: string }
  | {
      readonly kind: 'environment';
      readonly app: 'actions';
      readonly repository: string;
      readonly environment: string;
    }
  | { readonly kind: 'organization'; readonly app: SecretApp; readonly organization: string };

/** A stable, printable identity of a scope: `actions:repo:acme/api`, `dependabot:org:acme`. */
export function scopeId(scope: SecretScope): string {
  switch (scope.kind) {
    case 'repository':
      return `${scope.app}:repo:${scope.repository.toLowerCase()}`;
    case 'environment':
      return `${scope.app}:env:${scope.repository.toLowerCase()}:${scope.environment}`;
    case 'organization':
      return `${scope.app}:org:${scope.organization.toLowerCase()}`;
  }
}

export type OrgVisibility = 'all' | 'private' | 'selected';

/** What GitHub lets anyone see of a secret: never its value. */
export interface ObservedSecret {
  readonly name: string;
  /** ISO 8601, as GitHub reports it. */
  readonly updatedAt: string;
  /** Organization secrets only. */
  readonly visibility?: OrgVisibility;
}

/** Organization secrets: who may read it. `selectedRepositories` are `owner/name`. */
export interface OrgAccess {
  readonly visibility: OrgVisibility;
  readonly selectedRepositories?: readonly string[];
}

export interface SecretPublicKey {
  readonly keyId: string;
  /** base64 (the libsodium public key GitHub publishes for the scope). */
  readonly key: string;
}

export interface SecretsPort {
  /** The scope's sealing key. Fetched once per adapter (one per run) and cached. 1 call, then 0. */
  publicKey(scope: SecretScope): Promise<SecretPublicKey>;
  /** Names and `updated_at` of every secret in the scope. 1 call per 100 secrets. */
  listSecrets(scope: SecretScope): Promise<ObservedSecret[]>;
  /** `owner/name` of the repositories an organization secret with visibility `selected` reaches. 1 call. */
  selectedRepositories(scope: SecretScope, name: string): Promise<string[]>;
  /**
   * Seals `value` with the scope's public key and writes it; `org` sets visibility (organization
   * scopes only). Returns GitHub's `updated_at` after the write (read back: 1 more call). 2 calls
   * (+1 for the public key on first use, +1 per selected repository id to resolve on first use).
   */
  putSecret(
    scope: SecretScope,
    name: string,
    value: SecretValue,
    org?: OrgAccess,
  ): Promise<{ readonly result: 'created' | 'updated'; readonly updatedAt: string }>;
  /** Deletes a secret; `absent` when there was none. 1 call. */
  deleteSecret(scope: SecretScope, name: string): Promise<'deleted' | 'absent'>;
}

export interface ObservedDeployKey {
  readonly id: number;
  readonly title: string;
  /** `type base64` (GitHub drops the comment). */
  readonly key: string;
  readonly readOnly: boolean;
}

export interface DeployKeysPort {
  /** Every deploy key of `owner/name`. 1 call per 100 keys. */
  listDeployKeys(repository: string): Promise<ObservedDeployKey[]>;
  /** 1 call. */
  addDeployKey(
    repository: string,
    key: { readonly title: string; readonly key: string; readonly readOnly: boolean },
  ): Promise<ObservedDeployKey>;
  /** `absent` when it was gone already. 1 call. */
  deleteDeployKey(repository: string, id: number): Promise<'deleted' | 'absent'>;
}

/** Files under one output folder; paths are relative, `/`-separated, never outside the folder. */
export interface TargetFilesPort {
  /** The file's bytes (wrapped: they are usually secret), or null when there is none. */
  readFile(path: string): Promise<SecretValue | null>;
  /** Atomic: the old file or the new one, never half of one. Mode 0600. */
  writeFile(path: string, content: SecretValue): Promise<void>;
  deleteFile(path: string): Promise<'deleted' | 'absent'>;
}

export interface TargetPorts {
  readonly secrets: SecretsPort;
  readonly deployKeys: DeployKeysPort;
  readonly files: TargetFilesPort;
  /**
   * The ports of the kinds beyond GitHub and files, by kind (each kind declares its own in
   * `KindTypes`). Absent: that kind's targets fail preflight, saying which port is missing.
   */
  readonly kinds?: { readonly [K in TargetKindName]?: PortOf<K> };
}
