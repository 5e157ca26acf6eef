import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  grantsFor
} from "./chunk-7HPPASTA.js";
import {
  DEMO_RECIPIENT,
  checkCodeowners
} from "./chunk-FNJFXXRG.js";
import {
  rewrapFiles
} from "./chunk-HJR77GQ7.js";
import {
  BuiltinSopsCodec
} from "./chunk-RKFFQOLR.js";
import {
  generateIdentity,
  identityToRecipient
} from "./chunk-JFLGVF2I.js";
import {
  parseSopsConfig
} from "./chunk-2PDFHADE.js";
import {
  readWorkingTree,
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  require_dist
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse
} from "./chunk-QIKD5X2T.js";
import {
  __toESM
} from "./chunk-XTJWW723.js";

// src/cli/commands/init.ts
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
var import_yaml = __toESM(require_dist(), 1);

// src/actions/runtime-operations.ts
var R = "/repos/{owner}/{repo}";
var OPEN_PULL = [
  `GET ${R}/branches/{branch}`,
  `GET ${R}/git/ref/{ref}`,
  `GET ${R}/git/commits/{commit_sha}`,
  `GET ${R}/git/trees/{tree_sha}`,
  `POST ${R}/git/blobs`,
  `POST ${R}/git/trees`,
  `POST ${R}/git/commits`,
  `POST ${R}/git/refs`,
  `PATCH ${R}/git/refs/{ref}`,
  `GET ${R}/pulls`,
  `POST ${R}/pulls`,
  `PATCH ${R}/pulls/{pull_number}`,
  `POST ${R}/pulls/{pull_number}/requested_reviewers`,
  `POST ${R}/issues/{issue_number}/labels`,
  `DELETE ${R}/issues/{issue_number}/labels/{name}`,
  `POST ${R}/issues/{issue_number}/comments`,
  // Halted keys (the rekey:halted issues).
  `GET ${R}/issues`
];
var ISSUES = [
  `GET ${R}/issues`,
  `POST ${R}/issues`,
  `PATCH ${R}/issues/{issue_number}`,
  `POST ${R}/issues/{issue_number}/comments`,
  `POST ${R}/issues/{issue_number}/labels`,
  `DELETE ${R}/issues/{issue_number}/labels/{name}`,
  `POST ${R}/labels`,
  `GET ${R}/labels/{name}`
];
function secretRoutes(base, organization) {
  return [
    `GET ${base}/public-key`,
    `GET ${base}`,
    `GET ${base}/{secret_name}`,
    `PUT ${base}/{secret_name}`,
    `DELETE ${base}/{secret_name}`,
    ...organization ? [`GET ${base}/{secret_name}/repositories`, `GET ${R}`] : []
  ];
}
var TARGET_OPERATIONS = {
  "repository-actions": secretRoutes(`${R}/actions/secrets`, false),
  "repository-dependabot": secretRoutes(`${R}/dependabot/secrets`, false),
  environment: secretRoutes(`${R}/environments/{environment_name}/secrets`, false),
  "organization-actions": secretRoutes("/orgs/{org}/actions/secrets", true),
  "organization-dependabot": secretRoutes("/orgs/{org}/dependabot/secrets", true),
  "deploy-key": [`GET ${R}/keys`, `POST ${R}/keys`, `DELETE ${R}/keys/{key_id}`]
};
var ACTION_OPERATIONS = {
  rotate: { token: [...OPEN_PULL] },
  revoke: {
    // The gate reads the rekey/distribution statuses of first-parent commits.
    token: [...OPEN_PULL, `GET ${R}/commits/{ref}/statuses`]
  },
  distribute: {
    /** The keys repository: the lease and receipts ref, the status, the issues. */
    token: [
      `GET ${R}/branches/{branch}`,
      `GET ${R}/git/ref/{ref}`,
      `GET ${R}/git/matching-refs/{ref}`,
      `GET ${R}/git/commits/{commit_sha}`,
      `GET ${R}/git/trees/{tree_sha}`,
      `GET ${R}/git/blobs/{file_sha}`,
      `POST ${R}/git/blobs`,
      `POST ${R}/git/trees`,
      `POST ${R}/git/commits`,
      `POST ${R}/git/refs`,
      `PATCH ${R}/git/refs/{ref}`,
      `GET ${R}/commits/{ref}/statuses`,
      `POST ${R}/statuses/{sha}`,
      ...ISSUES,
      // The rekey/rewrap PR when .sops.yaml names other recipients (distribute/rewrap.ts).
      `GET ${R}/pulls`,
      `POST ${R}/pulls`,
      `PATCH ${R}/pulls/{pull_number}`,
      `POST ${R}/pulls/{pull_number}/requested_reviewers`
    ],
    targets: TARGET_OPERATIONS
  }
};

