import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  diagnostic,
  fileLocation
} from "./chunk-QIKD5X2T.js";

// src/core/sops-re2.ts
function compileRe2(pattern) {
  let flags = "";
  let body = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    const f = lead[1] ?? "";
    if (f.includes("U"))
      return { problem: "the RE2 flag U (ungreedy) has no JavaScript equivalent" };
    flags = [...new Set(f)].join("");
    body = body.slice(lead[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    const next = body[i + 1];
    if (c === "\\") {
      if (next === void 0) return { problem: "a trailing backslash" };
      if (/[1-9]/.test(next)) return { problem: "backreferences (\\1) are not supported by RE2" };
      if (next === "k" && body[i + 2] === "<")
        return { problem: "named backreferences (\\k<name>) are not supported by RE2" };
      if (next === "Q" || next === "E")
        return { problem: "\\Q\u2026\\E quoting means nothing in JavaScript" };
      if (next === "p" || next === "P")
        return {
          problem: "Unicode classes (\\p) are read differently by JavaScript; list the characters"
        };
      if (next === "C") return { problem: "\\C (any byte) has no JavaScript equivalent" };
      if (!inClass && next === "A") {
        out += "^";
        i++;
        continue;
      }
      if (!inClass && next === "z") {
        out += "$";
        i++;
        continue;
      }
      if (inClass && (next === "A" || next === "z"))
        return { problem: `\\${next} inside a character class` };
      if (next === "Z") return { problem: "\\Z is not supported by RE2; use \\z or $" };
      out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === "[" && next === ":")
        return { problem: "POSIX classes ([[:alpha:]]) are not supported by JavaScript" };
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (next === "]" || next === "^" && body[i + 2] === "]")
        return {
          problem: "a class starting with ] is read differently by JavaScript; escape it as \\]"
        };
      continue;
    }
    if (c === "(" && next === "?") {
      const rest = body.slice(i + 2);
      if (rest.startsWith("P<")) {
        out += "(?<";
        i += 3;
        continue;
      }
      if (rest.startsWith("<") && !rest.startsWith("<=") && !rest.startsWith("<!")) {
        out += c;
        continue;
      }
      if (rest.startsWith(":")) {
        out += c;
        continue;
      }
      if (/^(=|!|<=|<!)/.test(rest))
        return { problem: "lookahead and lookbehind are not supported by RE2" };
      return { problem: "inline flags are only supported at the start of the pattern" };
    }
    out += c;
  }
  try {
    return { regex: new RegExp(out, flags) };
  } catch (e) {
    return { problem: `not a valid regular expression (${e.message})` };
  }
}

