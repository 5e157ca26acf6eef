import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  violation
} from "./chunk-LX4CV2AR.js";
import {
  loadSnapshot
} from "./chunk-ABOOY56S.js";
import {
  findCreationRule,
  parseSopsConfig,
  ruleAgeRecipients
} from "./chunk-2PDFHADE.js";
import {
  POLICIES_DIR,
  SOPS_CONFIG_FILE,
  canonicalName,
  describeMs,
  durationMs,
  fileTree,
  loadDocument,
  materialDocument,
  materialFile,
  parseKeyFilePath,
  parseMaterialPath,
  parseYaml
} from "./chunk-ARAMIKVA.js";
import {
  diagnostic,
  sortDiagnostics
} from "./chunk-QIKD5X2T.js";

// src/core/lifecycle/classify.ts
function classifyChange(keys, configFiles) {
  const kinds = /* @__PURE__ */ new Set();
  for (const k of keys) for (const kind of k.kinds) kinds.add(overall(kind));
  if (configFiles.length > 0) kinds.add("configuration");
  if (kinds.size === 0) return "none";
  if (kinds.size > 1) return "mixed";
  return [...kinds][0];
}
function overall(kind) {
  return kind === "removal" ? "configuration" : kind;
}

// src/core/targets/ownership.ts
function checkTargetOwnership(keys) {
  const slots = [];
  const deployKeys = /* @__PURE__ */ new Map();
  const publicKeys = [];
  const files = [];
  const roles = [];
  for (const doc of keys) {
    const keyId = doc.value.id;
    doc.value.targets.forEach((t, i) => {
      const at = (field2) => lazyLocation(() => doc.locate(["targets", i, field2]));
      switch (t.kind) {
        case "github-secret":
          slots.push(secretSlot(keyId, t, "name", at("name")));
          if (t.previous !== void 0)
            slots.push(secretSlot(keyId, t, "previous", at("previous")));
          return;
        case "github-deploy-key": {
          const list2 = deployKeys.get(keyId) ?? [];
          list2.push({ keyId, at: at("repository"), what: `deploy key in ${t.repository}` });
          deployKeys.set(keyId, list2);
          for (const v of doc.value.versions)
            if (DEPLOYED.has(v.state))
              publicKeys.push({
                keyId,
                at: at("repository"),
                what: `the deploy key in ${t.repository}`,
                fingerprint: v.fingerprint
              });
          return;
        }
        case "file":
          files.push({ keyId, at: at("path"), what: `file ${t.path}`, path: t.path.toLowerCase() });
          return;
        case "postgres-role":
          for (const role of t.roles)
            roles.push({
              keyId,
              at: at("roles"),
              what: `PostgreSQL role ${role} (${t.connection})`,
              role: `${t.connection} ${role}`
            });
          return;
      }
    });
  }
  return [
    ...sharedSecrets(slots),
    ...sharedDeployKeys(deployKeys),
    ...sharedPublicKeys(publicKeys),
    ...sharedFiles(files),
    ...groupBy(roles, (r) => r.role).flatMap(
      (g) => shared(g, "a role has one password: remove one of the targets or use another role")
    ),
    ...shadowed(slots)
  ];
}
function secretSlot(keyId, t, slot, at) {
  const name = canonicalName(slot === "name" ? t.name : t.previous);
  const app = t.app === "dependabot" ? "Dependabot" : "Actions";
  if (t.organization !== void 0) {
    const organization = t.organization.toLowerCase();
    const visibility = t.visibility ?? "private";
    return {
      keyId,
      at,
      slot,
      app: t.app,
      name,
      organization,
      // `private` reaches the organization's private and internal repositories; rekey cannot
      // tell which those are, so it counts every repository of the organization.
      visibleTo: visibility === "selected" ? new Set((t["selected-repositories"] ?? []).map((r) => r.toLowerCase())) : "all",
      what: `${app} organization secret ${name} of ${t.organization}`
    };
  }
  const repository = (t.repository ?? "").toLowerCase();
  if (t.environment !== void 0)
    return {
      keyId,
      at,
      slot,
      app: t.app,
      name,
      repository,
      environment: t.environment.toLowerCase(),
      what: `${app} secret ${name} of ${t.repository} environment ${t.environment}`
    };
  return {
    keyId,
    at,
    slot,
    app: t.app,
    name,
    repository,
    what: `${app} secret ${name} of ${t.repository}`
  };
}
var where = (c) => c.at.line > 0 ? `${c.at.file}:${c.at.line}` : c.at.file;
function shared(group, advice) {
  if (group.length < 2) return [];
  return group.map((c) => {
    const others = group.filter((o) => o !== c);
    const listed = others.slice(0, 3).map((o) => `${o.keyId === c.keyId ? "this key" : `key ${o.keyId}`} (${where(o)})`).join(", ");
    const more = others.length > 3 ? ` and ${others.length - 3} more` : "";
    return diagnostic(
      "target/shared",
      `${c.what} is also written by ${listed}${more}; ${advice}`,
      c.at
    );
  });
}
function groupBy(items, key) {
  const groups = /* @__PURE__ */ new Map();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}
