import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  reviewerErrors
} from "./chunk-RHBAICD4.js";
import {
  readCheckout
} from "./chunk-TX6AZEJX.js";
import {
  githubEndpoints,
  originUrl,
  repositoryFromRemote
} from "./chunk-77SZJW2S.js";
import {
  assertCanOpenPulls,
  classifyToken,
  createGitHubClient,
  createGitHubPorts,
  parseRepository
} from "./chunk-RFVFQ63W.js";
import {
  UsageError
} from "./chunk-QIKD5X2T.js";

// src/cli/github.ts
import { hostname, userInfo } from "node:os";
function cliToken(io, command) {
  const token = io.env.REKEY_TOKEN || io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token)
    throw new UsageError(
      `rekey ${command}: no token: set REKEY_TOKEN (or GITHUB_TOKEN, GH_TOKEN) to a GitHub App installation token`
    );
  return token;
}
function cliTokenKind(io, token) {
  return classifyToken(token, {
    ...io.env.GITHUB_ACTIONS === "true" && io.env.GITHUB_TOKEN ? { githubToken: io.env.GITHUB_TOKEN } : {}
  });
}
async function cliRepository(command, dir, repo) {
  const origin = await originUrl(dir);
  const fullName = repo ?? repositoryFromRemote(origin);
  if (fullName === void 0)
    throw new UsageError(
      `rekey ${command}: the repository is unknown: pass --repo OWNER/NAME (no GitHub origin remote in ${dir})`
    );
  return { fullName, ...parseRepository(fullName), origin };
}
function cliClient(io, token, origin, over = {}) {
  return createGitHubClient({
    token,
    ...githubEndpoints(io.env, origin),
    userAgent: "rekey-cli",
    ...over
  });
}
function cliHolder() {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
  }
  return `cli:${user}@${hostname()}:${process.pid}`;
}
function scrubber(io) {
  const hidden = /* @__PURE__ */ new Set();
  const scrub = (text) => {
    let out = text;
    for (const v of hidden) if (v.length >= 4) out = out.split(v).join("***");
    return out;
  };
  return {
    mask: (v) => void hidden.add(v),
    stdout: (text) => io.stdout(scrub(text)),
    stderr: (text) => io.stderr(scrub(text))
  };
}
async function cliPullRun(io, command, opts) {
  const at = await cliRepository(command, opts.dir, opts.repo);
  const token = cliToken(io, command);
  const kind = cliTokenKind(io, token);
  if (!opts.dryRun) assertCanOpenPulls(kind, { allowGithubToken: opts.allowGithubToken });
  const ports = createGitHubPorts(cliClient(io, token, at.origin, opts.client), at);
  const out = scrubber(io);
  out.mask(token);
  return { io: out, ports, checkout: await readCheckout(opts.dir) };
}
function printKeyOutcomes(io, keys) {
  for (const k of keys) io.stdout(`${k.keyId}: ${k.outcome}${k.reason ? ` (${k.reason})` : ""}
`);
  const errors = reviewerErrors(keys);
  for (const e of errors) io.stderr(`error: ${e}
`);
  return errors.length > 0 ? "no-reviewer" : "ok";
}

export {
  cliToken,
  cliTokenKind,
  cliRepository,
  cliClient,
  cliHolder,
  scrubber,
  cliPullRun,
  printKeyOutcomes
};
