import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  Decrypter,
  Encrypter,
  armor_exports,
  identityToRecipient
} from "./chunk-JFLGVF2I.js";
import {
  CRYPT_RULE_KINDS,
  DEFAULT_CRYPT_RULE,
  compileRe2
} from "./chunk-2PDFHADE.js";
import {
  DEFAULT_YAML_LIMITS,
  EVENT_ID,
  SCALAR_STYLE,
  getScalarValue,
  parseEvents,
  parseYaml,
  require_dist
} from "./chunk-ARAMIKVA.js";
import {
  __toESM
} from "./chunk-XTJWW723.js";

// src/core/ports/sops.ts
var SopsError = class extends Error {
  file;
  constructor(file, message) {
    super(`${file}: ${message}`);
    this.file = file;
  }
};
function isIntegrityFailure(e) {
  return e instanceof MacMismatchError || e instanceof MacMissingError || e instanceof ValueAuthenticationError || e instanceof DataKeyError;
}
var MalformedSopsFileError = class extends SopsError {
  name = "MalformedSopsFileError";
  code = "sops/malformed";
  at;
  constructor(at, message) {
    super(at.file, at.line > 0 ? `line ${at.line}: ${message}` : message);
    this.at = at;
  }
};
var UnsupportedSopsFeatureError = class extends SopsError {
  name = "UnsupportedSopsFeatureError";
  code = "sops/unsupported";
};
var MacMissingError = class extends SopsError {
  name = "MacMissingError";
  code = "sops/mac-missing";
  constructor(file) {
    super(file, "the file has no MAC, so its integrity cannot be checked; refusing to decrypt");
  }
};
var MacMismatchError = class extends SopsError {
  name = "MacMismatchError";
  code = "sops/mac-mismatch";
  reason;
  constructor(file, reason) {
    super(
      file,
      reason === "differs" ? "MAC mismatch: the values were changed after encryption (or mac_only_encrypted was toggled)" : "the MAC cannot be authenticated: lastmodified or the mac itself was changed"
    );
    this.reason = reason;
  }
};
var ValueAuthenticationError = class extends SopsError {
  name = "ValueAuthenticationError";
  code = "sops/value-authentication";
  /** The key path (`a:b:`), never the value. */
  keyPath;
  constructor(file, keyPath) {
    super(file, `the encrypted value at "${keyPath}" failed authentication (tampered or moved)`);
    this.keyPath = keyPath;
  }
};
var NoMatchingIdentityError = class extends SopsError {
  name = "NoMatchingIdentityError";
  code = "sops/no-identity";
  recipients;
  /** `loaded`: how many identities were tried, when known (the sops CLI does not say). */
  constructor(file, recipients, loaded) {
    const tried = loaded === void 0 ? "" : ` (${loaded} age identit${loaded === 1 ? "y" : "ies"} loaded)`;
    super(
      file,
      `no identity for this file${tried}; it is encrypted to: ${recipients.join(", ") || "(no age recipients)"}. Set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE to a matching key.`
    );
    this.recipients = recipients;
  }
};
var DataKeyError = class extends SopsError {
  name = "DataKeyError";
  code = "sops/data-key";
};
var UnsupportedMasterKeyError = class extends SopsError {
  name = "UnsupportedMasterKeyError";
  code = "sops/unsupported-master-key";
  kinds;
  constructor(file, kinds, detail) {
    super(file, detail);
    this.kinds = kinds;
  }
};
var RecipientsMismatchError = class extends SopsError {
  name = "RecipientsMismatchError";
  code = "sops/recipients-mismatch";
  expected;
  actual;
  constructor(file, expected, actual) {
    const fmt = (gs) => gs.map((g) => `[${g.join(", ")}]`).join(" ");
    super(file, `recipients ${fmt(actual)} differ from the .sops.yaml rule's ${fmt(expected)}`);
    this.expected = expected;
    this.actual = actual;
  }
};
var CryptRuleMismatchError = class extends SopsError {
  name = "CryptRuleMismatchError";
  code = "sops/crypt-rule-mismatch";
};
var SopsCliError = class extends SopsError {
  name = "SopsCliError";
  code = "sops/cli";
  exitCode;
  constructor(file, exitCode, message) {
    super(file, message);
    this.exitCode = exitCode;
  }
};

// src/crypto/sops/codec.ts
import { randomBytes as randomBytes2 } from "node:crypto";

// src/crypto/sops/aes.ts
import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";
var IV_BYTES = 32;
var TAG_BYTES = 16;
var ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
var isEncString = (s) => s.startsWith("ENC[");
function parseEnc(s) {
  const m = ENC_RE.exec(s);
  if (!m) return void 0;
  const [, data = "", iv = "", tag = "", type = ""] = m;
  if (![data, iv, tag].every(isPaddedBase64)) return void 0;
  const out = {
    data: Buffer.from(data, "base64"),
    iv: Buffer.from(iv, "base64"),
    tag: Buffer.from(tag, "base64"),
    type
  };
  return out.iv.length > 0 && out.tag.length === TAG_BYTES ? out : void 0;
}
var BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
function isPaddedBase64(s) {
  return s.length % 4 === 0 && BASE64.test(s);
}
function formatEnc(v) {
  const b64 = (b) => Buffer.from(b).toString("base64");
  return `ENC[AES256_GCM,data:${b64(v.data)},iv:${b64(v.iv)},tag:${b64(v.tag)},type:${v.type}]`;
}
function sealWithIv(key, iv, plaintext, aad, type) {
  const c = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  c.setAAD(Buffer.from(aad, "utf8"));
  const data = Buffer.concat([c.update(plaintext), c.final()]);
  return formatEnc({ data, iv, tag: c.getAuthTag(), type });
}
var IV_BLOCK = IV_BYTES * 128;
var ivBlock = new Uint8Array(0);
var ivNext = IV_BLOCK;
function freshIv() {
  if (ivNext + IV_BYTES > ivBlock.length) {
    ivBlock = randomFillSync(new Uint8Array(IV_BLOCK));
    ivNext = 0;
  }
  const iv = ivBlock.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
}
function seal(key, plaintext, aad, type) {
  return sealWithIv(key, freshIv(), plaintext, aad, type);
}
function open(key, v, aad) {
  try {
    const d = createDecipheriv("aes-256-gcm", key, v.iv, { authTagLength: TAG_BYTES });
    d.setAAD(Buffer.from(aad, "utf8"));
    d.setAuthTag(v.tag);
    return Buffer.concat([d.update(v.data), d.final()]);
  } catch {
    return void 0;
  }
}

// src/crypto/sops/age-stanza.ts
async function wrapForRecipient(secret, recipient) {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return armor_exports.encode(await e.encrypt(secret));
}
async function ageIdentities(keys) {
  return Promise.all(
    keys.map(async (identity, i) => {
      let recipient;
      try {
        recipient = await identityToRecipient(identity);
      } catch {
        throw new Error(`age identity #${i + 1} is not a valid AGE-SECRET-KEY`);
      }
      const decrypter = new Decrypter();
      decrypter.addIdentity(await importedX25519(identity, recipient) ?? identity);
      return { recipient, decrypter };
    })
  );
}
var PKCS8_X25519 = Uint8Array.from([
  48,
  46,
  2,
  1,
  0,
  48,
  5,
  6,
  3,
  43,
  101,
  110,
  4,
  34,
  4,
  32
]);
var BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
async function importedX25519(identity, recipient) {
  if (!identity.startsWith("AGE-SECRET-KEY-1")) return void 0;
  const data = identity.slice("AGE-SECRET-KEY-1".length, -6).toLowerCase();
  const der = new Uint8Array(PKCS8_X25519.length + 32);
  der.set(PKCS8_X25519);
  let acc = 0;
  let bits = 0;
  let at = PKCS8_X25519.length;
  for (const c of data) {
    const v = BECH32.indexOf(c);
    if (v === -1) return void 0;
    acc = (acc << 5 | v) & 4095;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (at >= der.length) return void 0;
      der[at++] = acc >> bits & 255;
    }
  }
  if (at !== der.length) return void 0;
  try {
    const key = await crypto.subtle.importKey("pkcs8", der, { name: "X25519" }, false, [
      "deriveBits"
    ]);
    return await identityToRecipient(key) === recipient ? key : void 0;
  } catch {
    return void 0;
  } finally {
    der.fill(0);
  }
}
async function unwrap(enc, identity) {
  try {
    return await identity.decrypter.decrypt(armor_exports.decode(enc));
  } catch {
    return void 0;
  }
}