function sharedSecrets(slots) {
  return groupBy(
    slots,
    (s) => `${s.app}\0${s.organization ?? ""}\0${s.repository ?? ""}\0${s.environment ?? ""}\0${s.name}`
  ).flatMap(
    (g) => shared(g, "a secret has one owner: remove one of the targets or give one another name")
  );
}
function sharedDeployKeys(byKey) {
  return [...byKey.values()].flatMap(
    (g) => shared(
      g,
      "GitHub accepts a public key as a deploy key in one repository only; give each repository its own key"
    )
  );
}
var DEPLOYED = /* @__PURE__ */ new Set(["pre-activation", "active", "deactivated"]);
function sharedPublicKeys(claims) {
  const shares = /* @__PURE__ */ new Map();
  const targetOf = (c) => `${c.keyId}\0${c.at.file}\0${c.at.line}`;
  for (const g of groupBy(claims, (c) => c.fingerprint))
    for (const c of g)
      for (const o of g) {
        if (o.keyId === c.keyId) continue;
        const entry = shares.get(targetOf(c)) ?? { claim: c, with: /* @__PURE__ */ new Map() };
        shares.set(targetOf(c), entry);
        const list2 = entry.with.get(`key ${o.keyId} (${where(o)})`) ?? [];
        if (!list2.includes(c.fingerprint)) list2.push(c.fingerprint);
        entry.with.set(`key ${o.keyId} (${where(o)})`, list2);
      }
  return [...shares.values()].map(({ claim, with: others }) => {
    const listed = [...others.keys()].slice(0, 3).join(", ");
    const more = others.size > 3 ? ` and ${others.size - 3} more` : "";
    const fingerprints = [...new Set([...others.values()].flat())].join(", ");
    return diagnostic(
      "target/shared",
      `${claim.what} holds the same public key (${fingerprints}) as a deploy key of ${listed}${more}; GitHub accepts a public key as a deploy key once, in any repository ("key is already in use"): generate a new key for one of them`,
      claim.at
    );
  });
}
function sharedFiles(files) {
  const out = groupBy(files, (f) => f.path).flatMap(
    (g) => shared(g, "a file has one owner: remove one of the targets or write another path")
  );
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const f of files)
    for (let i = f.path.indexOf("/"); i > 0; i = f.path.indexOf("/", i + 1)) {
      const parent = byPath.get(f.path.slice(0, i));
      if (parent === void 0) continue;
      out.push(
        diagnostic(
          "target/shared",
          `${f.what} is inside ${parent.what}, which ${parent.keyId === f.keyId ? "this key" : `key ${parent.keyId}`} writes (${where(parent)}); a path is either a file or a folder`,
          f.at
        ),
        diagnostic(
          "target/shared",
          `${parent.what} is a folder of ${f.what}, which ${f.keyId === parent.keyId ? "this key" : `key ${f.keyId}`} writes (${where(f)}); a path is either a file or a folder`,
          parent.at
        )
      );
    }
  return out;
}
var level = (s) => s.environment !== void 0 ? 0 : s.repository !== void 0 ? 1 : 2;
function overlaps(high, low) {
  if (level(high) >= level(low)) return false;
  const repo = high.repository;
  if (low.repository !== void 0) return low.repository === repo && low.environment === void 0;
  if (repo.slice(0, repo.indexOf("/")) !== low.organization) return false;
  return low.visibleTo === "all" || low.visibleTo.has(repo);
}
function shadowed(slots) {
  const out = [];
  for (const g of groupBy(slots, (s) => `${s.app}\0${s.name}`)) {
    if (g.length < 2) continue;
    const order = new Map(g.map((slot, i) => [slot, i]));
    const byRepo = groupIndex(g, (s) => level(s) === 1 ? s.repository : void 0);
    const byOrg = groupIndex(g, (s) => level(s) === 2 ? s.organization : void 0);
    for (const high of g) {
      if (level(high) === 2) continue;
      const repo = high.repository;
      const lows = [
        ...byRepo.get(repo) ?? [],
        ...byOrg.get(repo.slice(0, repo.indexOf("/"))) ?? []
      ].sort((a, b) => order.get(a) - order.get(b));
      for (const low of lows) {
        if (high.keyId === low.keyId && high.slot === low.slot) continue;
        if (!overlaps(high, low)) continue;
        const owner = (c, other) => c.keyId === other.keyId ? `this key's ${c.slot}` : `key ${c.keyId}`;
        out.push(
          diagnostic(
            "target/shadowed",
            `${high.what} shadows the ${low.what} that ${owner(low, high)} writes (${where(low)}); a job that can read both gets this one (GitHub: environment before repository before organization): use another name for one of them`,
            high.at
          ),
          diagnostic(
            "target/shadowed",
            `${low.what} is shadowed by the ${high.what} that ${owner(high, low)} writes (${where(high)}); a job that can read both gets that one (GitHub: environment before repository before organization): use another name for one of them`,
            low.at
          )
        );
      }
    }
  }
  return out;
}
function lazyLocation(locate) {
  let at;
  return {
    get file() {
      return (at ??= locate()).file;
    },
    get line() {
      return (at ??= locate()).line;
    },
    get column() {
      return (at ??= locate()).column;
    }
  };
}
function groupIndex(items, key) {
  const index = /* @__PURE__ */ new Map();
  for (const item of items) {
    const k = key(item);
    if (k === void 0) continue;
    const list2 = index.get(k);
    if (list2) list2.push(item);
    else index.set(k, [item]);
  }
  return index;
}

