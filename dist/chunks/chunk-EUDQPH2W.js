import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  generateX25519Identity,
  identityToRecipient
} from "./chunk-JFLGVF2I.js";
import {
  isKeyId,
  parseYaml,
  randomOptions
} from "./chunk-ARAMIKVA.js";
import {
  InvalidInputError,
  diagnostic
} from "./chunk-QIKD5X2T.js";

// src/crypto/keys/bech32.ts
var CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
var GENERATOR = [996825010, 642813549, 513874426, 1027748829, 705979059];
function polymod(values) {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (chk & 33554431) << 5 ^ v;
    for (let i = 0; i < 5; i++) if (top >>> i & 1) chk ^= GENERATOR[i];
  }
  return chk >>> 0;
}
function expandPrefix(prefix) {
  const out = [];
  for (const c of prefix) out.push(c.charCodeAt(0) >>> 5);
  out.push(0);
  for (const c of prefix) out.push(c.charCodeAt(0) & 31);
  return out;
}
function convertBits(data, from, to, pad) {
  let acc = 0;
  let bits = 0;
  const out = [];
  const max = (1 << to) - 1;
  for (const value of data) {
    acc = acc << from | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push(acc >>> bits & max);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push(acc << to - bits & max);
  } else if (bits >= from || (acc << to - bits & max) !== 0) {
    throw new Error("bech32: non-zero padding");
  }
  return out;
}
function bech32Decode(text) {
  if (text !== text.toLowerCase() && text !== text.toUpperCase())
    throw new Error("bech32: mixed case");
  const s = text.toLowerCase();
  const sep = s.lastIndexOf("1");
  if (sep < 1 || s.length - sep - 1 < 6) throw new Error("bech32: no separator or too short");
  const prefix = s.slice(0, sep);
  for (const c of prefix) {
    const code = c.charCodeAt(0);
    if (code < 33 || code > 126) throw new Error("bech32: invalid prefix character");
  }
  const words = [];
  for (const c of s.slice(sep + 1)) {
    const w = CHARSET.indexOf(c);
    if (w < 0) throw new Error("bech32: invalid character");
    words.push(w);
  }
  if (polymod([...expandPrefix(prefix), ...words]) !== 1) throw new Error("bech32: bad checksum");
  const bytes = Uint8Array.from(convertBits(words.slice(0, -6), 5, 8, false));
  return { prefix, bytes };
}

// src/crypto/keys/errors.ts
var KeyMaterialError = class extends Error {
  name = "KeyMaterialError";
  problem;
  constructor(problem, message) {
    super(message);
    this.problem = problem;
  }
};

// src/crypto/keys/age.ts
var IDENTITY_PREFIX = "age-secret-key-";
var RECIPIENT_PREFIX = "age";
var malformedSecret = () => new KeyMaterialError(
  "secret-malformed",
  "the secret is not an age X25519 identity (AGE-SECRET-KEY-1..., as age-keygen writes it)"
);
function checkIdentity(identity) {
  if (!/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/.test(identity)) throw malformedSecret();
  try {
    const { prefix, bytes } = bech32Decode(identity);
    if (prefix !== IDENTITY_PREFIX || bytes.length !== 32) throw malformedSecret();
  } catch {
    throw malformedSecret();
  }
}
async function generateAge() {
  const secret = await generateX25519Identity();
  return { secret, public: await identityToRecipient(secret) };
}
async function ageRecipientOf(identity) {
  checkIdentity(identity);
  try {
    return await identityToRecipient(identity);
  } catch {
    throw malformedSecret();
  }
}
function checkRecipient(recipient) {
  const malformed = () => new KeyMaterialError("public-malformed", "the public part is not an age1... X25519 recipient");
  if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient)) throw malformed();
  try {
    const { prefix, bytes } = bech32Decode(recipient);
    if (prefix !== RECIPIENT_PREFIX || bytes.length !== 32) throw malformed();
  } catch {
    throw malformed();
  }
  return recipient;
}