// src/crypto/sops/dotenv-store.ts
var PREFIX = "sops_";
function flatten(v, prefix, out = []) {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${prefix}__list_${i}`, out));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v))
      flatten(x, prefix === "" ? k : `${prefix}__map_${k}`, out);
  else if (v !== void 0 && v !== null) out.push([prefix, String(v)]);
  return out;
}
function unflatten(entries) {
  const root = {};
  for (const [flat, value] of entries) {
    const parts = flat.split(/__(map|list)_/);
    let node = root;
    let key = parts[0] ?? "";
    for (let i = 1; i < parts.length; i += 2) {
      const kind = parts[i];
      const next = parts[i + 1] ?? "";
      const cur = node[key];
      const child = cur ?? (kind === "list" ? [] : {});
      node[key] = child;
      node = child;
      key = kind === "list" ? Number(next) : next;
    }
    node[key] = value;
  }
  return root;
}
var dotenvStore = {
  name: "dotenv",
  load(file, text) {
    const items = [];
    const meta = [];
    const locations = /* @__PURE__ */ new WeakMap();
    text.split("\n").forEach((raw, i) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() === "") return;
      if (line.startsWith("#")) {
        items.push({ t: "comment", text: line.slice(1), inline: false });
        return;
      }
      const eq = line.indexOf("=");
      if (eq < 0)
        throw new MalformedSopsFileError(
          { file, line: i + 1, column: 1 },
          "invalid dotenv line: expected KEY=VALUE"
        );
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).replaceAll("\\n", "\n");
      if (key.startsWith(PREFIX)) meta.push([key.slice(PREFIX.length), value]);
      else {
        const v = { t: "str", v: value };
        locations.set(v, { file, line: i + 1, column: eq + 2 });
        items.push({ t: "pair", key, value: v });
      }
    });
    return {
      branches: [{ t: "map", items }],
      metadata: meta.length > 0 ? unflatten(meta) : void 0,
      reserved: meta.length > 0,
      locations
    };
  },
  emit(branches, metadata) {
    const lines = [];
    for (const item of branches[0]?.items ?? []) {
      if (item.t === "comment") lines.push(`#${item.text}`);
      else if (item.value.t === "str")
        lines.push(`${item.key}=${item.value.v.replaceAll("\n", "\\n")}`);
      else if (item.value.t !== "null" && item.value.t !== "map" && item.value.t !== "list")
        lines.push(`${item.key}=${String(item.value.v)}`);
    }
    if (metadata)
      for (const [k, v] of flatten(metadata, ""))
        lines.push(`${PREFIX}${k}=${v.replaceAll("\n", "\\n")}`);
    return lines.map((l) => l + "\n").join("");
  }
};

// src/crypto/sops/ini-store.ts
var stripComment = (c) => c.startsWith(";") ? c.replace(/^[; ]+/, "") : c.startsWith("#") ? c.replace(/^[# ]+/, "") : c;
var iniStore = {
  name: "ini",
  load(file, text) {
    const lines = text.split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
    const sections = [];
    const locations = /* @__PURE__ */ new WeakMap();
    let current;
    let pending = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === "") continue;
      if (line.startsWith(";") || line.startsWith("#")) {
        pending.push(line);
        continue;
      }
      const at = { file, line: i + 1, column: 1 };
      if (line.startsWith("[")) {
        if (!line.endsWith("]")) throw new MalformedSopsFileError(at, "invalid INI section header");
        current = { name: line.slice(1, -1).trim(), items: [] };
        if (pending.length) current.comment = stripComment(pending.join("\n"));
        pending = [];
        sections.push(current);
        continue;
      }
      const d = line.search(/[=:]/);
      if (d <= 0) throw new MalformedSopsFileError(at, "invalid INI line: expected key = value");
      const key = line.slice(0, d).trim();
      let rest = line.slice(d + 1).trim();
      let value;
      let inline;
      if (rest.startsWith('"""')) {
        rest = rest.slice(3);
        const parts = [];
        while (!rest.includes('"""')) {
          parts.push(rest);
          if (++i >= lines.length) throw new MalformedSopsFileError(at, 'unterminated """ value');
          rest = lines[i];
        }
        parts.push(rest.slice(0, rest.indexOf('"""')));
        value = parts.join("\n");
      } else if (/^(["`]).*\1$/.test(rest) && rest.length >= 2) {
        value = rest.slice(1, -1);
      } else {
        const c = rest.search(/[;#]/);
        value = c < 0 ? rest : rest.slice(0, c).trimEnd();
        if (c >= 0) inline = rest.slice(c);
      }
      if (!current) {
        current = { name: "DEFAULT", items: [] };
        sections.push(current);
      }
      const v = { t: "str", v: value };
      locations.set(v, at);
      current.items.push({ t: "pair", key, value: v });
      const comment = [...pending, ...inline ? [inline] : []];
      if (comment.length)
        current.items.push({ t: "comment", text: stripComment(comment.join("\n")), inline: false });
      pending = [];
    }
    const meta = sections.find((s) => s.name === "sops");
    const metadata = meta ? unflatten(
      meta.items.filter((x) => x.t === "pair" && x.value.t === "str").map((x) => [x.key, x.value.v.replaceAll("\\n", "\n")])
    ) : void 0;
    const branch = {
      t: "map",
      items: sections.filter((s) => s.name !== "sops").map((s) => ({
        t: "pair",
        key: s.name,
        value: {
          t: "map",
          items: [
            ...s.comment ? [{ t: "comment", text: s.comment, inline: false }] : [],
            ...s.items
          ]
        }
      }))
    };
    return { branches: [branch], metadata, reserved: meta !== void 0, locations };
  },
  emit(branches, metadata) {
    const out = [];
    for (const item of branches[0]?.items ?? []) {
      if (item.t !== "pair" || item.value.t !== "map") continue;
      const items = item.value.items;
      let first = 0;
      const head = items[0];
      if (head?.t === "comment") {
        out.push(`; ${head.text}`);
        first = 1;
      }
      out.push(`[${item.key}]`);
      let lastKeyLine = -1;
      for (const x of items.slice(first)) {
        if (x.t === "comment") {
          if (lastKeyLine >= 0) out.splice(lastKeyLine, 0, `; ${x.text}`);
          if (lastKeyLine >= 0) lastKeyLine += 1;
          continue;
        }
        const value = x.value.t === "str" ? x.value.v : "v" in x.value ? String(x.value.v) : "";
        lastKeyLine = out.length;
        out.push(`${x.key} = ${iniValue(value)}`);
      }
      out.push("");
    }
    if (metadata) {
      out.push("[sops]");
      for (const [k, v] of flatten(metadata, "")) out.push(`${k} = ${v.replaceAll("\n", "\\n")}`);
      out.push("");
    }
    return out.map((l) => l + "\n").join("");
  }
};
function iniValue(v) {
  if (v.includes("\n")) return `"""${v}"""`;
  if (/[;#]/.test(v) || v !== v.trim() || /^["`]/.test(v))
    return v.includes('"') ? `\`${v}\`` : `"${v}"`;
  return v;
}

// src/crypto/sops/values.ts
var INT64_MIN = -(2n ** 63n);
var INT64_MAX = 2n ** 63n - 1n;
var fitsInt64 = (n) => n >= INT64_MIN && n <= INT64_MAX;
function goFormatFloat(v) {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(v.toExponential());
  if (!m) throw new Error("unreachable: toExponential format");
  const [, sign, d0, rest = "", expText] = m;
  const digits = `${d0}${rest}`;
  const exp = Number(expText);
  let out;
  if (exp >= digits.length - 1) out = digits + "0".repeat(exp - (digits.length - 1));
  else if (exp >= 0) out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  else out = `0.${"0".repeat(-exp - 1)}${digits}`;
  return `${sign}${out}`;
}
function scalarText(s) {
  switch (s.t) {
    case "str":
    case "time":
      return s.v;
    case "int":
      return s.v.toString();
    case "float":
      return goFormatFloat(s.v);
    case "bool":
      return s.v ? "True" : "False";
  }
}
function parseTyped(type, text) {
  switch (type) {
    case "str":
    case "bytes":
      return { t: "str", v: text };
    case "int": {
      if (!/^[+-]?\d+$/.test(text)) return void 0;
      const n = BigInt(text);
      return fitsInt64(n) ? { t: "int", v: n } : void 0;
    }
    case "float": {
      const v = parseGoFloat(text);
      return v === void 0 ? void 0 : { t: "float", v };
    }
    case "bool": {
      if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return { t: "bool", v: true };
      if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return { t: "bool", v: false };
      return void 0;
    }
    case "time": {
      const v = canonicalTime(text, true);
      return v === void 0 ? void 0 : { t: "time", v };
    }
    default:
      return void 0;
  }
}
function parseGoFloat(text) {
  const t = text.replaceAll("_", "");
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return void 0;
  return Number(t);
}
function canonicalTime(text, strict) {
  const re = strict ? /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/ : /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?))?$/;
  const m = re.exec(text);
  if (!m) return void 0;
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number);
  const spaced = !strict && m[9] !== void 0;
  const h = Number((spaced ? m[9] : m[4]) ?? 0);
  const mi = Number((spaced ? m[10] : m[5]) ?? 0);
  const s = Number((spaced ? m[11] : m[6]) ?? 0);
  const frac = (spaced ? m[12] : m[7]) ?? "";
  const zone = spaced ? "Z" : m[8] ?? "Z";
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59) return void 0;
  let offset = "Z";
  if (zone !== "Z" && zone !== "z") {
    const [oh, om] = zone.slice(1).split(":").map(Number);
    if (oh > 23 || om > 59) return void 0;
    if (oh !== 0 || om !== 0) offset = zone;
  }
  const p2 = (n) => String(n).padStart(2, "0");
  const f = frac.replace(/0+$/, "");
  return `${String(y).padStart(4, "0")}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}${f ? "." + f : ""}${offset}`;
}
var NULLS = /* @__PURE__ */ new Set(["", "~", "null", "Null", "NULL"]);
var TRUES = /* @__PURE__ */ new Set(["true", "True", "TRUE"]);
var FALSES = /* @__PURE__ */ new Set(["false", "False", "FALSE"]);
var NANS = /* @__PURE__ */ new Set([".nan", ".NaN", ".NAN"]);
function resolvePlain(text) {
  const c = text.charCodeAt(0) | 32;
  if (c >= 97 && c <= 122) {
    if (text.length > 5) return { t: "str", v: text };
    if (NULLS.has(text)) return { t: "null" };
    if (TRUES.has(text)) return { t: "bool", v: true };
    if (FALSES.has(text)) return { t: "bool", v: false };
    return { t: "str", v: text };
  }
  if (NULLS.has(text)) return { t: "null" };
  if (TRUES.has(text)) return { t: "bool", v: true };
  if (FALSES.has(text)) return { t: "bool", v: false };
  if (NANS.has(text)) return { t: "float", v: NaN };
  if (/^\+?\.(inf|Inf|INF)$/.test(text)) return { t: "float", v: Infinity };
  if (/^-\.(inf|Inf|INF)$/.test(text)) return { t: "float", v: -Infinity };
  const first = text[0] ?? "";
  if (/[-+.\d]/.test(first)) {
    const plain = text.replaceAll("_", "");
    const int = goParseInt(plain);
    if (int !== void 0) return fitsInt64(int) ? { t: "int", v: int } : { t: "uint64" };
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain))
      return { t: "float", v: Number(plain) };
  }
  if (/^\d{4}-/.test(text)) {
    const time = canonicalTime(text, false);
    if (time !== void 0) return { t: "time", v: time };
  }
  return { t: "str", v: text };
}
function goParseInt(s) {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9]\d*)$/.exec(s);
  if (!m) return void 0;
  const [, sign, body = ""] = m;
  let n;
  if (/^0[oO]/.test(body)) n = BigInt("0o" + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) n = BigInt("0o" + body.slice(1));
  else n = BigInt(body);
  if (sign === "-") n = -n;
  return n <= 2n ** 64n - 1n && n >= INT64_MIN ? n : void 0;
}

