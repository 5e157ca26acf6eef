import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  wo
} from "./chunk-ARAMIKVA.js";

// src/cli/remote.ts
async function originUrl(dir) {
  return wo({ baseDir: dir }).remote(["get-url", "origin"]).then(
    (r) => (r || "").trim(),
    () => ""
  );
}
var REMOTE = /^(?:https?:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/|ssh:\/\/[^@/]+@([^/:]+)(?::\d+)?\/|[^@/\s]+@([^:/\s]+):)([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/;
function repositoryFromRemote(url) {
  return REMOTE.exec(url.trim())?.[4];
}
function hostOfRemote(url) {
  const m = REMOTE.exec(url.trim());
  return (m?.[1] ?? m?.[2] ?? m?.[3])?.toLowerCase();
}
function githubEndpoints(env, remote) {
  const host = hostOfRemote(remote);
  const fromRemote = host === void 0 || host === "github.com" || host === "ssh.github.com" ? { apiUrl: "https://api.github.com", serverUrl: "https://github.com" } : host.endsWith(".ghe.com") ? { apiUrl: `https://api.${host}`, serverUrl: `https://${host}` } : { apiUrl: `https://${host}/api/v3`, serverUrl: `https://${host}` };
  return {
    apiUrl: env.GITHUB_API_URL || fromRemote.apiUrl,
    serverUrl: env.GITHUB_SERVER_URL || fromRemote.serverUrl
  };
}

export {
  originUrl,
  repositoryFromRemote,
  githubEndpoints
};
