/**
 * A loaded snapshot plus its tree -> what the lifecycle rules read. The loader
 * (load-snapshot.ts) leaves out every file with a finding; verify still needs to know such a
 * file exists (a key.yaml that no longer parses is not a removed key; a material file that
 * fails its schema is not a missing one), so those are read from the tree as plain YAML.
 */
import { durationMs } from '../duration.ts';
import { parseKeyFilePath, parseMaterialPath } from '../formats/index.ts';
import type { KeyFacts, ManifestFacts, MaterialFacts } from '../lifecycle/model.ts';
import { materialFacts } from '../lifecycle/facts.ts';
import type { FileTree, ManifestSnapshot } from '../snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../sops-config.ts';
import { parseYaml } from '../yaml/index.ts';

export interface ChangeSide {
  readonly snapshot: ManifestSnapshot;
  /** The tree the snapshot was loaded from. */
  readonly tree: FileTree;
}

export function manifestFactsOf({ snapshot, tree }: ChangeSide): ManifestFacts {
  const decoder = new TextDecoder();
  const unreadableKeys = new Set<string>();
  for (const path of tree.keys()) {
    const id = parseKeyFilePath(path);
    if (id !== undefined && !snapshot.keys.has(id)) unreadableKeys.add(id);
  }
  const keys = new Map<string, KeyFacts & { materials: Map<number, MaterialFacts> }>();
  for (const [id, doc] of snapshot.keys) {
    const policy = snapshot.policies.get(doc.value.policy);
    keys.set(id, {
      id,
      doc,
      materials: new Map(),
      prepublishMs: policy === undefined ? undefined : durationMs(policy.value.prepublish),
    });
  }
  for (const [path, bytes] of tree) {
    const where = parseMaterialPath(path);
    if (where === undefined) continue;
    const key = keys.get(where.id);
    // Material without a loadable key.yaml is the loader's finding (manifest/orphan-material).
    if (key === undefined) continue;
    const loaded = snapshot.materials.get(path);
    const text = decoder.decode(bytes);
    if (loaded !== undefined) {
      key.materials.set(where.version, materialFacts(loaded, text, true));
    } else {
      const parsed = parseYaml(path, bytes);
      const doc = { file: path, value: parsed.value, locate: parsed.locate };
      key.materials.set(where.version, materialFacts(doc, text, false));
    }
  }
  return { keys, unreadableKeys };
}

/** The base branch's `.sops.yaml` as sops-config.ts reads it; undefined when absent or invalid. */
export function sopsConfigOf(snapshot: ManifestSnapshot): SopsConfig | undefined {
  return snapshot.sopsConfig === undefined
    ? undefined
    : parseSopsConfig(snapshot.sopsConfig).config;
}
