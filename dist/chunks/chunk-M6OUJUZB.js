import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_PREFIXES,
  fileTree,
  parseMaterialPath,
  readTreeAtRef,
  readTreesAtRefs
} from "./chunk-ARAMIKVA.js";

// src/adapters/files/working-tree.ts
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from "node:fs";
import { lstat, stat } from "node:fs/promises";
import { join } from "node:path";
async function readWorkingTree(dir, prefixes = DEFAULT_PREFIXES, options = {}) {
  const irregular = [];
  const skip = (path, reason) => irregular.push({ path, reason });
  const files = [];
  const root = await stat(dir).catch(() => void 0);
  if (!root?.isDirectory()) throw new RangeError(`not a directory: ${dir}`);
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      if (isCode(e, "ENOENT")) return;
      throw e;
    }
    for (const d of entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) {
      const path = `${rel}/${d.name}`;
      if (options.exclude?.(path)) continue;
      if (d.isSymbolicLink()) skip(path, "symlink");
      else if (d.isDirectory()) walk(path);
      else if (d.isFile()) files.push(path);
      else skip(path, "special-file");
    }
  };
  for (const prefix of prefixes) {
    const isFolder = prefix.endsWith("/");
    const segments = prefix.split("/").filter((s) => s !== "");
    if (segments.length === 0 || segments.some((s) => s === "." || s === ".."))
      throw new RangeError(`not a repository-relative prefix: ${JSON.stringify(prefix)}`);
    let rel = "";
    let ok = true;
    for (const [i, seg] of segments.entries()) {
      rel = rel === "" ? seg : `${rel}/${seg}`;
      const last = i === segments.length - 1;
      const st = await lstat(join(dir, rel)).catch((e) => {
        if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return void 0;
        throw e;
      });
      if (st === void 0) {
        ok = false;
        break;
      }
      if (st.isSymbolicLink()) {
        skip(rel, "symlink");
        ok = false;
        break;
      }
      if (!last || isFolder) {
        if (!st.isDirectory()) {
          ok = false;
          break;
        }
      } else if (!st.isFile()) {
        if (!st.isDirectory()) skip(rel, "special-file");
        ok = false;
      }
    }
    if (!ok) continue;
    if (isFolder) walk(rel);
    else files.push(rel);
  }
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const unique = [...new Set(files)].sort();
  const read = [];
  for (const path of unique) {
    const bytes = readNoFollow(join(dir, path), max);
    if (typeof bytes === "string") skip(path, bytes);
    else read.push([path, bytes]);
  }
  const seen = /* @__PURE__ */ new Set();
  const refused = irregular.filter((e) => !seen.has(e.path) && seen.add(e.path)).sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return fileTree(read, refused);
}
function readNoFollow(file, max) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    if (isCode(e, "ELOOP")) return "symlink";
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return "special-file";
    if (st.size > max) return "too-large";
    const bytes = readFileSync(fd);
    return bytes.length > max ? "too-large" : bytes;
  } finally {
    closeSync(fd);
  }
}
function isCode(e, code) {
  return typeof e === "object" && e !== null && e.code === code;
}

// src/cli/repo.ts
import { isAbsolute, resolve } from "node:path";
function repoDir(io, dir) {
  return dir === void 0 ? io.cwd : isAbsolute(dir) ? dir : resolve(io.cwd, dir);
}
function readTree(dir, ref, opts = {}) {
  const options = opts.material === false ? { exclude: isMaterial } : {};
  return ref === void 0 ? readWorkingTree(dir, DEFAULT_PREFIXES, options) : readTreeAtRef(dir, ref, DEFAULT_PREFIXES, options);
}
var isMaterial = (path) => parseMaterialPath(path) !== void 0;
async function readTreePair(dir, base, head) {
  if (head === void 0)
    return Promise.all([readTreeAtRef(dir, base, DEFAULT_PREFIXES), readTree(dir, void 0)]);
  const [b, h] = await readTreesAtRefs(dir, [base, head], DEFAULT_PREFIXES);
  return [b, h];
}

export {
  readWorkingTree,
  repoDir,
  readTree,
  readTreePair
};
