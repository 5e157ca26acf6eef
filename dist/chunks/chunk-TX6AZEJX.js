import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  buildHistoryIndex,
  isShallowRepository
} from "./chunk-LILU27SP.js";
import {
  external_exports,
  readTreeAtRef,
  resolveRef,
  wo
} from "./chunk-ARAMIKVA.js";

// src/adapters/git/commits.ts
var lines = (out) => out.split("\n").filter((l) => l !== "");
async function firstParentCommits(repoDir, commit) {
  return lines(
    await wo({ baseDir: repoDir }).raw([
      "rev-list",
      "--first-parent",
      "--reverse",
      "--end-of-options",
      commit
    ])
  );
}
async function readCheckout(repoDir) {
  if (await isShallowRepository(repoDir))
    throw new Error("the checkout is shallow; use actions/checkout with fetch-depth: 0");
  const sha = await resolveRef(repoDir, "HEAD");
  const [tree, history, firstParent] = await Promise.all([
    readTreeAtRef(repoDir, sha),
    buildHistoryIndex(repoDir, sha),
    firstParentCommits(repoDir, sha)
  ]);
  return { sha, tree, history, firstParent };
}

// src/core/targets/aws-secret.ts
import { createHash } from "node:crypto";
var AWS_CURRENT = "AWSCURRENT";
var AWS_PREVIOUS = "AWSPREVIOUS";
var AWS_PENDING = "AWSPENDING";
var STAGES = [AWS_CURRENT, AWS_PREVIOUS, AWS_PENDING];
function versionToken(keyId, version) {
  const h = createHash("sha256").update(`rekey aws-secret\0${keyId}\0${version}`).digest("hex");
  return `rekey-v${version}-${h.slice(0, 32)}`;
}
function desiredAwsSecret(key, t, target, live) {
  const problems = [];
  const newest = (state) => key.versions.filter((v) => v.state === state).sort((a, b) => b.version - a.version)[0];
  const want = (v) => {
    if (v === void 0) return null;
    const m = live.find((x) => x.version === v.version);
    if (m === void 0) {
      problems.push(`v${v.version} has no decrypted material`);
      return null;
    }
    return {
      version: v.version,
      fingerprint: v.fingerprint,
      token: versionToken(key.id, v.version),
      value: m.secret
    };
  };
  const stages = {
    [AWS_CURRENT]: want(newest("active")),
    [AWS_PREVIOUS]: want(newest("deactivated")),
    [AWS_PENDING]: want(newest("pre-activation"))
  };
  const unlabel = key.versions.filter((v) => v.state === "compromised" || v.state === "destroyed").map((v) => ({ version: v.version, token: versionToken(key.id, v.version) }));
  if (problems.length > 0) return { desired: null, problems };
  return {
    desired: {
      kind: "aws-secret",
      target,
      ref: { region: t.region, secretId: t["secret-id"] },
      stages,
      unlabel
    },
    problems
  };
}
function awsPreflightProblems(ref, seen) {
  const where = `${ref.secretId} (${ref.region})`;
  if (!seen.exists)
    return [`${where} does not exist: create it first (rekey writes versions, never secrets)`];
  const out = [];
  if (seen.deleted) out.push(`${where} is scheduled for deletion: restore it or change key.yaml`);
  if (seen.rotationEnabled)
    out.push(
      `${where} has rotation enabled: a rotation Lambda and rekey would overwrite each other`
    );
  return out;
}
function planAwsSecret(d, seen) {
  const problems = awsPreflightProblems(d.ref, seen);
  if (problems.length > 0) return { steps: [], problems, current: 0 };
  const sim = new Map([...seen.versions].map(([id, s]) => [id, new Set(s)]));
  const holder = (stage) => [...sim].find(([, s]) => s.has(stage))?.[0];
  const attach = (stage, to) => {
    for (const [id, s] of sim)
      if (id !== to && s.delete(stage) && stage === AWS_CURRENT) {
        for (const o of sim.values()) o.delete(AWS_PREVIOUS);
        s.add(AWS_PREVIOUS);
      }
    sim.get(to).add(stage);
  };
  const steps = [];
  const base = { target: d.target, ref: d.ref };
  let current = 0;
  const remove = (stage, from, reason) => {
    steps.push({ ...base, kind: "aws-move-stage", stage, from, reason });
    sim.get(from).delete(stage);
  };
  for (const stage of STAGES) {
    const want = d.stages[stage];
    const has = holder(stage);
    if (want === null) {
      if (has === void 0) current++;
      else if (stage === AWS_CURRENT)
        problems.push(
          `AWSCURRENT stays on ${has}: the key has no active version and AWS cannot remove AWSCURRENT, only move it`
        );
      else
        remove(
          stage,
          has,
          stage === AWS_PREVIOUS ? "no version is in grace" : "no version is pre-activation"
        );
      continue;
    }
    if (has === want.token) {
      current++;
      continue;
    }
    if (!sim.has(want.token)) {
      steps.push({
        ...base,
        kind: "aws-put-version",
        stage,
        version: want.version,
        fingerprint: want.fingerprint,
        token: want.token,
        value: want.value,
        reason: "absent"
      });
      sim.set(want.token, /* @__PURE__ */ new Set());
      attach(stage, want.token);
      continue;
    }
    steps.push({
      ...base,
      kind: "aws-move-stage",
      stage,
      to: { version: want.version, token: want.token },
      ...has === void 0 ? {} : { from: has },
      reason: has === void 0 ? "no version holds it" : `on ${has}`
    });
    attach(stage, want.token);
  }
  for (const u of d.unlabel)
    for (const stage of [...sim.get(u.token) ?? []].sort())
      if (stage === AWS_CURRENT)
        problems.push(
          `AWSCURRENT is on v${u.version} (${u.token}) and no active version can take it`
        );
      else remove(stage, u.token, `v${u.version} is compromised or destroyed`);
  return { steps, problems, current };
}
function describeAwsStep(s) {
  const where = `aws secret ${s.ref.secretId} (${s.ref.region})`;
  if (s.kind === "aws-put-version")
    return `put ${where} ${s.stage} <- v${s.version} ${s.fingerprint} as ${s.token}: ${s.reason}`;
  if (s.to !== void 0)
    return `move ${s.stage} of ${where} to v${s.to.version} (${s.to.token}): ${s.reason}`;
  return `remove ${s.stage} of ${where} from ${s.from ?? "?"}: ${s.reason}`;
}
async function applyAwsStep(s, port) {
  if (s.kind === "aws-put-version") return port.putVersion(s.ref, s.token, s.value, s.stage);
  return port.moveStage(s.ref, s.stage, {
    ...s.to === void 0 ? {} : { to: s.to.token },
    ...s.from === void 0 ? {} : { from: s.from }
  });
}