// src/core/lifecycle/invariants.ts
function checkManifestInvariants(m, now, opts = {}) {
  const keys = [...m.keys.values()];
  return [
    ...keys.flatMap((key) => checkKeyInvariants(key, now, opts)),
    // One target, one owner (targets/ownership.ts): a rule across keys, on every snapshot.
    ...checkTargetOwnership(keys.map((k) => k.doc))
  ];
}
function checkKeyInvariants(key, now, opts = {}) {
  const out = [];
  const { doc } = key;
  const versions = doc.value.versions;
  const at = (i, field2) => doc.locate(["versions", i, field2]);
  for (let i = 1; i < versions.length; i++) {
    const above = versions[i - 1].version;
    const here = versions[i].version;
    if (here > above) {
      out.push(
        violation(
          "lifecycle/version-order",
          `v${here} is listed below v${above}; list versions newest first`,
          at(i, "version")
        )
      );
      break;
    }
  }
  const seen = /* @__PURE__ */ new Set();
  versions.forEach((v, i) => {
    if (seen.has(v.version))
      out.push(
        violation(
          "lifecycle/version-duplicate",
          `v${v.version} is listed twice; each version number names one piece of material`,
          at(i, "version")
        )
      );
    seen.add(v.version);
  });
  const max = Math.max(0, ...seen);
  const missing = [];
  for (let n = 1; n <= max; n++) if (!seen.has(n)) missing.push(n);
  if (missing.length > 0) {
    const firstMissing = missing[0];
    const above = versions.findIndex((v) => v.version > firstMissing && !seen.has(v.version - 1));
    out.push(
      violation(
        "lifecycle/version-gap",
        // A hostile `version: 1000000` must not produce a megabyte of message.
        `${missing.slice(0, 5).map((n) => `v${n}`).join(
          ", "
        )}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""} ${missing.length === 1 ? "is" : "are"} missing; version numbers run from v1 without gaps and entries are never removed`,
        above >= 0 ? at(above, "version") : doc.locate(["versions"])
      )
    );
  }
  for (const state of ["active", "pre-activation"]) {
    const idx = versions.flatMap((v, i) => v.state === state ? [i] : []);
    for (const i of idx.slice(1))
      out.push(
        violation(
          state === "active" ? "lifecycle/multiple-active" : "lifecycle/multiple-pre-activation",
          `v${versions[i].version} and v${versions[idx[0]].version} are both ${state}; a key has at most one ${state} version` + (state === "active" ? " (move the older one to deactivated in the same change)" : ""),
          at(i, "state")
        )
      );
  }
  versions.forEach((v, i) => {
    if (Date.parse(v.created) > now.getTime())
      out.push(
        violation(
          "lifecycle/created-in-future",
          `v${v.version} was created ${v.created}, after the time of this check (${iso(now)}); creation times are taken when the material is generated`,
          at(i, "created")
        )
      );
  });
  if (opts.material === false) return out;
  const listed = new Map(versions.map((v, i) => [v.version, i]));
  versions.forEach((v, i) => {
    if (listed.get(v.version) !== i) return;
    const has = key.materials.has(v.version);
    const path = materialFile(key.id, v.version);
    if (v.state === "destroyed" && has)
      out.push(
        violation(
          "lifecycle/material-for-destroyed",
          `v${v.version} is destroyed but ${path} still exists; delete it in the change that destroys the version`,
          at(i, "state")
        )
      );
    if (v.state !== "destroyed" && !has)
      out.push(
        violation(
          "lifecycle/material-missing",
          `v${v.version} is ${v.state} but ${path} does not exist; every live version keeps its encrypted material`,
          at(i, "state")
        )
      );
  });
  for (const [n, mat] of key.materials) {
    if (!listed.has(n))
      out.push(
        violation(
          "lifecycle/material-orphan",
          `${mat.file} is not listed in ${doc.file}; add v${n} to versions or delete the file`,
          mat.locate([])
        )
      );
  }
  return out;
}
var iso = (d) => d.toISOString().slice(0, 19) + "Z";

// src/core/lifecycle/key-presence.ts
function newKey(head) {
  const versions = head.doc.value.versions;
  const diagnostics = [];
  versions.forEach((v, i) => {
    if (i === 0 && v.version === 1 && v.state === "active") return;
    diagnostics.push(
      violation(
        "lifecycle/new-key-versions",
        i === 0 ? `a new key starts with v1 active (or no versions), not v${v.version} ${v.state}` : `a new key starts with a single entry, v1 active; remove v${v.version} (${v.state}): a key's history begins when rekey first sees it`,
        head.doc.locate(["versions", i, i === 0 && v.version === 1 ? "state" : "version"])
      )
    );
  });
  return {
    change: {
      keyId: head.id,
      kinds: ["new-key"],
      moves: versions.map((v) => ({ version: v.version, from: void 0, to: v.state })),
      configuration: []
    },
    diagnostics
  };
}
function removedKey(base) {
  const versions = base.doc.value.versions;
  const live = versions.flatMap((v, i) => v.state === "destroyed" ? [] : [i]);
  const diagnostics = live.slice(0, 1).map(
    (i) => violation(
      "lifecycle/key-removed",
      `key ${base.id} was removed while ${live.map((j) => `v${versions[j].version} (${versions[j].state})`).join(", ")} ${live.length === 1 ? "is" : "are"} live; destroy every version through revocation first, so its targets are cleaned up and the audit trail is complete`,
      base.doc.locate(["versions", i, "state"])
    )
  );
  return {
    change: {
      keyId: base.id,
      kinds: ["removal"],
      moves: versions.map((v) => ({ version: v.version, from: v.state, to: void 0 })),
      configuration: []
    },
    diagnostics
  };
}

// src/core/lifecycle/revocation-gate.ts
function revocationGate(e) {
  const position = new Map(e.firstParent.map((c, i) => [c.sha, i]));
  return (keyId, version, { state }) => decide(e, position, keyId, version, state);
}
function decide(e, position, keyId, version, state) {
  const closed = (reason) => ({ open: false, reason });
  const successor = e.activeVersion(keyId);
  if (successor === void 0)
    return closed(`key ${keyId} has no active version, so nothing has replaced v${version}`);
  const since = e.activeSince(keyId, successor);
  if (since === void 0)
    return closed(`first-parent history does not show when v${successor} became active`);
  const from = position.get(since);
  if (from === void 0)
    return closed(
      `commit ${short(since)}, where v${successor} became active, is not on first-parent history`
    );
  const proof = e.firstParent.slice(from).find((c) => c.status?.state === "success");
  if (proof === void 0)
    return closed(
      `no rekey/distribution success at or after ${short(since)}, where v${successor} became active: v${successor} is not proven on every target`
    );
  const probes = e.probes?.(keyId);
  if (probes?.required === true && probes.declared === 0)
    return closed(
      `key ${keyId}'s policy says require-probes: true, but none of its targets declares a probe, so nothing can confirm v${successor} is in use`
    );
  const grace = state === "compromised" ? 0 : e.graceMs(keyId);
  if (grace === void 0) return closed(`the grace period of key ${keyId}'s policy is unknown`);
  const age = e.now.getTime() - Date.parse(proof.status.at);
  if (age < grace)
    return closed(
      `v${successor} was proven distributed at ${short(proof.sha)} ${describeMs(Math.max(0, age))} ago; the grace period is ${describeMs(grace)}`
    );
  return {
    open: true,
    reason: `v${successor} proven distributed at ${short(proof.sha)} ${describeMs(age)} ago` + (probes?.required === true ? ` and confirmed in use by ${probes.declared} probe${probes.declared === 1 ? "" : "s"}` : "") + (state === "compromised" ? " (compromised: no grace)" : `, grace ${describeMs(grace)} passed`)
  };
}
var short = (sha) => sha.slice(0, 12);
var hasProbe = (t) => t.probe !== void 0 || t.kind === "postgres-role";
function gateEvidence(input) {
  const { base, history } = input;
  return {
    activeVersion: (keyId) => base.keys.get(keyId)?.value.versions.find((v) => v.state === "active")?.version,
    activeSince: (keyId, version) => history.keys.get(keyId)?.versions.get(version)?.entered.active?.sha,
    firstParent: input.firstParent,
    graceMs: (keyId) => {
      const policy = base.policies.get(base.keys.get(keyId)?.value.policy ?? "");
      return policy === void 0 ? void 0 : durationMs(policy.value.grace);
    },
    probes: (keyId) => {
      const key = base.keys.get(keyId)?.value;
      const policy = base.policies.get(key?.policy ?? "");
      return {
        required: policy?.value["require-probes"] === true,
        declared: (key?.targets ?? []).filter(hasProbe).length
      };
    },
    now: input.now
  };
}
function checkGate(id, n, state, at, opts) {
  if (opts.gate === void 0)
    return [
      violation(
        "lifecycle/revocation-gate-unchecked",
        `v${n} goes from ${state} to destroyed, but the revocation gate could not be checked (no distribution evidence was available), so destroying it is refused`,
        at
      )
    ];
  const verdict = opts.gate(id, n, { state });
  return verdict.open ? [] : [
    violation(
      "lifecycle/revocation-gate-closed",
      `v${n} cannot be destroyed yet: ${verdict.reason}`,
      at
    )
  ];
}