// src/crypto/keys/openssh.ts
import { createHash, createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
var MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
var KEY_TYPE = "ssh-ed25519";
var ARMOR_BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
var ARMOR_END = "-----END OPENSSH PRIVATE KEY-----";
var BLOCK_SIZE = 8;
var ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
var SSH_COMMENT_PATTERN = /^[!-~]+(?: [!-~]+)*$/;
var DEFAULT_SSH_COMMENT = "rekey";
function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
function sshString(data) {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  return Buffer.concat([u32(bytes.length), bytes]);
}
function sshPublicBlob(publicKey) {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}
var WireReader = class {
  offset = 0;
  data;
  constructor(data) {
    this.data = data;
  }
  uint32() {
    if (this.offset + 4 > this.data.length) throw new Error("truncated");
    const n = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return n;
  }
  bytes(n) {
    if (this.offset + n > this.data.length) throw new Error("truncated");
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  string() {
    return this.bytes(this.uint32());
  }
  get remaining() {
    return this.data.length - this.offset;
  }
};
function ed25519PublicFromSeed(seed) {
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8"
  });
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  return spki.subarray(spki.length - 32);
}
function encodeOpenSshPrivateKey(key) {
  const pub = sshPublicBlob(key.publicKey);
  const parts = [
    u32(key.checkInt),
    u32(key.checkInt),
    sshString(KEY_TYPE),
    sshString(key.publicKey),
    // OpenSSH stores the Ed25519 private key as seed || public key (64 bytes).
    sshString(Buffer.concat([key.seed, key.publicKey])),
    sshString(key.comment)
  ];
  let length = parts.reduce((n, p) => n + p.length, 0);
  const padding = [];
  for (let i = 1; length % BLOCK_SIZE !== 0; i++, length++) padding.push(i);
  const privateSection = Buffer.concat([...parts, Buffer.from(padding)]);
  const body = Buffer.concat([
    MAGIC,
    sshString("none"),
    // cipher
    sshString("none"),
    // kdf
    sshString(""),
    // kdf options
    u32(1),
    // number of keys
    sshString(pub),
    sshString(privateSection)
  ]).toString("base64");
  const lines = body.match(/.{1,70}/g) ?? [];
  return `${ARMOR_BEGIN}
${lines.join("\n")}
${ARMOR_END}
`;
}
function generateOpenSsh(comment) {
  const seed = randomBytes(32);
  const publicKey = ed25519PublicFromSeed(seed);
  const checkInt = randomBytes(4).readUInt32BE(0);
  return {
    secret: encodeOpenSshPrivateKey({ seed, publicKey, comment, checkInt }),
    public: sshPublicLine(publicKey, comment)
  };
}
function sshPublicLine(publicKey, comment) {
  return `${KEY_TYPE} ${sshPublicBlob(publicKey).toString("base64")} ${comment}`;
}
var malformedSecret2 = () => new KeyMaterialError(
  "secret-malformed",
  "the secret is not an unencrypted OpenSSH ssh-ed25519 private key (-----BEGIN OPENSSH PRIVATE KEY-----)"
);
function parseOpenSshPrivateKey(text) {
  const m = /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)\n-----END OPENSSH PRIVATE KEY-----\n?$/.exec(
    text
  );
  if (!m) throw malformedSecret2();
  const b64 = m[1].replaceAll("\n", "");
  const data = Buffer.from(b64, "base64");
  if (data.toString("base64") !== b64) throw malformedSecret2();
  try {
    const outer = new WireReader(data);
    if (!outer.bytes(MAGIC.length).equals(MAGIC)) throw malformedSecret2();
    if (outer.string().toString("latin1") !== "none") throw malformedSecret2();
    if (outer.string().toString("latin1") !== "none") throw malformedSecret2();
    if (outer.string().length !== 0) throw malformedSecret2();
    if (outer.uint32() !== 1) throw malformedSecret2();
    const pubBlob = outer.string();
    const priv = new WireReader(outer.string());
    if (outer.remaining !== 0) throw malformedSecret2();
    const pub = new WireReader(pubBlob);
    if (pub.string().toString("latin1") !== KEY_TYPE) throw malformedSecret2();
    const publicKey = pub.string();
    if (publicKey.length !== 32 || pub.remaining !== 0) throw malformedSecret2();
    const check1 = priv.uint32();
    const check2 = priv.uint32();
    if (check1 !== check2) throw malformedSecret2();
    if (priv.string().toString("latin1") !== KEY_TYPE) throw malformedSecret2();
    if (!priv.string().equals(publicKey)) throw malformedSecret2();
    const both = priv.string();
    if (both.length !== 64 || !both.subarray(32).equals(publicKey)) throw malformedSecret2();
    const comment = priv.string().toString("utf8");
    const padding = priv.bytes(priv.remaining);
    if (padding.length >= BLOCK_SIZE || padding.some((b, i) => b !== i + 1))
      throw malformedSecret2();
    const seed = Buffer.from(both.subarray(0, 32));
    if (!ed25519PublicFromSeed(seed).equals(publicKey)) throw malformedSecret2();
    return { seed, publicKey: Buffer.from(publicKey), comment, checkInt: check1 };
  } catch (e) {
    if (e instanceof KeyMaterialError) throw e;
    throw malformedSecret2();
  }
}
function parseSshPublicLine(line) {
  const malformed = () => new KeyMaterialError(
    "public-malformed",
    'the public part is not an "ssh-ed25519 AAAA... comment" line'
  );
  const m = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})(?: ([!-~]+(?: [!-~]+)*))?\n?$/.exec(line);
  if (!m) throw malformed();
  const blob = Buffer.from(m[1], "base64");
  if (blob.toString("base64") !== m[1]) throw malformed();
  try {
    const r = new WireReader(blob);
    if (r.string().toString("latin1") !== KEY_TYPE) throw malformed();
    const publicKey = r.string();
    if (publicKey.length !== 32 || r.remaining !== 0) throw malformed();
    return { publicKey: Buffer.from(publicKey), comment: m[2] ?? "" };
  } catch {
    throw malformed();
  }
}
function sshFingerprint(publicKey) {
  const digest = createHash("sha256").update(sshPublicBlob(publicKey)).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

// src/crypto/keys/pkix.ts
import {
  createHash as createHash2,
  createPrivateKey as createPrivateKey2,
  createPublicKey as createPublicKey2,
  generateKeyPair
} from "node:crypto";
var settle = (resolve, reject) => (err, publicKey, privateKey) => err ? reject(err) : resolve({ secret: privateKey, public: publicKey });
function generatePkix(type) {
  const encoding = {
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" }
  };
  return new Promise((resolve, reject) => {
    switch (type) {
      case "ed25519":
        return generateKeyPair("ed25519", encoding, settle(resolve, reject));
      case "ecdsa-p256":
        return generateKeyPair(
          "ec",
          { namedCurve: "prime256v1", ...encoding },
          settle(resolve, reject)
        );
      case "rsa-3072":
      case "rsa-4096":
        return generateKeyPair(
          "rsa",
          {
            modulusLength: type === "rsa-3072" ? 3072 : 4096,
            publicExponent: 65537,
            ...encoding
          },
          settle(resolve, reject)
        );
    }
  });
}
function isPem(text, label) {
  const b64 = "[A-Za-z0-9+/]";
  const lastLine = `(?:${b64}{4}){0,15}(?:${b64}{4}|${b64}{3}=|${b64}{2}==)`;
  const re = new RegExp(
    `^-----BEGIN ${label}-----\\n(?:${b64}{64}\\n)*${lastLine}\\n-----END ${label}-----\\n?$`
  );
  return re.test(text);
}
function matchesType(key, type) {
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case "ed25519":
      return key.asymmetricKeyType === "ed25519";
    case "ecdsa-p256":
      return key.asymmetricKeyType === "ec" && details.namedCurve === "prime256v1";
    // e = 65537 as everything generates it; a small exponent (3) invites padding attacks.
    case "rsa-3072":
      return key.asymmetricKeyType === "rsa" && details.modulusLength === 3072 && details.publicExponent === 65537n;
    case "rsa-4096":
      return key.asymmetricKeyType === "rsa" && details.modulusLength === 4096 && details.publicExponent === 65537n;
  }
}
function pkixPublicFromSecret(type, secret) {
  let key;
  if (isPem(secret, "PRIVATE KEY")) {
    try {
      key = createPrivateKey2({ key: secret, format: "pem" });
    } catch {
    }
  }
  if (key === void 0 || !matchesType(key, type))
    throw new KeyMaterialError(
      "secret-malformed",
      `the secret is not an unencrypted PKCS#8 PEM ${type} private key (-----BEGIN PRIVATE KEY-----)`
    );
  return createPublicKey2(key).export({ type: "spki", format: "der" });
}
function pkixPublicDer(type, pub) {
  let key;
  if (isPem(pub, "PUBLIC KEY")) {
    try {
      key = createPublicKey2({ key: pub, format: "pem" });
    } catch {
    }
  }
  if (key === void 0 || !matchesType(key, type))
    throw new KeyMaterialError(
      "public-malformed",
      `the public part is not a SubjectPublicKeyInfo PEM ${type} public key (-----BEGIN PUBLIC KEY-----)`
    );
  return key.export({ type: "spki", format: "der" });
}
function spkiFingerprint(spkiDer) {
  return `sha256:${createHash2("sha256").update(spkiDer).digest("hex")}`;
}

