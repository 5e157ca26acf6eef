import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);

// src/adapters/sops-identities.ts
import { readFile } from "node:fs/promises";
import path from "node:path";
var AgeIdentityError = class extends Error {
  name = "AgeIdentityError";
  code = "sops/identity-source";
  source;
  constructor(source, message) {
    super(`${source}: ${message}`);
    this.source = source;
  }
};
var IDENTITY = /^AGE-SECRET-KEY-(PQ-)?1[02-9ACDEFGHJKLMNPQRSTUVWXYZ]+$/;
function parseAgeIdentities(text, source, severalPerLine) {
  const out = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "" || line.startsWith("#")) return;
    for (const word of severalPerLine ? line.split(/\s+/).filter(Boolean) : [line.trim()]) {
      if (word.startsWith("AGE-PLUGIN-"))
        throw new AgeIdentityError(
          source,
          `line ${i + 1}: age plugin identities are not supported; use the sops CLI`
        );
      if (!IDENTITY.test(word))
        throw new AgeIdentityError(
          source,
          `line ${i + 1}: not an age identity (expected AGE-SECRET-KEY-1\u2026)`
        );
      out.push(word);
    }
  });
  return out;
}
function userConfigDir(env, homedir, platform) {
  const xdg = env["XDG_CONFIG_HOME"];
  if (platform === "win32") return env["AppData"] || env["APPDATA"] || void 0;
  if (platform === "darwin") return xdg || path.join(homedir, "Library", "Application Support");
  return xdg || (homedir ? path.join(homedir, ".config") : void 0);
}
async function loadAgeIdentities(options) {
  const { env, homedir } = options;
  const platform = options.platform ?? process.platform;
  const identities = [];
  const sources = [];
  const add = (found, source) => {
    if (found.length === 0) return;
    identities.push(...found);
    sources.push(source);
  };
  const inline = env["SOPS_AGE_KEY"];
  if (inline !== void 0) add(parseAgeIdentities(inline, "SOPS_AGE_KEY", true), "SOPS_AGE_KEY");
  const keyFile = env["SOPS_AGE_KEY_FILE"];
  if (keyFile !== void 0) {
    let text;
    try {
      text = await readFile(keyFile, "utf8");
    } catch (e) {
      throw new AgeIdentityError(
        "SOPS_AGE_KEY_FILE",
        `cannot read ${keyFile} (${e.code ?? "error"})`
      );
    }
    add(parseAgeIdentities(text, keyFile, false), keyFile);
  }
  const dir = userConfigDir(env, homedir, platform);
  if (dir) {
    const file = path.join(dir, "sops", "age", "keys.txt");
    try {
      add(parseAgeIdentities(await readFile(file, "utf8"), file, false), file);
    } catch (e) {
      if (e instanceof AgeIdentityError) throw e;
      if (e.code !== "ENOENT")
        throw new AgeIdentityError(
          file,
          `cannot read (${e.code ?? "error"})`
        );
    }
  }
  const ignored = [
    "SOPS_AGE_KEY_CMD",
    "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
    "SOPS_AGE_SSH_PRIVATE_KEY_CMD"
  ].filter((k) => env[k] !== void 0);
  return { identities, sources, ignored };
}

export {
  loadAgeIdentities
};