// src/core/targets/kinds/aws-secret.ts
var refId = (r) => `${r.region} ${r.secretId}`;
var seenOf = (d, o) => o.kinds?.["aws-secret"]?.get(refId(d.ref));
var portOf = (ports) => {
  const p = ports.kinds?.["aws-secret"];
  if (p === void 0) throw new Error("no AWS Secrets Manager port was configured for this run");
  return p;
};
var awsSecretKind = {
  kind: "aws-secret",
  steps: ["aws-put-version", "aws-move-stage"],
  where: (t) => `aws secret ${t["secret-id"]} (${t.region})`,
  desired(t, i, ctx) {
    const live = ctx.key.versions.flatMap((v) => {
      const m = ctx.material(v.version);
      return m === void 0 ? [] : [{ version: v.version, secret: m.secret }];
    });
    const { desired, problems } = desiredAwsSecret(ctx.key, t, i, live);
    for (const p of problems) ctx.problem(i, p);
    return desired;
  },
  async observe(d, ports, into) {
    const map = into.kinds["aws-secret"] ??= /* @__PURE__ */ new Map();
    const id = refId(d.ref);
    if (!map.has(id)) map.set(id, await portOf(ports).observe(d.ref));
  },
  async preflight(d, _ports, observed) {
    const seen = seenOf(d, observed);
    return seen === void 0 ? [`${refId(d.ref)} was not observed`] : awsPreflightProblems(d.ref, seen);
  },
  plan(d, observed) {
    const seen = seenOf(d, observed);
    if (seen === void 0)
      return { steps: [], current: 0, problems: [{ target: d.target, message: "not observed" }] };
    const p = planAwsSecret(d, seen);
    return {
      steps: p.steps,
      current: p.current,
      problems: p.problems.map((message) => ({ target: d.target, message }))
    };
  },
  async apply(step, ports) {
    return { detail: await applyAwsStep(step, portOf(ports)) };
  },
  describe: describeAwsStep,
  desiredLines: (d) => [AWS_CURRENT, AWS_PREVIOUS, AWS_PENDING].map((stage) => {
    const w = d.stages[stage];
    return w === null ? `nothing -> ${stage}` : `v${w.version} ${w.fingerprint} -> ${stage}`;
  }),
  observedLines: (d, o) => {
    const seen = seenOf(d, o);
    if (seen === void 0) return ["not observed"];
    if (!seen.exists) return [`${d.ref.secretId} absent`];
    const labelled = [...seen.versions].filter(([, s]) => s.length > 0);
    return [
      `${seen.versions.size} version(s), ${seen.versions.size - labelled.length} deprecated`,
      ...labelled.map(([id, s]) => `${id}: ${[...s].sort().join(", ")}`)
    ];
  },
  claims: (d) => [`aws secret ${refId(d.ref)}`]
};

