/**
 * `rekey new`: onboarding a key. Computes key.yaml and an encrypted v1 for a new key folder;
 * the caller writes them. Only the fingerprint leaves this function in clear.
 */
import { Document, isScalar, visit } from 'yaml';
import { InvalidInputError } from '../core/diagnostics.ts';
import {
  keyDocument,
  keyFile,
  loadDocument,
  MANIFEST_DIR,
  policyFile,
  type KeyType,
  type Target,
} from '../core/formats/index.ts';
import { fileTree, type FileTree } from '../core/snapshot.ts';
import type { SopsConfig } from '../core/sops-config.ts';
import { needsQuoting } from '../core/yaml/index.ts';
import { prepareRotation, type ChangePorts, type PreparedChange } from './changes.ts';

export interface NewKeyInput {
  readonly id: string;
  readonly type: KeyType;
  readonly policy: string;
  readonly owner: string;
  readonly description: string;
  readonly options?: { bytes: number; encoding?: 'base64' | 'base64url' | 'hex' } | undefined;
  readonly targets: readonly Target[];
}

/** Why a key cannot be created at `id` in `tree`, or undefined when it can. */
export function placementProblem(tree: FileTree, id: string, policy: string): string | undefined {
  const folder = `${MANIFEST_DIR}/${id}/`;
  for (const path of tree.keys()) {
    if (path.startsWith(folder))
      return `${folder} already exists (${path}); a key is onboarded once`;
    const m = /^keys-manifest\/(.+)\/key\.yaml$/.exec(path);
    if (m && folder.startsWith(`${MANIFEST_DIR}/${m[1]}/`))
      return `${id} would be inside the key ${m[1]}; key folders do not nest`;
  }
  if (!tree.has(policyFile(policy)))
    return `policy ${policy} does not exist (${policyFile(policy)})`;
  return undefined;
}

/** The key.yaml of a new key with no versions yet; validated before it is returned. */
export function renderKeyYaml(input: NewKeyInput): string {
  const body: Record<string, unknown> = {
    id: input.id,
    description: input.description,
    owner: input.owner,
    policy: input.policy,
    type: input.type,
    ...(input.options ? { options: input.options } : {}),
    targets: input.targets,
  };
  // Strings that a YAML 1.1 reader would take for something else (`on`, `y`, `017`) are
  // quoted, so the file reads the same everywhere and passes rekey's own loader.
  const doc = new Document(body);
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && needsQuoting(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  const text = `${doc.toString({ lineWidth: 0 })}versions: []\n`;
  const checked = loadDocument(keyFile(input.id), new TextEncoder().encode(text), keyDocument);
  if (!checked.doc) throw new InvalidInputError(checked.diagnostics);
  return text;
}

/**
 * The files of a new key: key.yaml with v1 `active` and the encrypted v1 material. Built as
 * "a key with no versions, then its first rotation", so onboarding and rotation share one
 * code path and one set of checks.
 */
export async function prepareNewKey(
  tree: FileTree,
  input: NewKeyInput,
  opts: { now: Date; sopsConfig: SopsConfig },
  ports: ChangePorts,
): Promise<PreparedChange> {
  const problem = placementProblem(tree, input.id, input.policy);
  if (problem) throw new RangeError(problem);
  const path = keyFile(input.id);
  // The entries the reader refused stay with the tree, so every check below still sees them.
  const withKey = fileTree(
    [...tree, [path, new TextEncoder().encode(renderKeyYaml(input))] as const],
    tree.irregular ?? [],
  );
  const change = await prepareRotation(
    withKey,
    input.id,
    { now: opts.now, sopsConfig: opts.sopsConfig, prepublish: false },
    ports,
  );
  return {
    ...change,
    message: change.message
      .replace(/^rekey: rotate (\S+) to v1/, 'rekey: onboard $1 at v1')
      .replace('Rekey-Action: rotate', 'Rekey-Action: new'),
  };
}