// src/core/lifecycle/material-edits.ts
function compareMaterials(base, head) {
  const diagnostics = [];
  let rewrapped = false;
  for (const [n, bm] of base.materials) {
    const hm = head.materials.get(n);
    if (hm === void 0 || hm.text === bm.text) continue;
    const edited = MATERIAL_FIELDS.filter(
      (f) => JSON.stringify(f.get(bm)) !== JSON.stringify(f.get(hm))
    );
    if (edited.length === 0) rewrapped = true;
    else
      diagnostics.push(
        violation(
          "lifecycle/material-edited",
          `${hm.file}: ${edited.map((f) => f.name).join(", ")} changed for existing v${n}; material is never edited in place (only re-wrapping the data key for new recipients is). Add a new version instead`,
          hm.locate(edited[0].path)
        )
      );
  }
  return { rewrapped, diagnostics };
}
var MATERIAL_FIELDS = [
  { name: "secret", path: ["secret"], get: (m) => m.secret },
  { name: "id", path: ["id"], get: (m) => m.id },
  { name: "version", path: ["version"], get: (m) => m.version },
  { name: "public", path: ["public"], get: (m) => m.public },
  { name: "sops.mac", path: ["sops", "mac"], get: (m) => m.mac },
  { name: "sops.lastmodified", path: ["sops", "lastmodified"], get: (m) => m.lastmodified }
];

// src/core/lifecycle/states.ts
var ORDER = {
  "pre-activation": 0,
  active: 1,
  deactivated: 2,
  compromised: 3,
  destroyed: 4
};
function classifyEdge(from, to) {
  if (from === to) return "unchanged";
  if (from === "destroyed") return "backward";
  if (to === "compromised") return "compromise";
  if (from === "compromised") return to === "destroyed" ? "destroy" : "backward";
  if (ORDER[to] < ORDER[from]) return "backward";
  if (from === "pre-activation" && to === "active") return "promote";
  if (from === "active" && to === "deactivated") return "deactivate";
  if (from === "deactivated" && to === "destroyed") return "destroy";
  return "skip";
}