// src/crypto/keys/random.ts
import { createHmac, randomBytes as randomBytes2 } from "node:crypto";
var KCV_MESSAGE = "rekey key check value";
function checkRandomOptions(options) {
  const parsed = randomOptions.safeParse(options);
  if (!parsed.success)
    throw new KeyMaterialError(
      "options-invalid",
      "random keys need options { bytes: 16..1024, encoding: base64 | base64url | hex }"
    );
  return parsed.data;
}
function encodeRandom(bytes, encoding) {
  return Buffer.from(bytes).toString(encoding);
}
function decodeRandom(text, encoding) {
  if (text.length === 0) return void 0;
  const bytes = Buffer.from(text, encoding);
  return bytes.toString(encoding) === text ? new Uint8Array(bytes) : void 0;
}
function generateRandom(options) {
  return encodeRandom(randomBytes2(options.bytes), options.encoding);
}
function kcv(secretBytes) {
  const mac = createHmac("sha256", secretBytes).update(KCV_MESSAGE, "utf8").digest("hex");
  return `kcv:${mac.slice(0, 16)}`;
}
function randomSecretBytes(secret, options) {
  const bytes = decodeRandom(secret, options.encoding);
  if (bytes === void 0)
    throw new KeyMaterialError(
      "secret-malformed",
      `the secret is not canonical ${options.encoding} (as rekey writes it)`
    );
  if (bytes.length !== options.bytes)
    throw new KeyMaterialError(
      "secret-malformed",
      `the secret decodes to a different length than options.bytes (${options.bytes})`
    );
  return bytes;
}

