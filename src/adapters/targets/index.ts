/**
 * The target adapters: GitHub secrets and deploy keys (through the rekey GitHub client, whose
 * throttle spaces writes about 1 s apart) and files under an output folder. Build one set per
 * run: the secrets adapter caches each scope's public key for its lifetime.
 */
import type { TargetPorts } from '../../core/ports/targets.ts';
import type { GitHubClient } from '../github/client.ts';
import { createAwsSecretsAdapter } from './aws-secret.ts';
import { createDeployKeysAdapter } from './deploy-keys.ts';
import { createTargetFiles } from './files.ts';
import { createSecretsAdapter } from './secrets.ts';

export { createDeployKeysAdapter, createSecretsAdapter, createTargetFiles };
export { createAwsSecretsAdapter } from './aws-secret.ts';
export { createHttpsProbe } from './probe-https.ts';
export { OutsideOutputError } from './files.ts';
export { sealSecret } from './secrets.ts';

export function createTargetPorts(client: GitHubClient, outputDir: string): TargetPorts {
  return {
    secrets: createSecretsAdapter(client),
    deployKeys: createDeployKeysAdapter(client),
    files: createTargetFiles(outputDir),
    // Builds no AWS client until an aws-secret target is observed (the SDK's credential chain).
    kinds: { 'aws-secret': createAwsSecretsAdapter() },
  };
}
