import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  prepareRotation
} from "./chunk-7FORXWZS.js";
import {
  loadSopsConfig,
  sopsCodec
} from "./chunk-EHJRW4TL.js";
import "./chunk-4TVHPAIV.js";
import "./chunk-EUDQPH2W.js";
import "./chunk-RKFFQOLR.js";
import "./chunk-JFLGVF2I.js";
import {
  jsonReport
} from "./chunk-SI6NGII7.js";
import "./chunk-2PDFHADE.js";
import {
  readTree,
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  KEY_TYPES,
  MANIFEST_DIR,
  fileTree,
  keyDocument,
  keyFile,
  loadDocument,
  needsQuoting,
  policyFile,
  require_dist
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  InvalidInputError,
  UsageError,
  parse,
  parseNow
} from "./chunk-QIKD5X2T.js";
import {
  __toESM
} from "./chunk-XTJWW723.js";

// src/commands/new-key.ts
var import_yaml = __toESM(require_dist(), 1);
function placementProblem(tree, id, policy) {
  const folder = `${MANIFEST_DIR}/${id}/`;
  for (const path of tree.keys()) {
    if (path.startsWith(folder))
      return `${folder} already exists (${path}); a key is onboarded once`;
    const m = /^keys-manifest\/(.+)\/key\.yaml$/.exec(path);
    if (m && folder.startsWith(`${MANIFEST_DIR}/${m[1]}/`))
      return `${id} would be inside the key ${m[1]}; key folders do not nest`;
  }
  if (!tree.has(policyFile(policy)))
    return `policy ${policy} does not exist (${policyFile(policy)})`;
  return void 0;
}
function renderKeyYaml(input) {
  const body = {
    id: input.id,
    description: input.description,
    owner: input.owner,
    policy: input.policy,
    type: input.type,
    ...input.options ? { options: input.options } : {},
    targets: input.targets
  };
  const doc = new import_yaml.Document(body);
  (0, import_yaml.visit)(doc, {
    Scalar(_key, node) {
      if ((0, import_yaml.isScalar)(node) && typeof node.value === "string" && needsQuoting(node.value))
        node.type = "QUOTE_DOUBLE";
    }
  });
  const text = `${doc.toString({ lineWidth: 0 })}versions: []
`;
  const checked = loadDocument(keyFile(input.id), new TextEncoder().encode(text), keyDocument);
  if (!checked.doc) throw new InvalidInputError(checked.diagnostics);
  return text;
}
async function prepareNewKey(tree, input, opts, ports) {
  const problem = placementProblem(tree, input.id, input.policy);
  if (problem) throw new RangeError(problem);
  const path = keyFile(input.id);
  const withKey = fileTree(
    [...tree, [path, new TextEncoder().encode(renderKeyYaml(input))]],
    tree.irregular ?? []
  );
  const change = await prepareRotation(
    withKey,
    input.id,
    { now: opts.now, sopsConfig: opts.sopsConfig, prepublish: false },
    ports
  );
  return {
    ...change,
    message: change.message.replace(/^rekey: rotate (\S+) to v1/, "rekey: onboard $1 at v1").replace("Rekey-Action: rotate", "Rekey-Action: new")
  };
}

// src/adapters/workdir.ts
import { mkdir, rename, rm, writeFile, lstat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { randomBytes } from "node:crypto";
function inside(root, path) {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel === "" || rel.startsWith("..") || rel.split(sep).includes(".."))
    throw new RangeError(`refusing to write outside the repository: ${path}`);
  return full;
}
async function exists(path) {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if (e.code === "ENOENT") return false;
    throw e;
  }
}
async function applyToWorkdir(root, changes, opts = {}) {
  const targets = changes.map((c) => ({ ...c, full: inside(root, c.path) }));
  if (opts.createOnly) {
    for (const t of targets)
      if (t.content !== null && await exists(t.full))
        throw new RangeError(`${t.path} already exists; nothing was written`);
  }
  for (const t of targets) {
    if (t.content === null) {
      await rm(t.full, { force: true });
      continue;
    }
    await mkdir(dirname(t.full), { recursive: true });
    const tmp = join(dirname(t.full), `.${randomBytes(6).toString("hex")}.rekey-tmp`);
    await writeFile(tmp, t.content, { flag: "wx", mode: 420 });
    await rename(tmp, t.full);
  }
}

