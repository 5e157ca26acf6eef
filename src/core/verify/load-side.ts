/**
 * Reads one side of a change (a FileTree at the base or the head commit) into what
 * compareSides needs. Every file goes through the safe YAML loader; key.yaml and policies
 * through their schemas. Findings are returned, not thrown: verify reports the head's load
 * errors alongside its rule violations, all of them at once.
 */
import type { Diagnostic } from '../diagnostics.ts';
import {
  keyDocument,
  loadDocument,
  parseKeyFilePath,
  parseMaterialPath,
  policyDocument,
  PIPELINE_FILE,
  POLICIES_DIR,
  SOPS_CONFIG_FILE,
  type KeyDocument,
  type PolicyDocument,
} from '../formats/index.ts';
import { manifestFacts } from '../lifecycle/facts.ts';
import type { FileTree, Located } from '../snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../sops-config.ts';
import { parseYaml } from '../yaml/index.ts';
import type { VerifySide } from './verify-change.ts';

export function loadSide(files: FileTree): { side: VerifySide; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const keys: Located<KeyDocument>[] = [];
  const unreadableKeys: string[] = [];
  const materials: { doc: Located<unknown>; text: string }[] = [];
  const policies = new Map<string, PolicyDocument>();
  let sopsConfig: SopsConfig | undefined;
  const decoder = new TextDecoder();

  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const keyId = parseKeyFilePath(path);
    if (keyId !== undefined) {
      const loaded = loadDocument(path, bytes, keyDocument);
      diagnostics.push(...loaded.diagnostics);
      if (loaded.doc) keys.push(loaded.doc);
      else unreadableKeys.push(keyId);
      continue;
    }
    if (parseMaterialPath(path) !== undefined) {
      const parsed = parseYaml(path, bytes);
      diagnostics.push(...parsed.diagnostics);
      materials.push({
        doc: { file: path, value: parsed.value, locate: parsed.locate },
        text: decoder.decode(bytes),
      });
      continue;
    }
    const policy = new RegExp(`^${POLICIES_DIR}/([a-z0-9][a-z0-9-]*)\\.yaml$`).exec(path);
    if (policy && path !== PIPELINE_FILE) {
      const loaded = loadDocument(path, bytes, policyDocument);
      diagnostics.push(...loaded.diagnostics);
      if (loaded.doc) policies.set(policy[1]!, loaded.doc.value);
      continue;
    }
    if (path === SOPS_CONFIG_FILE) {
      const parsed = parseYaml(path, bytes);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.value !== undefined) {
        const r = parseSopsConfig({ file: path, value: parsed.value, locate: parsed.locate });
        diagnostics.push(...r.diagnostics);
        sopsConfig = r.config;
      }
    }
  }
  const manifest = manifestFacts({ keys, materials, policies, unreadableKeys });
  return { side: { manifest, sopsConfig, files }, diagnostics };
}