// src/core/lifecycle/transitions.ts
function compareKey(base, head, opts = {}) {
  if (base === void 0 && head === void 0) return { change: void 0, diagnostics: [] };
  if (base === void 0) return newKey(head);
  if (head === void 0) return removedKey(base);
  return changedKey(base, head, opts);
}
function changedKey(base, head, opts) {
  const b = base.doc.value;
  const h = head.doc.value;
  const c = {
    id: head.id,
    b,
    h,
    head,
    bIdx: firstIndexByNumber(b.versions),
    hIdx: firstIndexByNumber(h.versions),
    out: [],
    kinds: /* @__PURE__ */ new Set(),
    moves: [],
    at: (i, field2) => head.doc.locate(["versions", i, field2])
  };
  const configuration = CONFIG_FIELDS.filter((f) => JSON.stringify(b[f]) !== JSON.stringify(h[f]));
  if (b.type !== h.type)
    c.out.push(
      violation(
        "lifecycle/type-changed",
        `the key type changed from ${b.type} to ${h.type}; existing versions were generated as ${b.type}. Create a new key instead`,
        head.doc.locate(["type"])
      )
    );
  checkRemovedVersions(c);
  checkExistingVersions(c, opts);
  checkNewVersions(c);
  checkSuccessor(c);
  const materials = compareMaterials(base, head);
  c.out.push(...materials.diagnostics);
  const { kinds, moves } = c;
  if (configuration.length > 0 || materials.rewrapped) kinds.add("configuration");
  if (kinds.has("emergency")) {
    kinds.delete("rotation");
    kinds.delete("promotion");
  }
  const change = kinds.size === 0 && moves.length === 0 ? void 0 : {
    keyId: c.id,
    kinds: [...kinds].sort(),
    moves: moves.sort((x, y) => y.version - x.version),
    configuration: materials.rewrapped ? [...configuration, "material"] : configuration
  };
  return { change, diagnostics: c.out };
}
function checkRemovedVersions(c) {
  for (const [n, bi] of c.bIdx) {
    if (c.hIdx.has(n)) continue;
    const state = c.b.versions[bi].state;
    c.moves.push({ version: n, from: state, to: void 0 });
    c.out.push(
      violation(
        "lifecycle/version-removed",
        `v${n} (${state} on the base branch) was removed from versions; entries are never removed, destroyed versions stay listed as the audit record`,
        c.head.doc.locate(["versions"])
      )
    );
  }
}
function checkExistingVersions(c, opts) {
  for (const [n, hi] of c.hIdx) {
    const bi = c.bIdx.get(n);
    if (bi === void 0) continue;
    const bv = c.b.versions[bi];
    const hv = c.h.versions[hi];
    if (bv.fingerprint !== hv.fingerprint)
      c.out.push(
        violation(
          "lifecycle/fingerprint-changed",
          `v${n}'s fingerprint changed from ${bv.fingerprint} to ${hv.fingerprint}; a version number names one piece of material forever. Add a new version instead`,
          c.at(hi, "fingerprint")
        )
      );
    if (bv.created !== hv.created)
      c.out.push(
        violation(
          "lifecycle/created-changed",
          `v${n}'s created time changed from ${bv.created} to ${hv.created}; it records when the material was generated and never changes`,
          c.at(hi, "created")
        )
      );
    const edge = classifyEdge(bv.state, hv.state);
    if (edge === "unchanged") continue;
    c.moves.push({ version: n, from: bv.state, to: hv.state });
    const at = c.at(hi, "state");
    if (edge === "skip")
      c.out.push(violation("lifecycle/skipped-state", skipMessage(n, bv.state, hv.state), at));
    else if (edge === "backward")
      c.out.push(
        violation(
          "lifecycle/resurrection",
          bv.state === "destroyed" ? `v${n} went from destroyed to ${hv.state}; destroyed material is gone for good. Add a new version instead` : `v${n} went from ${bv.state} back to ${hv.state}; versions only move forward. Add a new version instead`,
          at
        )
      );
    else if (edge === "promote") c.kinds.add("promotion");
    else if (edge === "compromise") c.kinds.add("emergency");
    else if (edge === "destroy") {
      c.kinds.add("revocation");
      c.out.push(...checkGate(c.id, n, bv.state, at, opts));
    }
  }
}
function checkNewVersions(c) {
  const baseMax = Math.max(0, ...c.bIdx.keys());
  const baseNewest = c.b.versions.reduce((m, v) => v.created > m ? v.created : m, "");
  const byFingerprint = new Map(c.b.versions.map((v) => [v.fingerprint, v.version]));
  const added = [...c.hIdx.keys()].filter((n) => !c.bIdx.has(n)).sort((x, y) => x - y);
  added.forEach((n, k) => {
    const hi = c.hIdx.get(n);
    const hv = c.h.versions[hi];
    c.moves.push({ version: n, from: void 0, to: hv.state });
    if (k > 0 || n !== baseMax + 1)
      c.out.push(
        violation(
          "lifecycle/new-version-number",
          k > 0 ? `v${n} is a second new version in one change; add one version per change` : n <= baseMax ? `v${n} is new but numbers up to v${baseMax} are taken; version numbers are never reused. Use v${baseMax + 1}` : `v${n} skips ${rangeText(baseMax + 1, n - 1)}; the next version is v${baseMax + 1}`,
          c.at(hi, "version")
        )
      );
    const prepublishMs = c.head.prepublishMs;
    if (hv.state === "active") c.kinds.add("rotation");
    else if (hv.state === "pre-activation") {
      c.kinds.add("rotation");
      if (!(prepublishMs !== void 0 && prepublishMs > 0))
        c.out.push(
          violation(
            "lifecycle/prepublish-disabled",
            `v${n} was added as pre-activation, but policy ${c.h.policy} ${prepublishMs === void 0 ? "is unknown" : "has no prepublish period"}; add it as active and deactivate the current active version`,
            c.at(hi, "state")
          )
        );
    } else
      c.out.push(
        violation(
          "lifecycle/new-version-state",
          `v${n} was added as ${hv.state}; a new version starts active (or pre-activation when the policy prepublishes)`,
          c.at(hi, "state")
        )
      );
    const same = byFingerprint.get(hv.fingerprint);
    if (same !== void 0)
      c.out.push(
        violation(
          "lifecycle/fingerprint-reused",
          `v${n} has the fingerprint of v${same} (${hv.fingerprint}): it is the same material, so this rotation would change nothing. Generate new material`,
          c.at(hi, "fingerprint")
        )
      );
    if (baseNewest !== "" && hv.created < baseNewest)
      c.out.push(
        violation(
          "lifecycle/created-before-newest",
          `v${n} was created ${hv.created}, before the newest existing version (${baseNewest}); a new version is generated after every existing one`,
          c.at(hi, "created")
        )
      );
  });
}
function checkSuccessor(c) {
  const newlyActive = [...c.hIdx].some(
    ([n, hi]) => c.h.versions[hi].state === "active" && c.b.versions[c.bIdx.get(n) ?? -1]?.state !== "active"
  );
  if (newlyActive) return;
  const next = Math.max(0, ...c.bIdx.keys()) + 1;
  for (const [n, bi] of c.bIdx) {
    const hi = c.hIdx.get(n);
    if (c.b.versions[bi].state !== "active" || hi === void 0) continue;
    const to = c.h.versions[hi].state;
    if (to === "deactivated")
      c.out.push(
        violation(
          "lifecycle/active-without-successor",
          `v${n} went from active to deactivated but no version becomes active in this change, so the key would have none; add v${next} as active or promote the pre-activation version in the same change`,
          c.at(hi, "state")
        )
      );
    else if (to === "compromised")
      c.out.push(
        violation(
          "lifecycle/active-without-successor",
          `v${n} was active and is now compromised, but no new active version arrives in this change; an emergency adds v${next} as active together with the compromise`,
          c.at(hi, "state")
        )
      );
  }
}
function skipMessage(n, from, to) {
  const via = from === "pre-activation" && to === "deactivated" ? "it must be active first" : from === "pre-activation" ? "it must be active and then deactivated first, or compromised" : "it must be deactivated first";
  return `v${n} went from ${from} to ${to}; ${via}`;
}
var CONFIG_FIELDS = [
  "id",
  "description",
  "owner",
  "policy",
  "type",
  "options",
  "targets"
];
function firstIndexByNumber(versions) {
  const m = /* @__PURE__ */ new Map();
  versions.forEach((v, i) => {
    if (!m.has(v.version)) m.set(v.version, i);
  });
  return m;
}
function rangeText(from, to) {
  return from === to ? `v${from}` : `v${from}-v${to}`;
}

