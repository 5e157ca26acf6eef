import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  RecipientsMismatchError,
  checkFileAgainstRule
} from "./chunk-RKFFQOLR.js";
import {
  findCreationRule
} from "./chunk-2PDFHADE.js";
import {
  materialFile
} from "./chunk-ARAMIKVA.js";

// src/commands/rewrap.ts
function staleMaterial(keys, tree, config) {
  const out = [];
  for (const key of keys)
    for (const v of key.versions) {
      if (v.state === "destroyed") continue;
      const path = materialFile(key.id, v.version);
      const bytes = tree.get(path);
      const rule = findCreationRule(config, path);
      if (bytes === void 0 || rule === void 0) continue;
      try {
        checkFileAgainstRule(path, bytes, rule);
      } catch (e) {
        if (e instanceof RecipientsMismatchError) out.push({ key: key.id, path });
      }
    }
  return out;
}
var message = (e) => e instanceof Error ? `${e.name}: ${e.message}` : "unknown error";
async function rewrapFiles(paths, tree, config, codec) {
  const rewrapped = [];
  const unchanged = [];
  const problems = /* @__PURE__ */ new Map();
  for (const path of [...new Set(paths)].sort()) {
    const bytes = tree.get(path);
    const rule = findCreationRule(config, path);
    if (bytes === void 0) problems.set(path, `${path}: no such file`);
    else if (rule === void 0)
      problems.set(path, `${path}: no .sops.yaml creation rule matches this path`);
    else
      try {
        const r = await codec.rewrap(path, bytes, {
          rule,
          yamlIndent: config.yamlIndent,
          jsonIndent: config.jsonIndent
        });
        if (r.outcome === "unchanged") unchanged.push(path);
        else rewrapped.push({ path, bytes: r.bytes, added: r.added, removed: r.removed });
      } catch (e) {
        problems.set(path, message(e));
      }
  }
  return { rewrapped, unchanged, problems };
}
function describeRewrap(f) {
  return [...f.added.map((r) => `+${r}`), ...f.removed.map((r) => `-${r}`)].join(", ");
}

export {
  staleMaterial,
  rewrapFiles,
  describeRewrap
};
