/**
 * Key ids are folder paths under keys-manifest/: 1-4 segments of `[a-z0-9][a-z0-9-]*`
 * joined by `/`, at most 100 characters. They become branch names (`rekey/rotate/<id>`),
 * so the alphabet is deliberately narrow: no `..`, no upper case, nothing git or a shell
 * would treat specially.
 */
export const KEY_ID_PATTERN = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*){0,3}$/;
export const KEY_ID_MAX_LENGTH = 100;

export function isKeyId(s: string): boolean {
  return s.length <= KEY_ID_MAX_LENGTH && KEY_ID_PATTERN.test(s);
}

export const MANIFEST_DIR = 'keys-manifest';
export const POLICIES_DIR = 'policies';
export const PIPELINE_FILE = 'policies/pipeline.yaml';
export const SOPS_CONFIG_FILE = '.sops.yaml';

export const keyFile = (id: string): string => `${MANIFEST_DIR}/${id}/key.yaml`;
export const materialFile = (id: string, version: number): string =>
  `${MANIFEST_DIR}/${id}/v${version}.sops.yaml`;
export const policyFile = (name: string): string => `${POLICIES_DIR}/${name}.yaml`;

/** `keys-manifest/a/b/v3.sops.yaml` -> { id: 'a/b', version: 3 }; anything else -> undefined. */
export function parseMaterialPath(path: string): { id: string; version: number } | undefined {
  const m = /^keys-manifest\/(.+)\/v([1-9][0-9]*)\.sops\.yaml$/.exec(path);
  return m ? { id: m[1]!, version: Number(m[2]) } : undefined;
}

/** `keys-manifest/a/b/key.yaml` -> 'a/b'; anything else -> undefined. */
export function parseKeyFilePath(path: string): string | undefined {
  const m = /^keys-manifest\/(.+)\/key\.yaml$/.exec(path);
  return m ? m[1] : undefined;
}
