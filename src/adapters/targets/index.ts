/**
 * The target adapters: GitHub secrets and deploy keys (through the rekey GitHub client, whose
 * throttle spaces writes about 1 s apart), files under an output folder, and PostgreSQL roles
 * (admin URLs from the run's environment). Build one set per
 * run: the secrets adapter caches each scope's public key for its lifetime.
 */
import type { TargetPorts } from '../../core/ports/targets.ts';
import type { GitHubClient } from '../github/client.ts';
import { createAwsSecretsAdapter } from './aws-secret.ts';
import { createDeployKeysAdapter } from './deploy-keys.ts';
import { createTargetFiles } from './files.ts';
import { createPostgresRoles, type PostgresAdapterOptions } from './postgres.ts';
import { createSecretsAdapter } from './secrets.ts';

export { createDeployKeysAdapter, createPostgresRoles, createSecretsAdapter, createTargetFiles };
export type { PostgresAdapterOptions };
export { createAwsSecretsAdapter } from './aws-secret.ts';
export { createHttpsProbe } from './probe-https.ts';
export { OutsideOutputError } from './files.ts';
export { sealSecret } from './secrets.ts';

/** What the kinds beyond GitHub and files need from the entrypoint. */
export interface KindAdapterOptions {
  /**
   * Reads the run's environment (`(n) => process.env[n]`): postgres-role targets name the
   * variable holding their admin URL. Absent: those targets fail preflight.
   */
  readonly env?: (name: string) => string | undefined;
  readonly postgres?: Omit<PostgresAdapterOptions, 'env'>;
}

export function createTargetPorts(
  client: GitHubClient,
  outputDir: string,
  opts: KindAdapterOptions = {},
): TargetPorts {
  return {
    secrets: createSecretsAdapter(client),
    deployKeys: createDeployKeysAdapter(client),
    files: createTargetFiles(outputDir),
    // aws-secret builds no AWS client until a target is observed (the SDK's credential chain).
    kinds: {
      'aws-secret': createAwsSecretsAdapter(),
      ...(opts.env === undefined
        ? {}
        : { 'postgres-role': createPostgresRoles({ ...opts.postgres, env: opts.env }) }),
    },
  };
}