// src/core/verify/material-content.ts
var PUBLIC_FORMS = {
  ed25519: { re: pem(), text: "a -----BEGIN PUBLIC KEY----- PEM" },
  "ecdsa-p256": { re: pem(), text: "a -----BEGIN PUBLIC KEY----- PEM" },
  "rsa-3072": { re: pem(), text: "a -----BEGIN PUBLIC KEY----- PEM" },
  "rsa-4096": { re: pem(), text: "a -----BEGIN PUBLIC KEY----- PEM" },
  "ssh-ed25519": {
    re: /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+={0,2}( [^\n]*)?\n?$/,
    text: 'an "ssh-ed25519 AAAA... comment" line'
  },
  "age-x25519": { re: /^age1[02-9ac-hj-np-z]{58}$/, text: "an age1... recipient" }
};
function pem() {
  return /^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=]{1,76}\n)+-----END PUBLIC KEY-----\n?$/;
}
function checkPublicForm(mat, type) {
  const at = () => mat.locate(["public"]);
  const absent = mat.public === void 0 || mat.public === null;
  if (type === "random")
    return absent ? [] : [
      violation(
        "verify/public-not-public",
        `${mat.file}: random keys have no public part; remove the public field (it may hold the secret in clear)`,
        at()
      )
    ];
  const form = PUBLIC_FORMS[type];
  if (typeof mat.public === "string" && form.re.test(mat.public)) return [];
  return [
    violation(
      "verify/public-not-public",
      absent ? `${mat.file}: a ${type} key needs its public part in clear for review: ${form.text}` : `${mat.file}: public is not ${form.text}, the public form of a ${type} key`,
      at()
    )
  ];
}

// src/core/verify/plaintext.ts
var MARKERS = [
  // PEM: PKCS#8, PKCS#1 RSA, SEC1 EC, OpenSSH, encrypted PKCS#8, DSA.
  { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: "a PEM private key" },
  // OpenPGP secret keys (gpg --export-secret-keys --armor).
  { re: /-----BEGIN PGP PRIVATE KEY BLOCK-----/, what: "a PGP private key" },
  // age identities, X25519 and post-quantum hybrid; and plugin identities.
  { re: /AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]/, what: "an age identity (AGE-SECRET-KEY-1...)" },
  { re: /AGE-PLUGIN-[0-9A-Z-]+1[0-9A-Z]/, what: "an age plugin identity" },
  // PuTTY private key files.
  { re: /PuTTY-User-Key-File-[0-9]+:/, what: "a PuTTY private key" },
  // A whole PEM file base64-encoded once (as Kubernetes secrets and env files carry them):
  // the encoded private headers, at the start of the encoded text.
  {
    re: new RegExp(
      [
        "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t",
        // -----BEGIN PRIVATE KEY-----
        "LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0t",
        // -----BEGIN OPENSSH PRIVATE KEY-----
        "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0t",
        // -----BEGIN RSA PRIVATE KEY-----
        "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t",
        // -----BEGIN EC PRIVATE KEY-----
        "LS0tLS1CRUdJTiBFTkNSWVBURUQgUFJJVkFURSBLRVktLS0t",
        // -----BEGIN ENCRYPTED PRIVATE KEY-----
        "QUdFLVNFQ1JFVC1LRVkt"
        // AGE-SECRET-KEY-
      ].join("|")
    ),
    what: "a base64-encoded private key"
  }
];
function isScannedPath(path) {
  return path.startsWith("keys-manifest/") || path.startsWith("policies/") || path === ".sops.yaml";
}
function scanForPrivateKeys(file, text) {
  const out = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    for (const m of MARKERS) {
      const hit = m.re.exec(line);
      if (hit === null) continue;
      out.push(
        violation(
          "verify/plaintext-private-key",
          `${file} contains ${m.what} in clear; remove it from the change and treat that key as compromised (git history keeps it)`,
          { file, line: i + 1, column: hit.index + 1 }
        )
      );
    }
  });
  return out;
}

// src/core/verify/recipients.ts
function checkRecipients(mat, baseConfig) {
  const at = () => mat.locate(["sops"]);
  const rule = baseConfig === void 0 ? void 0 : findCreationRule(baseConfig, mat.file);
  if (rule === void 0)
    return [
      violation(
        "verify/no-creation-rule",
        baseConfig === void 0 ? `${mat.file}: the base branch has no readable .sops.yaml, so nobody has said who may decrypt this file; add .sops.yaml in a change of its own first` : `${mat.file}: no creation rule in the base branch's .sops.yaml matches this path; add one in a change of its own first`,
        at()
      )
    ];
  const expected = ruleAgeRecipients(rule).map(sorted);
  const actual = mat.recipients.map(sorted);
  if (sameGroups(expected, actual)) return [];
  const extra = [...new Set(actual.flat())].filter((r) => !expected.flat().includes(r));
  const missing = [...new Set(expected.flat())].filter((r) => !actual.flat().includes(r));
  const detail = [
    extra.length > 0 ? `not in the rule: ${extra.join(", ")}` : "",
    missing.length > 0 ? `missing: ${missing.join(", ")}` : "",
    extra.length === 0 && missing.length === 0 ? `key groups differ (${describe(actual)} instead of ${describe(expected)})` : ""
  ].filter((s) => s !== "").join("; ");
  return [
    violation(
      "verify/recipients-mismatch",
      `${mat.file} is encrypted to other age recipients than creation rule ${rule.index + 1} of the base branch's .sops.yaml (${detail}); re-encrypt to the base branch's recipients. A change to who can decrypt goes through .sops.yaml in a change of its own`,
      at()
    )
  ];
}
function sorted(group) {
  return [...new Set(group)].sort();
}
function sameGroups(a, b) {
  return a.length === b.length && a.every((g, i) => g.join("\n") === b[i].join("\n"));
}
function describe(groups) {
  return `${groups.length} group${groups.length === 1 ? "" : "s"} of ${groups.map((g) => g.length).join("+")}`;
}

