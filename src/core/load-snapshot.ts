/**
 * FileTree -> ManifestSnapshot: every manifest file through the safe loader and its schema,
 * then the rules that span files (a key's id is its folder, a material file belongs to a key,
 * a key's policy exists, nothing unexpected lives under keys-manifest/, and every entry the
 * tree reader refused there is a violation: a symlink, submodule, special or oversized file is
 * never read, and never silently skipped either). Lifecycle rules
 * (one active version, material exactly for live versions...) live in ./lifecycle.
 *
 * Findings are returned, all of them, sorted by file and line; nothing is thrown. A file
 * with findings is left out of the snapshot, so callers only ever see valid documents.
 */
import { diagnostic, fileLocation, sortDiagnostics } from './diagnostics.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { LoadedDocument } from './formats/load-document.ts';
import type { z } from 'zod';
import {
  isKeyId,
  keyDocument,
  loadDocument as loadDocumentOnce,
  MANIFEST_DIR,
  materialDocument,
  parseKeyFilePath,
  parseMaterialPath,
  PIPELINE_FILE,
  pipelineDocument,
  POLICIES_DIR,
  policyDocument,
  SOPS_CONFIG_FILE,
} from './formats/index.ts';
import type {
  KeyDocument,
  MaterialDocument,
  PipelineDocument,
  PolicyDocument,
} from './formats/index.ts';
import type { FileTree, IrregularEntry, Located, ManifestSnapshot } from './snapshot.ts';
import { parseYaml } from './yaml/index.ts';

export const MANIFEST_RULES = {
  'manifest/invalid-key-path':
    'A key folder whose path is not a key id (1-4 segments of [a-z0-9][a-z0-9-]*, at most 100 characters).',
  'manifest/id-mismatch': 'key.yaml `id` differs from its folder path under keys-manifest/.',
  'manifest/nested-key': 'A key folder inside another key folder.',
  'manifest/orphan-material': 'A v<N>.sops.yaml file in a folder without key.yaml.',
  'manifest/material-mismatch': 'A material file whose `id` or `version` differs from its path.',
  'manifest/unexpected-file':
    'A file under keys-manifest/ other than key.yaml, v<N>.sops.yaml or the top-level README.md.',
  'manifest/not-a-regular-file':
    'A symlink, submodule or other non-regular entry under keys-manifest/ or policies/, or as .sops.yaml.',
  'manifest/file-too-large':
    "A file under keys-manifest/ or policies/, or .sops.yaml, over the tree reader's size cap.",
  'policy/unknown': 'A key names a policy that has no file under policies/.',
  'policy/name-mismatch': 'A policy whose `name` differs from its file name.',
  'policy/unexpected-file':
    'A file under policies/ other than <name>.yaml, pipeline.yaml or README.md.',
} as const satisfies Record<string, string>;

/** Files under keys-manifest/ and policies/ that are neither manifest nor policy, and allowed. */
const ALLOWED_EXTRAS = new Set([
  `${MANIFEST_DIR}/README.md`,
  `${MANIFEST_DIR}/.gitkeep`,
  `${POLICIES_DIR}/README.md`,
]);
const MANIFEST_PREFIX = `${MANIFEST_DIR}/`;
const POLICIES_PREFIX = `${POLICIES_DIR}/`;
const POLICY_PATH = new RegExp(`^${POLICIES_DIR}/([^/]+)\\.yaml$`);

/**
 * What one load parsed, by path, so that a second load of a tree that shares most of its
 * files (verify's head after its base) reads each unchanged file once: a file whose bytes
 * are identical reuses the first load's result, which is the same value loadDocument would
 * compute again. The documents are shared, read-only, between the two snapshots.
 */
export type LoadCache = Map<string, { readonly bytes: Uint8Array; readonly loaded: unknown }>;