// src/crypto/keys/verify.ts
async function fingerprintOf(type, material, options) {
  const pub = material.public;
  switch (type) {
    case "random": {
      if (pub !== void 0) throw publicUnexpected();
      return kcv(randomSecretBytes(material.secret, checkRandomOptions(options)));
    }
    case "ed25519":
    case "ecdsa-p256":
    case "rsa-3072":
    case "rsa-4096":
      return spkiFingerprint(
        pub !== void 0 ? pkixPublicDer(type, pub) : pkixPublicFromSecret(type, material.secret)
      );
    case "ssh-ed25519":
      return sshFingerprint(
        pub !== void 0 ? parseSshPublicLine(pub).publicKey : parseOpenSshPrivateKey(material.secret).publicKey
      );
    case "age-x25519":
      return pub !== void 0 ? checkRecipient(pub) : ageRecipientOf(material.secret);
  }
}
async function verifyMaterial(type, material, options) {
  try {
    return { ok: true, fingerprint: await check(type, material, options) };
  } catch (e) {
    if (e instanceof KeyMaterialError) return { ok: false, problem: e.problem, message: e.message };
    throw e;
  }
}
async function check(type, m, options) {
  if (type === "random") return fingerprintOf(type, m, options);
  if (options !== void 0)
    throw new KeyMaterialError("options-invalid", `options apply to random keys only, not ${type}`);
  if (m.public === void 0)
    throw new KeyMaterialError("public-missing", `${type} material needs its public part`);
  const pub = m.public;
  switch (type) {
    case "ed25519":
    case "ecdsa-p256":
    case "rsa-3072":
    case "rsa-4096": {
      const derived = pkixPublicFromSecret(type, m.secret);
      const stated = pkixPublicDer(type, pub);
      if (!derived.equals(stated)) throw mismatch(type);
      return spkiFingerprint(stated);
    }
    case "ssh-ed25519": {
      const derived = parseOpenSshPrivateKey(m.secret).publicKey;
      const stated = parseSshPublicLine(pub).publicKey;
      if (!Buffer.from(derived).equals(stated)) throw mismatch(type);
      return sshFingerprint(stated);
    }
    case "age-x25519": {
      const derived = await ageRecipientOf(m.secret);
      if (derived !== checkRecipient(pub)) throw mismatch(type);
      return derived;
    }
  }
}
var publicUnexpected = () => new KeyMaterialError("public-unexpected", "random keys have no public part");
var mismatch = (type) => new KeyMaterialError(
  "mismatch",
  `the public part is not the public key of the secret (${type}): they belong to different keys`
);