// src/core/verify/rewrap.ts
var REWRAP_BRANCH = "rekey/rewrap";
var REWRAP_LABEL = "rekey:rewrap";
var WRAPPING = /* @__PURE__ */ new Set(["age", "key_groups", "shamir_threshold"]);
function isStanzaOnlyChange(path, base, head) {
  const b = base.get(path);
  const h = head.get(path);
  if (b === void 0 || h === void 0 || parseMaterialPath(path) === void 0) return false;
  const before = withoutWrapping(path, b);
  const after = withoutWrapping(path, h);
  return before !== void 0 && before === after;
}
function withoutWrapping(path, bytes) {
  const { value } = parseYaml(path, bytes);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return void 0;
  const doc = value;
  const sops = doc["sops"];
  if (typeof sops !== "object" || sops === null || Array.isArray(sops)) return void 0;
  const rest = Object.entries(sops).filter(([k]) => !WRAPPING.has(k));
  return JSON.stringify(
    { ...doc, sops: Object.fromEntries(rest) },
    (_k, v) => typeof v === "bigint" ? `${v}n` : v
  );
}
function checkRewrap(input) {
  const paths = [...new Set(input.changedPaths)].sort();
  const rewrapped = paths.filter((p) => isStanzaOnlyChange(p, input.base, input.head));
  const others = paths.filter((p) => !rewrapped.includes(p));
  const onBranch = input.headRef === REWRAP_BRANCH;
  if (rewrapped.length > 0 && others.length === 0)
    return { kind: "rewrap", rewrapped, diagnostics: [] };
  if (rewrapped.length === 0 && !onBranch) return { kind: input.kind, rewrapped, diagnostics: [] };
  const why = rewrapped.length > 0 ? `this change re-wraps the data key of ${list(rewrapped)} and also changes` : `this pull request is on ${REWRAP_BRANCH}, where rekey only re-wraps data keys, but it changes`;
  const diagnostics = (others.length > 0 ? others : ["."]).map(
    (file) => violation(
      "change/rewrap-not-pure",
      `${why} ${file === "." ? "nothing it may" : file}; a re-wrap changes only who can decrypt (the age stanzas), with values, MAC and lastmodified byte-identical, and goes in a pull request of its own`,
      { file: file === "." ? REWRAP_BRANCH : file, line: 0, column: 0 }
    )
  );
  return { kind: input.kind, rewrapped, diagnostics };
}
var list = (paths) => paths.length <= 3 ? paths.join(", ") : `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more`;

// src/core/lifecycle/facts.ts
var isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var field = (v, k) => isObj(v) && Object.hasOwn(v, k) ? v[k] : void 0;
function materialFacts(doc, text, loaded) {
  const sops = field(doc.value, "sops");
  return {
    file: doc.file,
    id: field(doc.value, "id"),
    version: field(doc.value, "version"),
    secret: field(doc.value, "secret"),
    public: field(doc.value, "public"),
    mac: field(sops, "mac"),
    lastmodified: field(sops, "lastmodified"),
    recipients: recipientGroups(sops),
    text,
    loaded,
    locate: (path) => doc.locate(path)
  };
}
function recipientGroups(sops) {
  const flat = ageRecipients(field(sops, "age"));
  const groups = field(sops, "key_groups");
  if (flat.length > 0 || !Array.isArray(groups)) return [flat];
  return groups.map((g) => ageRecipients(field(g, "age")));
}
function ageRecipients(list2) {
  if (!Array.isArray(list2)) return [];
  return list2.flatMap((e) => {
    const r = field(e, "recipient");
    return typeof r === "string" ? [r] : [];
  });
}

// src/core/verify/snapshot-side.ts
function sameMaterialBytes(a, b) {
  if (!(a instanceof FileFacts) || !(b instanceof FileFacts)) return a.text === b.text;
  const x = a.bytes;
  const y = b.bytes;
  return x === y || Buffer.from(x.buffer, x.byteOffset, x.length).equals(y);
}
function manifestFactsOf({ snapshot, tree, released }) {
  const unreadableKeys = /* @__PURE__ */ new Set();
  for (const path of tree.keys()) {
    const id = parseKeyFilePath(path);
    if (id !== void 0 && !snapshot.keys.has(id)) unreadableKeys.add(id);
  }
  const keys = /* @__PURE__ */ new Map();
  for (const [id, doc] of snapshot.keys) {
    const policy = snapshot.policies.get(doc.value.policy);
    keys.set(id, {
      id,
      doc,
      materials: /* @__PURE__ */ new Map(),
      prepublishMs: policy === void 0 ? void 0 : durationMs(policy.value.prepublish)
    });
  }
  for (const [path, bytes] of tree) {
    const where2 = parseMaterialPath(path);
    if (where2 === void 0) continue;
    const key = keys.get(where2.id);
    if (key === void 0) continue;
    const loaded = snapshot.materials.get(path);
    const doc = loaded ?? (released?.has(path) ? () => reload(path, bytes) : located(path, bytes));
    key.materials.set(
      where2.version,
      new FileFacts(path, doc, bytes, loaded !== void 0 || released?.has(path) === true)
    );
  }
  return { keys, unreadableKeys };
}
function located(path, bytes) {
  const parsed = parseYaml(path, bytes);
  return { file: path, value: parsed.value, locate: parsed.locate };
}
function reload(path, bytes) {
  return loadDocument(path, bytes, materialDocument).doc ?? located(path, bytes);
}
var FileFacts = class {
  file;
  #doc;
  bytes;
  loaded;
  #facts;
  /** `doc`: the document, or how to read it again when a rule first asks. */
  constructor(file, doc, bytes, loaded) {
    this.file = file;
    this.#doc = doc;
    this.bytes = bytes;
    this.loaded = loaded;
  }
  get #document() {
    if (typeof this.#doc === "function") this.#doc = this.#doc();
    return this.#doc;
  }
  /** The fields as lifecycle/facts.ts reads them, computed on first use. */
  get #fields() {
    return this.#facts ??= materialFacts(this.#document, "", this.loaded);
  }
  get id() {
    return this.#fields.id;
  }
  get version() {
    return this.#fields.version;
  }
  get secret() {
    return this.#fields.secret;
  }
  get public() {
    return this.#fields.public;
  }
  get mac() {
    return this.#fields.mac;
  }
  get lastmodified() {
    return this.#fields.lastmodified;
  }
  get recipients() {
    return this.#fields.recipients;
  }
  get text() {
    return new TextDecoder().decode(this.bytes);
  }
  locate(path) {
    return this.#document.locate(path);
  }
};
function sopsConfigOf(snapshot) {
  return snapshot.sopsConfig === void 0 ? void 0 : parseSopsConfig(snapshot.sopsConfig).config;
}

