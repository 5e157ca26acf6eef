import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  MANIFEST_DIR,
  PIPELINE_FILE,
  POLICIES_DIR,
  SOPS_CONFIG_FILE,
  isKeyId,
  keyDocument,
  loadDocument,
  materialDocument,
  parseKeyFilePath,
  parseMaterialPath,
  parseYaml,
  pipelineDocument,
  policyDocument
} from "./chunk-ARAMIKVA.js";
import {
  diagnostic,
  fileLocation,
  sortDiagnostics
} from "./chunk-QIKD5X2T.js";

// src/core/load-snapshot.ts
var ALLOWED_EXTRAS = /* @__PURE__ */ new Set([
  `${MANIFEST_DIR}/README.md`,
  `${MANIFEST_DIR}/.gitkeep`,
  `${POLICIES_DIR}/README.md`
]);
var MANIFEST_PREFIX = `${MANIFEST_DIR}/`;
var POLICIES_PREFIX = `${POLICIES_DIR}/`;
var POLICY_PATH = new RegExp(`^${POLICIES_DIR}/([^/]+)\\.yaml$`);
function loadSnapshot(tree, opts = {}) {
  const cache = opts.cache;
  const loadDocument2 = (path, bytes, schema) => {
    const hit = cache?.get(path);
    if (hit !== void 0 && sameBytes(hit.bytes, bytes)) return hit.loaded;
    const loaded = loadDocument(path, bytes, schema);
    cache?.set(path, { bytes, loaded });
    return loaded;
  };
  const diagnostics = [];
  const keys = /* @__PURE__ */ new Map();
  const keyFolders = /* @__PURE__ */ new Set();
  const policies = /* @__PURE__ */ new Map();
  const policyNames = /* @__PURE__ */ new Set();
  const materials = /* @__PURE__ */ new Map();
  const materialPaths = [];
  const released = /* @__PURE__ */ new Set();
  let pipelineFile;
  let sopsConfig;
  for (const entry of tree.irregular ?? [])
    if (isRekeyPath(entry.path)) diagnostics.push(irregularFile(entry));
  const paths = [...tree.keys()].sort();
  for (const path of paths) {
    const bytes = tree.get(path);
    if (path.startsWith(MANIFEST_PREFIX)) {
      const id = parseKeyFilePath(path);
      if (id !== void 0) {
        keyFolders.add(id);
        const loaded = loadDocument2(path, bytes, keyDocument);
        append(diagnostics, loaded.diagnostics);
        if (!isKeyId(id)) {
          diagnostics.push(
            diagnostic(
              "manifest/invalid-key-path",
              `"${id}" is not a key id: use 1-4 segments of [a-z0-9][a-z0-9-]* joined by "/", at most 100 characters`,
              fileLocation(path)
            )
          );
          continue;
        }
        if (loaded.doc === void 0) continue;
        if (loaded.doc.value.id !== id) {
          diagnostics.push(
            diagnostic(
              "manifest/id-mismatch",
              `id must equal the folder path under ${MANIFEST_DIR}/: expected ${id}`,
              loaded.doc.locate(["id"])
            )
          );
          continue;
        }
        keys.set(id, loaded.doc);
        continue;
      }
      const material = parseMaterialPath(path);
      if (material !== void 0) {
        materialPaths.push({ path, ...material });
        const keep = opts.keepMaterial?.(path) ?? true;
        const loaded = (keep ? loadDocument2 : loadDocument)(path, bytes, materialDocument);
        append(diagnostics, loaded.diagnostics);
        if (loaded.doc === void 0) continue;
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
          diagnostic("manifest/unexpected-file", unexpectedManifestFile(path), fileLocation(path))
        );
      continue;
    }
    if (path.startsWith(POLICIES_PREFIX)) {
      if (path === PIPELINE_FILE) {
        const loaded2 = loadDocument2(path, bytes, pipelineDocument);
        append(diagnostics, loaded2.diagnostics);
        pipelineFile = loaded2.doc;
        continue;
      }
      const name = POLICY_PATH.exec(path)?.[1];
      if (name === void 0) {
        if (!ALLOWED_EXTRAS.has(path))
          diagnostics.push(
            diagnostic(
              "policy/unexpected-file",
              `unexpected file: policies are ${POLICIES_DIR}/<name>.yaml, settings are ${PIPELINE_FILE}`,
              fileLocation(path)
            )
          );
        continue;
      }
      policyNames.add(name);
      const loaded = loadDocument2(path, bytes, policyDocument);
      append(diagnostics, loaded.diagnostics);
      if (loaded.doc === void 0) continue;
      if (loaded.doc.value.name !== name) {
        diagnostics.push(
          diagnostic(
            "policy/name-mismatch",
            `name must equal the file name: expected ${name}`,
            loaded.doc.locate(["name"])
          )
        );
        continue;
      }
      policies.set(name, loaded.doc);
      continue;
    }
    if (path === SOPS_CONFIG_FILE) {
      const parsed = parseYaml(path, bytes);
      append(diagnostics, parsed.diagnostics);
      if (parsed.value !== void 0)
        sopsConfig = { file: path, value: parsed.value, locate: parsed.locate };
    }
  }
  for (const id of keyFolders) {
    const outer = enclosingKey(id, keyFolders);
    if (outer !== void 0)
      diagnostics.push(
        diagnostic(
          "manifest/nested-key",
          `key folder ${id} is inside key ${outer}; a key folder never contains another key`,
          fileLocation(`${MANIFEST_DIR}/${id}/key.yaml`)
        )
      );
  }
  for (const m of materialPaths)
    if (!keyFolders.has(m.id))
      diagnostics.push(
        diagnostic(
          "manifest/orphan-material",
          `material file without a key: ${MANIFEST_DIR}/${m.id}/key.yaml does not exist`,
          fileLocation(m.path)
        )
      );
  for (const doc of keys.values())
    if (!policyNames.has(doc.value.policy))
      diagnostics.push(
        diagnostic(
          "policy/unknown",
          `no policy named ${doc.value.policy}: expected a file ${POLICIES_DIR}/${doc.value.policy}.yaml`,
          doc.locate(["policy"])
        )
      );
  const snapshot = {
    keys,
    policies,
    pipeline: pipelineFile?.value ?? DEFAULT_PIPELINE,
    materials,
    ...pipelineFile && { pipelineFile },
    ...sopsConfig && { sopsConfig }
  };
  return {
    snapshot,
    diagnostics: sortDiagnostics(diagnostics),
    ...opts.keepMaterial && { released }
  };
}
var DEFAULT_PIPELINE = Object.freeze(pipelineDocument.parse({}));
function append(to, from) {
  for (const d of from) to.push(d);
}
function sameBytes(a, b) {
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
function materialMismatch(doc, expected) {
  const out = [];
  if (doc.value.id !== expected.id)
    out.push(
      diagnostic(
        "manifest/material-mismatch",
        `id must equal the key folder: expected ${expected.id}`,
        doc.locate(["id"])
      )
    );
  if (doc.value.version !== expected.version)
    out.push(
      diagnostic(
        "manifest/material-mismatch",
        `version must equal the file name: expected ${expected.version}`,
        doc.locate(["version"])
      )
    );
  return out;
}
function enclosingKey(id, keyFolders) {
  for (let i = id.lastIndexOf("/"); i > 0; i = id.lastIndexOf("/", i - 1)) {
    const parent = id.slice(0, i);
    if (keyFolders.has(parent)) return parent;
  }
  return void 0;
}
function isRekeyPath(path) {
  return [MANIFEST_DIR, POLICIES_DIR].some((d) => path === d || path.startsWith(`${d}/`)) || path === SOPS_CONFIG_FILE;
}
function irregularFile(entry) {
  const at = fileLocation(entry.path);
  switch (entry.reason) {
    case "too-large":
      return diagnostic(
        "manifest/file-too-large",
        "this file is larger than rekey reads (4 MiB by default) and was not read; manifest, policy and .sops.yaml files are a few KiB",
        at
      );
    case "symlink":
      return diagnostic(
        "manifest/not-a-regular-file",
        "a symlink is never followed here; replace it with the regular file (or remove it)",
        at
      );
    case "submodule":
      return diagnostic(
        "manifest/not-a-regular-file",
        "a submodule is never read here; manifest, policy and .sops.yaml files are regular files of this repository",
        at
      );
    case "special-file":
      return diagnostic(
        "manifest/not-a-regular-file",
        "not a regular file (a device, pipe, socket or unknown entry); replace it with a regular file",
        at
      );
  }
}
function unexpectedManifestFile(path) {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name === "key.yml") return "unexpected file: the key file is named key.yaml";
  if (/^v\d+\.sops\.ya?ml$/.test(name) || /^v.*\.sops\./.test(name))
    return "unexpected file: material files are named v<N>.sops.yaml, N a version without leading zeros";
  if (path.split("/").length === 2)
    return `unexpected file: ${MANIFEST_DIR}/ holds key folders (and a README.md)`;
  return "unexpected file: a key folder holds only key.yaml and v<N>.sops.yaml files";
}

export {
  loadSnapshot
};