// src/core/targets/jwk.ts
var JWK_TYPES = ["ed25519", "ecdsa-p256", "rsa-3072", "rsa-4096"];
var OID_ED25519 = "06032b6570";
var OID_EC_PUBLIC_KEY = "06072a8648ce3d0201";
var OID_P256 = "06082a8648ce3d030107";
var OID_RSA = "06092a864886f70d010101";
var JwkError = class extends Error {
  name = "JwkError";
};
function readTlv(der) {
  const tag = der[0];
  let len = der[1];
  if (tag === void 0 || len === void 0) throw new JwkError("truncated DER");
  let offset = 2;
  if (len & 128) {
    const n = len & 127;
    if (n === 0 || n > 3) throw new JwkError("unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[offset + i] ?? 0);
    offset += n;
  }
  if (offset + len > der.length) throw new JwkError("truncated DER");
  return {
    tag,
    whole: der.subarray(0, offset + len),
    content: der.subarray(offset, offset + len),
    rest: der.subarray(offset + len)
  };
}
function children(content) {
  const out = [];
  let rest = content;
  for (let i = 0; rest.length > 0 && i < 16; i++) {
    const t = readTlv(rest);
    out.push(t);
    rest = t.rest;
  }
  return out;
}
var hex = (b) => Buffer.from(b).toString("hex");
var b64url = (b) => Buffer.from(b).toString("base64url");
function pemToDer(pem) {
  const m = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/.exec(
    pem.trim() + "\n"
  );
  if (!m?.[1]) throw new JwkError("not a PUBLIC KEY PEM");
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}
function unsigned(b) {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
function publicJwk(type, spkiPem, kid) {
  const spki = readTlv(pemToDer(spkiPem));
  const [algorithm, bits] = children(spki.content);
  if (spki.tag !== 48 || algorithm?.tag !== 48 || bits?.tag !== 3 || bits.content[0] !== 0)
    throw new JwkError("not a SubjectPublicKeyInfo");
  const params = children(algorithm.content).map((c) => hex(c.whole));
  const key = bits.content.subarray(1);
  switch (type) {
    case "ed25519":
      if (params[0] !== OID_ED25519 || key.length !== 32)
        throw new JwkError("not an Ed25519 public key");
      return { kty: "OKP", crv: "Ed25519", x: b64url(key), kid, use: "sig", alg: "EdDSA" };
    case "ecdsa-p256":
      if (params[0] !== OID_EC_PUBLIC_KEY || params[1] !== OID_P256)
        throw new JwkError("not a P-256 public key");
      if (key.length !== 65 || key[0] !== 4)
        throw new JwkError("not an uncompressed P-256 point");
      return {
        kty: "EC",
        crv: "P-256",
        x: b64url(key.subarray(1, 33)),
        y: b64url(key.subarray(33)),
        kid,
        use: "sig",
        alg: "ES256"
      };
    case "rsa-3072":
    case "rsa-4096": {
      if (params[0] !== OID_RSA) throw new JwkError("not an RSA public key");
      const seq = readTlv(key);
      const [n, e] = children(seq.content);
      if (seq.tag !== 48 || n?.tag !== 2 || e?.tag !== 2)
        throw new JwkError("not an RSAPublicKey");
      return {
        kty: "RSA",
        n: b64url(unsigned(n.content)),
        e: b64url(unsigned(e.content)),
        kid,
        use: "sig"
      };
    }
    default:
      throw new JwkError(`${type} keys have no JWK form; jwks takes ${JWK_TYPES.join(", ")}`);
  }
}

// src/core/targets/secret-value.ts
var REDACTED = "[redacted]";
var encoder = new TextEncoder();
var decoder = new TextDecoder("utf-8", { fatal: true });
var SecretValue = class _SecretValue {
  #bytes;
  constructor(bytes) {
    this.#bytes = bytes;
  }
  static of(text) {
    return new _SecretValue(encoder.encode(text));
  }
  static fromBytes(bytes) {
    return new _SecretValue(Uint8Array.from(bytes));
  }
  /** The value as UTF-8 text (throws on bytes that are not UTF-8). */
  text() {
    return decoder.decode(this.#bytes);
  }
  /** A copy of the bytes. */
  bytes() {
    return Uint8Array.from(this.#bytes);
  }
  get length() {
    return this.#bytes.length;
  }
  /** Byte equality; the time taken depends on the length only, not on where they differ. */
  equals(other) {
    const a = this.#bytes;
    const b = other.#bytes;
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
    return diff === 0;
  }
  toJSON() {
    return REDACTED;
  }
  toString() {
    return REDACTED;
  }
  [/* @__PURE__ */ Symbol.for("nodejs.util.inspect.custom")]() {
    return REDACTED;
  }
  [Symbol.toPrimitive]() {
    return REDACTED;
  }
};

// src/core/targets/render.ts
var TargetRenderError = class extends Error {
  name = "TargetRenderError";
};
function defaultEntryName(keyId) {
  return keyId.toUpperCase().replace(/[/-]/g, "_");
}
var BARE = /^[A-Za-z0-9_./+=:@-]*$/;
function renderEnv(name, value) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new TargetRenderError(`env variable names are [A-Za-z_][A-Za-z0-9_]*; got ${name}`);
  if (BARE.test(value)) return `${name}=${value}
`;
  if (value.includes("'"))
    throw new TargetRenderError(
      `the value for ${name} contains a single quote; env cannot carry it`
    );
  return `${name}='${value}'
`;
}
function renderJson(name, value) {
  return `${JSON.stringify({ [name]: value }, null, 2)}
`;
}
function kubernetesName(keyId) {
  const name = keyId.replace(/\//g, ".");
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name))
    throw new TargetRenderError(`${keyId} does not map onto a Kubernetes object name`);
  return name;
}
function renderKubernetesSecret(keyId, dataKey, value) {
  if (!/^[-._a-zA-Z0-9]+$/.test(dataKey))
    throw new TargetRenderError(`Kubernetes data keys are [-._a-zA-Z0-9]+; got ${dataKey}`);
  const data = Buffer.from(value, "utf8").toString("base64");
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${kubernetesName(keyId)}`,
    "  annotations:",
    `    rekey.dev/key: ${JSON.stringify(keyId)}`,
    "type: Opaque",
    "data:",
    `  ${dataKey}: ${data}`,
    ""
  ].join("\n");
}
function renderJwks(type, entries) {
  if (!JWK_TYPES.includes(type))
    throw new TargetRenderError(`jwks needs an ${JWK_TYPES.join(", ")} key, not ${type}`);
  const keys = [...entries].sort((a, b) => b.version - a.version).map((e) => publicJwk(type, e.public, e.fingerprint));
  return `${JSON.stringify({ keys }, null, 2)}
`;
}
function renderFile(input) {
  const { key, format } = input;
  if (format === "jwks") return SecretValue.of(renderJwks(key.type, input.publish));
  if (input.active === void 0) return null;
  const name = input.name ?? defaultEntryName(key.id);
  const value = input.active.text();
  switch (format) {
    case "raw":
      return input.active;
    case "env":
      return SecretValue.of(renderEnv(name, value));
    case "json":
      return SecretValue.of(renderJson(name, value));
    case "kubernetes-secret":
      return SecretValue.of(renderKubernetesSecret(key.id, name, value));
  }
}

// src/core/targets/kinds/file.ts
var fileKind = {
  kind: "file",
  steps: ["write-file", "delete-file"],
  where: (t) => `file ${t.path} (${t.format})`,
  desired(t, i, ctx) {
    const publish = t.format === "jwks" ? ctx.byState("pre-activation", "active", "deactivated").flatMap((v) => {
      const p = ctx.publicOf(i, v.version);
      return p === void 0 ? [] : [{ version: v.version, fingerprint: v.fingerprint, public: p }];
    }) : [];
    const value = t.format === "jwks" ? null : ctx.slotValue(i, ctx.byState("active")[0]);
    if (value === void 0) return null;
    try {
      const content = renderFile({
        key: ctx.key,
        format: t.format,
        name: t.name,
        active: value?.value,
        publish
      });
      return {
        kind: "file",
        target: i,
        path: t.path,
        format: t.format,
        content,
        versions: t.format === "jwks" ? publish.map((p) => p.version) : value ? [value.version] : []
      };
    } catch (e) {
      if (!(e instanceof TargetRenderError || e instanceof JwkError)) throw e;
      ctx.problem(i, `${t.path}: ${e.message}`);
      return null;
    }
  },
  async observe(d, ports, into) {
    if (!into.files.has(d.path)) into.files.set(d.path, await ports.files.readFile(d.path));
  },
  plan(d, observed) {
    const now = observed.files.get(d.path) ?? null;
    const target = d.target;
    if (d.content === null)
      return now === null ? { steps: [], current: 1, problems: [] } : {
        steps: [
          {
            kind: "delete-file",
            target,
            path: d.path,
            reason: "the key has no active version"
          }
        ],
        current: 0,
        problems: []
      };
    if (now !== null && now.equals(d.content)) return { steps: [], current: 1, problems: [] };
    return {
      steps: [
        {
          kind: "write-file",
          target,
          path: d.path,
          format: d.format,
          versions: d.versions,
          content: d.content,
          reason: now === null ? "absent" : "content differs"
        }
      ],
      current: 0,
      problems: []
    };
  },
  async apply(step, ports) {
    if (step.kind === "delete-file") return { detail: await ports.files.deleteFile(step.path) };
    await ports.files.writeFile(step.path, step.content);
    return { detail: "written" };
  },
  describe: (s) => s.kind === "write-file" ? `write ${s.path} (${[s.format, ...s.versions.map((v) => `v${v}`)].join(", ")}): ${s.reason}` : `delete ${s.path}: ${s.reason}`,
  desiredLines: (d) => d.content === null ? [`nothing -> ${d.path}`] : [`${d.versions.map((v) => `v${v}`).join(", ")} -> ${d.path}`],
  observedLines: (d, o) => [`${d.path} ${o.files.get(d.path) ? "present" : "absent"}`],
  claims: (d) => [`file ${d.path}`]
};

// src/core/targets/kinds/github-deploy-key.ts
function deployKeyTitle(title, keyId, version) {
  return `${title} (rekey ${keyId} v${version})`;
}
function managedDeployKeyVersion(title, keyId) {
  const suffix = ` (rekey ${keyId} v`;
  const at = title.lastIndexOf(suffix);
  if (at < 0) return null;
  const m = /^(\d{1,7})\)$/.exec(title.slice(at + suffix.length));
  return m?.[1] === void 0 ? null : Number(m[1]);
}
function sshKeyMaterial(line) {
  const [type, b64] = line.trim().split(/\s+/);
  if (!type || !b64 || !/^[a-z0-9@.-]+$/.test(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    return null;
  return `${type} ${b64}`;
}
var githubDeployKeyKind = {
  kind: "github-deploy-key",
  steps: ["add-deploy-key", "delete-deploy-key"],
  where: (t) => `deploy keys of ${t.repository}`,
  desired(t, i, ctx) {
    if (ctx.key.type !== "ssh-ed25519") {
      ctx.problem(i, `deploy keys need an ssh-ed25519 key, not ${ctx.key.type}`);
      return null;
    }
    const keys = [];
    for (const v of ctx.byState("active", "deactivated")) {
      const line = ctx.publicOf(i, v.version);
      const k = line === void 0 ? null : sshKeyMaterial(line);
      if (line !== void 0 && k === null)
        ctx.problem(i, `v${v.version}'s public part is not an OpenSSH key`);
      if (k !== null)
        keys.push({
          version: v.version,
          fingerprint: v.fingerprint,
          title: deployKeyTitle(t.title, ctx.key.id, v.version),
          key: k
        });
    }
    const compromised = ctx.byState("compromised").flatMap((v) => {
      const k = sshKeyMaterial(ctx.material(v.version)?.public ?? "");
      return k === null ? [] : [{ version: v.version, key: k }];
    });
    return {
      kind: "github-deploy-key",
      target: i,
      repository: t.repository,
      readOnly: t["read-only"],
      keys,
      compromised
    };
  },
  async observe(d, ports, into) {
    const repo = d.repository.toLowerCase();
    if (!into.deployKeys.has(repo))
      into.deployKeys.set(repo, await ports.deployKeys.listDeployKeys(d.repository));
  },
  plan(d, observed, { key }) {
    const steps = [];
    const problems = [];
    let current = 0;
    const target = d.target;
    const stateOf = (version) => key.versions.find((v) => v.version === version)?.state;
    const seen = observed.deployKeys.get(d.repository.toLowerCase()) ?? [];
    const wanted = new Map(d.keys.map((k) => [k.key, k]));
    const keep = /* @__PURE__ */ new Set();
    for (const o of seen) {
      const material = sshKeyMaterial(o.key);
      const version = managedDeployKeyVersion(o.title, key.id);
      if (version === null) {
        if (material !== null && wanted.has(material)) keep.add(material);
        const bad = d.compromised.find((c) => c.key === material);
        if (bad !== void 0)
          problems.push({
            target,
            message: `deploy key ${o.id} ("${o.title}") on ${d.repository} carries compromised v${bad.version}; rekey did not add it and will not delete it: remove it by hand`
          });
        continue;
      }
      const want = material === null ? void 0 : wanted.get(material);
      if (want !== void 0 && o.readOnly === d.readOnly && !keep.has(want.key)) {
        keep.add(want.key);
        current++;
        continue;
      }
      const state = stateOf(version);
      steps.push({
        kind: "delete-deploy-key",
        target,
        repository: d.repository,
        id: o.id,
        title: o.title,
        reason: want !== void 0 ? keep.has(want.key) ? "duplicate" : `read-only should be ${d.readOnly}` : state === void 0 ? `v${version} is not in key.yaml` : d.keys.some((k) => k.version === version) ? `not v${version}'s key material` : `v${version} is ${state}`
      });
    }
    for (const k of d.keys)
      if (!keep.has(k.key))
        steps.push({
          kind: "add-deploy-key",
          target,
          repository: d.repository,
          title: k.title,
          key: k.key,
          readOnly: d.readOnly,
          version: k.version,
          fingerprint: k.fingerprint,
          reason: "absent"
        });
    return { steps, current, problems };
  },
  async apply(step, ports, { key }) {
    if (step.kind === "delete-deploy-key")
      return { detail: await ports.deployKeys.deleteDeployKey(step.repository, step.id) };
    const added = await ports.deployKeys.addDeployKey(step.repository, {
      title: step.title,
      key: step.key,
      readOnly: step.readOnly
    });
    return {
      detail: "created",
      receipt: {
        kind: "github-deploy-key",
        repository: step.repository.toLowerCase(),
        key,
        version: step.version,
        id: added.id,
        title: added.title
      }
    };
  },
  describe: (s) => s.kind === "add-deploy-key" ? `add deploy key "${s.title}" to ${s.repository} (${s.fingerprint}${s.readOnly ? ", read-only" : ", read-write"})` : `delete deploy key ${s.id} "${s.title}" from ${s.repository}: ${s.reason}`,
  desiredLines: (d) => d.keys.map((k) => `v${k.version} ${k.fingerprint} -> "${k.title}"`),
  observedLines(d, o, keyId) {
    const keys = o.deployKeys.get(d.repository.toLowerCase()) ?? [];
    const mine = keys.filter((k) => managedDeployKeyVersion(k.title, keyId) !== null);
    return [
      `${keys.length} deploy key(s), ${mine.length} of this key's: ${mine.map((k) => `"${k.title}"`).join(", ") || "none"}`
    ];
  }
};

// src/core/ports/targets.ts
function scopeId(scope) {
  switch (scope.kind) {
    case "repository":
      return `${scope.app}:repo:${scope.repository.toLowerCase()}`;
    case "environment":
      return `${scope.app}:env:${scope.repository.toLowerCase()}:${scope.environment}`;
    case "organization":
      return `${scope.app}:org:${scope.organization.toLowerCase()}`;
  }
}

// src/core/targets/receipt.ts
var isSecretReceipt = (r) => r.kind !== "github-deploy-key";

// src/core/targets/kinds/github-secret.ts
function secretScopeOf(t) {
  if (t.organization !== void 0)
    return { kind: "organization", app: t.app, organization: t.organization };
  const repository = t.repository ?? "";
  if (t.environment !== void 0)
    return { kind: "environment", app: "actions", repository, environment: t.environment };
  return { kind: "repository", app: t.app, repository };
}
var selectedKey = (scope, name) => `${scopeId(scope)} ${name.toUpperCase()}`;
var sameSet = (a, b) => {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
};
function secretWriteReason(scope, name, fingerprint, org, seen, listed, receipts, selected) {
  if (seen === void 0 && listed) return "absent";
  const id = scopeId(scope);
  const receipt = receipts.find(
    (r) => isSecretReceipt(r) && r.scope === id && r.name.toUpperCase() === name.toUpperCase()
  );
  if (receipt === void 0) return "no record of a rekey write";
  if (receipt.fingerprint !== fingerprint) return `holds ${receipt.fingerprint}`;
  if (seen === void 0) return "not listed";
  if (Date.parse(receipt.updatedAt) !== Date.parse(seen.updatedAt))
    return "written by someone else since rekey wrote it";
  if (org !== void 0 && scope.kind === "organization") {
    if ((seen.visibility ?? "private") !== org.visibility)
      return `visibility is ${seen.visibility}`;
    if (org.visibility === "selected") {
      const now = selected.get(selectedKey(scope, name));
      if (now === void 0 || !sameSet(now, org.selectedRepositories ?? []))
        return "selected repositories differ";
    }
  }
  return null;
}
var findSecret = (list, name) => list.find((s) => s.name.toUpperCase() === name.toUpperCase());
var githubSecretKind = {
  kind: "github-secret",
  steps: ["put-secret", "delete-secret"],
  where: (t) => `${scopeId(secretScopeOf(t))} ${[t.name, ...t.previous ? [t.previous] : []].join(", ")}`,
  desired(t, i, ctx) {
    const slots = [];
    const active = ctx.byState("active")[0];
    const current = ctx.slotValue(i, active);
    if (current !== void 0) slots.push({ slot: "name", name: t.name, want: current });
    if (t.previous !== void 0) {
      const prev = ctx.slotValue(i, ctx.byState("deactivated")[0]);
      if (prev !== void 0) slots.push({ slot: "previous", name: t.previous, want: prev });
    }
    return {
      kind: "github-secret",
      target: i,
      scope: secretScopeOf(t),
      // GitHub needs a visibility on every organization secret write; key.yaml's default
      // is the narrowest one, and it is enforced like an explicit one.
      ...t.organization === void 0 ? {} : {
        org: {
          visibility: t.visibility ?? "private",
          ...t["selected-repositories"] === void 0 ? {} : { selectedRepositories: t["selected-repositories"] }
        }
      },
      slots
    };
  },
  async observe(d, ports, into) {
    const id = scopeId(d.scope);
    let list = into.secrets.get(id);
    if (list === void 0) {
      list = await ports.secrets.listSecrets(d.scope);
      into.secrets.set(id, list);
    }
    if (d.org?.visibility === "selected")
      for (const slot of d.slots) {
        const seen = findSecret(list, slot.name);
        const k = selectedKey(d.scope, slot.name);
        if (seen?.visibility === "selected" && !into.selected.has(k))
          into.selected.set(k, await ports.secrets.selectedRepositories(d.scope, slot.name));
      }
  },
  plan(d, observed, { receipts }) {
    const steps = [];
    let current = 0;
    const listed = observed.secrets.get(scopeId(d.scope));
    const seenAll = listed ?? [];
    for (const slot of [
      ...d.slots.filter((x) => x.slot === "previous"),
      ...d.slots.filter((x) => x.slot === "name")
    ]) {
      const s = findSecret(seenAll, slot.name);
      if (slot.want === null) {
        if (s === void 0 && listed !== void 0) current++;
        else
          steps.push({
            kind: "delete-secret",
            target: d.target,
            scope: d.scope,
            name: slot.name,
            slot: slot.slot,
            reason: slot.slot === "name" ? "the key has no active version" : "no version is in grace"
          });
        continue;
      }
      const { version, fingerprint, value } = slot.want;
      const why = secretWriteReason(
        d.scope,
        slot.name,
        fingerprint,
        d.org,
        s,
        listed !== void 0,
        receipts,
        observed.selected
      );
      if (why === null) current++;
      else
        steps.push({
          kind: "put-secret",
          target: d.target,
          scope: d.scope,
          name: slot.name,
          slot: slot.slot,
          version,
          fingerprint,
          ...d.org === void 0 ? {} : { org: d.org },
          value,
          reason: why
        });
    }
    return { steps, current, problems: [] };
  },
  async apply(step, ports, { key }) {
    if (step.kind === "delete-secret")
      return { detail: await ports.secrets.deleteSecret(step.scope, step.name) };
    const r = await ports.secrets.putSecret(step.scope, step.name, step.value, step.org);
    return {
      detail: r.result,
      receipt: {
        kind: "github-secret",
        scope: scopeId(step.scope),
        name: step.name,
        fingerprint: step.fingerprint,
        updatedAt: r.updatedAt,
        key,
        version: step.version
      }
    };
  },
  describe: (s) => s.kind === "put-secret" ? `put secret ${s.name} (${scopeId(s.scope)}) <- v${s.version} ${s.fingerprint}: ${s.reason}` : `delete secret ${s.name} (${scopeId(s.scope)}): ${s.reason}`,
  desiredLines: (d) => d.slots.map(
    (s) => s.want === null ? `nothing -> ${s.name}` : `v${s.want.version} ${s.want.fingerprint} -> ${s.name}`
  ),
  observedLines(d, o) {
    const list = o.secrets.get(scopeId(d.scope));
    return d.slots.map((s) => {
      if (list === void 0) return `${s.name} not listed (no receipt to check there)`;
      const seen = findSecret(list, s.name);
      return seen === void 0 ? `${s.name} absent` : `${s.name} updated ${seen.updatedAt}${seen.visibility ? ` (${seen.visibility})` : ""}`;
    });
  },
  claims: (d) => d.slots.map((s) => `secret ${s.name.toUpperCase()} (${scopeId(d.scope)})`)
};

// src/core/targets/kinds/postgres-role.ts
var PostgresTargetError = class extends Error {
  name = "PostgresTargetError";
};
var roleMarker = (keyId, version, fingerprint) => `rekey ${keyId} v${version} ${fingerprint}`;
var roleOfVersion = (roles, version) => roles[(version - 1) % roles.length];
var PRINTABLE = /^[\x21-\x7e]+$/;
function portOf2(ports) {
  const port = ports.kinds?.["postgres-role"];
  if (port === void 0)
    throw new PostgresTargetError(
      "no postgres-role adapter: distribution was started without one (see docs/targets.md)"
    );
  return port;
}
var serverOf = (o, connection) => o?.get(connection);
var postgresRoleKind = {
  kind: "postgres-role",
  steps: ["set-role-password", "disable-role"],
  where: (t) => `postgres roles ${t.roles.join(", ")} (${t.connection})`,
  desired(t, i, ctx) {
    if (ctx.key.type !== "random") {
      ctx.problem(i, `postgres-role targets need a random key, not ${ctx.key.type}`);
      return null;
    }
    const holders = /* @__PURE__ */ new Map();
    let ok = true;
    for (const v of ctx.byState("active", "deactivated")) {
      const role = roleOfVersion(t.roles, v.version);
      if (holders.has(role)) continue;
      const value = ctx.slotValue(i, v);
      if (value === void 0 || value === null) {
        ok = false;
        continue;
      }
      if (!PRINTABLE.test(value.value.text())) {
        ctx.problem(i, `v${v.version}'s secret is not printable ASCII; use a random key`);
        ok = false;
        continue;
      }
      holders.set(role, {
        version: v.version,
        fingerprint: v.fingerprint,
        state: v.state === "active" ? "active" : "deactivated",
        value: value.value
      });
    }
    if (!ok) return null;
    const compromised = ctx.byState("compromised");
    return {
      kind: "postgres-role",
      target: i,
      connection: t.connection,
      strategy: t.strategy,
      roles: t.roles.map((role) => ({
        role,
        want: holders.get(role) ?? null,
        compromised: compromised.filter((v) => roleOfVersion(t.roles, v.version) === role).map((v) => v.version)
      }))
    };
  },
  async observe(d, ports, into) {
    const port = portOf2(ports);
    const seen = await port.inspect(
      d.connection,
      d.roles.map((r) => r.role)
    );
    const roles = /* @__PURE__ */ new Map();
    for (const r of d.roles) {
      const s = seen.roles.find((x) => x.role === r.role) ?? {
        role: r.role,
        exists: false,
        canLogin: false,
        superuser: false,
        sessions: 0,
        marker: null
      };
      const login = r.want !== null && s.exists && s.canLogin ? await port.login(d.connection, r.role, r.want.value) : null;
      roles.set(r.role, { ...s, login });
    }
    const all = new Map(into.kinds["postgres-role"] ?? []);
    const before = all.get(d.connection);
    all.set(d.connection, {
      admin: seen.admin,
      roles: new Map([...before?.roles ?? [], ...roles])
    });
    into.kinds["postgres-role"] = all;
  },
  async preflight(d, ports, observed) {
    const port = portOf2(ports);
    const server = serverOf(observed.kinds?.["postgres-role"], d.connection);
    if (server === void 0) return [`${d.connection} was not observed`];
    const where = port.where(d.connection);
    const problems = [];
    const { admin } = server;
    if (!admin.superuser && !admin.createRole)
      problems.push(`the admin role ${admin.user} on ${where} has no CREATEROLE`);
    if (!admin.superuser && !admin.signalBackend)
      problems.push(
        `the admin role ${admin.user} on ${where} is not a member of pg_signal_backend (needed to end a compromised role's sessions)`
      );
    for (const r of d.roles) {
      const s = server.roles.get(r.role);
      if (s === void 0 || !s.exists)
        problems.push(`role ${r.role} does not exist on ${where}; create it (rekey does not)`);
      else if (s.superuser)
        problems.push(`role ${r.role} on ${where} is a superuser; rekey manages login roles only`);
      if (r.role === admin.user)
        problems.push(`role ${r.role} is the admin role itself; use another admin`);
    }
    return problems;
  },
  plan(d, observed, { key }) {
    const steps = [];
    const problems = [];
    let current = 0;
    const server = serverOf(observed.kinds?.["postgres-role"], d.connection);
    for (const r of d.roles) {
      const s = server?.roles.get(r.role);
      if (s === void 0 || !s.exists) {
        problems.push({ target: d.target, message: `role ${r.role} was not observed` });
        continue;
      }
      const base = { target: d.target, connection: d.connection, role: r.role };
      const terminate = r.compromised.length > 0;
      if (r.want === null) {
        if (!s.canLogin && (!terminate || s.sessions === 0)) current++;
        else
          steps.push({
            kind: "disable-role",
            ...base,
            terminate,
            reason: terminate ? `held compromised v${r.compromised.join(", v")}` : "no active or deactivated version belongs to it"
          });
        continue;
      }
      const { version, fingerprint, value } = r.want;
      const marked = s.marker === roleMarker(key.id, version, fingerprint);
      const login = s.login;
      if (login?.result === "accepted" && marked) {
        current++;
        continue;
      }
      if (login?.result === "failed") {
        problems.push({ target: d.target, message: `login as ${r.role}: ${login.error}` });
        continue;
      }
      steps.push({
        kind: "set-role-password",
        ...base,
        version,
        fingerprint,
        value,
        terminate,
        reason: !s.canLogin ? "cannot log in" : login?.result === "accepted" ? "the change was not completed (no marker)" : login?.result === "refused" ? `login refused (${login.code})` : "not tried"
      });
    }
    return { steps, current, problems };
  },
  async apply(step, ports, { key }) {
    const port = portOf2(ports);
    const { connection, role } = step;
    if (step.kind === "disable-role") {
      await port.disable(connection, role);
      const n2 = step.terminate ? await port.terminate(connection, role) : 0;
      return { detail: `disabled${step.terminate ? `, ${n2} session(s) terminated` : ""}` };
    }
    await port.setPassword(connection, role, step.value);
    const n = step.terminate ? await port.terminate(connection, role) : 0;
    const login = await port.login(connection, role, step.value);
    if (login.result !== "accepted")
      throw new PostgresTargetError(
        `login test as ${role} with v${step.version} ${login.result === "refused" ? `refused (${login.code})` : `failed: ${login.error}`}`
      );
    await port.mark(connection, role, roleMarker(key, step.version, step.fingerprint));
    return {
      detail: `set, login verified${step.terminate ? `, ${n} session(s) terminated` : ""}`
    };
  },
  describe: (s) => s.kind === "set-role-password" ? `set password of role ${s.role} (${s.connection}) <- v${s.version} ${s.fingerprint}, then log in${s.terminate ? ", ending its sessions" : ""}: ${s.reason}` : `disable role ${s.role} (${s.connection}): NOLOGIN, no password${s.terminate ? ", sessions ended" : ""}: ${s.reason}`,
  desiredLines: (d) => d.roles.map(
    (r) => r.want === null ? `nothing (NOLOGIN) -> ${r.role}` : `v${r.want.version} ${r.want.fingerprint} (${r.want.state}) -> ${r.role}`
  ),
  observedLines(d, o) {
    const server = serverOf(o.kinds?.["postgres-role"], d.connection);
    return d.roles.map((r) => {
      const s = server?.roles.get(r.role);
      if (s === void 0 || !s.exists) return `${r.role} absent`;
      const login = s.login === null ? "login not tried" : `login ${s.login.result}`;
      return `${r.role} ${s.canLogin ? "LOGIN" : "NOLOGIN"}, ${s.sessions} session(s), ${login}, marker ${s.marker ?? "none"}`;
    });
  },
  claims: (d) => d.roles.map((r) => `postgres role ${r.role} (${d.connection})`),
  async probe(d, ports) {
    const port = portOf2(ports);
    const out = [];
    for (const r of d.roles) {
      if (r.want === null) continue;
      const login = await port.login(d.connection, r.role, r.want.value);
      out.push({
        target: d.target,
        version: r.want.version,
        fingerprint: r.want.fingerprint,
        probe: `login as ${r.role} (${port.where(d.connection)})`,
        outcome: login.result === "accepted" ? "confirmed" : login.result === "refused" ? "refuted" : "failed",
        ...login.result === "refused" ? { detail: `refused (${login.code})` } : login.result === "failed" ? { detail: login.error } : {}
      });
    }
    return out;
  },
  removed: (t, why, head) => head.some(
    (h) => h.targets.some(
      (x) => x.kind === "postgres-role" && x.connection === t.connection && x.roles.some((r) => t.roles.includes(r))
    )
  ) ? null : `postgres roles ${t.roles.join(", ")} (${t.connection}): ${why}; distribution stops managing them and leaves their passwords as they are: disable them by hand if nothing uses them`
};

// src/core/targets/registry.ts
var TARGET_KINDS = {
  "github-secret": githubSecretKind,
  "github-deploy-key": githubDeployKeyKind,
  file: fileKind,
  "aws-secret": awsSecretKind,
  "postgres-role": postgresRoleKind
};
var byStep = /* @__PURE__ */ new Map();
for (const k of Object.values(TARGET_KINDS))
  for (const s of k.steps) {
    if (byStep.has(s)) throw new Error(`step kind ${s} belongs to two target kinds`);
    byStep.set(s, k);
  }
function targetKind(name) {
  return TARGET_KINDS[name];
}
function stepKind(step) {
  const k = byStep.get(step.kind);
  if (k === void 0) throw new Error(`no target kind makes ${step.kind} steps`);
  return k;
}

// src/core/pull-body.ts
var MARKER_VERSION = "v1";
var pullMarker = external_exports.strictObject({
  action: external_exports.enum(["rotate", "promote", "revoke", "emergency"]),
  key: external_exports.string().max(100),
  versions: external_exports.array(external_exports.int().min(1)).min(1).max(1e3)
});
function inert(text, max = 500) {
  const one = text.replace(/\s+/g, " ").trim();
  const cut = one.length > max ? `${one.slice(0, max)}\u2026` : one;
  return cut.replace(/[\\`*_{}[\]()#+!|<>~&-]/g, (c) => `\\${c}`).replace(/@/g, "@\u200B");
}
var code = (s) => `\`${s.replace(/`/g, "")}\``;
function describeTarget(t) {
  switch (t.kind) {
    case "github-secret": {
      const where = t.organization ? `organization ${code(t.organization)}${t.visibility ? ` (${t.visibility})` : ""}` : `${code(t.repository)}${t.environment ? `, environment ${code(t.environment)}` : ""}`;
      const app = t.app === "dependabot" ? "Dependabot" : "Actions";
      return `${app} secret ${code(t.name)} in ${where}${t.previous ? `; previous version to ${code(t.previous)}` : ""}`;
    }
    case "github-deploy-key":
      return `deploy key ${code(t.title)} on ${code(t.repository)} (${t["read-only"] ? "read-only" : "read-write"})`;
    case "file":
      return `file ${code(t.path)} (${t.format})`;
    default:
      return code(targetKind(t.kind).where(t));
  }
}
var TITLES = {
  rotate: (id, v) => `rekey: rotate ${id} to ${v}`,
  promote: (id, v) => `rekey: promote ${id} ${v} to active`,
  revoke: (id, v) => `rekey: revoke ${id} ${v}`,
  emergency: (id, v) => `rekey: EMERGENCY rotation of ${id} to ${v}`
};
function afterMerge(p) {
  const { policy } = p;
  const grace = `the policy's grace period (${policy.grace})`;
  switch (p.action) {
    case "rotate":
      return p.moves.some((m) => m.to === "pre-activation") ? [
        `Distribution publishes v${p.version} (pre-activation) to every target that takes a public part; nothing signs with it yet.`,
        `After the prepublish period (${policy.prepublish}) and proven distribution, a promotion PR makes it active.`
      ] : [
        `Distribution puts v${p.version} on every target and records the commit status \`rekey/distribution\` on the merge commit.`,
        `The previous version stays on \`previous\` targets for ${grace} after that, then a revocation PR destroys it.`
      ];
    case "promote":
      return [
        `Distribution moves v${p.version} to every target's active slot and the previous version to \`previous\`.`,
        `The previous version is destroyed by a revocation PR after ${grace}.`
      ];
    case "revoke":
      return [
        "Distribution removes the destroyed versions from every target; their material files are deleted in this PR."
      ];
    case "emergency":
      return [
        `Distribution puts v${p.version} on every target at once; a compromised version is removed from every target immediately.`,
        "A compromised version needs no grace period: the revocation PR can follow as soon as distribution is proven."
      ];
  }
}
function renderPull(p) {
  const id = p.key.id;
  const versions = p.moves.map((m) => m.version);
  const title = TITLES[p.action](
    id,
    p.action === "revoke" ? versions.map((v) => `v${v}`).join(", ") : `v${p.version}`
  );
  const rows = p.moves.map(
    (m) => `| v${m.version} | ${m.from ?? "new"} \u2192 ${m.to} | ${code(p.fingerprints.get(m.version) ?? "unknown")} |`
  );
  const reviewers = p.action === "emergency" && p.policy.emergency ? p.policy.emergency : p.policy;
  const lines2 = [
    `## ${title.replace(/^rekey: /, "")}`,
    "",
    `${inert(p.key.description)} (owner ${code(p.key.owner)}, policy ${code(p.policy.name)}, type ${code(p.key.type)})`,
    "",
    `**Why:** ${inert(p.reason)}`,
    ...p.incident !== void 0 ? ["", `**Incident reported by the operator:** ${inert(p.incident)}`] : [],
    "",
    "| version | change | fingerprint |",
    "|---|---|---|",
    ...rows,
    "",
    "**Targets:**",
    ...p.key.targets.length > 0 ? p.key.targets.map((t) => `- ${describeTarget(t)}`) : ["- none configured"],
    "",
    "**What merging does:**",
    ...afterMerge(p).map((l) => `- ${l}`),
    ...p.evidence && p.evidence.length > 0 ? ["", "**Revocation gate:**", ...p.evidence.map((e) => `- ${inert(e)}`)] : [],
    "",
    "**Review:**",
    `- ${reviewers.approvals} approval${reviewers.approvals === 1 ? "" : "s"} required, not by the author and not by a bot.`,
    "- The material is encrypted to the recipients in `.sops.yaml` on the default branch; the `rekey/verify` check enforces it and the lifecycle rules.",
    "- A fingerprint can be recomputed from the decrypted material by the distribution job (see docs/key-types.md); no reviewer needs the secret.",
    "",
    renderMarker({ action: p.action, key: id, versions })
  ];
  const labels = [
    "rekey",
    p.action === "revoke" ? "rekey:revocation" : p.action === "emergency" ? "rekey:emergency" : "rekey:rotation"
  ];
  return { title, body: `${lines2.join("\n")}
`, labels };
}
function renderMarker(m) {
  const json = JSON.stringify(pullMarker.parse(m)).replace(
    /[<>-]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
  return `<!-- rekey:${MARKER_VERSION} ${json} -->`;
}
function parseMarker(body) {
  const m = /<!-- rekey:v1 (\{[^\n]*?\}) -->/.exec(body);
  if (!m) return void 0;
  try {
    const parsed = pullMarker.safeParse(JSON.parse(m[1]));
    return parsed.success ? parsed.data : void 0;
  } catch {
    return void 0;
  }
}

// src/core/rekey-pulls.ts
var REKEY_LABEL = "rekey";
function isPullAuthor(login, authors) {
  const l = login.toLowerCase();
  return login !== "" && authors.some((a) => a.toLowerCase() === l);
}
function claimReasons(p, marker, policy) {
  const reasons = [];
  if (!marker) reasons.push("its rekey marker is not well formed");
  if (policy.authors !== void 0 && !isPullAuthor(p.author, policy.authors))
    reasons.push(`author ${p.author || "unknown"} is not in pipeline.yaml pull-authors`);
  if (p.headRepo === null || p.headRepo.toLowerCase() !== p.baseRepo.toLowerCase())
    reasons.push(`its head branch is in ${p.headRepo ?? "a deleted fork"}, not in ${p.baseRepo}`);
  if (marker && p.headRef !== `rekey/${marker.action}/${marker.key}`)
    reasons.push(
      `its head branch ${p.headRef} is not rekey/${marker.action}/${marker.key}, the branch its marker names`
    );
  if (!p.labels.includes(REKEY_LABEL)) reasons.push(`it has no \`${REKEY_LABEL}\` label`);
  return reasons;
}
function recognisePulls(pulls, policy) {
  const rekey = [];
  const claiming = [];
  for (const p of pulls) {
    const marker = parseMarker(p.body);
    const reasons = claimReasons(p, marker, policy);
    if (reasons.length === 0 && marker)
      rekey.push({ number: p.number, url: p.url, keyId: marker.key, kind: marker.action });
    else
      claiming.push({
        number: p.number,
        url: p.url,
        author: p.author,
        ...marker ? { keyId: marker.key } : {},
        reasons
      });
  }
  return { rekey, claiming };
}

// src/commands/distribution-evidence.ts
var DISTRIBUTION_CONTEXT = "rekey/distribution";
var DEFAULT_MAX_STATUS_CALLS = 20;
async function readDistributionEvidence(input) {
  const counts = countingStatus(input.trusted);
  const shas = input.firstParent;
  const counter = input.counter ?? { calls: 0 };
  const position = new Map(shas.map((s, i) => [s, i]));
  const pending = /* @__PURE__ */ new Map();
  for (const [subject, sha] of input.since) {
    const at = position.get(sha);
    if (at !== void 0) pending.set(subject, at);
  }
  const records = shas.map((sha) => ({ sha }));
  const provenAt = /* @__PURE__ */ new Map();
  let bounded = false;
  const start = pending.size > 0 ? Math.min(...pending.values()) : shas.length;
  for (let i = start; i < shas.length && pending.size > 0; i++) {
    if (![...pending.values()].some((from) => from <= i)) continue;
    if (counter.calls >= input.max) {
      bounded = true;
      break;
    }
    const sha = shas[i];
    counter.calls++;
    const latest = (await input.statuses.listStatuses(sha, DISTRIBUTION_CONTEXT)).find(counts);
    if (latest === void 0) continue;
    records[i] = { sha, status: { state: latest.state, at: latest.createdAt } };
    if (latest.state === "success") {
      for (const [subject, from] of pending)
        if (from <= i) {
          provenAt.set(subject, sha);
          pending.delete(subject);
        }
    }
  }
  return { records, provenAt, calls: counter.calls, bounded };
}
function activeSince(snapshot, history, keyIds) {
  const out = /* @__PURE__ */ new Map();
  for (const id of new Set(keyIds)) {
    const active = snapshot.keys.get(id)?.value.versions.find((v) => v.state === "active");
    const sha = active && history.keys.get(id)?.versions.get(active.version)?.entered.active?.sha;
    if (sha !== void 0) out.set(id, sha);
  }
  return out;
}
function countingStatus(trusted) {
  const set = trusted && new Set(trusted.map((l) => l.toLowerCase()));
  return (s) => s.context === DISTRIBUTION_CONTEXT && (set === void 0 || s.creator !== null && set.has(s.creator.toLowerCase()));
}
function trustedCreators(pipeline) {
  const list = pipeline["status-creators"];
  return list ? { trusted: list } : {};
}

export {
  SecretValue,
  managedDeployKeyVersion,
  scopeId,
  isSecretReceipt,
  secretScopeOf,
  PostgresTargetError,
  targetKind,
  stepKind,
  renderPull,
  REKEY_LABEL,
  isPullAuthor,
  recognisePulls,
  DISTRIBUTION_CONTEXT,
  DEFAULT_MAX_STATUS_CALLS,
  readDistributionEvidence,
  activeSince,
  countingStatus,
  trustedCreators,
  firstParentCommits,
  readCheckout
};