// src/cli/commands/init.ts
var help = `Usage: rekey init --owners @ORG/TEAM[,...] --app SLUG
                  (--identity-out FILE | --print-identity) [--keep-examples]
                  [--app-url URL] [--dir DIR]

Turns a fresh copy of the rekey template into your repository:
  - generates the distribution job's age identity: written once to FILE (mode 0600; an
    existing FILE is refused), or printed once on stdout (--print-identity: paste it into
    the SOPS_AGE_KEY secret of the distribution environment; nothing else goes to stdout);
  - .sops.yaml for its recipient (replacing the published demo recipient);
  - .github/CODEOWNERS giving --owners every path rekey doctor requires;
  - policies/pipeline.yaml: pull-authors and status-creators set to SLUG[bot];
  - rekey-app-manifest.json: a GitHub App manifest (the "create an App from a manifest"
    flow) with exactly the permissions rekey's workflows need;
  - the template's example keys removed, or (--keep-examples) re-wrapped for the new
    recipient with the published demo identity (their material is public: rotate them).

What it wrote is recorded in .rekey-init.json. A second run with the same flags changes
nothing and says so; a file it did not write (or that was edited since) is never
overwritten: the run is refused and nothing is written.

Exit: 0 done or nothing to do, 2 usage error or a file it will not overwrite.
`;
var RECORD = ".rekey-init.json";
var SOPS = ".sops.yaml";
var CODEOWNERS = ".github/CODEOWNERS";
var PIPELINE = "policies/pipeline.yaml";
var MANIFEST = "rekey-app-manifest.json";
var HEADER = "# Written by `rekey init` (recorded in .rekey-init.json).\n";
var IDENTITY_HEADER = "# rekey distribution identity, written by rekey init;";
var sha = (b) => createHash("sha256").update(b).digest("hex");
var enc = new TextEncoder();
var dec = new TextDecoder();
function appPermissions() {
  const ops = [];
  for (const entry of Object.values(ACTION_OPERATIONS)) {
    ops.push(...entry.token);
    if ("targets" in entry) for (const t of Object.values(entry.targets)) ops.push(...t);
  }
  const grants = grantsFor(ops, (c) => c.when.startsWith("team_reviewers"));
  return Object.fromEntries(Object.entries(grants).sort(([a], [b]) => a < b ? -1 : 1));
}
function appManifest(slug, url) {
  return {
    name: slug,
    url,
    // rekey reacts to workflow events, not webhooks: no hook is delivered.
    hook_attributes: { url, active: false },
    public: false,
    default_permissions: appPermissions(),
    default_events: []
  };
}
function sopsYaml(recipient) {
  return `${HEADER}# Who can decrypt keys-manifest/: the distribution job's age identity. Change it with
# docs/runbooks/rotate-age-identity.md (a reviewed .sops.yaml change, then a re-wrap).
creation_rules:
  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$
    encrypted_regex: ^secret$
    age: ${recipient}
`;
}
var OWNED = [
  "/keys-manifest/",
  "/.sops.yaml",
  "/policies/",
  "/.github/",
  "/actions/",
  "/dist/",
  "/src/",
  "/package.json",
  "/package-lock.json"
];
function codeowners(owners) {
  return `${HEADER}# Key material, who may read it, and the code that runs with it need these owners' review.
${OWNED.map((p) => `${p} ${owners.join(" ")}`).join("\n")}
`;
}
function pipelineYaml(current, login) {
  const doc = import_yaml.default.parseDocument(current ?? "default-branch: main\n");
  doc.set("pull-authors", [login]);
  doc.set("status-creators", [login]);
  const text = doc.toString({ flowCollectionPadding: false });
  return text.startsWith(HEADER) ? text : `${HEADER}${text}`;
}
function exampleKeys(tree) {
  const byKey = /* @__PURE__ */ new Map();
  for (const p of tree.keys()) {
    const m = /^keys-manifest\/(.+)\/[^/]+$/.exec(p);
    if (m) byKey.set(m[1], [...byKey.get(m[1]) ?? [], p]);
  }
  const out = /* @__PURE__ */ new Map();
  for (const [id, files] of byKey) {
    const materials = files.filter((f) => f.endsWith(".sops.yaml"));
    if (materials.every((f) => dec.decode(tree.get(f)).includes(DEMO_RECIPIENT)))
      out.set(id, files.sort());
  }
  return out;
}
async function readOptional(path) {
  try {
    return await readFile(path);
  } catch (e) {
    if (e.code === "ENOENT") return void 0;
    throw e;
  }
}
function isTemplateSops(text) {
  const parsed = parseSopsConfig(SOPS, import_yaml.default.parse(text));
  const ages = parsed.config?.creationRules.flatMap((r) => r.keyGroups.flatMap((g) => g.age));
  return ages !== void 0 && ages.length > 0 && ages.every((a) => a === DEMO_RECIPIENT);
}
function unpinned(text, login) {
  const v = import_yaml.default.parse(text);
  const ok = (x) => x === void 0 || JSON.stringify(x) === JSON.stringify([login]);
  return ok(v?.["pull-authors"]) && ok(v?.["status-creators"]);
}
var initCommand = {
  name: "init",
  summary: "turn a fresh copy of the template into your repository (identity, .sops.yaml, App)",
  help,
  async run(argv, io) {
    const { values } = parse("init", argv, {
      owners: { type: "string" },
      app: { type: "string" },
      "identity-out": { type: "string" },
      "print-identity": { type: "boolean", default: false },
      "keep-examples": { type: "boolean", default: false },
      "app-url": { type: "string" },
      dir: { type: "string" }
    });
    const owners = (values.owners ?? "").split(",").map((o) => o.trim()).filter(Boolean);
    if (owners.length === 0 || owners.some((o) => !/^(@[\w.-]+(\/[\w.-]+)?|[^@\s]+@[^@\s]+)$/.test(o)))
      throw new UsageError(
        `rekey init: --owners takes @org/team, @user or e-mail handles, comma-separated

${help}`
      );
    const slug = values.app ?? "";
    if (!/^[a-z0-9][a-z0-9-]{0,33}$/.test(slug))
      throw new UsageError(
        `rekey init: --app takes the GitHub App's slug (lowercase letters, digits, -)

${help}`
      );
    if (values["print-identity"] === (values["identity-out"] !== void 0))
      throw new UsageError(
        `rekey init: give exactly one of --identity-out FILE and --print-identity

${help}`
      );
    const dir = repoDir(io, values.dir);
    const at = (p) => resolve(dir, p);
    const say = (line) => values["print-identity"] ? io.stderr(`${line}
`) : io.stdout(`${line}
`);
    const recordBytes = await readOptional(at(RECORD));
    let record;
    try {
      record = recordBytes ? JSON.parse(dec.decode(recordBytes)) : void 0;
    } catch {
      throw new UsageError(`rekey init: ${RECORD} is not valid JSON; restore it from git`);
    }
    if (record && record.app !== slug)
      throw new UsageError(
        `rekey init: this repository was set up for --app ${record.app}; edit its files by hand to change that`
      );
    let identity;
    let recipient = record?.recipient;
    const identityOut = values["identity-out"] ? resolve(io.cwd, values["identity-out"]) : void 0;
    let adopted = false;
    if (recipient === void 0) {
      const existing = identityOut ? await readOptional(identityOut) : void 0;
      const text = existing === void 0 ? void 0 : dec.decode(existing);
      const ours = text?.startsWith(IDENTITY_HEADER) === true;
      if (text !== void 0 && !ours)
        throw new UsageError(
          `rekey init: ${values["identity-out"]} exists; refusing to overwrite an identity`
        );
      identity = ours ? text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-")) : await generateIdentity();
      if (identity === void 0)
        throw new UsageError(`rekey init: ${values["identity-out"]} holds no age identity`);
      adopted = ours;
      recipient = await identityToRecipient(identity);
    }
    const tree = await readWorkingTree(dir);
    const login = `${slug}[bot]`;
    const want = /* @__PURE__ */ new Map([
      [SOPS, sopsYaml(recipient)],
      [CODEOWNERS, codeowners(owners)],
      [
        PIPELINE,
        pipelineYaml(tree.get(PIPELINE) ? dec.decode(tree.get(PIPELINE)) : void 0, login)
      ],
      [
        MANIFEST,
        `${JSON.stringify(appManifest(slug, values["app-url"] ?? "https://github.com"), null, 2)}
`
      ]
    ]);
    const withOwners = new Map(tree).set(CODEOWNERS, enc.encode(want.get(CODEOWNERS)));
    const gaps = checkCodeowners(withOwners);
    if (gaps.length > 0)
      throw new Error(`rekey init: the CODEOWNERS it would write leaves ${gaps[0].message}`);
    const removals = [];
    const removedKeys = [];
    if (!record) {
      const examples = exampleKeys(tree);
      if (!values["keep-examples"])
        for (const [id, files2] of examples) {
          removals.push(...files2);
          removedKeys.push(id);
        }
      else {
        const demo = dec.decode(
          await readOptional(at("demo/age-identity.txt")) ?? new Uint8Array()
        );
        const ids = demo.split("\n").filter((l) => l.startsWith("AGE-SECRET-KEY-"));
        const config = parseSopsConfig(SOPS, import_yaml.default.parse(want.get(SOPS))).config;
        const paths = [...examples.values()].flat().filter((p) => p.endsWith(".sops.yaml"));
        const out = await rewrapFiles(
          paths,
          tree,
          config,
          new BuiltinSopsCodec({ identities: ids })
        );
        if (out.problems.size > 0)
          throw new UsageError(
            `rekey init --keep-examples: ${[...out.problems.values()].join("; ")}`
          );
        for (const f of out.rewrapped) want.set(f.path, dec.decode(f.bytes));
      }
    }
    const writes = [];
    const refused = [];
    for (const [path, text] of want) {
      const current = await readOptional(at(path));
      if (current !== void 0 && dec.decode(current) === text) continue;
      const ours = current !== void 0 && record?.files[path] === sha(current);
      const template = current !== void 0 && !record && (path === SOPS && isTemplateSops(dec.decode(current)) || path === PIPELINE && unpinned(dec.decode(current), login) || path.startsWith("keys-manifest/"));
      if (current === void 0 || ours || template) writes.push(path);
      else refused.push(path);
    }
    if (refused.length > 0) {
      io.stderr(
        `rekey init: refusing to overwrite ${refused.join(", ")}: rekey init did not write ${refused.length === 1 ? "it" : "them"} (or ${refused.length === 1 ? "it was" : "they were"} edited since); nothing was written
`
      );
      return EXIT.usage;
    }
    if (writes.length === 0 && removals.length === 0) {
      say(
        `rekey init: nothing to do; this repository is set up for ${login} (recipient ${recipient})`
      );
      return EXIT.ok;
    }
    if (identity !== void 0 && identityOut && !adopted)
      await writeFile(identityOut, `${IDENTITY_HEADER} public key: ${recipient}
${identity}
`, {
        flag: "wx",
        mode: 384
      });
    for (const path of writes) await atomicWrite(at(path), want.get(path));
    for (const path of removals) await rm(at(path), { force: true });
    for (const id of removedKeys) await removeEmptyFolders(dir, `keys-manifest/${id}`);
    const files = { ...record?.files ?? {} };
    for (const path of want.keys()) files[path] = sha(want.get(path));
    const next = { "rekey-init": 1, recipient, app: slug, files };
    await atomicWrite(at(RECORD), `${JSON.stringify(next, null, 2)}
`);
    if (identity !== void 0 && values["print-identity"]) io.stdout(`${identity}
`);
    for (const p of writes) say(`wrote ${p}`);
    if (removedKeys.length > 0)
      say(`removed the template's example keys: ${removedKeys.sort().join(", ")}`);
    say(`age recipient: ${recipient}`);
    if (identity !== void 0)
      say(
        identityOut ? `the identity is in ${values["identity-out"]} (mode 0600): store it as the SOPS_AGE_KEY secret of the distribution environment, then delete the file` : "the identity is on stdout, shown this once: store it as the SOPS_AGE_KEY secret of the distribution environment"
      );
    say(
      `next: create the App from ${MANIFEST} (GitHub's "create an App from a manifest" flow), install it, commit, run rekey doctor`
    );
    return EXIT.ok;
  }
};
async function removeEmptyFolders(dir, folder) {
  for (let f = folder; f.includes("/"); f = f.slice(0, f.lastIndexOf("/"))) {
    const path = resolve(dir, f);
    if ((await readdir(path).catch(() => [])).length > 0) return;
    await rmdir(path).catch(() => void 0);
  }
}
async function atomicWrite(path, text) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.rekey-tmp`, text, { flag: "w" });
  await rename(`${path}.rekey-tmp`, path);
}
export {
  appManifest,
  appPermissions,
  initCommand
};
