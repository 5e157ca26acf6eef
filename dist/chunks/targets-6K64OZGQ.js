import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  indexLogArgs,
  parseHistoryLog
} from "./chunk-LILU27SP.js";
import {
  readTree,
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  exited,
  parseKeyFilePath,
  parseYaml,
  readBlobs,
  spawnGit
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/adapters/git/key-files.ts
var ZERO = /^0+$/;
async function keyFilesInHistory(repoDir2, ref) {
  const child = spawnGit(indexLogArgs(ref), { cwd: repoDir2 });
  const out = [];
  const err = [];
  child.stdout.on("data", (c) => out.push(c));
  child.stderr.on("data", (c) => err.push(c));
  child.stdin.end();
  await exited(child, `git log ${ref}`, err);
  const paths = /* @__PURE__ */ new Map();
  for (const commit of parseHistoryLog(Buffer.concat(out).toString("utf8")))
    for (const c of commit.changes)
      if (!ZERO.test(c.newOid) && c.newMode.startsWith("100") && parseKeyFilePath(c.path) !== void 0)
        paths.set(c.newOid, c.path);
  const blobs = await readBlobs(repoDir2, paths.keys());
  return [...blobs].map(([oid, bytes]) => ({ path: paths.get(oid), bytes }));
}

// src/core/token-scope.ts
var isMap = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
function repositoriesOfKeyFile(file, bytes) {
  const doc = parseYaml(file, bytes).value;
  const targets = isMap(doc) && Array.isArray(doc["targets"]) ? doc["targets"] : [];
  const out = [];
  for (const t of targets) {
    if (!isMap(t) || t["kind"] !== "github-secret" && t["kind"] !== "github-deploy-key") continue;
    const repo = t["repository"];
    if (typeof repo === "string" && REPOSITORY.test(repo) && !/^\.\.?$/.test(repo.split("/")[1]))
      out.push(repo);
  }
  return out;
}
var MAX_TOKEN_REPOSITORIES = 500;
var TokenScopeError = class extends Error {
  name = "TokenScopeError";
};
function tokenRepositories(repositories, keysRepository) {
  const [owner = "", keysName = ""] = keysRepository.split("/");
  const names = /* @__PURE__ */ new Map();
  const foreign = /* @__PURE__ */ new Set();
  for (const full of repositories) {
    const [o = "", name = ""] = full.split("/");
    if (o.toLowerCase() !== owner.toLowerCase()) foreign.add(full);
    else if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  }
  if (foreign.size > 0)
    throw new TokenScopeError(
      `${[...foreign].sort().join(", ")} ${foreign.size === 1 ? "is" : "are"} not owned by ${owner}: one App installation token reaches one owner's repositories; distribute to another owner from a keys repository there`
    );
  if (names.size > MAX_TOKEN_REPOSITORIES)
    throw new TokenScopeError(
      `the targets name ${names.size} repositories; one installation token can list at most ${MAX_TOKEN_REPOSITORIES} (GitHub's "Create an installation access token"): split the keys into several keys repositories or distribution jobs`
    );
  if (names.size === 0) names.set(keysName.toLowerCase(), keysName);
  return [...names.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

// src/cli/commands/targets.ts
var help = `Usage: rekey targets --repositories --repository OWNER/NAME [--ref REF] [--dir DIR]
       rekey targets [--ref REF] [--dir DIR]

Lists the repositories distribution writes to: every repository a github-secret or
github-deploy-key target names in keys-manifest/*/key.yaml at REF (default HEAD), and in every
version of those files on REF's first-parent history (a target taken out of key.yaml is
still cleaned up by distribution). Read from git only; nothing is decrypted.

--repositories prints the names, comma-separated, for the \`repositories:\` input of
actions/create-github-app-token: the distribute workflow mints its targets token with it, so
the token reaches the targets and nothing else. --repository is the keys repository: its owner
is the token's owner (a current target of another owner is an error; one only past versions
name is left out with a warning), and its name is printed alone when no target names a
repository (an empty list would mean every repository of the owner).

Exit: 0 listed, 2 usage error, a current target of another owner, or an unreadable REF.
`;
var targetsCommand = {
  name: "targets",
  summary: "list the repositories distribution writes to (for the targets token)",
  help,
  async run(argv, io) {
    const { values } = parse("targets", argv, {
      repositories: { type: "boolean", default: false },
      repository: { type: "string" },
      ref: { type: "string" },
      dir: { type: "string" }
    });
    const dir = repoDir(io, values.dir);
    const ref = values.ref ?? "HEAD";
    const tree = await readTree(dir, ref, { material: false });
    const current = [...tree.keys()].filter((p) => parseKeyFilePath(p) !== void 0).map((path) => ({ path, bytes: tree.get(path) }));
    const collect = (files, found2 = /* @__PURE__ */ new Map()) => {
      for (const f of files)
        for (const repo of repositoriesOfKeyFile(f.path, f.bytes)) {
          const key = repo.toLowerCase();
          const entry = found2.get(key) ?? /* @__PURE__ */ new Set();
          entry.add(repo);
          found2.set(key, entry);
        }
      return found2;
    };
    const found = collect(current);
    const now = new Set(found.keys());
    const at = new Map(current.map((f) => [f.path, f.bytes]));
    const isCurrent = (f) => {
      const c = at.get(f.path);
      return c !== void 0 && Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(f.bytes);
    };
    collect(
      (await keyFilesInHistory(dir, ref)).filter((f) => !isCurrent(f)),
      found
    );
    const repos = [...found.values()].map((s) => [...s].sort()[0]);
    if (!values.repositories) {
      io.stdout(
        repos.sort().map((r) => `${r}
`).join("")
      );
      return EXIT.ok;
    }
    if (!values.repository || !/^[^/\s]+\/[^/\s]+$/.test(values.repository))
      throw new UsageError(
        'rekey targets --repositories needs --repository OWNER/NAME, the keys repository (in a workflow: "$GITHUB_REPOSITORY")'
      );
    const owner = values.repository.split("/")[0].toLowerCase();
    const foreignPast = repos.filter(
      (r) => r.split("/")[0].toLowerCase() !== owner && !now.has(r.toLowerCase())
    );
    if (foreignPast.length > 0)
      io.stderr(
        `warning: ${foreignPast.sort().join(", ")} ${foreignPast.length === 1 ? "is" : "are"} named only by past versions of key.yaml and not owned by ${values.repository.split("/")[0]}: left out of the token, so what rekey wrote there is not cleaned up from here (docs/distribute-state.md)
`
      );
    const reachable = repos.filter((r) => !foreignPast.includes(r));
    try {
      io.stdout(`${tokenRepositories(reachable, values.repository).join(",")}
`);
    } catch (e) {
      if (!(e instanceof TokenScopeError)) throw e;
      io.stderr(`rekey targets: ${e.message}
`);
      return EXIT.usage;
    }
    return EXIT.ok;
  }
};
export {
  targetsCommand
};