// src/crypto/keys/material.ts
var MATERIAL_MAX_BYTES = 64 * 1024;
var MAX_VERSION = 1e6;
var KEYS = ["id", "version", "secret", "public"];
function materialPlaintext(m) {
  if (!isKeyId(m.id)) throw new RangeError("material id is not a key id");
  if (!Number.isInteger(m.version) || m.version < 1 || m.version > MAX_VERSION)
    throw new RangeError(`material version must be an integer 1..${MAX_VERSION}`);
  if (m.secret.length === 0) throw new RangeError("material secret is empty");
  if (m.public !== void 0 && m.public.length === 0)
    throw new RangeError("material public part is empty; omit it instead");
  const lines = [
    `id: ${doubleQuoted(m.id)}`,
    `version: ${m.version}`,
    `secret: ${scalar(m.secret)}`
  ];
  if (m.public !== void 0) lines.push(`public: ${scalar(m.public)}`);
  return `${lines.join("\n")}
`;
}
var BLOCK_SAFE = /^[\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
function scalar(value) {
  if (value.includes("\n") && BLOCK_SAFE.test(value)) {
    const block = literalBlock(value);
    if (readsBack(block, value)) return block;
  }
  return doubleQuoted(value);
}
function literalBlock(value) {
  const trailing = /\n*$/.exec(value)[0].length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const indent = /^[ \n]/.test(value) ? "2" : "";
  const body = trailing === 0 ? value : value.slice(0, -1);
  const lines = body.split("\n").map((l) => l === "" ? "" : `  ${l}`);
  return `|${indent}${chomp}
${lines.join("\n")}`;
}
function readsBack(rendered, value) {
  const r = parseYaml("material", new TextEncoder().encode(`v: ${rendered}
`), {
    maxBytes: MATERIAL_MAX_BYTES + 16
  });
  return r.diagnostics.length === 0 && r.value?.v === value;
}
function doubleQuoted(value) {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (cp >= 32 && cp <= 126) out += ch;
    else if (ch === "\n") out += "\\n";
    else if (cp <= 65535) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}
function parseMaterialPlaintext(text, file = "material") {
  const parsed = parseYaml(file, new TextEncoder().encode(text), { maxBytes: MATERIAL_MAX_BYTES });
  const out = [...parsed.diagnostics];
  const value = parsed.value;
  if (value === void 0) throw new InvalidInputError(out);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new InvalidInputError([
      ...out,
      diagnostic("material/not-a-map", "material is a map of id, version, secret, public", {
        file,
        line: 1,
        column: 1
      })
    ]);
  const doc = value;
  const at = (key) => parsed.locate([key]);
  for (const key of Object.keys(doc))
    if (!KEYS.includes(key))
      out.push(
        diagnostic("material/unknown-key", `unknown key; material has ${KEYS.join(", ")}`, at(key))
      );
  const str = (key, required) => {
    const v = doc[key];
    if (v === void 0) {
      if (required)
        out.push(diagnostic("material/missing-key", `missing required key "${key}"`, at(key)));
      return void 0;
    }
    if (typeof v !== "string" || v.length === 0) {
      out.push(
        diagnostic("material/invalid-value", `"${key}" must be a non-empty string`, at(key))
      );
      return void 0;
    }
    return v;
  };
  const id = str("id", true);
  if (id !== void 0 && !isKeyId(id))
    out.push(
      diagnostic(
        "material/invalid-value",
        '"id" must be a key id (1-4 segments of [a-z0-9][a-z0-9-]* joined by "/")',
        at("id")
      )
    );
  const version = doc["version"];
  if (version === void 0)
    out.push(diagnostic("material/missing-key", 'missing required key "version"', at("version")));
  else if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > MAX_VERSION)
    out.push(
      diagnostic(
        "material/invalid-value",
        `"version" must be an integer 1..${MAX_VERSION}`,
        at("version")
      )
    );
  const secret = str("secret", true);
  const pub = str("public", false);
  if (out.length > 0 || id === void 0 || secret === void 0 || typeof version !== "number")
    throw new InvalidInputError(out);
  return pub === void 0 ? { id, version, secret } : { id, version, secret, public: pub };
}