// src/crypto/sops/json-store.ts
var JsonParser = class {
  #i = 0;
  #s;
  #file;
  constructor(file, s) {
    this.#file = file;
    this.#s = s;
  }
  loc(offset) {
    const before = this.#s.slice(0, offset);
    const line = before.split("\n").length;
    return { file: this.#file, line, column: offset - before.lastIndexOf("\n") };
  }
  fail(what) {
    throw new MalformedSopsFileError(this.loc(this.#i), `invalid JSON: ${what}`);
  }
  ws() {
    while (/[ \t\r\n]/.test(this.#s[this.#i] ?? "")) this.#i++;
  }
  document() {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.#i !== this.#s.length) this.fail("unexpected content after the document");
    return v;
  }
  value(depth) {
    if (depth > 200) this.fail("nested too deeply");
    this.ws();
    const c = this.#s[this.#i];
    const at = this.#i;
    if (c === "{") {
      this.#i++;
      const entries = [];
      const seen = /* @__PURE__ */ new Set();
      this.ws();
      if (this.#s[this.#i] === "}") {
        this.#i++;
        return { t: "obj", entries, at };
      }
      for (; ; ) {
        this.ws();
        if (this.#s[this.#i] !== '"') this.fail("expected a string key");
        const key = this.string();
        if (seen.has(key)) this.fail("duplicate key");
        seen.add(key);
        this.ws();
        if (this.#s[this.#i++] !== ":") this.fail('expected ":"');
        entries.push([key, this.value(depth + 1)]);
        this.ws();
        const d = this.#s[this.#i++];
        if (d === "}") return { t: "obj", entries, at };
        if (d !== ",") this.fail('expected "," or "}"');
      }
    }
    if (c === "[") {
      this.#i++;
      const items = [];
      this.ws();
      if (this.#s[this.#i] === "]") {
        this.#i++;
        return { t: "arr", items };
      }
      for (; ; ) {
        items.push(this.value(depth + 1));
        this.ws();
        const d = this.#s[this.#i++];
        if (d === "]") return { t: "arr", items };
        if (d !== ",") this.fail('expected "," or "]"');
      }
    }
    if (c === '"') return { t: "lit", v: { t: "str", v: this.string() }, at };
    for (const [word, v] of [
      ["true", { t: "bool", v: true }],
      ["false", { t: "bool", v: false }],
      ["null", { t: "null" }]
    ]) {
      if (this.#s.startsWith(word, this.#i)) {
        this.#i += word.length;
        return { t: "lit", v, at };
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.#s.slice(this.#i, this.#i + 400));
    if (!m) this.fail("unexpected character");
    this.#i += m[0].length;
    if (!m[2] && !m[3] && fitsInt64(BigInt(m[0])))
      return { t: "lit", v: { t: "int", v: BigInt(m[0]) }, at };
    return { t: "lit", v: { t: "float", v: Number(m[0]) }, at };
  }
  string() {
    const start = this.#i;
    this.#i++;
    for (; ; ) {
      const c = this.#s[this.#i];
      if (c === void 0) this.fail("unterminated string");
      if (c === '"') break;
      if (c === "\\") this.#i++;
      else if (c < " ") this.fail("control character in a string");
      this.#i++;
    }
    this.#i++;
    try {
      return JSON.parse(this.#s.slice(start, this.#i));
    } catch {
      return this.fail("invalid escape in a string");
    }
  }
};
function toTree(j, locations, p) {
  if (j.t === "obj") return toBranch(j, locations, p);
  if (j.t === "arr") return { t: "list", items: j.items.map((x) => toTree(x, locations, p)) };
  if (j.v.t !== "null" && j.v.t !== "map" && j.v.t !== "list") locations.set(j.v, p.loc(j.at));
  return j.v;
}
function toBranch(j, locations, p) {
  return {
    t: "map",
    items: j.entries.map(([key, v]) => ({ t: "pair", key, value: toTree(v, locations, p) }))
  };
}
function toPlain(j) {
  if (j.t === "obj") return Object.fromEntries(j.entries.map(([k, v2]) => [k, toPlain(v2)]));
  if (j.t === "arr") return j.items.map(toPlain);
  const v = j.v;
  if (v.t === "int") return Number(v.v);
  if (v.t === "null") return null;
  return "v" in v ? v.v : void 0;
}
function loadJson(file, text) {
  const p = new JsonParser(file, text);
  const doc = p.document();
  if (doc.t !== "obj")
    throw new UnsupportedSopsFeatureError(file, "a JSON document must be an object");
  const locations = /* @__PURE__ */ new WeakMap();
  const meta = doc.entries.find(([k]) => k === "sops");
  const data = { ...doc, entries: doc.entries.filter(([k]) => k !== "sops") };
  return {
    branches: [toBranch(data, locations, p)],
    metadata: meta ? toPlain(meta[1]) : void 0,
    reserved: meta !== void 0,
    locations,
    top: data
  };
}
var jsonStore = {
  name: "json",
  load: (file, text) => loadJson(file, text),
  emit(branches, metadata, options) {
    const b = branches[0] ?? { t: "map", items: [] };
    const items = b.items.filter((i) => i.t === "pair");
    const withMeta = metadata ? [...items, { t: "pair", key: "sops", value: plainToValue(metadata) }] : items;
    const ind = options.indent === void 0 || options.indent < 0 ? "	" : " ".repeat(options.indent);
    return `${emitJson({ t: "map", items: withMeta }, "", ind)}
`;
  }
};
function plainToValue(v) {
  if (Array.isArray(v)) return { t: "list", items: v.map(plainToValue) };
  if (v !== null && typeof v === "object")
    return {
      t: "map",
      items: Object.entries(v).map(([key, x]) => ({ t: "pair", key, value: plainToValue(x) }))
    };
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "number") return { t: "int", v: BigInt(v) };
  if (v === null || v === void 0) return { t: "null" };
  return { t: "str", v: String(v) };
}
function emitJson(v, pad, ind) {
  switch (v.t) {
    case "map": {
      const pairs = v.items.filter((i) => i.t === "pair");
      if (pairs.length === 0) return "{}";
      const inner = pad + ind;
      return `{
${pairs.map((p) => `${inner}${JSON.stringify(p.key)}: ${emitJson(p.value, inner, ind)}`).join(",\n")}
${pad}}`;
    }
    case "list": {
      const items = v.items.filter((i) => i.t !== "comment");
      if (items.length === 0) return "[]";
      const inner = pad + ind;
      return `[
${items.map((i) => `${inner}${emitJson(i, inner, ind)}`).join(",\n")}
${pad}]`;
    }
    case "null":
      return "null";
    case "str":
      return JSON.stringify(v.v);
    case "time":
      return JSON.stringify(v.v);
    case "int":
      return v.v.toString();
    case "bool":
      return String(v.v);
    case "float": {
      if (!Number.isFinite(v.v))
        throw new UnsupportedSopsFeatureError("json", "JSON cannot hold NaN or Infinity");
      const a = Math.abs(v.v);
      return a === 0 || a >= 1e-6 && a < 1e21 ? goFormatFloat(v.v) : String(v.v);
    }
  }
}
var binaryStore = {
  name: "binary",
  plaintextEncoding: "latin1",
  load(file, text) {
    return {
      branches: [{ t: "map", items: [{ t: "pair", key: "data", value: { t: "str", v: text } }] }],
      metadata: void 0,
      reserved: false,
      locations: /* @__PURE__ */ new WeakMap()
    };
  },
  loadEncrypted: (file, text) => loadBinaryEnvelope(file, text),
  emit(branches, metadata, options) {
    if (metadata) return jsonStore.emit(branches, metadata, options);
    const data = branches[0]?.items.find((i) => i.t === "pair" && i.key === "data");
    return data && data.value.t === "str" ? data.value.v : "";
  }
};
function loadBinaryEnvelope(file, text) {
  const loaded = loadJson(file, text);
  const keys = loaded.top.entries.map(([k]) => k);
  if (keys.length !== 1 || keys[0] !== "data")
    throw new MalformedSopsFileError(
      { file, line: 1, column: 1 },
      'a binary-store file must hold exactly "data" and "sops"'
    );
  return loaded;
}

// src/crypto/sops/metadata.ts
var SOPS_VERSION = "3.13.2";
var OTHER_KINDS = ["kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"];
var isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var weakString = (v) => typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : void 0;
function parseMetadata(raw) {
  if (!isObj(raw)) return "the sops metadata is not a map";
  const group = (g) => {
    const age = [];
    const ages = g["age"] ?? [];
    if (!Array.isArray(ages)) return "sops.age is not a list";
    for (const a of ages) {
      const recipient = isObj(a) ? weakString(a["recipient"]) : void 0;
      const enc = isObj(a) ? weakString(a["enc"]) : void 0;
      if (!recipient || !enc) return "an age entry lacks recipient or enc";
      age.push({ recipient: recipient.trim(), enc });
    }
    const pgps = g["pgp"] ?? [];
    if (!Array.isArray(pgps)) return "sops.pgp is not a list";
    const pgp = pgps.map((p) => isObj(p) ? weakString(p["fp"]) ?? "?" : "?");
    const other = OTHER_KINDS.filter((k) => Array.isArray(g[k]) && g[k].length > 0);
    return { age, pgp, other };
  };
  const flat = group(raw);
  if (typeof flat === "string") return flat;
  let groups;
  if (flat.age.length + flat.pgp.length + flat.other.length > 0) groups = [flat];
  else {
    const kg = raw["key_groups"] ?? [];
    if (!Array.isArray(kg)) return "sops.key_groups is not a list";
    groups = [];
    for (const g of kg) {
      if (!isObj(g)) return "a key group is not a map";
      const parsed = group(g);
      if (typeof parsed === "string") return parsed;
      groups.push(parsed);
    }
  }
  if (groups.length === 0) return "the file names no master keys";
  const th = raw["shamir_threshold"];
  const threshold = th === void 0 || th === null ? 0 : Number(weakString(th));
  if (!Number.isInteger(threshold) || threshold < 0) return "shamir_threshold is not an integer";
  const lastModified = weakString(raw["lastmodified"]);
  if (!lastModified) return "sops.lastmodified is missing";
  const crypts = CRYPT_RULE_KINDS.filter((k) => weakString(raw[k]));
  if (crypts.length > 1) return `the metadata names more than one of ${crypts.join(", ")}`;
  const kind = crypts[0];
  const crypt = kind ? { kind, value: weakString(raw[kind]) } : DEFAULT_CRYPT_RULE;
  const moe = raw["mac_only_encrypted"];
  const macOnlyEncrypted = moe === true || typeof moe === "string" && /^(1|t|true)$/i.test(moe);
  return {
    groups,
    shamirThreshold: threshold === 0 ? groups.length : threshold,
    lastModified,
    mac: weakString(raw["mac"]),
    crypt,
    macOnlyEncrypted,
    version: weakString(raw["version"]) ?? ""
  };
}
function emitMetadata(m) {
  const ages = (g) => g.age.map((a) => ({ enc: a.enc, recipient: a.recipient }));
  const out = {};
  if (m.groups.length === 1) out["age"] = ages(m.groups[0]);
  else out["key_groups"] = m.groups.map((g) => ({ age: ages(g) }));
  out[m.crypt.kind] = m.crypt.value;
  out["lastmodified"] = m.lastModified;
  out["mac"] = m.mac;
  if (m.macOnlyEncrypted) out["mac_only_encrypted"] = true;
  if (m.groups.length > 1) out["shamir_threshold"] = m.shamirThreshold;
  out["version"] = m.version;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}
function macAad(lastModified) {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}:\d{2})$/.exec(
    lastModified
  );
  if (!m) return void 0;
  const zone = m[3] === "z" || m[3] === "Z" || m[3] === "+00:00" || m[3] === "-00:00" ? "Z" : m[3];
  return `${m[1]}T${m[2]}${zone}`;
}
function formatLastModified(now) {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// src/crypto/sops/shamir.ts
import { randomBytes } from "node:crypto";
function mul(a, b) {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    const hi = a & 128;
    a = a << 1 & 255;
    if (hi) a ^= 27;
    b >>= 1;
  }
  return p;
}
function inv(a) {
  let r = 1;
  let base = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) r = mul(r, base);
    base = mul(base, base);
  }
  return r;
}
function split(secret, parts, threshold) {
  if (threshold < 2 || threshold > parts || parts > 255 || secret.length === 0)
    throw new RangeError("Shamir needs 2 <= threshold <= parts <= 255 and a non-empty secret");
  const out = Array.from({ length: parts }, (_, i) => {
    const s = new Uint8Array(secret.length + 1);
    s[secret.length] = i + 1;
    return s;
  });
  secret.forEach((byte, idx) => {
    const coeffs = [byte, ...randomBytes(threshold - 1)];
    out.forEach((share, i) => {
      const x = i + 1;
      let y = 0;
      for (let c = coeffs.length - 1; c >= 0; c--) y = mul(y, x) ^ coeffs[c];
      share[idx] = y;
    });
  });
  return out;
}
function combine(shares) {
  const len = shares[0]?.length ?? 0;
  if (shares.length < 2 || len < 2 || shares.some((s) => s.length !== len))
    throw new RangeError("Shamir needs at least two shares of equal length");
  const xs = shares.map((s) => s[len - 1]);
  if (new Set(xs).size !== xs.length || xs.includes(0))
    throw new RangeError("duplicate Shamir share");
  const secret = new Uint8Array(len - 1);
  for (let idx = 0; idx < len - 1; idx++) {
    let acc = 0;
    shares.forEach((s, i) => {
      const xi = xs[i];
      let basis = 1;
      xs.forEach((xj, j) => {
        if (j !== i) basis = mul(basis, mul(xj, inv(xi ^ xj)));
      });
      acc ^= mul(s[idx], basis);
    });
    secret[idx] = acc;
  }
  return secret;
}

// src/crypto/sops/data-key.ts
async function wrapDataKey(key, rule) {
  const shares = rule.keyGroups.length === 1 ? [key] : split(key, rule.keyGroups.length, rule.shamirThreshold);
  return Promise.all(
    rule.keyGroups.map(async (g, i) => ({
      age: await Promise.all(
        g.age.map(async (recipient) => ({
          recipient,
          enc: await wrapForRecipient(shares[i], recipient)
        }))
      ),
      pgp: [],
      other: []
    }))
  );
}
async function recoverDataKey(path, meta, ids, loaded) {
  const parts = [];
  let unwrapFailed = false;
  for (const group of meta.groups) {
    const part = await unwrapGroup(group, ids);
    if (part.key) parts.push(part.key);
    else if (part.namedFailed) unwrapFailed = true;
  }
  const needed = meta.groups.length === 1 ? 1 : meta.shamirThreshold;
  if (parts.length >= needed) {
    let key;
    try {
      key = meta.groups.length === 1 ? parts[0] : combine(parts);
    } catch {
      throw new DataKeyError(path, "the Shamir shares of the data key do not combine");
    }
    if (key.length !== 32) throw new DataKeyError(path, "the recovered data key is not 32 bytes");
    return key;
  }
  if (parts.length > 0)
    throw new DataKeyError(
      path,
      `only ${parts.length} of the ${needed} key groups needed could be decrypted with the loaded identities`
    );
  if (unwrapFailed)
    throw new DataKeyError(
      path,
      "an identity matched a recipient, but its wrapped data key is invalid (tampered enc?)"
    );
  const ages = meta.groups.flatMap((g) => g.age.map((a) => a.recipient));
  const pgp = meta.groups.flatMap((g) => g.pgp);
  const other = [...new Set(meta.groups.flatMap((g) => g.other))];
  if (parts.length > 0 || ages.length > 0) throw new NoMatchingIdentityError(path, ages, loaded);
  if (pgp.length > 0)
    throw new UnsupportedMasterKeyError(
      path,
      ["pgp", ...other],
      `no PGP identity: the data key is wrapped only for PGP keys (${pgp.join(", ")}) ${other.length ? `and ${other.join(", ")} ` : ""}and rekey's built-in codec reads age keys only. Install sops (or set SOPS_BINARY) to use the sops CLI with gpg.`
    );
  throw new UnsupportedMasterKeyError(
    path,
    other,
    `the data key is wrapped only for ${other.join(", ")}; the built-in codec reads age keys only. Install sops (or set SOPS_BINARY) to use the sops CLI.`
  );
}
async function unwrapGroup(group, ids) {
  let namedFailed = false;
  for (const entry of group.age) {
    const named = ids.filter((i) => i.recipient === entry.recipient);
    for (const id of [...named, ...ids.filter((i) => i.recipient !== entry.recipient)]) {
      const key = await unwrap(entry.enc, id);
      if (key) return { key, namedFailed: false };
      if (named.includes(id)) namedFailed = true;
    }
  }
  return { namedFailed };
}

// src/crypto/sops/rule-check.ts
function assertAgeOnly(path, rule) {
  const foreign = rule.keyGroups.flatMap((g) => [...g.pgp.length ? ["pgp"] : [], ...g.other]);
  const ssh = rule.keyGroups.some((g) => g.age.some((r) => r.startsWith("ssh-")));
  if (foreign.length > 0 || ssh)
    throw new UnsupportedMasterKeyError(
      path,
      [.../* @__PURE__ */ new Set([...foreign, ...ssh ? ["age-ssh"] : []])],
      `creation rule ${rule.index + 1} names ${[...new Set(foreign)].join(", ") || "ssh recipients"}; the built-in codec encrypts to age1 recipients only. Use the sops CLI.`
    );
  if (rule.keyGroups.some((g) => g.age.length === 0))
    throw new UnsupportedMasterKeyError(
      path,
      [],
      `creation rule ${rule.index + 1} has a key group without age recipients`
    );
  if (rule.keyGroups.length > 1 && rule.shamirThreshold < 2)
    throw new UnsupportedSopsFeatureError(
      path,
      "with several key groups, shamir_threshold must be at least 2 (as in sops)"
    );
}
var sorted = (xs) => [...xs].sort();
var sameSet = (a, b) => a.length === b.length && sorted(a).every((x, i) => x === sorted(b)[i]);
var metadataKind = (k) => k === "azure_keyvault" ? "azure_kv" : k;
function sameRecipients(rule, groups) {
  return rule.keyGroups.length === groups.length && rule.keyGroups.every((g, i) => {
    const f = groups[i];
    return sameSet(
      g.age,
      f.age.map((a) => a.recipient)
    ) && sameSet(g.pgp, f.pgp) && sameSet(g.other.map(metadataKind), f.other);
  });
}
function checkAgainstRule(path, rule, meta) {
  if (!sameRecipients(rule, meta.groups))
    throw new RecipientsMismatchError(
      path,
      rule.keyGroups.map((g) => [...g.age, ...g.pgp]),
      meta.groups.map((g) => [...g.age.map((a) => a.recipient), ...g.pgp])
    );
  if (meta.crypt.kind !== rule.crypt.kind || meta.crypt.value !== rule.crypt.value || meta.macOnlyEncrypted !== rule.macOnlyEncrypted)
    throw new CryptRuleMismatchError(
      path,
      `the file uses ${meta.crypt.kind}: ${meta.crypt.value}${meta.macOnlyEncrypted ? " with mac_only_encrypted" : ""}, but .sops.yaml says ${rule.crypt.kind}: ${rule.crypt.value}${rule.macOnlyEncrypted ? " with mac_only_encrypted" : ""}`
    );
}

// src/crypto/sops/rewrap.ts
async function rewrapFile(path, encrypted, options, identities, loadedIdentities) {
  const { rule } = options;
  const { loaded, meta } = loadEncrypted(path, encrypted);
  if (sameRecipients(rule, meta.groups))
    return { outcome: "unchanged", bytes: encrypted, added: [], removed: [] };
  assertAgeOnly(path, rule);
  if (meta.crypt.kind !== rule.crypt.kind || meta.crypt.value !== rule.crypt.value || meta.macOnlyEncrypted !== rule.macOnlyEncrypted)
    throw new CryptRuleMismatchError(
      path,
      `the file uses ${meta.crypt.kind}: ${meta.crypt.value}, the rule ${rule.crypt.kind}: ${rule.crypt.value} (or mac_only_encrypted differs); a re-wrap cannot change what is encrypted: rotate the key instead`
    );
  const key = await recoverDataKey(path, meta, identities, loadedIdentities);
  decryptLoaded(path, loaded, meta, key);
  const groups = await newGroups(key, rule, meta.groups);
  const metadata = emitMetadata({ ...meta, groups, shamirThreshold: rule.shamirThreshold });
  const store = storeFor(path);
  const text = store.emit(loaded.branches, metadata, {
    indent: store.name === "yaml" ? options.yamlIndent ?? 4 : options.jsonIndent ?? -1
  });
  const bytes = Buffer.from(text, "utf8");
  assertOnlyStanzasChanged(path, encrypted, bytes);
  const before = new Set(meta.groups.flatMap((g) => g.age.map((a) => a.recipient)));
  const after = new Set(rule.keyGroups.flatMap((g) => g.age));
  const others = [
    ...new Set(meta.groups.flatMap((g) => [...g.pgp.map((p) => `pgp:${p}`), ...g.other]))
  ];
  return {
    outcome: "rewrapped",
    bytes,
    added: [...after].filter((r) => !before.has(r)).sort(),
    removed: [...[...before].filter((r) => !after.has(r)), ...others].sort()
  };
}
async function newGroups(key, rule, old) {
  if (rule.keyGroups.length !== 1 || old.length !== 1) return wrapDataKey(key, rule);
  const kept = new Map(old[0].age.map((a) => [a.recipient, a]));
  const age = [];
  for (const recipient of rule.keyGroups[0].age)
    age.push(kept.get(recipient) ?? { recipient, enc: await wrapForRecipient(key, recipient) });
  return [{ age, pgp: [], other: [] }];
}
function assertOnlyStanzasChanged(path, before, after) {
  const a = loadEncrypted(path, before);
  const b = loadEncrypted(path, after);
  const same = json(a.loaded.branches) === json(b.loaded.branches) && a.meta.mac === b.meta.mac && a.meta.lastModified === b.meta.lastModified && a.meta.version === b.meta.version && JSON.stringify(a.meta.crypt) === JSON.stringify(b.meta.crypt);
  if (!same)
    throw new MalformedSopsFileError(
      { file: path, line: 0, column: 0 },
      "this file cannot be re-written without changing its values (unusual formatting?); re-wrap it with `sops updatekeys`"
    );
}
var json = (v) => JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);

// src/crypto/sops/tree.ts
import { createHash } from "node:crypto";
var MAC_ONLY_ENCRYPTED_INIT = createHash("sha256").update("sops").digest();
function walk(branches, rules, visit) {
  const decide = encryptionDecider(rules.crypt);
  const onLeaf = (leaf, path, stack) => visit(leaf, path, decide(path, stack, leaf.t === "comment"));
  return branches.map((b) => walkBranch(b, [], [], onLeaf));
}
function walkValue(v, path, stack, f) {
  switch (v.t) {
    case "null":
      return v;
    case "map":
      return walkBranch(v, path, stack, f);
    case "list":
      return walkList(v, path, stack, f);
    default:
      return f(v, path, stack);
  }
}
function walkBranch(b, path, outer, f) {
  const stack = [...outer, []];
  const top = stack.length - 1;
  const items = b.items.map((item) => {
    if (item.t === "comment") {
      stack[top] = [...stack[top] ?? [], item.text];
      return f(item, path, stack);
    }
    const value = walkValue(item.value, [...path, item.key], stack, f);
    stack[top] = [];
    return { t: "pair", key: item.key, value };
  });
  return { t: "map", items };
}
function walkList(l, path, outer, f) {
  const stack = [...outer, []];
  const top = stack.length - 1;
  const items = l.items.map((item) => {
    if (item.t === "comment") {
      stack[top] = [...stack[top] ?? [], item.text];
      return f(item, path, stack);
    }
    const v = walkValue(item, path, stack, f);
    stack[top] = [];
    return v;
  });
  return { t: "list", items };
}
var COMPILED = /* @__PURE__ */ new Map();
function compiled(pattern) {
  let r = COMPILED.get(pattern);
  if (r === void 0) {
    if (COMPILED.size >= 64) COMPILED.clear();
    r = compileRe2(pattern);
    COMPILED.set(pattern, r);
  }
  return r;
}
function encryptionDecider(crypt) {
  const re = () => {
    const r = compiled(crypt.value);
    if ("problem" in r) throw new Error(`${crypt.kind}: ${r.problem}`);
    return r.regex;
  };
  switch (crypt.kind) {
    case "unencrypted_suffix":
      return (path) => !path.some((p) => p.endsWith(crypt.value));
    case "encrypted_suffix":
      return (path) => path.some((p) => p.endsWith(crypt.value));
    case "unencrypted_regex": {
      const r = re();
      return (path) => !path.some((p) => r.test(p));
    }
    case "encrypted_regex": {
      const r = re();
      return (path) => path.some((p) => r.test(p));
    }
    case "unencrypted_comment_regex": {
      const r = re();
      return (_path, stack) => !stack.some((cs) => cs.some((c) => r.test(c)));
    }
    case "encrypted_comment_regex": {
      const r = re();
      return (_path, stack, isComment) => stack.some(
        (cs, i) => cs.some((c, j) => {
          if (isComment && i === stack.length - 1 && j === cs.length - 1) return false;
          return r.test(c);
        })
      );
    }
  }
}
var aadOf = (path) => `${path.join(":")}:`;
var MacHasher = class {
  #h = createHash("sha512");
  #macOnly;
  #encoding;
  constructor(macOnlyEncrypted, encoding = "utf8") {
    this.#macOnly = macOnlyEncrypted;
    this.#encoding = encoding;
    if (macOnlyEncrypted) this.#h.update(MAC_ONLY_ENCRYPTED_INIT);
  }
  add(leaf, encrypted) {
    if (leaf.t === "comment" || this.#macOnly && !encrypted) return;
    this.#h.update(scalarText(leaf), this.#encoding);
  }
  /** Uppercase hex, as Go's `%X`. */
  hex() {
    return this.#h.digest("hex").toUpperCase();
  }
};
var DecryptFailure = class extends Error {
  problem;
  constructor(problem) {
    super(`${problem.kind} at ${problem.aad}`);
    this.problem = problem;
  }
};
function decryptTree(branches, rules, key, onDecrypted) {
  const mac = new MacHasher(rules.macOnlyEncrypted, rules.encoding);
  const out = walk(branches, rules, (leaf, path, encrypted) => {
    let v = leaf;
    if (encrypted) {
      const aad = aadOf(path);
      if (leaf.t === "comment") {
        const enc = parseEnc(leaf.text);
        const plain = enc && enc.type === "comment" ? open(key, enc, aad) : void 0;
        if (plain) {
          v = { t: "comment", text: Buffer.from(plain).toString("utf8"), inline: leaf.inline };
          onDecrypted?.(aad, v, leaf.text);
        }
      } else if (leaf.t === "str" && leaf.v === "") {
        v = leaf;
      } else {
        const enc = leaf.t === "str" && isEncString(leaf.v) ? parseEnc(leaf.v) : void 0;
        if (!enc) throw new DecryptFailure({ kind: "not-encrypted", leaf, aad });
        const plain = open(key, enc, aad);
        if (!plain) throw new DecryptFailure({ kind: "authentication", leaf, aad });
        const text = Buffer.from(plain).toString(rules.encoding ?? "utf8");
        const typed = enc.type === "comment" ? void 0 : parseTyped(enc.type, text);
        if (!typed) throw new DecryptFailure({ kind: "bad-type", leaf, aad });
        v = typed;
        onDecrypted?.(aad, v, leaf.v);
      }
    }
    mac.add(v, encrypted);
    return v;
  });
  return { branches: out, mac: mac.hex() };
}
var reuseKey = (aad, leaf) => leaf.t === "comment" ? `${aad}\0comment\0${leaf.text}` : `${aad}\0${leaf.t}\0${scalarText(leaf)}`;
function encryptTree(branches, rules, key, reuse) {
  const mac = new MacHasher(rules.macOnlyEncrypted, rules.encoding);
  const guard = rules.crypt.kind === "unencrypted_comment_regex" ? compiled(rules.crypt.value) : void 0;
  const commentGuard = guard && "regex" in guard ? guard.regex : void 0;
  const out = walk(branches, rules, (leaf, path, encrypted) => {
    mac.add(leaf, encrypted);
    if (!encrypted) return leaf;
    if (leaf.t === "comment" ? leaf.text === "" : leaf.t === "str" && leaf.v === "") return leaf;
    const aad = aadOf(path);
    const kept = reuse?.get(reuseKey(aad, leaf));
    if (leaf.t === "comment") {
      const text = kept ?? seal(key, Buffer.from(leaf.text, "utf8"), aad, "comment");
      if (commentGuard?.test(text))
        throw new UnsupportedSopsFeatureError(
          "sops",
          "unencrypted_comment_regex matches an encrypted comment; make it stricter"
        );
      return { t: "comment", text, inline: leaf.inline };
    }
    const plain = Buffer.from(scalarText(leaf), rules.encoding ?? "utf8");
    return { t: "str", v: kept ?? seal(key, plain, aad, leaf.t) };
  });
  return { branches: out, mac: mac.hex() };
}

// src/crypto/sops/yaml-store.ts
var import_yaml2 = __toESM(require_dist(), 1);

// src/crypto/sops/yaml-events.ts
var LONG_KEY = 1e3;
var NOT_FAST = /* @__PURE__ */ Symbol("not-fast");
var OffsetLocations = class {
  #offsets = /* @__PURE__ */ new Map();
  #file;
  #text;
  constructor(file, text) {
    this.#file = file;
    this.#text = text;
  }
  at(leaf, offset) {
    this.#offsets.set(leaf, offset);
  }
  get(leaf) {
    const offset = this.#offsets.get(leaf);
    if (offset === void 0) return void 0;
    const before = this.#text.slice(0, offset);
    const lineStart = before.lastIndexOf("\n") + 1;
    let line = 1;
    for (let i = before.indexOf("\n"); i !== -1; i = before.indexOf("\n", i + 1)) line++;
    return { file: this.#file, line, column: offset - lineStart + 1 };
  }
};
var EventTree = class {
  #i = 0;
  #events;
  #text;
  locations;
  constructor(file, text, events) {
    this.#events = events;
    this.#text = text;
    this.locations = new OffsetLocations(file, text);
  }
  /** The document's root map (events[0] is the DOCUMENT event), or an empty one. */
  document() {
    this.#i = 1;
    const ev = this.#events[1];
    if (ev === void 0 || ev.type === EVENT_ID.POP) return { t: "map", items: [] };
    if (ev.type !== EVENT_ID.MAPPING) {
      if (ev.type === EVENT_ID.SCALAR && ev.valueStart === -1) return { t: "map", items: [] };
      throw NOT_FAST;
    }
    return this.#map();
  }
  #value() {
    const ev = this.#events[this.#i];
    switch (ev.type) {
      case EVENT_ID.MAPPING:
        return this.#map();
      case EVENT_ID.SEQUENCE:
        return this.#list();
      case EVENT_ID.SCALAR: {
        this.#i++;
        const s = this.#scalar(ev);
        if (s.t !== "null") this.locations.at(s, startOf(this.#text, ev));
        return s;
      }
      default:
        throw NOT_FAST;
    }
  }
  #scalar(ev) {
    if (ev.tagStart !== -1 || ev.anchorStart !== -1) throw NOT_FAST;
    const source = getScalarValue(this.#text, ev);
    if (ev.style !== SCALAR_STYLE.PLAIN) return { t: "str", v: source };
    const r = resolvePlain(source);
    if (r.t === "uint64") throw NOT_FAST;
    return r;
  }
  #map() {
    const open2 = this.#events[this.#i];
    if (open2.type !== EVENT_ID.MAPPING || open2.tagStart !== -1 || open2.anchorStart !== -1)
      throw NOT_FAST;
    this.#i++;
    const items = [];
    const seen = /* @__PURE__ */ new Set();
    for (let ev = this.#events[this.#i]; ev.type !== EVENT_ID.POP; ev = this.#events[this.#i]) {
      if (ev.type !== EVENT_ID.SCALAR || ev.valueEnd - ev.valueStart > LONG_KEY) throw NOT_FAST;
      this.#i++;
      const key = this.#scalar(ev);
      if (key.t !== "str" || seen.has(key.v)) throw NOT_FAST;
      seen.add(key.v);
      items.push({ t: "pair", key: key.v, value: this.#value() });
    }
    this.#i++;
    return { t: "map", items };
  }
  #list() {
    const open2 = this.#events[this.#i];
    if (open2.type !== EVENT_ID.SEQUENCE || open2.tagStart !== -1 || open2.anchorStart !== -1)
      throw NOT_FAST;
    this.#i++;
    const items = [];
    while (this.#events[this.#i].type !== EVENT_ID.POP) items.push(this.#value());
    this.#i++;
    return { t: "list", items };
  }
};
function startOf(text, ev) {
  switch (ev.style) {
    case SCALAR_STYLE.SINGLE_QUOTED:
    case SCALAR_STYLE.DOUBLE_QUOTED:
      return ev.valueStart - 1;
    case SCALAR_STYLE.LITERAL_BLOCK:
    case SCALAR_STYLE.FOLDED_BLOCK: {
      let i = ev.valueStart - 2;
      while (i > 0 && (text[i] === " " || text[i] === "	")) i--;
      while (i > 0 && /[-+1-9]/.test(text[i])) i--;
      if (text[i] !== "|" && text[i] !== ">") throw NOT_FAST;
      return i;
    }
    default:
      return ev.valueStart;
  }
}
var DOCUMENT_END = /^\.\.\.(?=[ \t\r\n]|$)/m;
function loadFromEvents(file, text, decided, decidedEvents) {
  if (text.charCodeAt(0) === 65279 || DOCUMENT_END.test(text)) return void 0;
  const events = decidedEvents ?? parseEvents(text, { maxDepth: DEFAULT_YAML_LIMITS.maxDepth + 2 });
  if (events.length === 0 || countDocuments(events) !== 1) return void 0;
  if (hasComment(text, events)) return void 0;
  const tree = new EventTree(file, text, events);
  let root;
  try {
    root = tree.document();
  } catch (e) {
    if (e === NOT_FAST) return void 0;
    throw e;
  }
  const reserved = Object.hasOwn(decided, "sops");
  const items = reserved ? root.items.filter((p) => p.t !== "pair" || p.key !== "sops") : root.items;
  return {
    branches: [{ t: "map", items }],
    metadata: reserved ? decided["sops"] : void 0,
    reserved,
    locations: tree.locations
  };
}
function countDocuments(events) {
  let n = 0;
  for (const ev of events) if (ev.type === EVENT_ID.DOCUMENT) n++;
  return n;
}
function hasComment(text, events) {
  let at = text.indexOf("#");
  if (at === -1) return false;
  let e = 0;
  for (; at !== -1; at = text.indexOf("#", at + 1)) {
    let inside = false;
    for (; e < events.length; e++) {
      const ev = events[e];
      if (ev.type !== EVENT_ID.SCALAR || ev.valueStart === -1 || ev.valueEnd <= at) continue;
      inside = ev.valueStart <= at;
      break;
    }
    if (!inside) return true;
  }
  return false;
}

// src/crypto/sops/yaml-store.ts
var commentItems = (text, inline = false) => text ? text.split("\n").map((line) => ({ t: "comment", text: line, inline })) : [];
var Loader = class {
  locations = /* @__PURE__ */ new WeakMap();
  #file;
  #lc;
  constructor(file, lc) {
    this.#file = file;
    this.#lc = lc;
  }
  at(node) {
    const offset = node?.range?.[0];
    if (offset === void 0) return { file: this.#file, line: 0, column: 0 };
    const p = this.#lc.linePos(offset);
    return { file: this.#file, line: p.line, column: p.col };
  }
  unsupported(node, what) {
    const at = this.at(node);
    throw new UnsupportedSopsFeatureError(this.#file, `line ${at.line}: ${what}`);
  }
  scalar(node) {
    if (!(0, import_yaml2.isScalar)(node)) return this.unsupported(node, "expected a scalar");
    if (node.tag && node.tag !== "tag:yaml.org,2002:str" && node.tag !== "!")
      this.unsupported(node, `the tag ${node.tag} is not supported; remove it`);
    const source = typeof node.source === "string" ? node.source : String(node.value ?? "");
    if (node.tag || node.type !== "PLAIN") return { t: "str", v: source };
    const r = resolvePlain(source);
    if (r.t === "uint64")
      return this.unsupported(node, "an integer beyond int64 (sops cannot walk uint64)");
    return r;
  }
  value(node) {
    if (node === null || node === void 0) return { t: "null" };
    if ((0, import_yaml2.isAlias)(node)) return this.unsupported(node, "YAML aliases are refused");
    if ((0, import_yaml2.isMap)(node)) return this.branch(node);
    if ((0, import_yaml2.isSeq)(node)) {
      const items = [...commentItems(node.commentBefore)];
      for (const item of node.items) {
        const n = item;
        const leaf = n && (0, import_yaml2.isScalar)(n);
        if (leaf) items.push(...commentItems(n.commentBefore), ...commentItems(n.comment, true));
        const v = this.value(n);
        if (v.t !== "null" && v.t !== "map" && v.t !== "list") this.locations.set(v, this.at(n));
        items.push(v);
      }
      items.push(...commentItems(node.comment));
      return { t: "list", items };
    }
    const s = this.scalar(node);
    if (s.t !== "null") this.locations.set(s, this.at(node));
    return s;
  }
  branch(node) {
    if (!(0, import_yaml2.isMap)(node)) return this.unsupported(node, "expected a map");
    const items = [...commentItems(node.commentBefore)];
    for (const pair of node.items) {
      const k = pair.key;
      if (!k || !(0, import_yaml2.isScalar)(k)) return this.unsupported(k, "map keys must be strings");
      const key = this.scalar(k);
      if (key.t !== "str")
        return this.unsupported(k, "map keys must be strings (sops refuses other keys)");
      if (key.v === "<<" && k.type === "PLAIN") this.unsupported(k, "YAML merge keys are refused");
      items.push(...commentItems(k.commentBefore), ...commentItems(k.comment, true));
      const v = pair.value;
      const leafValue = !v || (0, import_yaml2.isScalar)(v);
      if (v && leafValue)
        items.push(...commentItems(v.commentBefore), ...commentItems(v.comment, true));
      items.push({ t: "pair", key: key.v, value: this.value(v) });
    }
    items.push(...commentItems(node.comment));
    return { t: "map", items };
  }
};
var yamlStore = {
  name: "yaml",
  load(file, text) {
    const decided = refuseWhatTheLoaderRefuses(file, text);
    return (decided && loadFromEvents(file, text, decided.value, decided.events)) ?? loadWithYamlPackage(file, text);
  },
  emit(branches, metadata, options) {
    const indent = options.indent ?? 4;
    const docs = branches.map((b) => {
      const withMeta = metadata ? {
        t: "map",
        items: [...b.items, { t: "pair", key: "sops", value: fromPlain(metadata) }]
      } : b;
      return emitBranch(withMeta, 0, indent).map((l) => l + "\n").join("");
    });
    return docs.join("---\n");
  }
};
function loadWithYamlPackage(file, text) {
  const lc = new import_yaml2.LineCounter();
  const docs = (0, import_yaml2.parseAllDocuments)(text, { lineCounter: lc, uniqueKeys: true, strict: true });
  const loader = new Loader(file, lc);
  if (!Array.isArray(docs))
    return { branches: [], metadata: void 0, reserved: false, locations: loader.locations };
  const branches = [];
  let metadata;
  let reserved = false;
  docs.forEach((doc, i) => {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      const p = lc.linePos(problem.pos[0]);
      throw new MalformedSopsFileError(
        { file, line: p.line, column: p.col },
        `invalid YAML (${problem.code})`
      );
    }
    const contents = doc.contents;
    if (contents && (0, import_yaml2.isSeq)(contents))
      loader.unsupported(contents, "YAML documents that are sequences are not supported");
    if (contents && (0, import_yaml2.isScalar)(contents) && contents.value !== null)
      loader.unsupported(contents, "YAML documents that are values are not supported");
    const b = contents && (0, import_yaml2.isMap)(contents) ? loader.branch(contents) : { t: "map", items: [] };
    const top = [...commentItems(doc.commentBefore)];
    for (const item of b.items) {
      if (item.t === "pair" && item.key === "sops") {
        reserved = true;
        if (i === 0 && contents && (0, import_yaml2.isMap)(contents))
          metadata = contents.get("sops", true)?.toJSON();
        continue;
      }
      top.push(item);
    }
    top.push(...commentItems(doc.comment));
    branches.push({ t: "map", items: top });
  });
  return { branches, metadata, reserved, locations: loader.locations };
}
var SYNTAX_REFUSALS = /* @__PURE__ */ new Set([
  "yaml/encoding",
  "yaml/syntax",
  "yaml/ambiguous-syntax",
  "yaml/warning",
  "yaml/directive",
  "yaml/too-deep"
]);
var encoder = new TextEncoder();
function refuseWhatTheLoaderRefuses(file, text) {
  const bytes = encoder.encode(text);
  const parsed = parseYaml(file, bytes, { maxBytes: bytes.length }, { keepEvents: true });
  const refused = parsed.diagnostics.find((d) => SYNTAX_REFUSALS.has(d.rule));
  if (refused)
    throw new MalformedSopsFileError(
      { file, line: refused.line, column: refused.column },
      `invalid YAML (${refused.rule})`
    );
  if (parsed.diagnostics.length > 0) return void 0;
  const v = parsed.value;
  const events = parsed.text === text ? parsed.events : void 0;
  if (v === null) return { value: {}, events };
  return typeof v === "object" && !Array.isArray(v) ? { value: v, events } : void 0;
}
function fromPlain(v) {
  if (Array.isArray(v)) return { t: "list", items: v.map(fromPlain) };
  if (v !== null && typeof v === "object")
    return {
      t: "map",
      items: Object.entries(v).map(([key, x]) => ({ t: "pair", key, value: fromPlain(x) }))
    };
  if (typeof v === "boolean") return { t: "bool", v };
  if (typeof v === "number") return { t: "int", v: BigInt(v) };
  if (v === null || v === void 0) return { t: "null" };
  return { t: "str", v: String(v) };
}
var sp = (n) => " ".repeat(n);
function emitBranch(b, col, indent, blockIndent = col + indent) {
  const lines = [];
  for (const item of b.items) {
    if (item.t === "comment") {
      lines.push(`${sp(col)}#${item.text}`);
      continue;
    }
    const head = `${sp(col)}${plainOrQuoted(item.key)}:`;
    lines.push(...emitValueAfter(head, item.value, col, col + indent, indent, blockIndent));
  }
  return lines;
}
function emitList(l, col, indent) {
  const lines = [];
  for (const item of l.items) {
    if (item.t === "comment") {
      lines.push(`${sp(col)}#${item.text}`);
      continue;
    }
    if ((item.t === "map" || item.t === "list") && item.items.length > 0) {
      const inner = item.t === "map" ? emitBranch(item, col + 2, indent, col + 4) : emitList(item, col + 2, indent);
      const first = inner[0] ?? "";
      if (first.trimStart().startsWith("#")) lines.push(`${sp(col)}-`, ...inner);
      else lines.push(`${sp(col)}- ${first.slice(col + 2)}`, ...inner.slice(1));
      continue;
    }
    lines.push(...emitValueAfter(`${sp(col)}-`, item, col, col + 2, indent));
  }
  return lines;
}
function emitValueAfter(head, v, col, inner, indent, blockIndent = inner) {
  switch (v.t) {
    case "map":
      return v.items.length === 0 ? [`${head} {}`] : [head, ...emitBranch(v, inner, indent)];
    case "list":
      return v.items.length === 0 ? [`${head} []`] : [head, ...emitList(v, col + indent, indent)];
    case "null":
      return [`${head} null`];
    case "str": {
      const block = literalBlock(v.v, blockIndent);
      return block ? [`${head} ${block[0]}`, ...block.slice(1)] : [`${head} ${plainOrQuoted(v.v)}`];
    }
    default:
      return [`${head} ${scalarYaml(v)}`];
  }
}
function scalarYaml(s) {
  switch (s.t) {
    case "str":
      return plainOrQuoted(s.v);
    case "int":
      return s.v.toString();
    case "bool":
      return s.v ? "true" : "false";
    case "time":
      return s.v;
    case "float": {
      if (Number.isNaN(s.v)) return ".nan";
      if (s.v === Infinity) return ".inf";
      if (s.v === -Infinity) return "-.inf";
      const t = goFormatFloat(s.v);
      return /[.eE]/.test(t) ? t : `${t}.0`;
    }
  }
}
var PLAIN_SAFE = /^[^\s\-?:,[\]{}#&*!|>'"%@`][^\n\r\t]*$/u;
var NON_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/u;
var ALWAYS_PLAIN = /^[A-Za-z](?:[A-Za-z0-9+/=_.,[\]-]|:(?=[A-Za-z0-9+/=_.,[\]-]))*$/;
function plainOrQuoted(s) {
  if (s.length > 5 && ALWAYS_PLAIN.test(s)) return s;
  const plain = PLAIN_SAFE.test(s) && !NON_PRINTABLE.test(s) && !/\s$/.test(s) && !s.includes(": ") && !s.includes(" #") && !s.endsWith(":") && !s.startsWith("---") && !s.startsWith("...") && s !== "<<" && resolvePlain(s).t === "str";
  return plain ? s : doubleQuoted(s);
}
var NON_PRINTABLE_ALL = new RegExp(NON_PRINTABLE.source, "gu");
function doubleQuoted(s) {
  return JSON.stringify(s).replace(
    NON_PRINTABLE_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
}
function literalBlock(s, col) {
  if (!s.includes("\n") || NON_PRINTABLE.test(s) || s.includes("\r") || /^[ \t]/.test(s))
    return void 0;
  const body = s.replace(/\n+$/, "");
  if (body === "" || body.startsWith("\n")) return void 0;
  const trailing = s.length - body.length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const lines = body.split("\n").map((l) => l === "" ? "" : sp(col) + l);
  const extra = trailing > 1 ? Array.from({ length: trailing - 1 }, () => "") : [];
  return [`|${chomp}`, ...lines, ...extra];
}

// src/crypto/sops/codec.ts
function storeFor(path) {
  const dot = path.lastIndexOf(".");
  const ext = dot !== -1 && dot < path.length - 1 && path.indexOf("/", dot) === -1 ? path.slice(dot + 1).toLowerCase() : void 0;
  if (ext === "yaml" || ext === "yml") return yamlStore;
  if (ext === "json") return jsonStore;
  if (ext === "env") return dotenvStore;
  if (ext === "ini") return iniStore;
  return binaryStore;
}
var BuiltinSopsCodec = class {
  #identities;
  #count;
  constructor(options) {
    this.#count = options.identities.length;
    this.#identities = ageIdentities(options.identities);
    this.#identities.catch(() => void 0);
  }
  async encrypt(path, plaintext, options) {
    const store = storeFor(path);
    const loaded = store.load(path, plaintextOf(path, plaintext, store));
    if (loaded.reserved)
      throw new MalformedSopsFileError(
        { file: path, line: 0, column: 0 },
        'the plaintext already has sops metadata (or a reserved "sops" key); decrypt it first'
      );
    const { rule } = options;
    assertAgeOnly(path, rule);
    const rules = {
      crypt: rule.crypt,
      macOnlyEncrypted: rule.macOnlyEncrypted,
      encoding: store.plaintextEncoding
    };
    let prev;
    if (options.previous && sameRecipientsAs(rule, options.previous, path)) {
      const p = await this.#decrypt(path, options.previous).catch((e) => {
        if (e instanceof NoMatchingIdentityError) return void 0;
        throw e;
      });
      if (p && p.meta.shamirThreshold === rule.shamirThreshold) prev = p;
    }
    const key = prev?.key ?? randomBytes2(32);
    const enc = encryptTree(loaded.branches, rules, key, prev?.reuse);
    const unchanged = prev !== void 0 && prev.mac === enc.mac && prev.meta.crypt.kind === rule.crypt.kind && prev.meta.crypt.value === rule.crypt.value && prev.meta.macOnlyEncrypted === rule.macOnlyEncrypted;
    const lastModified = unchanged && prev ? prev.meta.lastModified : formatLastModified(options.now);
    const mac = unchanged && prev?.meta.mac ? prev.meta.mac : seal(key, Buffer.from(enc.mac), lastModified, "str");
    const groups = prev ? prev.meta.groups : await wrapDataKey(key, rule);
    const metadata = emitMetadata({
      groups,
      shamirThreshold: rule.shamirThreshold,
      lastModified,
      mac,
      crypt: rule.crypt,
      macOnlyEncrypted: rule.macOnlyEncrypted,
      version: SOPS_VERSION
    });
    return Buffer.from(
      store.emit(enc.branches, metadata, {
        indent: store.name === "yaml" ? options.yamlIndent ?? 4 : options.jsonIndent ?? -1
      }),
      "utf8"
    );
  }
  async decrypt(path, encrypted, options) {
    const d = await this.#decrypt(path, encrypted, options, false);
    const store = storeFor(path);
    return Buffer.from(
      store.emit(d.branches, void 0, { indent: store.name === "yaml" ? 4 : -1 }),
      store.plaintextEncoding ?? "utf8"
    );
  }
  /**
   * `sops updatekeys`: the same data key wrapped for the rule's recipients; values, MAC and
   * lastmodified unchanged (rewrap.ts). Needs an identity that opens the file as it is.
   */
  async rewrap(path, encrypted, options) {
    return rewrapFile(path, encrypted, options, await this.#identities, this.#count);
  }
  async inspect(path, encrypted) {
    const { meta } = loadEncrypted(path, encrypted);
    return {
      ageRecipients: meta.groups.map((g) => g.age.map((a) => a.recipient)),
      pgpFingerprints: meta.groups.map((g) => [...g.pgp]),
      otherKeyKinds: [...new Set(meta.groups.flatMap((g) => g.other))],
      shamirThreshold: meta.shamirThreshold,
      crypt: meta.crypt,
      macOnlyEncrypted: meta.macOnlyEncrypted,
      lastModified: meta.lastModified,
      version: meta.version,
      hasMac: Boolean(meta.mac)
    };
  }
  async #decrypt(path, encrypted, options, keepCiphertexts = true) {
    const { loaded, meta } = loadEncrypted(path, encrypted);
    if (options?.rule) checkAgainstRule(path, options.rule, meta);
    return decryptLoaded(
      path,
      loaded,
      meta,
      await recoverDataKey(path, meta, await this.#identities, this.#count),
      keepCiphertexts
    );
  }
};
function loadEncrypted(path, encrypted) {
  const store = storeFor(path);
  const text = utf8(path, encrypted);
  const loaded = (store.loadEncrypted ?? store.load)(path, text);
  const whole = { file: path, line: 0, column: 0 };
  if (loaded.metadata === void 0)
    throw new MalformedSopsFileError(whole, "not a SOPS file: it has no sops metadata");
  const meta = parseMetadata(loaded.metadata);
  if (typeof meta === "string") throw new MalformedSopsFileError(whole, meta);
  return { loaded, meta };
}
function decryptLoaded(path, loaded, meta, key, keepCiphertexts = true) {
  const reuse = /* @__PURE__ */ new Map();
  let result;
  try {
    const rules = { ...meta, encoding: storeFor(path).plaintextEncoding };
    result = decryptTree(
      loaded.branches,
      rules,
      key,
      keepCiphertexts ? (aad2, leaf, enc) => reuse.set(reuseKey(aad2, leaf), enc) : void 0
    );
  } catch (e) {
    if (!(e instanceof DecryptFailure)) throw e;
    throw locatedFailure(path, e, loaded.locations);
  }
  if (!meta.mac) throw new MacMissingError(path);
  const stored = parseEnc(meta.mac);
  const aad = macAad(meta.lastModified);
  if (!stored || !aad)
    throw new MalformedSopsFileError(
      { file: path, line: 0, column: 0 },
      "sops.mac or sops.lastmodified is malformed"
    );
  const plain = open(key, stored, aad);
  if (!plain) throw new MacMismatchError(path, "unauthenticated");
  if (Buffer.from(plain).toString("utf8") !== result.mac)
    throw new MacMismatchError(path, "differs");
  return { loaded, meta, key, branches: result.branches, mac: result.mac, reuse };
}
function checkFileAgainstRule(path, encrypted, rule) {
  checkAgainstRule(path, rule, loadEncrypted(path, encrypted).meta);
}
function sameRecipientsAs(rule, encrypted, path) {
  return sameRecipients(rule, loadEncrypted(path, encrypted).meta.groups);
}
var MAX_SOPS_FILE_BYTES = 16 * 1024 * 1024;
function plaintextOf(path, bytes, store) {
  if (store.plaintextEncoding !== "latin1") return utf8(path, bytes);
  capped(path, bytes);
  return Buffer.from(bytes).toString("latin1");
}
function capped(path, bytes) {
  if (bytes.length > MAX_SOPS_FILE_BYTES)
    throw new UnsupportedSopsFeatureError(
      path,
      `the file is larger than ${MAX_SOPS_FILE_BYTES} bytes`
    );
}
function utf8(path, bytes) {
  capped(path, bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UnsupportedSopsFeatureError(path, "the file is not valid UTF-8");
  }
}
function locatedFailure(path, e, locations) {
  const { kind, leaf, aad } = e.problem;
  const at = locations.get(leaf) ?? { file: path, line: 0, column: 0 };
  switch (kind) {
    case "authentication":
      return new ValueAuthenticationError(path, aad);
    case "not-encrypted":
      return new MalformedSopsFileError(
        at,
        `the value at "${aad}" should be encrypted but is not an ENC[...] string`
      );
    case "bad-type":
      return new MalformedSopsFileError(
        at,
        `the value at "${aad}" decrypted to something its type does not allow`
      );
  }
}

export {
  SopsError,
  isIntegrityFailure,
  MacMissingError,
  MacMismatchError,
  ValueAuthenticationError,
  NoMatchingIdentityError,
  RecipientsMismatchError,
  SopsCliError,
  storeFor,
  BuiltinSopsCodec,
  loadEncrypted,
  checkFileAgainstRule
};
