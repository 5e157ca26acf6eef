import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  generateKey,
  materialPlaintext
} from "./chunk-EUDQPH2W.js";
import {
  findCreationRule
} from "./chunk-2PDFHADE.js";
import {
  keyDocument,
  keyFile,
  loadDocument,
  materialFile,
  require_dist
} from "./chunk-ARAMIKVA.js";
import {
  InvalidInputError
} from "./chunk-QIKD5X2T.js";
import {
  __toESM
} from "./chunk-XTJWW723.js";

// src/core/manifest-edit.ts
var import_yaml = __toESM(require_dist(), 1);
var ManifestEditError = class extends Error {
  name = "ManifestEditError";
};
function load(text) {
  const doc = (0, import_yaml.parseDocument)(text, { version: "1.2", merge: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ManifestEditError(`key.yaml does not parse: ${doc.errors[0].message}`);
  if (!(0, import_yaml.isMap)(doc.contents)) throw new ManifestEditError("key.yaml is not a mapping");
  return doc;
}
function renderEntry(v) {
  return `{ version: ${v.version}, state: ${v.state}, created: ${v.created}, fingerprint: ${JSON.stringify(v.fingerprint)} }`;
}
function findEntry(doc, version) {
  const seq = doc.get("versions", true);
  if ((0, import_yaml.isSeq)(seq)) {
    for (const item of seq.items) if ((0, import_yaml.isMap)(item) && item.get("version") === version) return item;
  }
  throw new ManifestEditError(`versions has no entry for v${version}`);
}
function addVersion(text, entry) {
  const doc = load(text);
  const seq = doc.get("versions", true);
  if (seq !== void 0 && seq !== null && !(0, import_yaml.isSeq)(seq))
    throw new ManifestEditError("versions is not a list");
  const first = (0, import_yaml.isSeq)(seq) && !seq.flow ? seq.items[0] : void 0;
  const start = first?.range?.[0];
  if (start !== void 0) {
    const lineStart = text.lastIndexOf("\n", start - 1) + 1;
    const prefix = text.slice(lineStart, start);
    const m = /^(\s*)-\s+$/.exec(prefix);
    if (m)
      return `${text.slice(0, lineStart)}${m[1]}- ${renderEntry(entry)}
${text.slice(lineStart)}`;
  }
  const line = `  - ${renderEntry(entry)}
`;
  if (seq === void 0 || seq === null) {
    if (doc.has("versions"))
      throw new ManifestEditError("versions is empty; write `versions: []` or a list");
    return `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}versions:
${line}`;
  }
  const range = seq.range;
  if (seq.flow && seq.items.length === 0 && range) {
    const rest = text.slice(range[1]);
    const eol = rest.includes("\n") ? rest.indexOf("\n") : rest.length;
    return `${text.slice(0, range[0]).trimEnd()}${rest.slice(0, eol)}
${line}${rest.slice(eol + 1)}`;
  }
  throw new ManifestEditError(
    "versions must be a block list (one `- { ... }` line per version) to be edited"
  );
}
function setVersionState(text, version, state) {
  const entry = findEntry(load(text), version);
  const node = entry.get("state", true);
  const range = (0, import_yaml.isScalar)(node) ? node.range : void 0;
  if (!range) throw new ManifestEditError(`v${version} has no state to change`);
  return `${text.slice(0, range[0])}${state}${text.slice(range[1])}`;
}
function rotate(text, entry, activeVersion) {
  const out = entry.state === "active" && activeVersion !== void 0 ? setVersionState(text, activeVersion, "deactivated") : text;
  return addVersion(out, entry);
}

// src/commands/changes.ts
var encoder = new TextEncoder();
function readKey(tree, keyId) {
  const path = keyFile(keyId);
  const bytes = tree.get(path);
  if (bytes === void 0) throw new RangeError(`no key ${keyId}: ${path} does not exist`);
  const loaded = loadDocument(path, bytes, keyDocument);
  if (!loaded.doc) throw new InvalidInputError(loaded.diagnostics);
  return { text: new TextDecoder().decode(bytes), key: loaded.doc.value };
}
function utcSeconds(now) {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}
function message(subject, trailers, body) {
  const lines = Object.entries(trailers).filter((e) => e[1] !== void 0).map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, " ").trim()}`);
  return `${subject}

${body ? `${body}

` : ""}${lines.join("\n")}
`;
}
async function newMaterial(ctx, version, sopsConfig, now, ports) {
  const { key } = ctx;
  const path = materialFile(key.id, version);
  const rule = findCreationRule(sopsConfig, path);
  if (!rule) throw new RangeError(`.sops.yaml has no creation rule for ${path}`);
  const generated = await (ports.generate ?? ((k) => generateKey(k.type, k.options)))(key);
  const plaintext = materialPlaintext({
    id: key.id,
    version,
    secret: generated.secret,
    public: generated.public
  });
  const encrypted = await ports.codec.encrypt(path, encoder.encode(plaintext), { rule, now });
  return { file: { path, content: encrypted }, fingerprint: generated.fingerprint };
}
var active = (key) => key.versions.find((v) => v.state === "active");
var nextVersion = (key) => Math.max(0, ...key.versions.map((v) => v.version)) + 1;
async function prepareRotation(tree, keyId, opts, ports) {
  const ctx = readKey(tree, keyId);
  const version = nextVersion(ctx.key);
  const state = opts.prepublish ? "pre-activation" : "active";
  const material = await newMaterial(ctx, version, opts.sopsConfig, opts.now, ports);
  const entry = {
    version,
    state,
    created: utcSeconds(opts.now),
    fingerprint: material.fingerprint
  };
  const current = active(ctx.key);
  const demoted = state === "active" ? current?.version : void 0;
  return {
    keyId,
    action: "rotate",
    version,
    fingerprint: material.fingerprint,
    moves: [
      { version, from: void 0, to: state },
      ...demoted !== void 0 ? [{ version: demoted, from: "active", to: "deactivated" }] : []
    ],
    files: [
      { path: keyFile(keyId), content: encoder.encode(rotate(ctx.text, entry, demoted)) },
      material.file
    ],
    message: message(`rekey: rotate ${keyId} to v${version}`, {
      "Rekey-Key": keyId,
      "Rekey-Action": "rotate",
      "Rekey-Version": String(version),
      "Rekey-Fingerprint": material.fingerprint,
      "Rekey-Run": opts.run
    })
  };
}
function preparePromotion(tree, keyId, opts = {}) {
  const ctx = readKey(tree, keyId);
  const pending = ctx.key.versions.find((v) => v.state === "pre-activation");
  if (!pending) throw new RangeError(`${keyId} has no pre-activation version to promote`);
  const current = active(ctx.key);
  let text = setVersionState(ctx.text, pending.version, "active");
  if (current) text = setVersionState(text, current.version, "deactivated");
  return {
    keyId,
    action: "promote",
    version: pending.version,
    fingerprint: pending.fingerprint,
    moves: [
      { version: pending.version, from: "pre-activation", to: "active" },
      ...current ? [{ version: current.version, from: "active", to: "deactivated" }] : []
    ],
    files: [{ path: keyFile(keyId), content: encoder.encode(text) }],
    message: message(`rekey: promote ${keyId} v${pending.version} to active`, {
      "Rekey-Key": keyId,
      "Rekey-Action": "promote",
      "Rekey-Version": String(pending.version),
      "Rekey-Fingerprint": pending.fingerprint,
      "Rekey-Run": opts.run
    })
  };
}
function prepareRevocation(tree, keyId, versions, opts = {}) {
  const ctx = readKey(tree, keyId);
  const list = [...new Set(typeof versions === "number" ? [versions] : versions)].sort(
    (a, b) => b - a
  );
  if (list.length === 0) throw new RangeError(`no version of ${keyId} to revoke`);
  let text = ctx.text;
  const moves = [];
  for (const version of list) {
    const entry = ctx.key.versions.find((v) => v.version === version);
    if (!entry) throw new RangeError(`${keyId} has no v${version}`);
    if (entry.state !== "deactivated" && entry.state !== "compromised")
      throw new RangeError(
        `${keyId} v${version} is ${entry.state}; only deactivated or compromised versions are destroyed`
      );
    text = setVersionState(text, version, "destroyed");
    moves.push({ version, from: entry.state, to: "destroyed" });
  }
  const first = ctx.key.versions.find((v) => v.version === list[0]);
  const names = list.map((v) => `v${v}`).join(", ");
  return {
    keyId,
    action: "revoke",
    version: first.version,
    fingerprint: first.fingerprint,
    moves,
    files: [
      { path: keyFile(keyId), content: encoder.encode(text) },
      ...list.map((v) => ({ path: materialFile(keyId, v), content: null }))
    ],
    message: message(`rekey: revoke ${keyId} ${names}`, {
      "Rekey-Key": keyId,
      "Rekey-Action": "revoke",
      "Rekey-Version": list.join(", "),
      "Rekey-Run": opts.run
    })
  };
}
async function prepareEmergency(tree, keyId, opts, ports) {
  const reason = opts.reason.trim();
  if (reason.length === 0) throw new RangeError("an emergency rotation needs a reason");
  const ctx = readKey(tree, keyId);
  const version = nextVersion(ctx.key);
  const material = await newMaterial(ctx, version, opts.sopsConfig, opts.now, ports);
  const current = active(ctx.key);
  const demotedTo = opts.compromised ? "compromised" : "deactivated";
  let text = current ? setVersionState(ctx.text, current.version, demotedTo) : ctx.text;
  text = rotate(
    text,
    { version, state: "active", created: utcSeconds(opts.now), fingerprint: material.fingerprint },
    void 0
  );
  return {
    keyId,
    action: "emergency",
    version,
    fingerprint: material.fingerprint,
    moves: [
      { version, from: void 0, to: "active" },
      ...current ? [{ version: current.version, from: "active", to: demotedTo }] : []
    ],
    files: [{ path: keyFile(keyId), content: encoder.encode(text) }, material.file],
    message: message(
      `rekey: emergency rotation of ${keyId} to v${version}`,
      {
        "Rekey-Key": keyId,
        "Rekey-Action": "emergency",
        "Rekey-Version": String(version),
        "Rekey-Fingerprint": material.fingerprint,
        "Rekey-Reason": reason,
        "Rekey-Run": opts.run
      },
      opts.compromised && current ? `v${current.version} is marked compromised.` : void 0
    )
  };
}

export {
  prepareRotation,
  preparePromotion,
  prepareRevocation,
  prepareEmergency
};