// src/core/sops-config.ts
var CRYPT_RULE_KINDS = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex"
];
var DEFAULT_CRYPT_RULE = { kind: "unencrypted_suffix", value: "_unencrypted" };
var MASTER_KEY_KINDS = [
  "age",
  "pgp",
  "kms",
  "gcp_kms",
  "hckms",
  "azure_keyvault",
  "hc_vault"
];
function ruleAgeRecipients(rule) {
  return rule.keyGroups.map((g) => [...g.age]);
}
function findCreationRule(config, repoRelativePath) {
  const slash = config.file.lastIndexOf("/");
  const dir = slash < 0 ? "" : config.file.slice(0, slash + 1);
  const path = dir && repoRelativePath.startsWith(dir) ? repoRelativePath.slice(dir.length) : repoRelativePath;
  for (const rule of config.creationRules) {
    if (rule.pathRegex === void 0) return rule;
    const re = compileRe2(rule.pathRegex);
    if ("regex" in re && re.regex.test(path)) return rule;
  }
  return void 0;
}
var TOP_KEYS = ["creation_rules", "destination_rules", "stores"];
var RULE_KEYS = [
  "path_regex",
  "age",
  "pgp",
  "kms",
  "gcp_kms",
  "hckms",
  "azure_keyvault",
  "hc_vault_transit_uri",
  "aws_profile",
  "key_groups",
  "shamir_threshold",
  "mac_only_encrypted",
  ...CRYPT_RULE_KINDS
];
var GROUP_KEYS = [...MASTER_KEY_KINDS, "merge"];
var DESTINATION_KEYS = [
  "path_regex",
  "s3_bucket",
  "s3_prefix",
  "gcs_bucket",
  "gcs_prefix",
  "vault_path",
  "vault_address",
  "vault_kv_mount_name",
  "vault_kv_version",
  "recreation_rule",
  "omit_extensions"
];
var STORE_KEYS = {
  yaml: ["indent"],
  json: ["indent"],
  json_binary: ["indent"],
  dotenv: [],
  ini: []
};
var FLAT_KEY_FIELDS = [
  ["age", "age"],
  ["pgp", "pgp"],
  ["kms", "kms"],
  ["gcp_kms", "gcp_kms"],
  ["hckms", "hckms"],
  ["azure_keyvault", "azure_keyvault"],
  ["hc_vault_transit_uri", "hc_vault"]
];
var AGE_RECIPIENT = /^(age1[02-9ac-hj-np-z]{6,}|ssh-(ed25519|rsa) [A-Za-z0-9+/=]+)$/;
var isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function parseSopsConfig(fileOrInput, maybeValue) {
  const input = typeof fileOrInput === "string" ? { file: fileOrInput, value: maybeValue } : fileOrInput;
  const p = new Parser(input);
  const config = p.config();
  return p.diagnostics.length > 0 ? { diagnostics: p.diagnostics } : { config, diagnostics: [] };
}
var Parser = class {
  diagnostics = [];
  #input;
  constructor(input) {
    this.#input = input;
  }
  at(path) {
    return this.#input.locate ? this.#input.locate(path) : fileLocation(this.#input.file);
  }
  report(rule, message, path) {
    this.diagnostics.push(diagnostic(`sops-config/${rule}`, message, this.at(path)));
  }
  /** A map whose keys are all known; unknown keys are reported (see the module comment). */
  map(v, path, known, what) {
    if (!isObj(v)) {
      this.report("type", `${what} must be a map`, path);
      return void 0;
    }
    for (const k of Object.keys(v)) {
      if (!known.includes(k))
        this.report(
          "unknown-key",
          `unknown key "${k}" in ${what} (sops would silently ignore it); expected one of: ${known.join(", ")}`,
          [...path, k]
        );
    }
    return v;
  }
  config() {
    const { file, value } = this.#input;
    const top = this.map(value ?? {}, [], TOP_KEYS, ".sops.yaml");
    const creationRules = [];
    let yamlIndent = 4;
    let jsonIndent = -1;
    if (top) {
      const rules = top["creation_rules"];
      if (rules !== void 0 && rules !== null) {
        if (!Array.isArray(rules))
          this.report("type", "creation_rules must be a list", ["creation_rules"]);
        else
          rules.forEach((r, i) => {
            const rule = this.rule(r, ["creation_rules", i], i);
            if (rule) creationRules.push(rule);
          });
      }
      this.destinations(top["destination_rules"]);
      const stores = top["stores"];
      if (stores !== void 0 && stores !== null) {
        const s = this.map(stores, ["stores"], Object.keys(STORE_KEYS), "stores");
        for (const [name, keys] of Object.entries(STORE_KEYS)) {
          const store = s?.[name];
          if (store === void 0 || store === null) continue;
          const st = this.map(store, ["stores", name], keys, `stores.${name}`);
          const indent = st?.["indent"];
          if (indent === void 0) continue;
          if (!Number.isInteger(indent) || indent < -1 || indent > 16) {
            this.report("type", `stores.${name}.indent must be an integer from -1 to 16`, [
              "stores",
              name,
              "indent"
            ]);
            continue;
          }
          if (name === "yaml") yamlIndent = indent;
          if (name === "json") jsonIndent = indent;
        }
      }
    }
    return { file, creationRules, yamlIndent, jsonIndent };
  }
  /** destination_rules are for `sops publish`, which rekey never runs; checked for typos only. */
  destinations(v) {
    if (v === void 0 || v === null) return;
    if (!Array.isArray(v)) {
      this.report("type", "destination_rules must be a list", ["destination_rules"]);
      return;
    }
    v.forEach((d, i) => {
      const m = this.map(d, ["destination_rules", i], DESTINATION_KEYS, "a destination rule");
      const rr = m?.["recreation_rule"];
      if (rr !== void 0 && rr !== null)
        this.rule(rr, ["destination_rules", i, "recreation_rule"], i);
    });
  }
  rule(v, path, index) {
    const errorsBefore = this.diagnostics.length;
    const m = this.map(v, path, RULE_KEYS, `creation rule ${index + 1}`);
    if (!m) return void 0;
    let pathRegex;
    if (m["path_regex"] !== void 0 && m["path_regex"] !== null && m["path_regex"] !== "") {
      pathRegex = this.regex(m["path_regex"], [...path, "path_regex"], "path_regex");
    }
    const crypts = CRYPT_RULE_KINDS.filter((k) => m[k] !== void 0 && m[k] !== null);
    if (crypts.length > 1)
      this.report(
        "crypt-rule-conflict",
        `a rule may name only one of ${CRYPT_RULE_KINDS.join(", ")}; found ${crypts.join(", ")}`,
        [...path, crypts[1]]
      );
    let crypt = DEFAULT_CRYPT_RULE;
    const kind = crypts[0];
    if (kind !== void 0) {
      const raw = m[kind];
      const where = [...path, kind];
      if (typeof raw !== "string" || raw === "")
        this.report(
          "type",
          `${kind} must be a non-empty string (sops ignores an empty one)`,
          where
        );
      else if (kind.endsWith("_regex")) {
        const ok = this.regex(raw, where, kind);
        if (ok !== void 0) crypt = { kind, value: raw };
      } else crypt = { kind, value: raw };
    }
    const mac = m["mac_only_encrypted"];
    if (mac !== void 0 && mac !== null && typeof mac !== "boolean")
      this.report("type", "mac_only_encrypted must be true or false", [
        ...path,
        "mac_only_encrypted"
      ]);
    const aws = m["aws_profile"];
    if (aws !== void 0 && aws !== null && typeof aws !== "string")
      this.report("type", "aws_profile must be a string", [...path, "aws_profile"]);
    let keyGroups;
    const kg = m["key_groups"];
    if (Array.isArray(kg) && kg.length > 0) {
      for (const [field] of FLAT_KEY_FIELDS)
        if (m[field] !== void 0 && m[field] !== null)
          this.report(
            "ignored-keys",
            `${field} is ignored by sops when key_groups is set; move it into a key group`,
            [...path, field]
          );
      keyGroups = kg.map((g, gi) => this.group(g, [...path, "key_groups", gi], 0));
      keyGroups.forEach((g, gi) => {
        if (g.age.length + g.pgp.length + g.other.length === 0)
          this.report("empty-key-group", `key group ${gi + 1} has no keys`, [
            ...path,
            "key_groups",
            gi
          ]);
      });
    } else {
      if (kg !== void 0 && kg !== null && !Array.isArray(kg))
        this.report("type", "key_groups must be a list of key groups", [...path, "key_groups"]);
      const age = this.keyList(m["age"], [...path, "age"], "age", true);
      const pgp = this.keyList(m["pgp"], [...path, "pgp"], "pgp", true);
      const other = FLAT_KEY_FIELDS.filter(
        ([field, kind2]) => kind2 !== "age" && kind2 !== "pgp" && this.keyList(m[field], [...path, field], field, true).length > 0
      ).map(([, kind2]) => kind2);
      keyGroups = [{ age: unique(age), pgp: unique(pgp), other }];
      if (age.length + pgp.length + other.length === 0)
        this.report("no-keys", `creation rule ${index + 1} names no keys to encrypt to`, path);
    }
    const st = m["shamir_threshold"];
    let shamirThreshold = keyGroups.length;
    if (st !== void 0 && st !== null && st !== 0) {
      const min = keyGroups.length > 1 ? 2 : 1;
      if (!Number.isInteger(st) || st < min || st > keyGroups.length)
        this.report(
          "shamir-threshold",
          keyGroups.length > 1 ? `shamir_threshold must be an integer from 2 to the number of key groups (${keyGroups.length})` : "shamir_threshold needs more than one key group",
          [...path, "shamir_threshold"]
        );
      else shamirThreshold = st;
    }
    if (this.diagnostics.length > errorsBefore) return void 0;
    return {
      index,
      at: this.at(path),
      ...pathRegex === void 0 ? {} : { pathRegex },
      keyGroups,
      shamirThreshold,
      crypt,
      cryptExplicit: kind !== void 0,
      macOnlyEncrypted: mac === true
    };
  }
  group(v, path, depth) {
    const m = this.map(v ?? {}, path, GROUP_KEYS, "a key group");
    const age = [];
    const pgp = [];
    const other = /* @__PURE__ */ new Set();
    if (!m) return { age, pgp, other: [] };
    const merge = m["merge"];
    if (merge !== void 0 && merge !== null) {
      if (!Array.isArray(merge) || depth > 8)
        this.report("type", "merge must be a list of key groups", [...path, "merge"]);
      else
        merge.forEach((g, i) => {
          const sub = this.group(g, [...path, "merge", i], depth + 1);
          age.push(...sub.age);
          pgp.push(...sub.pgp);
          sub.other.forEach((k) => other.add(k));
        });
    }
    age.push(...this.keyList(m["age"], [...path, "age"], "age", false));
    pgp.push(...this.keyList(m["pgp"], [...path, "pgp"], "pgp", false));
    for (const kind of MASTER_KEY_KINDS) {
      if (kind === "age" || kind === "pgp") continue;
      const list = m[kind];
      if (list === void 0 || list === null) continue;
      if (!Array.isArray(list)) this.report("type", `${kind} must be a list`, [...path, kind]);
      else if (list.length > 0) other.add(kind);
    }
    return { age: unique(age), pgp: unique(pgp), other: [...other] };
  }
  /** A key field: a list of strings, or (flat rule fields only) a comma-separated string. */
  keyList(v, path, field, allowString) {
    if (v === void 0 || v === null) return [];
    let keys;
    if (typeof v === "string" && allowString)
      keys = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
    else if (Array.isArray(v)) {
      keys = [];
      v.forEach((k, i) => {
        if (typeof k === "string") keys.push(field === "age" ? k.trim() : k);
        else this.report("type", `${field} entries must be strings`, [...path, i]);
      });
    } else {
      this.report(
        "type",
        `${field} must be ${allowString ? "a comma-separated string or " : ""}a list of strings`,
        path
      );
      return [];
    }
    if (field === "age")
      keys.forEach((k) => {
        if (!AGE_RECIPIENT.test(k))
          this.report(
            "age-recipient",
            "not an age recipient (expected age1\u2026 or an ssh public key)",
            path
          );
      });
    return keys;
  }
  regex(v, path, field) {
    if (typeof v !== "string") {
      this.report("type", `${field} must be a string`, path);
      return void 0;
    }
    const re = compileRe2(v);
    if ("problem" in re) {
      this.report("regex", `${field}: ${re.problem}`, path);
      return void 0;
    }
    return v;
  }
};
function unique(xs) {
  return [...new Set(xs)];
}

export {
  compileRe2,
  CRYPT_RULE_KINDS,
  DEFAULT_CRYPT_RULE,
  ruleAgeRecipients,
  findCreationRule,
  parseSopsConfig
};