// src/core/verify/verify-change.ts
function verifyChange(input) {
  return compareSides(
    {
      manifest: manifestFactsOf(input.base),
      sopsConfig: sopsConfigOf(input.base.snapshot),
      files: input.base.tree
    },
    { manifest: manifestFactsOf(input.head), sopsConfig: void 0, files: input.head.tree },
    input
  );
}
function compareSides(base, head, opts) {
  const diagnostics = [...checkManifestInvariants(head.manifest, opts.now)];
  const keys = [];
  const unreadable = /* @__PURE__ */ new Set([...base.manifest.unreadableKeys, ...head.manifest.unreadableKeys]);
  const ids = [.../* @__PURE__ */ new Set([...base.manifest.keys.keys(), ...head.manifest.keys.keys()])].sort();
  for (const id of ids) {
    if (unreadable.has(id)) continue;
    const b = base.manifest.keys.get(id);
    const h = head.manifest.keys.get(id);
    if (b !== void 0 && h !== void 0 && unchangedKey(b, h)) continue;
    const { change, diagnostics: ds } = compareKey(b, h, { gate: opts.gate });
    if (change) keys.push(change);
    diagnostics.push(...ds);
    if (h) diagnostics.push(...checkChangedMaterials(b, h, base.sopsConfig));
  }
  for (const [path, bytes] of head.files)
    if (isScannedPath(path) && changed(base.files, head.files, path))
      diagnostics.push(...scanForPrivateKeys(path, new TextDecoder().decode(bytes)));
  const configuration = configFilesChanged(base.files, head.files);
  const paths = [.../* @__PURE__ */ new Set([...base.files.keys(), ...head.files.keys()])];
  const rewrap = checkRewrap({
    base: base.files,
    head: head.files,
    changedPaths: paths.filter((p) => changed(base.files, head.files, p)),
    kind: classifyChange(keys, configuration)
  });
  return {
    kind: rewrap.kind,
    keys,
    configuration,
    diagnostics: sortDiagnostics([...diagnostics, ...rewrap.diagnostics])
  };
}
function unchangedKey(b, h) {
  if (b.doc !== h.doc || b.materials.size !== h.materials.size) return false;
  for (const [n, m] of h.materials) {
    const bm = b.materials.get(n);
    if (bm === void 0 || !sameMaterialBytes(bm, m)) return false;
  }
  return true;
}
function checkChangedMaterials(base, head, baseConfig) {
  const out = [];
  for (const [n, mat] of head.materials) {
    const before = base?.materials.get(n);
    if (!mat.loaded || before !== void 0 && sameMaterialBytes(before, mat)) continue;
    out.push(...checkPublicForm(mat, head.doc.value.type), ...checkRecipients(mat, baseConfig));
  }
  return out;
}
function changed(base, head, path) {
  const b = base.get(path);
  const h = head.get(path);
  if (b === void 0 || h === void 0) return b !== h;
  return !sameBytes(b, h);
}
function sameBytes(a, b) {
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
function configFilesChanged(base, head) {
  const isConfig = (p) => p === SOPS_CONFIG_FILE || p.startsWith(`${POLICIES_DIR}/`) && p.endsWith(".yaml");
  const paths = new Set([...base.keys(), ...head.keys()].filter(isConfig));
  return [...paths].filter((p) => changed(base, head, p)).sort();
}

// src/core/verify/verify-trees.ts
function verifyTrees(baseTree, headTree, opts) {
  return verifySides(loadSides(baseTree, headTree), opts);
}
function loadSides(baseTree, headTree) {
  const touched = (path) => !sameFile(baseTree.get(path), headTree.get(path));
  const cache = /* @__PURE__ */ new Map();
  const head = loadSnapshot(headTree, { cache, keepMaterial: touched });
  const untouchedMaterial = (path) => parseMaterialPath(path) !== void 0 && !touched(path);
  const base = loadSnapshot(without(baseTree, untouchedMaterial), { cache });
  const released = head.released ?? /* @__PURE__ */ new Set();
  return {
    base: { snapshot: base.snapshot, tree: baseTree, released },
    head: { snapshot: head.snapshot, tree: headTree, released },
    diagnostics: head.diagnostics
  };
}
function without(tree, drop) {
  return fileTree(
    [...tree].filter(([path]) => !drop(path)),
    tree.irregular ?? []
  );
}
function verifySides(sides, opts) {
  const result = verifyChange({ base: sides.base, head: sides.head, ...opts });
  return {
    ...result,
    diagnostics: sortDiagnostics([...sides.diagnostics, ...result.diagnostics])
  };
}
function sameFile(a, b) {
  if (a === void 0 || b === void 0) return false;
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

export {
  checkTargetOwnership,
  checkManifestInvariants,
  checkKeyInvariants,
  revocationGate,
  gateEvidence,
  checkPublicForm,
  isScannedPath,
  scanForPrivateKeys,
  checkRecipients,
  REWRAP_BRANCH,
  REWRAP_LABEL,
  checkRewrap,
  manifestFactsOf,
  sopsConfigOf,
  verifyTrees,
  loadSides,
  verifySides
};