export function loadSnapshot(
  tree: FileTree,
  opts: {
    readonly cache?: LoadCache;
    /**
     * Which material files' documents to keep (default: all). The others are loaded and
     * checked as usual, findings included, but left out of `materials` (and of the cache):
     * when valid, their paths are returned as `released`. verify keeps the changed ones only.
     */
    readonly keepMaterial?: (path: string) => boolean;
  } = {},
): {
  snapshot: ManifestSnapshot;
  diagnostics: Diagnostic[];
  /** Valid material files whose documents `keepMaterial` let go; only with that option. */
  released?: ReadonlySet<string>;
} {
  const cache = opts.cache;
  const loadDocument = <T>(
    path: string,
    bytes: Uint8Array,
    schema: z.ZodType<T>,
  ): LoadedDocument<T> => {
    const hit = cache?.get(path);
    if (hit !== undefined && sameBytes(hit.bytes, bytes)) return hit.loaded as LoadedDocument<T>;
    const loaded = loadDocumentOnce(path, bytes, schema);
    cache?.set(path, { bytes, loaded });
    return loaded;
  };
  const diagnostics: Diagnostic[] = [];
  const keys = new Map<string, Located<KeyDocument>>();
  const keyFolders = new Set<string>(); // every folder with a key.yaml, loadable or not
  const policies = new Map<string, Located<PolicyDocument>>();
  const policyNames = new Set<string>(); // every policies/<name>.yaml, loadable or not
  const materials = new Map<string, Located<MaterialDocument>>();
  const materialPaths: { path: string; id: string; version: number }[] = [];
  const released = new Set<string>();
  let pipelineFile: Located<PipelineDocument> | undefined;
  let sopsConfig: Located<unknown> | undefined;

  for (const entry of tree.irregular ?? [])
    if (isRekeyPath(entry.path)) diagnostics.push(irregularFile(entry));

  const paths = [...tree.keys()].sort();
  for (const path of paths) {
    const bytes = tree.get(path)!;
    if (path.startsWith(MANIFEST_PREFIX)) {
      const id = parseKeyFilePath(path);
      if (id !== undefined) {
        keyFolders.add(id);
        const loaded = loadDocument(path, bytes, keyDocument);
        append(diagnostics, loaded.diagnostics);
        if (!isKeyId(id)) {
          diagnostics.push(
            diagnostic(
              'manifest/invalid-key-path',
              `"${id}" is not a key id: use 1-4 segments of [a-z0-9][a-z0-9-]* joined by "/", at most 100 characters`,
              fileLocation(path),
            ),
          );
          continue;
        }
        if (loaded.doc === undefined) continue;
        if (loaded.doc.value.id !== id) {
          diagnostics.push(
            diagnostic(
              'manifest/id-mismatch',
              `id must equal the folder path under ${MANIFEST_DIR}/: expected ${id}`,
              loaded.doc.locate(['id']),
            ),
          );
          continue;
        }
        keys.set(id, loaded.doc);
        continue;
      }
      const material = parseMaterialPath(path);
      if (material !== undefined) {
        materialPaths.push({ path, ...material });
        const keep = opts.keepMaterial?.(path) ?? true;
        const loaded = (keep ? loadDocument : loadDocumentOnce)(path, bytes, materialDocument);
        append(diagnostics, loaded.diagnostics);
        if (loaded.doc === undefined) continue;
        const mismatch = materialMismatch(loaded.doc, material);
        append(diagnostics, mismatch);
        if (mismatch.length === 0) {
          if (keep) materials.set(path, loaded.doc);
          else released.add(path);
        }
        continue;
      }
      if (!ALLOWED_EXTRAS.has(path))
        diagnostics.push(
          diagnostic('manifest/unexpected-file', unexpectedManifestFile(path), fileLocation(path)),
        );
      continue;
    }
    if (path.startsWith(POLICIES_PREFIX)) {
      if (path === PIPELINE_FILE) {
        const loaded = loadDocument(path, bytes, pipelineDocument);
        append(diagnostics, loaded.diagnostics);
        pipelineFile = loaded.doc;
        continue;
      }
      const name = POLICY_PATH.exec(path)?.[1];
      if (name === undefined) {
        if (!ALLOWED_EXTRAS.has(path))
          diagnostics.push(
            diagnostic(
              'policy/unexpected-file',
              `unexpected file: policies are ${POLICIES_DIR}/<name>.yaml, settings are ${PIPELINE_FILE}`,
              fileLocation(path),
            ),
          );
        continue;
      }
      policyNames.add(name);
      const loaded = loadDocument(path, bytes, policyDocument);
      append(diagnostics, loaded.diagnostics);
      if (loaded.doc === undefined) continue;
      if (loaded.doc.value.name !== name) {
        diagnostics.push(
          diagnostic(
            'policy/name-mismatch',
            `name must equal the file name: expected ${name}`,
            loaded.doc.locate(['name']),
          ),
        );
        continue;
      }
      policies.set(name, loaded.doc);
      continue;
    }
    if (path === SOPS_CONFIG_FILE) {
      const parsed = parseYaml(path, bytes);
      append(diagnostics, parsed.diagnostics);
      if (parsed.value !== undefined)
        sopsConfig = { file: path, value: parsed.value, locate: parsed.locate };
    }
  }

  for (const id of keyFolders) {
    const outer = enclosingKey(id, keyFolders);
    if (outer !== undefined)
      diagnostics.push(
        diagnostic(
          'manifest/nested-key',
          `key folder ${id} is inside key ${outer}; a key folder never contains another key`,
          fileLocation(`${MANIFEST_DIR}/${id}/key.yaml`),
        ),
      );
  }
  for (const m of materialPaths)
    if (!keyFolders.has(m.id))
      diagnostics.push(
        diagnostic(
          'manifest/orphan-material',
          `material file without a key: ${MANIFEST_DIR}/${m.id}/key.yaml does not exist`,
          fileLocation(m.path),
        ),
      );
  for (const doc of keys.values())
    if (!policyNames.has(doc.value.policy))
      diagnostics.push(
        diagnostic(
          'policy/unknown',
          `no policy named ${doc.value.policy}: expected a file ${POLICIES_DIR}/${doc.value.policy}.yaml`,
          doc.locate(['policy']),
        ),
      );

  const snapshot: ManifestSnapshot = {
    keys,
    policies,
    pipeline: pipelineFile?.value ?? DEFAULT_PIPELINE,
    materials,
    ...(pipelineFile && { pipelineFile }),
    ...(sopsConfig && { sopsConfig }),
  };
  return {
    snapshot,
    diagnostics: sortDiagnostics(diagnostics),
    ...(opts.keepMaterial && { released }),
  };
}