// src/cli/commands/new.ts
var help = `Usage: rekey new KEY-ID --type TYPE --policy NAME --owner @TEAM --description TEXT
                 [--bytes N] [--encoding base64|base64url|hex] [--target SPEC]... [--dir DIR] [--json]

Onboards a key: writes keys-manifest/KEY-ID/key.yaml and an encrypted v1.sops.yaml, encrypted
to the recipients .sops.yaml names for that path. Prints only the fingerprint; the material
exists in clear only in memory. Review and commit both files (a pull request, like any change).

TYPE: ${KEY_TYPES.join(", ")}. Random keys take --bytes (>= 16, default 32) and --encoding.
SPEC: comma-separated fields of one target, for example
  --target kind=github-secret,repository=acme/api,name=WEBHOOK_KEY,previous=WEBHOOK_KEY_PREVIOUS
  --target kind=github-deploy-key,repository=acme/infra,title=deploy
  --target kind=file,path=out/jwks.json,format=jwks

Exit: 0 created, 2 usage or configuration error (nothing written).
`;
function parseTargetSpec(spec) {
  const out = {};
  for (const part of spec.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0)
      throw new UsageError(`--target: expected field=value, got ${JSON.stringify(part)}`);
    const [k, v] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (k in out) throw new UsageError(`--target: ${k} given twice`);
    out[k] = k === "read-only" ? v === "true" : v;
  }
  return out;
}
var newKey = {
  name: "new",
  summary: "onboard a key: key.yaml and an encrypted v1, printing only the fingerprint",
  help,
  async run(argv, io) {
    const { values, positionals } = parse(
      "new",
      argv,
      {
        type: { type: "string" },
        policy: { type: "string" },
        owner: { type: "string" },
        description: { type: "string" },
        bytes: { type: "string" },
        encoding: { type: "string" },
        target: { type: "string", multiple: true },
        dir: { type: "string" },
        json: { type: "boolean", default: false },
        now: { type: "string" }
      },
      1
    );
    const id = positionals[0];
    const missing = ["type", "policy", "owner", "description"].filter(
      (k) => values[k] === void 0
    );
    if (id === void 0 || missing.length > 0)
      throw new UsageError(
        `rekey new: ${id === void 0 ? "KEY-ID" : missing.map((m) => `--${m}`).join(", ")} required

${help}`
      );
    if (!KEY_TYPES.includes(values.type))
      throw new UsageError(`rekey new: --type must be one of ${KEY_TYPES.join(", ")}`);
    const type = values.type;
    if (type !== "random" && (values.bytes !== void 0 || values.encoding !== void 0))
      throw new UsageError("rekey new: --bytes and --encoding apply to random keys only");
    const options = type === "random" ? {
      bytes: Number(values.bytes ?? 32),
      encoding: values.encoding ?? "base64"
    } : void 0;
    const dir = repoDir(io, values.dir);
    const tree = await readTree(dir, void 0);
    const now = parseNow(values.now, io);
    const change = await prepareNewKey(
      tree,
      {
        id,
        type,
        policy: values.policy,
        owner: values.owner,
        description: values.description,
        options,
        targets: (values.target ?? []).map(parseTargetSpec)
      },
      { now, sopsConfig: loadSopsConfig(tree) },
      { codec: (await sopsCodec(io, dir)).codec }
    );
    await applyToWorkdir(dir, change.files, { createOnly: true });
    if (values.json)
      io.stdout(
        jsonReport("new", {
          key: id,
          version: 1,
          fingerprint: change.fingerprint,
          files: change.files.map((f) => f.path)
        })
      );
    else
      io.stdout(
        `created ${change.files.map((f) => f.path).join(" and ")}
v1 fingerprint ${change.fingerprint}
next: review and commit both files through a pull request.
`
      );
    return EXIT.ok;
  }
};
export {
  newKey,
  parseTargetSpec
};