// src/crypto/keys/generate.ts
async function generateKey(type, options, ssh = {}) {
  if (type !== "random" && options !== void 0)
    throw new KeyMaterialError("options-invalid", `options apply to random keys only, not ${type}`);
  if (type !== "ssh-ed25519" && ssh.comment !== void 0)
    throw new KeyMaterialError("options-invalid", `a comment applies to ssh-ed25519 keys only`);
  switch (type) {
    case "random": {
      const opts = checkRandomOptions(options);
      const secret = generateRandom(opts);
      return { secret, fingerprint: await fingerprintOf(type, { secret }, opts) };
    }
    case "ed25519":
    case "ecdsa-p256":
    case "rsa-3072":
    case "rsa-4096":
      return withFingerprint(type, await generatePkix(type));
    case "ssh-ed25519": {
      const comment = ssh.comment ?? DEFAULT_SSH_COMMENT;
      if (comment.length > 100 || !SSH_COMMENT_PATTERN.test(comment))
        throw new KeyMaterialError(
          "options-invalid",
          "an ssh comment is 1-100 printable ASCII characters, single spaces between words"
        );
      return withFingerprint(type, generateOpenSsh(comment));
    }
    case "age-x25519":
      return withFingerprint(type, await generateAge());
  }
}
async function withFingerprint(type, material) {
  return { ...material, fingerprint: await fingerprintOf(type, material) };
}

export {
  fingerprintOf,
  verifyMaterial,
  generateKey,
  materialPlaintext,
  parseMaterialPlaintext
};