/** The settings rekey uses when policies/pipeline.yaml is absent. */
export const DEFAULT_PIPELINE: PipelineDocument = Object.freeze(pipelineDocument.parse({}));

/** `to.push(...from)` without a spread call per file (almost every file has no findings). */
function append(to: Diagnostic[], from: readonly Diagnostic[]): void {
  for (const d of from) to.push(d);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

function materialMismatch(
  doc: Located<MaterialDocument>,
  expected: { id: string; version: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (doc.value.id !== expected.id)
    out.push(
      diagnostic(
        'manifest/material-mismatch',
        `id must equal the key folder: expected ${expected.id}`,
        doc.locate(['id']),
      ),
    );
  if (doc.value.version !== expected.version)
    out.push(
      diagnostic(
        'manifest/material-mismatch',
        `version must equal the file name: expected ${expected.version}`,
        doc.locate(['version']),
      ),
    );
  return out;
}

/** The nearest ancestor folder of `id` that is itself a key, if any. */
function enclosingKey(id: string, keyFolders: ReadonlySet<string>): string | undefined {
  for (let i = id.lastIndexOf('/'); i > 0; i = id.lastIndexOf('/', i - 1)) {
    const parent = id.slice(0, i);
    if (keyFolders.has(parent)) return parent;
  }
  return undefined;
}

/** keys-manifest/ and policies/ (the folders themselves included) and .sops.yaml. */
function isRekeyPath(path: string): boolean {
  return (
    [MANIFEST_DIR, POLICIES_DIR].some((d) => path === d || path.startsWith(`${d}/`)) ||
    path === SOPS_CONFIG_FILE
  );
}

/**
 * A path the reader refused. Reading a symlink would let the manifest point at files outside
 * the repository (or at another key's material); leaving it out silently would let it slip
 * past the unexpected-file, material and plaintext rules. So it is a violation, never a skip.
 */
function irregularFile(entry: IrregularEntry): Diagnostic {
  const at = fileLocation(entry.path);
  switch (entry.reason) {
    case 'too-large':
      return diagnostic(
        'manifest/file-too-large',
        'this file is larger than rekey reads (4 MiB by default) and was not read; manifest, policy and .sops.yaml files are a few KiB',
        at,
      );
    case 'symlink':
      return diagnostic(
        'manifest/not-a-regular-file',
        'a symlink is never followed here; replace it with the regular file (or remove it)',
        at,
      );
    case 'submodule':
      return diagnostic(
        'manifest/not-a-regular-file',
        'a submodule is never read here; manifest, policy and .sops.yaml files are regular files of this repository',
        at,
      );
    case 'special-file':
      return diagnostic(
        'manifest/not-a-regular-file',
        'not a regular file (a device, pipe, socket or unknown entry); replace it with a regular file',
        at,
      );
  }
}

function unexpectedManifestFile(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'key.yml') return 'unexpected file: the key file is named key.yaml';
  if (/^v\d+\.sops\.ya?ml$/.test(name) || /^v.*\.sops\./.test(name))
    return 'unexpected file: material files are named v<N>.sops.yaml, N a version without leading zeros';
  if (path.split('/').length === 2)
    return `unexpected file: ${MANIFEST_DIR}/ holds key folders (and a README.md)`;
  return 'unexpected file: a key folder holds only key.yaml and v<N>.sops.yaml files';
}
