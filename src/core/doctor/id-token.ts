/**
 * Least privilege for the OIDC token (docs/doctor.md): `id-token: write` lets every step of the
 * distribute job ask GitHub for an OIDC token that proves this repository, branch and
 * environment ran, which any cloud role trusting that subject accepts. rekey needs it for one
 * thing, the AWS credentials of `aws-secret` targets (docs/targets.md "AWS Secrets Manager").
 * So the grant should follow the manifest: granted with no such target, it is reach nobody
 * uses; missing with one, the AWS step in Actions has no token to exchange (a self-hosted
 * runner with its own AWS role does not need it, hence a warning, not an error).
 * Pure: the workflow's parsed job and the manifest's key files in, findings out.
 */
import { parseKeyFilePath } from '../formats/key-id.ts';
import type { FileTree } from '../snapshot.ts';
import { parseYaml } from '../yaml/index.ts';
import { type DoctorFinding, finding } from './findings.ts';

type YamlMap = { readonly [key: string]: unknown };
const isMap = (v: unknown): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type At = (path: (string | number)[]) => { file: string; line?: number; column?: number };

/**
 * The ids of the keys whose key.yaml lists an `aws-secret` target, read with the deciding
 * YAML loader: a file with any finding names none (the loader refuses it, so distribution
 * would not run on it; validate reports it).
 */
export function keysWithAwsTargets(tree: FileTree): string[] {
  const ids: string[] = [];
  for (const [path, bytes] of tree) {
    const id = parseKeyFilePath(path);
    if (id === undefined) continue;
    const parsed = parseYaml(path, bytes);
    const doc = parsed.diagnostics.length === 0 ? parsed.value : undefined;
    const targets = isMap(doc) && Array.isArray(doc['targets']) ? doc['targets'] : [];
    if (targets.some((t) => isMap(t) && t['kind'] === 'aws-secret')) ids.push(id);
  }
  return ids.sort();
}

/** Where the job's `id-token: write` comes from, or undefined when it is not granted. */
function idTokenGrant(wf: YamlMap, jobId: string, job: YamlMap): (string | number)[] | undefined {
  // A job's own `permissions:` replaces the workflow's, whole.
  const [perms, at] =
    'permissions' in job
      ? [job['permissions'], ['jobs', jobId, 'permissions']]
      : [wf['permissions'], ['permissions']];
  if (perms === 'write-all') return at;
  if (isMap(perms) && perms['id-token'] === 'write') return [...at, 'id-token'];
  return undefined;
}

export function checkIdToken(
  wf: YamlMap,
  jobId: string,
  job: YamlMap,
  stepAt: (string | number)[],
  awsKeys: readonly string[],
  at: At,
): DoctorFinding[] {
  const grant = idTokenGrant(wf, jobId, job);
  if (grant !== undefined && awsKeys.length === 0)
    return [
      finding(
        'doctor/id-token-unused',
        `job \`${jobId}\` grants \`id-token: write\`, but no key has an aws-secret target: every step of the job can mint an OIDC token for this repository, and nothing of rekey's uses it`,
        at(grant),
      ),
    ];
  if (grant === undefined && awsKeys.length > 0) {
    const named = awsKeys.slice(0, 3).join(', ') + (awsKeys.length > 3 ? ', …' : '');
    return [
      finding(
        'doctor/id-token-missing',
        `${awsKeys.length === 1 ? 'key' : 'keys'} ${named} ${awsKeys.length === 1 ? 'has an' : 'have'} aws-secret target${awsKeys.length === 1 ? '' : 's'}, but job \`${jobId}\` does not grant \`id-token: write\`: on a GitHub-hosted runner the AWS step has no OIDC token to exchange for the role's credentials`,
        at('permissions' in job ? ['jobs', jobId, 'permissions'] : stepAt),
      ),
    ];
  }
  return [];
}
