import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  AUDIT_FILE_NAMES,
  addedVersions,
  audit,
  checkProvenance,
  provenanceApplies,
  renderAudit
} from "./chunk-LBQB3NJG.js";
import {
  applyTargetPlan,
  createPostgresRoles,
  createTargetPorts,
  desiredState,
  distribute,
  esm_default,
  libsodium_wrappers_default,
  observeTargets,
  planTargets,
  probeTargets,
  removalsOnMerge
} from "./chunk-TST5YSVO.js";
import {
  haltedKeys
} from "./chunk-Q5O5VV72.js";
import {
  revoke
} from "./chunk-6TBVXMBG.js";
import {
  rotate
} from "./chunk-T5NIG7I5.js";
import "./chunk-RHBAICD4.js";
import {
  DEFAULT_MAX_STATUS_CALLS,
  SecretValue,
  activeSince,
  firstParentCommits,
  managedDeployKeyVersion,
  readCheckout,
  readDistributionEvidence,
  trustedCreators
} from "./chunk-TX6AZEJX.js";
import {
  createAuditPullsAdapter,
  createGitHubClient,
  createGitHubPorts,
  createStateRefAdapter,
  createStatusAdapter,
  isGitHubError
} from "./chunk-RFVFQ63W.js";
import {
  acceptedHeader,
  permissionFor
} from "./chunk-7HPPASTA.js";
import "./chunk-32EPHRZN.js";
import {
  buildAuditHistory,
  buildHistoryIndex
} from "./chunk-LILU27SP.js";
import "./chunk-KLUG7MGF.js";
import {
  REWRAP_BRANCH,
  checkRewrap,
  gateEvidence,
  loadSides,
  revocationGate,
  verifySides
} from "./chunk-H24RPHF5.js";
import {
  violation
} from "./chunk-LX4CV2AR.js";
import "./chunk-7FORXWZS.js";
import "./chunk-HJR77GQ7.js";
import {
  loadSnapshot
} from "./chunk-ABOOY56S.js";
import {
  fingerprintOf,
  generateKey
} from "./chunk-EUDQPH2W.js";
import {
  BuiltinSopsCodec
} from "./chunk-RKFFQOLR.js";
import {
  generateIdentity,
  identityToRecipient
} from "./chunk-JFLGVF2I.js";
import "./chunk-2PDFHADE.js";
import {
  keyDocument,
  readTreeAtRef
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  formatDiagnostic,
  parse,
  sortDiagnostics
} from "./chunk-QIKD5X2T.js";
import "./chunk-S22VKM6H.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/demo.ts
import { existsSync as existsSync2, readFileSync as readFileSync2 } from "node:fs";
import { dirname, join as join5, resolve as resolve2 } from "node:path";

// src/sandbox/demo/postgres.ts
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
var run = promisify(execFile);
var BIN = process.env["REKEY_PG_BIN"] ?? "/usr/lib/postgresql/15/bin";
var NOBODY = 65534;
async function freePort() {
  return new Promise((resolve3, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => typeof a === "object" && a ? resolve3(a.port) : reject(new Error("no port")));
    });
  });
}
function postgresUnavailable() {
  for (const b of ["initdb", "pg_ctl", "postgres"])
    if (!existsSync(join(BIN, b))) return `PostgreSQL server binaries not found (${join(BIN, b)})`;
  if (process.getuid?.() === 0 && !existsSync("/usr/bin/setpriv"))
    return "running as root without setpriv: PostgreSQL refuses to run as root";
  return null;
}
async function startPostgres(opts = {}) {
  const why = postgresUnavailable();
  if (why !== null) throw new Error(why);
  const root = process.getuid?.() === 0;
  const base = root && (statSync(tmpdir()).mode & 1) === 0 ? "/tmp" : tmpdir();
  const dir = mkdtempSync(join(base, "rekey-pg-"));
  const data = join(dir, "data");
  const superPassword = randomBytes(18).toString("hex");
  writeFileSync(join(dir, "pw"), `${superPassword}
`, { mode: 384 });
  if (root) {
    chownSync(dir, NOBODY, NOBODY);
    chownSync(join(dir, "pw"), NOBODY, NOBODY);
  }
  const as = (cmd, args) => root ? run(
    "/usr/bin/setpriv",
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", cmd, ...args],
    {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", LANG: "C", HOME: dir }
    }
  ) : run(cmd, args, { cwd: dir, env: { ...process.env, LANG: "C" } });
  await as(join(BIN, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${join(dir, "pw")}`,
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync"
  ]);
  const port = await freePort();
  const conf = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    `log_statement = 'all'`,
    `log_connections = on`,
    `log_line_prefix = '%m [%p] %u@%d '`,
    `logging_collector = off`,
    `fsync = off`,
    `max_connections = 40`,
    `password_encryption = 'scram-sha-256'`
  ];
  if (opts.tls) {
    const ssl = (args) => run("/usr/bin/openssl", args, { cwd: dir });
    await ssl(
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=rekey test CA"
      ])
    );
    await ssl(
      ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1"
      ])
    );
    writeFileSync(join(dir, "san.cnf"), "subjectAltName = IP:127.0.0.1\n");
    await ssl(
      ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"].concat([
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.cnf"
      ])
    );
    for (const f of ["server.key", "server.pem"]) if (root) chownSync(join(dir, f), NOBODY, NOBODY);
    chmodSync(join(dir, "server.key"), 384);
    conf.push(`ssl = on`, `ssl_cert_file = '${join(dir, "server.pem")}'`);
    conf.push(`ssl_key_file = '${join(dir, "server.key")}'`);
  }
  writeFileSync(join(data, "postgresql.auto.conf"), `${conf.join("\n")}
`);
  if (root) chownSync(join(data, "postgresql.auto.conf"), NOBODY, NOBODY);
  await as(join(BIN, "pg_ctl"), [
    "-D",
    data,
    "-l",
    join(dir, "pg_ctl.log"),
    "-w",
    "-t",
    "60",
    "start"
  ]);
  const url = (user, password, database = "postgres") => `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`;
  const superuser = async () => {
    const c = new esm_default.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      password: superPassword,
      database: "postgres"
    });
    await c.connect();
    return c;
  };
  let stopped = false;
  return {
    host: "127.0.0.1",
    port,
    dir,
    ...opts.tls ? { caFile: join(dir, "ca.pem") } : {},
    url,
    async sql(text, params) {
      const c = await superuser();
      try {
        return (await c.query(text, params)).rows;
      } finally {
        await c.end();
      }
    },
    async quietSql(text) {
      const c = await superuser();
      try {
        await c.query(`SET log_statement = 'none'`);
        await c.query(text);
      } finally {
        await c.end();
      }
    },
    log: () => {
      const f = join(dir, "pg_ctl.log");
      return existsSync(f) ? readFileSync(f, "utf8") : "";
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await as(join(BIN, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]).catch(
        () => void 0
      );
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

// src/sandbox/demo/database.ts
var CONN = "REKEY_PG_ORDERS";
var TARGET = {
  kind: "postgres-role",
  connection: CONN,
  strategy: "alternating-users",
  roles: ["app_blue", "app_green"]
};
var unused = () => Promise.reject(new Error("the database step writes no GitHub target"));
var noGitHub = {
  secrets: {
    publicKey: unused,
    listSecrets: unused,
    selectedRepositories: unused,
    putSecret: unused,
    deleteSecret: unused
  },
  deployKeys: { listDeployKeys: unused, addDeployKey: unused, deleteDeployKey: unused },
  files: { readFile: unused, writeFile: unused, deleteFile: unused }
};
function keyOf(versions) {
  return keyDocument.parse({
    id: "db/orders",
    description: "the orders service database login",
    owner: "@acme/platform",
    policy: "standard",
    type: "random",
    options: { bytes: 32, encoding: "base64" },
    targets: [TARGET],
    versions: versions.map((v, i) => ({
      version: versions.length - i,
      state: v.state,
      created: "2027-02-24T12:00:00Z",
      fingerprint: v.key.fingerprint
    }))
  });
}
async function databaseRotation(say, mask) {
  const why = postgresUnavailable();
  if (why !== null) {
    say(`  skipped: ${why}`);
    return [];
  }
  const problems = [];
  const server = await startPostgres();
  try {
    const adminPassword = (await generateKey("random", { bytes: 18, encoding: "hex" })).secret;
    mask(adminPassword);
    await server.quietSql(
      `CREATE ROLE rekey_admin LOGIN CREATEROLE PASSWORD '${adminPassword}';
       GRANT pg_signal_backend TO rekey_admin;
       CREATE ROLE app_blue NOLOGIN; CREATE ROLE app_green NOLOGIN;`
    );
    say(`  PostgreSQL ${server.host}:${server.port}, every statement logged; admin rekey_admin`);
    say(
      `  (CREATEROLE, pg_signal_backend) from ${CONN}; target: app_blue and app_green take turns`
    );
    const url = server.url("rekey_admin", adminPassword);
    mask(url);
    const ports = {
      ...noGitHub,
      kinds: {
        "postgres-role": createPostgresRoles({
          env: (n) => n === CONN ? url : void 0,
          allowPlaintextLoopback: true
          // loopback only, the demo's own server
        })
      }
    };
    const once = async (label, key, material) => {
      const before = server.log().length;
      const live = material.map((m, i) => ({
        version: material.length - i,
        secret: SecretValue.of(m.secret)
      }));
      const desired = desiredState(key, live);
      const plan = planTargets(key, desired, await observeTargets(desired, ports));
      const applied = await applyTargetPlan(plan, ports);
      say(`  ${label}`);
      for (const r of applied.results) {
        say(`    ${r.step}`);
        say(`      -> ${r.outcome === "done" ? r.detail : `FAILED ${r.error}`}`);
      }
      for (const p of [
        ...plan.problems.map((x) => x.message),
        ...applied.results.flatMap((r) => r.error ?? [])
      ])
        problems.push(`db/orders: ${p}`);
      for (const p of await probeTargets(desired, ports)) {
        say(`    probe: ${p.probe}: v${p.version} ${p.outcome}${p.detail ? ` (${p.detail})` : ""}`);
        if (p.outcome !== "confirmed") problems.push(`db/orders: probe ${p.probe}: ${p.outcome}`);
      }
      const sql = server.log().slice(before).split("\n").filter((l) => / rekey_admin@\w+ LOG: {2}(statement|execute)/.test(l)).length;
      say(
        `    ${sql} SQL statements as rekey_admin; the server log holds a SCRAM verifier, no password`
      );
    };
    const v1 = await generateKey("random", { bytes: 32, encoding: "base64" });
    mask(v1.secret);
    await once("distribute v1 (active):", keyOf([{ key: v1, state: "active" }]), [v1]);
    const v2 = await generateKey("random", { bytes: 32, encoding: "base64" });
    mask(v2.secret);
    await once(
      "rotate: v2 active, v1 deactivated (in grace):",
      keyOf([
        { key: v2, state: "active" },
        { key: v1, state: "deactivated" }
      ]),
      [v2, v1]
    );
  } finally {
    await server.stop();
  }
  return problems;
}

// src/sandbox/demo/sandbox.ts
import { execFile as execFile2 } from "node:child_process";
import { mkdtemp as mkdtemp3, readFile, readdir, rm as rm3 } from "node:fs/promises";
import { tmpdir as tmpdir5 } from "node:os";
import { join as join2, relative } from "node:path";
import { promisify as promisify2 } from "node:util";

// src/sandbox/emulator/index.ts
import { mkdtemp as mkdtemp2, rm as rm2 } from "node:fs/promises";
import { tmpdir as tmpdir4 } from "node:os";
import path3 from "node:path";

// src/sandbox/emulator/auth.ts
import { randomBytes as randomBytes2 } from "node:crypto";

// src/sandbox/emulator/http.ts
var ApiError = class extends Error {
  status;
  errors;
  headers;
  constructor(status, message, errors, headers = {}) {
    super(message);
    this.status = status;
    this.errors = errors;
    this.headers = headers;
  }
};
var notFound = () => new ApiError(404, "Not Found");
var unprocessable = (message, errors) => new ApiError(422, message, errors);
var route = (method, template, handler) => ({ method, template, permission: permissionFor(method, template), handler });
var SLASHED = /* @__PURE__ */ new Set(["{ref}", "{path}", "{branch}", "{basehead}", "{tree_sha}"]);
var Router = class {
  #compiled = [];
  add(...routes) {
    for (const r of routes) {
      const names = [];
      const parts = r.template.split(/(\{[^}]+\})/).filter((p) => p !== "");
      const pieces = parts.map((p) => {
        if (p.startsWith("{")) {
          names.push(p.slice(1, -1));
          return "([^/]+)";
        }
        return p.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      });
      const strict = new RegExp(`^${pieces.join("")}$`);
      const last = parts[parts.length - 1] ?? "";
      const greedy = SLASHED.has(last) ? new RegExp(`^${pieces.slice(0, -1).join("")}(.+)$`) : null;
      this.#compiled.push({ route: r, names, strict, greedy });
    }
  }
  /** Matches a raw (still percent-encoded) path; `pathKnown` when another method serves it. */
  match(method, rawPath) {
    let pathKnown = false;
    for (const pass of ["strict", "greedy"]) {
      for (const c of this.#compiled) {
        const re = pass === "strict" ? c.strict : c.greedy;
        const m = re?.exec(rawPath);
        if (!m) continue;
        pathKnown = true;
        if (c.route.method !== method) continue;
        const params = {};
        c.names.forEach((n, i) => params[n] = safeDecode(m[i + 1] ?? ""));
        return { match: { route: c.route, params }, pathKnown };
      }
    }
    return { match: null, pathKnown };
  }
  get routes() {
    return this.#compiled.map((c) => c.route);
  }
};
function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
function paginate(ctx, items) {
  const perPage = clampInt(ctx.query.get("per_page"), 30, 1, 100);
  const page = clampInt(ctx.query.get("page"), 1, 1, Number.MAX_SAFE_INTEGER);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p, rel) => {
    const q = new URLSearchParams(ctx.query);
    q.set("per_page", String(perPage));
    q.set("page", String(p));
    return `<${ctx.urls.api}${ctx.req.url?.split("?")[0]?.replace(/^\/api\/v3/, "") ?? ""}?${q}>; rel="${rel}"`;
  };
  const rels = [];
  if (page < lastPage) rels.push(link(page + 1, "next"), link(lastPage, "last"));
  if (page > 1) rels.push(link(1, "first"), link(page - 1, "prev"));
  return { items: slice, headers: rels.length > 0 ? { link: rels.join(", ") } : {} };
}
function clampInt(v, fallback, min, max) {
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
function bodyOf(ctx) {
  const b = ctx.body;
  if (b === null || typeof b !== "object" || Array.isArray(b)) return {};
  return b;
}
function str(v) {
  return typeof v === "string" ? v : void 0;
}
var ok = (body, headers) => ({
  status: 200,
  body,
  headers
});
var created = (body) => ({ status: 201, body });
var noContent = () => ({ status: 204 });
function intParam(ctx, name) {
  const n = Number(ctx.params[name]);
  if (!Number.isInteger(n) || n < 1) throw notFound();
  return n;
}

// src/sandbox/emulator/auth.ts
var NOT_FOR_GITHUB_TOKEN = [
  "secrets",
  "administration",
  "environments",
  "dependabot_secrets",
  "organization_secrets",
  "organization_dependabot_secrets",
  // The workflow `permissions:` key has no members either, so GITHUB_TOKEN cannot name a team
  // as reviewer (peter-evans/create-pull-request documents a PAT or App token for that).
  "members"
];
var RANK = { read: 1, write: 2, admin: 3 };
var Tokens = class {
  #byToken = /* @__PURE__ */ new Map();
  add(state, spec) {
    if (spec.kind === "github-actions" && spec.permissions !== "all") {
      const bad = Object.keys(spec.permissions).filter((p) => NOT_FOR_GITHUB_TOKEN.includes(p));
      if (bad.length > 0)
        throw new Error(`GITHUB_TOKEN cannot be granted ${bad.join(", ")}; use an app token`);
    }
    const prefix = spec.kind === "user" ? "ghp_" : "ghs_";
    const token = spec.token ?? `${prefix}${randomBytes2(18).toString("base64url")}`;
    const login = spec.kind === "github-actions" ? "github-actions[bot]" : spec.kind === "app" ? `${spec.login ?? "rekey-app"}[bot]` : spec.login ?? "octocat";
    const identity = {
      token,
      kind: spec.kind,
      user: state.user(login, spec.kind === "user" ? "User" : "Bot"),
      permissions: spec.permissions,
      repositories: spec.repositories ? spec.repositories.map((r) => r.toLowerCase()) : null,
      limit: spec.rateLimit ?? (spec.kind === "github-actions" ? 1e3 : 5e3),
      used: 0,
      resetAt: 0
    };
    this.#byToken.set(token, identity);
    return identity;
  }
  /** The identity behind an Authorization header; 401 like GitHub otherwise. */
  authenticate(header) {
    if (!header) throw new ApiError(401, "Requires authentication");
    const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(header);
    const identity = m?.[1] ? this.#byToken.get(m[1]) : void 0;
    if (!identity) throw new ApiError(401, "Bad credentials");
    return identity;
  }
  revoke(token) {
    this.#byToken.delete(token);
  }
};
function spendRateLimit(identity, now) {
  const nowSec = Math.floor(now.getTime() / 1e3);
  if (identity.resetAt <= nowSec) {
    identity.resetAt = nowSec + 3600;
    identity.used = 0;
  }
  const exhausted = identity.used >= identity.limit;
  if (!exhausted) identity.used++;
  const headers = {
    "x-ratelimit-limit": String(identity.limit),
    "x-ratelimit-remaining": String(identity.limit - identity.used),
    "x-ratelimit-used": String(identity.used),
    "x-ratelimit-reset": String(identity.resetAt),
    "x-ratelimit-resource": "core"
  };
  if (exhausted)
    throw new ApiError(
      403,
      `API rate limit exceeded for ${identity.user.login}.`,
      void 0,
      headers
    );
  return headers;
}
function holds(identity, grant) {
  if (identity.permissions === "all") return true;
  if (grant.name === "metadata" && grant.access === "read")
    return Object.keys(identity.permissions).length > 0;
  const granted = identity.permissions[grant.name];
  return granted !== void 0 && RANK[granted] >= RANK[grant.access];
}
function forbidden(identity, accepted) {
  const who = identity.kind === "user" ? "personal access token" : "integration";
  return new ApiError(403, `Resource not accessible by ${who}`, void 0, {
    "x-accepted-github-permissions": accepted
  });
}
function authorize(identity, permission, repo2) {
  if (repo2 && identity.repositories && !identity.repositories.includes(repo2.fullName.toLowerCase()))
    throw new ApiError(404, "Not Found");
  if (permission.anyOf.some((set) => set.every((grant) => holds(identity, grant)))) return;
  const metadataOnly = permission.anyOf.every((set) => set.every((x) => x.name === "metadata"));
  if (repo2 && repo2.private && metadataOnly) throw new ApiError(404, "Not Found");
  throw forbidden(identity, acceptedHeader(permission));
}

// src/sandbox/emulator/faults.ts
var Faults = class {
  #armed = [];
  #hook = null;
  /** Installs (or, with null, removes) a hook that may fail any request no armed fault takes. */
  setHook(hook) {
    this.#hook = hook;
  }
  inject(spec) {
    if (!spec.route && !spec.path) throw new Error("a fault needs a route or a path");
    const nothing = spec.status === void 0 && !spec.lost && !spec.secondaryRateLimit && !spec.delayMs;
    if (nothing) throw new Error("a fault needs a status, secondaryRateLimit, lost or delayMs");
    this.#armed.push({ spec, remaining: spec.times ?? 1 });
  }
  clear() {
    this.#armed.length = 0;
  }
  /** The fault for this request, consuming one of its uses, or null. */
  take(method, template, path4, headers = {}) {
    const hit = this.#armed.find((a) => a.remaining > 0 && matches(a.spec, method, template, path4));
    if (hit) {
      hit.remaining--;
      return actionOf(hit.spec);
    }
    const chosen = this.#hook?.({
      method,
      template,
      path: path4,
      header: (name) => {
        const v = headers[name];
        return Array.isArray(v) ? v[0] : v;
      }
    }) ?? null;
    return chosen ? actionOf(chosen) : null;
  }
};
function actionOf(s) {
  const headers = {};
  if (s.retryAfter !== void 0) headers["retry-after"] = String(s.retryAfter);
  const delayMs = s.delayMs ?? 0;
  if (s.lost) return { kind: "lost", headers, delayMs, label: "lost" };
  if (s.secondaryRateLimit) {
    headers["retry-after"] ??= "1";
    const message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
    return {
      kind: "status",
      status: 403,
      body: { message },
      headers,
      delayMs,
      label: "secondary-rate-limit"
    };
  }
  if (s.status !== void 0) {
    const message = s.status === 429 ? "Too Many Requests" : `Injected ${s.status}`;
    return {
      kind: "status",
      status: s.status,
      body: { message },
      headers,
      delayMs,
      label: `status ${s.status}`
    };
  }
  return { kind: "delay", headers, delayMs, label: `delay ${delayMs}ms` };
}
function matches(spec, method, template, path4) {
  if (spec.route) return template !== null && spec.route === `${method} ${template}`;
  if (spec.method && spec.method.toUpperCase() !== method) return false;
  return spec.path?.test(path4) ?? false;
}

// src/sandbox/emulator/git-store.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir as tmpdir3 } from "node:os";
import path from "node:path";

// src/sandbox/emulator/git-cli.ts
import { spawn } from "node:child_process";
import { tmpdir as tmpdir2 } from "node:os";
var GitError = class extends Error {
  code;
  stderr;
  constructor(args, code, stderr) {
    super(`git ${args[0] ?? ""} exited ${code}: ${stderr.trim().split("\n")[0] ?? ""}`);
    this.code = code;
    this.stderr = stderr;
  }
};
function runGit(gitDir, args, opts = {}) {
  return new Promise((resolve3, reject) => {
    const child = spawn("git", gitDir ? ["--git-dir", gitDir, ...args] : [...args], {
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: tmpdir2(),
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        LC_ALL: "C",
        ...opts.env
      },
      stdio: [opts.input === void 0 ? "ignore" : "pipe", "pipe", "pipe"]
    });
    const out = [];
    const err = [];
    child.stdout?.on("data", (d) => out.push(d));
    child.stderr?.on("data", (d) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve3(Buffer.concat(out));
      else reject(new GitError(args, code ?? -1, Buffer.concat(err).toString()));
    });
    child.stdin?.on("error", () => void 0);
    child.stdin?.end(opts.input);
  });
}

// src/sandbox/emulator/git-store.ts
var ZERO_SHA = "0000000000000000000000000000000000000000";
var GitStore = class _GitStore {
  dir;
  constructor(dir) {
    this.dir = dir;
  }
  static async create(dir, defaultBranch) {
    const store = new _GitStore(dir);
    await runGit(null, ["init", "-q", "--bare", `--initial-branch=${defaultBranch}`, dir]);
    return store;
  }
  run(args, opts = {}) {
    return runGit(this.dir, args, opts);
  }
  async tryRun(args, opts = {}) {
    try {
      return await this.run(args, opts);
    } catch (e) {
      if (e instanceof GitError) return null;
      throw e;
    }
  }
  /** The object a full ref name points at, or null. */
  async readRef(ref) {
    const out = await this.tryRun(["rev-parse", "-q", "--verify", ref]);
    return out ? out.toString().trim() : null;
  }
  /** Refs under a prefix (`refs/heads/rekey/`), sorted by name. */
  async listRefs(prefix) {
    const out = await this.run(["for-each-ref", "--format=%(refname) %(objectname)", prefix]);
    return lines(out).map((l) => {
      const [ref = "", sha = ""] = l.split(" ");
      return { ref, sha };
    });
  }
  /**
   * Atomically point `ref` at `sha` when it currently points at `expected` (`null`: must not
   * exist). Returns false when the ref moved or is locked by a concurrent writer.
   */
  async updateRef(ref, sha, expected) {
    const out = await this.tryRun(["update-ref", ref, sha, expected ?? ZERO_SHA]);
    return out !== null;
  }
  async deleteRef(ref, expected) {
    return await this.tryRun(["update-ref", "-d", ref, expected]) !== null;
  }
  async objectType(sha) {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    const out = await this.tryRun(["cat-file", "-t", sha]);
    return out ? out.toString().trim() : null;
  }
  /** Resolves a sha or a branch/tag/full ref name to a commit sha, or null. */
  async resolveCommit(rev) {
    if (rev.startsWith("-")) return null;
    const out = await this.tryRun(["rev-parse", "-q", "--verify", `${rev}^{commit}`]);
    return out ? out.toString().trim() : null;
  }
  async readBlob(sha) {
    return this.run(["cat-file", "blob", sha]);
  }
  async writeBlob(content) {
    return (await this.run(["hash-object", "-w", "--stdin"], { input: content })).toString().trim();
  }
  /** Entries of a tree; recursive includes sub-trees themselves, as GitHub does. */
  async readTree(treeish, recursive) {
    const args = ["ls-tree", "-z", "-l", ...recursive ? ["-r", "-t"] : [], treeish];
    const out = await this.run(args);
    return out.toString().split("\0").filter((l) => l !== "").map((l) => {
      const tab = l.indexOf("	");
      const [mode = "", type = "", sha = "", size = "-"] = l.slice(0, tab).split(/ +/);
      const entry = {
        mode,
        type,
        sha,
        path: l.slice(tab + 1)
      };
      if (size !== "-") entry.size = Number(size);
      return entry;
    });
  }
  /** Applies changes on top of a base tree (or an empty one) through a private index file. */
  async writeTree(base, changes) {
    const scratch = await mkdtemp(path.join(tmpdir3(), "rekey-emu-index-"));
    const env = { GIT_INDEX_FILE: path.join(scratch, "index") };
    try {
      if (base) await this.run(["read-tree", base], { env });
      else await this.run(["read-tree", "--empty"], { env });
      const existing = base ? lines(await this.run(["ls-tree", "-r", "--name-only", base])) : [];
      const info = [];
      for (const c of changes) {
        if (c.type === "tree" && c.sha !== null) {
          for (const p of existing)
            if (p === c.path || p.startsWith(`${c.path}/`)) info.push(`0 ${ZERO_SHA}	${p}`);
          for (const e of await this.readTree(c.sha, true))
            if (e.type !== "tree") info.push(`${e.mode} ${e.sha}	${c.path}/${e.path}`);
        } else if (c.sha === null) {
          for (const p of existing)
            if (p === c.path || p.startsWith(`${c.path}/`)) info.push(`0 ${ZERO_SHA}	${p}`);
        } else {
          for (const p of existing)
            if (p.startsWith(`${c.path}/`)) info.push(`0 ${ZERO_SHA}	${p}`);
          info.push(`${c.mode} ${c.sha}	${c.path}`);
        }
      }
      if (info.length > 0)
        await this.run(["update-index", "--index-info"], { env, input: `${info.join("\n")}
` });
      return (await this.run(["write-tree"], { env })).toString().trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  async readCommit(sha) {
    const raw = (await this.run(["cat-file", "commit", sha])).toString();
    const split2 = raw.indexOf("\n\n");
    const header = split2 === -1 ? raw : raw.slice(0, split2);
    const message = split2 === -1 ? "" : raw.slice(split2 + 2);
    const commit = {
      sha,
      tree: "",
      parents: [],
      author: { name: "", email: "", date: "" },
      committer: { name: "", email: "", date: "" },
      message
    };
    for (const line of header.split("\n")) {
      const sp = line.indexOf(" ");
      const key = line.slice(0, sp);
      const value = line.slice(sp + 1);
      if (key === "tree") commit.tree = value;
      else if (key === "parent") commit.parents.push(value);
      else if (key === "author") commit.author = parsePerson(value);
      else if (key === "committer") commit.committer = parsePerson(value);
    }
    return commit;
  }
  async writeCommit(c) {
    const args = ["commit-tree", c.tree, ...c.parents.flatMap((p) => ["-p", p]), "-F", "-"];
    const gitDate = (iso) => `${Math.floor(Date.parse(iso) / 1e3)} +0000`;
    const env = {
      GIT_AUTHOR_NAME: c.author.name,
      GIT_AUTHOR_EMAIL: c.author.email,
      GIT_AUTHOR_DATE: gitDate(c.author.date),
      GIT_COMMITTER_NAME: c.committer.name,
      GIT_COMMITTER_EMAIL: c.committer.email,
      GIT_COMMITTER_DATE: gitDate(c.committer.date)
    };
    return (await this.run(args, { env, input: c.message })).toString().trim();
  }
  async isAncestor(ancestor, descendant) {
    return await this.tryRun(["merge-base", "--is-ancestor", ancestor, descendant]) !== null;
  }
  async mergeBase(a, b) {
    const out = await this.tryRun(["merge-base", a, b]);
    return out ? out.toString().trim() : null;
  }
  /** Three-way merge without a work tree (git >= 2.38). Null tree when it conflicts. */
  async mergeTree(ours, theirs) {
    const out = await this.tryRun(["merge-tree", "--write-tree", "--no-messages", ours, theirs]);
    return out ? lines(out)[0] ?? null : null;
  }
  /** Commits reachable from `to` but not `from`, oldest first. */
  async revList(from, to) {
    return lines(await this.run(["rev-list", "--reverse", `${from}..${to}`]));
  }
  /** Changed paths between two trees-ish: status letter A/M/D/T and path. */
  async diffNames(from, to) {
    const out = (await this.run(["diff-tree", "-r", "-z", "--no-renames", "--name-status", from, to])).toString().split("\0");
    const result = [];
    for (let i = 0; i + 1 < out.length; i += 2)
      result.push({ status: out[i] ?? "", path: out[i + 1] ?? "" });
    return result;
  }
};
function lines(out) {
  return out.toString().split("\n").filter((l) => l !== "");
}
function parsePerson(value) {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!m) return { name: value, email: "", date: "" };
  return {
    name: m[1] ?? "",
    email: m[2] ?? "",
    date: new Date(Number(m[3]) * 1e3).toISOString().replace(".000Z", "Z")
  };
}

// src/sandbox/emulator/server.ts
import { createServer as createServer2 } from "node:http";

// src/sandbox/emulator/git-http.ts
import { spawn as spawn2 } from "node:child_process";
import path2 from "node:path";
var GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|HEAD|objects\/.*))$/;
function isGitHttpPath(pathname) {
  return GIT_PATH.test(pathname);
}
async function serveGitHttp(state, tokens, req, res, url) {
  const m = GIT_PATH.exec(url.pathname);
  const repo2 = m ? state.repo(m[1] ?? "", m[2] ?? "") : void 0;
  if (!m || !repo2) return plain(res, 404, "Repository not found.");
  if (url.searchParams.get("service") === "git-receive-pack" || url.pathname.endsWith("receive-pack"))
    return plain(res, 403, "The emulator serves git read-only; write through the REST API.");
  if (repo2.private) {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers["authorization"] ?? "");
    const password = basic ? Buffer.from(basic[1] ?? "", "base64").toString().split(":").slice(1).join(":") : "";
    try {
      const identity = tokens.authenticate(password ? `token ${password}` : void 0);
      authorize(identity, { anyOf: [[{ name: "contents", access: "read" }]] }, repo2);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"' });
      res.end();
      return;
    }
  }
  const gitDir = repo2.git.dir;
  const root = path2.dirname(path2.dirname(gitDir));
  const pathInfo = `/${path2.basename(path2.dirname(gitDir))}/${path2.basename(gitDir)}${m[3] ?? ""}`;
  const child = spawn2("git", ["http-backend"], {
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: pathInfo,
      REQUEST_METHOD: req.method ?? "GET",
      QUERY_STRING: url.search.replace(/^\?/, ""),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_ADDR: "127.0.0.1"
    },
    stdio: ["pipe", "pipe", "ignore"]
  });
  req.pipe(child.stdin);
  child.stdin.on("error", () => void 0);
  const out = [];
  child.stdout.on("data", (d) => out.push(d));
  await new Promise((resolve3) => child.on("close", () => resolve3()));
  const all = Buffer.concat(out);
  const split2 = all.indexOf("\r\n\r\n");
  if (split2 === -1) return plain(res, 500, "git http-backend failed");
  let status = 200;
  const headers = {};
  for (const line of all.subarray(0, split2).toString().split("\r\n")) {
    const i = line.indexOf(":");
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === "status") status = Number.parseInt(value, 10);
    else if (name) headers[name] = value;
  }
  res.writeHead(status, headers);
  res.end(all.subarray(split2 + 4));
}
function plain(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(`${text}
`);
}

// src/sandbox/emulator/render.ts
var nodeId = (kind, id) => Buffer.from(`${kind}:${id}`).toString("base64url");
function renderUser(u, urls) {
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId("User", u.id),
    avatar_url: `${urls.server}/avatars/${u.id}`,
    gravatar_id: "",
    url: `${urls.api}/users/${encodeURIComponent(u.login)}`,
    html_url: `${urls.server}/${encodeURIComponent(u.login)}`,
    type: u.type,
    site_admin: false
  };
}
function renderRepo(r, urls) {
  return {
    id: r.id,
    node_id: nodeId("Repository", r.id),
    name: r.name,
    full_name: r.fullName,
    owner: renderUser(r.owner, urls),
    private: r.private,
    visibility: r.private ? "private" : "public",
    html_url: `${urls.server}/${r.fullName}`,
    url: `${urls.api}/repos/${r.fullName}`,
    clone_url: `${urls.server}/${r.fullName}.git`,
    default_branch: r.defaultBranch,
    archived: false,
    disabled: false,
    fork: false
  };
}
function renderLabel(l, r, urls) {
  return {
    id: l.id,
    node_id: nodeId("Label", l.id),
    url: `${urls.api}/repos/${r.fullName}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    description: l.description,
    default: false
  };
}
function renderIssue(i, r, urls) {
  const base = `${urls.api}/repos/${r.fullName}/issues/${i.number}`;
  const out = {
    id: i.id,
    node_id: nodeId("Issue", i.id),
    url: base,
    repository_url: `${urls.api}/repos/${r.fullName}`,
    labels_url: `${base}/labels{/name}`,
    comments_url: `${base}/comments`,
    html_url: `${urls.server}/${r.fullName}/${i.isPull ? "pull" : "issues"}/${i.number}`,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    user: renderUser(i.user, urls),
    labels: i.labels.flatMap((n) => {
      const l = r.label(n);
      return l ? [renderLabel(l, r, urls)] : [];
    }),
    assignees: [],
    locked: false,
    comments: i.comments.length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    author_association: "MEMBER"
  };
  if (i.isPull) {
    const pullUrl = `${urls.api}/repos/${r.fullName}/pulls/${i.number}`;
    out["pull_request"] = {
      url: pullUrl,
      html_url: out["html_url"],
      diff_url: null,
      patch_url: null
    };
  }
  return out;
}
function renderComment(c, r, issue, urls) {
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${urls.api}/repos/${r.fullName}/issues/comments/${c.id}`,
    html_url: `${urls.server}/${r.fullName}/issues/${issue}#issuecomment-${c.id}`,
    issue_url: `${urls.api}/repos/${r.fullName}/issues/${issue}`,
    body: c.body,
    user: renderUser(c.user, urls),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: "MEMBER"
  };
}
function renderPull(p, i, r, live, urls) {
  const url = `${urls.api}/repos/${r.fullName}/pulls/${p.number}`;
  const repo2 = renderRepo(r, urls);
  const branch = (ref, sha) => ({
    label: `${r.owner.login}:${ref}`,
    ref,
    sha,
    user: renderUser(r.owner, urls),
    repo: repo2
  });
  const head = () => {
    if (p.headRepo === void 0) return branch(p.headRef, p.headSha);
    const [owner2 = "", name = ""] = p.headRepo.split("/");
    const user = renderUser({ ...r.owner, login: owner2, type: "User" }, urls);
    return {
      label: `${owner2}:${p.headRef}`,
      ref: p.headRef,
      sha: p.headSha,
      user,
      repo: {
        ...repo2,
        name,
        full_name: p.headRepo,
        owner: user,
        html_url: `${urls.server}/${p.headRepo}`,
        url: `${urls.api}/repos/${p.headRepo}`,
        clone_url: `${urls.server}/${p.headRepo}.git`,
        fork: true
      }
    };
  };
  return {
    id: p.id,
    node_id: nodeId("PullRequest", p.id),
    url,
    html_url: `${urls.server}/${r.fullName}/pull/${p.number}`,
    issue_url: `${urls.api}/repos/${r.fullName}/issues/${p.number}`,
    number: p.number,
    state: i.state,
    locked: false,
    title: i.title,
    body: i.body,
    user: renderUser(i.user, urls),
    labels: renderIssue(i, r, urls)["labels"] ?? [],
    draft: p.draft,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    merged_at: p.merged_at,
    merged: p.merged_at !== null,
    merged_by: p.merged_by ? renderUser(p.merged_by, urls) : null,
    merge_commit_sha: p.merge_commit_sha,
    mergeable: live.mergeable,
    mergeable_state: live.mergeable === false ? "dirty" : live.mergeable === null ? "unknown" : live.blocked ? "blocked" : "clean",
    maintainer_can_modify: p.maintainer_can_modify,
    requested_reviewers: p.requested_reviewers.map((login) => ({ login })),
    requested_teams: p.requested_teams.map((slug) => ({ slug, name: slug })),
    assignees: [],
    head: head(),
    base: branch(p.baseRef, live.baseSha),
    author_association: "MEMBER"
  };
}
function renderReview(v, r, pull, urls) {
  return {
    id: v.id,
    node_id: nodeId("PullRequestReview", v.id),
    user: renderUser(v.user, urls),
    body: v.body,
    state: v.state,
    html_url: `${urls.server}/${r.fullName}/pull/${pull}#pullrequestreview-${v.id}`,
    pull_request_url: `${urls.api}/repos/${r.fullName}/pulls/${pull}`,
    commit_id: v.commit_id,
    submitted_at: v.submitted_at,
    author_association: "MEMBER",
    _links: { html: { href: "" }, pull_request: { href: "" } }
  };
}
function renderGitCommit(c, r, urls) {
  const base = `${urls.api}/repos/${r.fullName}/git`;
  return {
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    url: `${base}/commits/${c.sha}`,
    html_url: `${urls.server}/${r.fullName}/commit/${c.sha}`,
    author: c.author,
    committer: c.committer,
    message: c.message.replace(/\n$/, ""),
    tree: { sha: c.tree, url: `${base}/trees/${c.tree}` },
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${base}/commits/${p}`,
      html_url: `${urls.server}/${r.fullName}/commit/${p}`
    })),
    verification: {
      verified: false,
      reason: "unsigned",
      signature: null,
      payload: null,
      verified_at: null
    }
  };
}
function renderStatus(s, urls) {
  return {
    id: s.id,
    node_id: nodeId("StatusContext", s.id),
    url: `${urls.api}/statuses/${s.sha}`,
    avatar_url: null,
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.created_at,
    creator: renderUser(s.creator, urls)
  };
}

// src/sandbox/emulator/routes/access.ts
function roleOf(state, repo2, login) {
  const key = login.toLowerCase();
  if (repo2.collaborators.has(key)) return repo2.collaborators.get(key) ?? null;
  if (key === repo2.owner.login.toLowerCase()) return "admin";
  const user = state.users.get(key);
  if (!user) return void 0;
  return user.type === "User" ? "write" : null;
}
var LEGACY = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read"
};
var RANK2 = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
function renderCollaborator(u, role, urls) {
  const base = renderUser(u, urls);
  const at = (suffix) => `${String(base["url"])}/${suffix}`;
  const has = (r) => role !== null && RANK2[role] >= RANK2[r];
  return {
    ...base,
    followers_url: at("followers"),
    following_url: at("following{/other_user}"),
    gists_url: at("gists{/gist_id}"),
    starred_url: at("starred{/owner}{/repo}"),
    subscriptions_url: at("subscriptions"),
    organizations_url: at("orgs"),
    repos_url: at("repos"),
    events_url: at("events{/privacy}"),
    received_events_url: at("received_events"),
    permissions: {
      pull: has("read"),
      triage: has("triage"),
      push: has("write"),
      maintain: has("maintain"),
      admin: has("admin")
    },
    role_name: role ?? "none"
  };
}
async function collaboratorPermission(ctx) {
  const login = ctx.params["username"] ?? "";
  const role = roleOf(ctx.state, ctx.repo, login);
  if (role === void 0) throw new ApiError(404, "Not Found");
  const user = ctx.state.user(login);
  return ok({
    permission: role === null ? "none" : LEGACY[role],
    role_name: role ?? "none",
    user: renderCollaborator(user, role, ctx.urls)
  });
}
async function listTeams(ctx) {
  const org = (ctx.params["org"] ?? "").toLowerCase();
  const teams = [...ctx.state.teams.keys()].filter((k) => k.startsWith(`${org}/`)).sort().map((k, i) => {
    const slug = k.slice(org.length + 1);
    const id = 1 + i;
    const url = `${ctx.urls.api}/organizations/${org}/team/${id}`;
    return {
      id,
      node_id: Buffer.from(`Team:${id}`).toString("base64url"),
      url,
      html_url: `${ctx.urls.server}/orgs/${org}/teams/${slug}`,
      name: slug,
      slug,
      description: null,
      privacy: "closed",
      notification_setting: "notifications_enabled",
      permission: "pull",
      members_url: `${url}/members{/member}`,
      repositories_url: `${url}/repos`,
      parent: null,
      type: "organization"
    };
  });
  const page = paginate(ctx, teams);
  return ok(page.items, page.headers);
}
var accessRoutes = [
  route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", collaboratorPermission),
  route("GET", "/orgs/{org}/teams", listTeams)
];

// src/sandbox/emulator/routes/actions.ts
var byRepo = /* @__PURE__ */ new WeakMap();
var nextId = 161335;
function stateOf(repo2) {
  let s = byRepo.get(repo2);
  if (!s) byRepo.set(repo2, s = { ids: /* @__PURE__ */ new Map(), states: /* @__PURE__ */ new Map(), runs: [] });
  return s;
}
function idOf(s, path4) {
  let id = s.ids.get(path4);
  if (id === void 0) s.ids.set(path4, id = nextId++);
  return id;
}
async function workflows(ctx) {
  const s = stateOf(ctx.repo);
  const head = await ctx.repo.git.readRef(`refs/heads/${ctx.repo.defaultBranch}`);
  const entries = head ? await ctx.repo.git.tryRun(["ls-tree", "-z", `${head}:.github/workflows`]) ?? Buffer.alloc(0) : Buffer.alloc(0);
  const out = [];
  for (const line of entries.toString().split("\0")) {
    const tab = line.indexOf("	");
    if (tab < 0) continue;
    const [, type = "", sha = ""] = line.slice(0, tab).split(" ");
    const file = line.slice(tab + 1);
    if (type !== "blob" || !/\.ya?ml$/.test(file)) continue;
    const path4 = `.github/workflows/${file}`;
    const text = (await ctx.repo.git.readBlob(sha)).toString("utf8");
    const name = /^name:\s*['"]?(.+?)['"]?\s*$/m.exec(text)?.[1] ?? path4;
    out.push({ id: idOf(s, path4), path: path4, name, state: s.states.get(path4) ?? "active" });
  }
  for (const [path4, id] of s.ids)
    if (!out.some((w) => w.path === path4) && s.runs.some((r) => r.path === path4))
      out.push({ id, path: path4, name: path4, state: "deleted" });
  return out.sort((a, b) => a.id - b.id);
}
function renderWorkflow(ctx, w) {
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const html = `${ctx.urls.server}/${ctx.repo.fullName}`;
  return {
    id: w.id,
    node_id: Buffer.from(`Workflow:${w.id}`).toString("base64url"),
    name: w.name,
    path: w.path,
    state: w.state,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    url: `${api}/actions/workflows/${w.id}`,
    html_url: `${html}/blob/${ctx.repo.defaultBranch}/${w.path}`,
    badge_url: `${html}/workflows/${encodeURIComponent(w.name)}/badge.svg`
  };
}
async function findWorkflow(ctx) {
  const key = ctx.params["workflow_id"] ?? "";
  const all = await workflows(ctx);
  const w = /^\d+$/.test(key) ? all.find((x) => x.id === Number(key)) : all.find((x) => x.path === `.github/workflows/${key}`);
  if (!w) throw notFound();
  return w;
}
async function listWorkflows(ctx) {
  const all = await workflows(ctx);
  const page = paginate(ctx, all);
  return ok(
    { total_count: all.length, workflows: page.items.map((w) => renderWorkflow(ctx, w)) },
    page.headers
  );
}
async function getWorkflow(ctx) {
  return ok(renderWorkflow(ctx, await findWorkflow(ctx)));
}
async function listRuns(ctx) {
  const w = await findWorkflow(ctx);
  const event = ctx.query.get("event");
  const status = ctx.query.get("status");
  if (ctx.query.get("branch") !== null || ctx.query.get("created") !== null)
    throw new ApiError(422, "The emulator does not filter runs by branch or created");
  const runs = stateOf(ctx.repo).runs.filter(
    (r) => r.path === w.path && (event === null || r.event === event) && (status === null || r.status === status || r.conclusion === status)
  ).sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
  const page = paginate(ctx, runs);
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const html = `${ctx.urls.server}/${ctx.repo.fullName}`;
  return ok(
    {
      total_count: runs.length,
      workflow_runs: page.items.map((r) => ({
        id: r.id,
        node_id: Buffer.from(`WorkflowRun:${r.id}`).toString("base64url"),
        name: w.name,
        display_title: w.name,
        path: w.path,
        workflow_id: w.id,
        run_number: r.number,
        run_attempt: 1,
        event: r.event,
        status: r.status,
        conclusion: r.conclusion,
        head_branch: ctx.repo.defaultBranch,
        created_at: r.createdAt,
        updated_at: r.createdAt,
        run_started_at: r.createdAt,
        url: `${api}/actions/runs/${r.id}`,
        html_url: `${html}/actions/runs/${r.id}`,
        jobs_url: `${api}/actions/runs/${r.id}/jobs`,
        logs_url: `${api}/actions/runs/${r.id}/logs`,
        check_suite_url: `${api}/check-suites/${r.id}`,
        artifacts_url: `${api}/actions/runs/${r.id}/artifacts`,
        cancel_url: `${api}/actions/runs/${r.id}/cancel`,
        rerun_url: `${api}/actions/runs/${r.id}/rerun`,
        workflow_url: `${api}/actions/workflows/${w.id}`,
        pull_requests: []
      }))
    },
    page.headers
  );
}
var R = "/repos/{owner}/{repo}/actions/workflows";
var actionRoutes = [
  route("GET", R, listWorkflows),
  route("GET", `${R}/{workflow_id}`, getWorkflow),
  route("GET", `${R}/{workflow_id}/runs`, listRuns)
];

// src/sandbox/emulator/protection.ts
function assertPushAllowed(repo2, branch, force, deletion = false) {
  const rules = repo2.rulesFor(branch);
  const has = (t) => rules.some((r) => r.type === t);
  const violations = [];
  if (has("pull_request") || has("required_status_checks"))
    violations.push("Changes must be made through a pull request.");
  if (force && has("non_fast_forward")) violations.push("Cannot force-push to this branch");
  if (deletion && has("deletion")) violations.push("Cannot delete this branch");
  if (violations.length > 0)
    throw unprocessable(`Repository rule violations found

${violations.join("\n")}`);
  const classic = repo2.protection.get(branch);
  if (classic && (classic.required_approving_review_count !== void 0 || classic.required_status_checks || force || deletion))
    throw unprocessable(`Protected branch update failed for refs/heads/${branch}.`);
}
function requirementsFor(repo2, branch) {
  const req = { approvals: 0, contexts: [], strict: false };
  for (const r of repo2.rulesFor(branch)) {
    const p = r.parameters ?? {};
    if (r.type === "pull_request")
      req.approvals = Math.max(req.approvals, Number(p["required_approving_review_count"] ?? 0));
    if (r.type === "required_status_checks") {
      const checks = Array.isArray(p["required_status_checks"]) ? p["required_status_checks"] : [];
      for (const c of checks) if (c.context) req.contexts.push(c.context);
      req.strict ||= p["strict_required_status_checks_policy"] === true;
    }
  }
  const classic = repo2.protection.get(branch);
  if (classic) {
    req.approvals = Math.max(req.approvals, classic.required_approving_review_count ?? 0);
    req.contexts.push(...classic.required_status_checks ?? []);
    req.strict ||= classic.strict === true;
  }
  return req;
}
function approvers(pull, author) {
  const latest = /* @__PURE__ */ new Map();
  for (const r of pull.reviews) {
    if (r.state === "COMMENTED" || r.state === "PENDING") continue;
    latest.set(r.user.login, r.state);
  }
  return [...latest].filter(([login, s]) => s === "APPROVED" && login !== author.login).map(([l]) => l);
}
async function assertMergeAllowed(repo2, pull, author, baseSha) {
  const req = requirementsFor(repo2, pull.baseRef);
  const problems = [];
  const approved = approvers(pull, author).length;
  if (approved < req.approvals)
    problems.push(
      `At least ${req.approvals} approving review${req.approvals === 1 ? " is" : "s are"} required by reviewers with write access.`
    );
  for (const context of new Set(req.contexts)) {
    const latest = repo2.statuses.filter((s) => s.sha === pull.headSha && s.context === context).at(-1);
    if (latest?.state !== "success")
      problems.push(`Required status check "${context}" is expected.`);
  }
  if (req.strict && !await repo2.git.isAncestor(baseSha, pull.headSha))
    problems.push("Head branch is not up to date with the base branch.");
  if (problems.length > 0)
    throw new ApiError(405, `Repository rule violations found

${problems.join("\n")}`);
}

// src/sandbox/emulator/routes/git-data.ts
function renderRef(ctx, ref, sha, type) {
  const base = `${ctx.urls.api}/repos/${ctx.repo.fullName}/git`;
  return {
    ref,
    node_id: Buffer.from(`Ref:${ref}`).toString("base64url"),
    url: `${base}/${ref}`,
    object: { type, sha, url: `${base}/${type}s/${sha}` }
  };
}
async function refReply(ctx, ref, sha) {
  return renderRef(ctx, ref, sha, await ctx.repo.git.objectType(sha) ?? "commit");
}
async function getRef(ctx) {
  const full = `refs/${ctx.params["ref"] ?? ""}`;
  const sha = await ctx.repo.git.readRef(full);
  if (!sha) throw notFound();
  return ok(await refReply(ctx, full, sha));
}
async function matchingRefs(ctx) {
  const prefix = `refs/${ctx.params["ref"] ?? ""}`;
  const refs = (await ctx.repo.git.listRefs("refs/")).filter((r) => r.ref.startsWith(prefix));
  return ok(await Promise.all(refs.map((r) => refReply(ctx, r.ref, r.sha))));
}
async function createRef(ctx) {
  const body = bodyOf(ctx);
  const ref = str(body["ref"]) ?? "";
  const sha = str(body["sha"]) ?? "";
  if (!ref.startsWith("refs/") || ref.split("/").length < 3 || !await validRefName(ctx, ref))
    throw unprocessable(`${ref} is not a valid ref name.`);
  const git = ctx.repo.git;
  if ((await git.listRefs("refs/heads/")).length === 0)
    throw new ApiError(409, "Git Repository is empty.");
  if (!await git.objectType(sha)) throw unprocessable("Object does not exist");
  if (!await git.updateRef(ref, sha, null)) throw unprocessable("Reference already exists");
  return created(await refReply(ctx, ref, sha));
}
async function updateRef(ctx) {
  const full = `refs/${ctx.params["ref"] ?? ""}`;
  const body = bodyOf(ctx);
  const sha = str(body["sha"]) ?? "";
  const force = body["force"] === true;
  const git = ctx.repo.git;
  const current = await git.readRef(full);
  if (!current) throw unprocessable("Reference does not exist");
  if (!await git.objectType(sha)) throw unprocessable("Object does not exist");
  const fastForward = await git.isAncestor(current, sha);
  if (!force && !fastForward) throw unprocessable("Update is not a fast forward");
  if (full.startsWith("refs/heads/")) assertPushAllowed(ctx.repo, full.slice(11), !fastForward);
  if (!await git.updateRef(full, sha, current))
    throw unprocessable("Reference cannot be updated");
  return ok(await refReply(ctx, full, sha));
}
async function deleteRef(ctx) {
  const full = `refs/${ctx.params["ref"] ?? ""}`;
  const current = await ctx.repo.git.readRef(full);
  if (!current) throw unprocessable("Reference does not exist");
  if (full === `refs/heads/${ctx.repo.defaultBranch}`)
    throw unprocessable("Cannot delete the default branch");
  if (full.startsWith("refs/heads/")) assertPushAllowed(ctx.repo, full.slice(11), false, true);
  if (!await ctx.repo.git.deleteRef(full, current))
    throw unprocessable("Reference cannot be updated");
  return noContent();
}
async function validRefName(ctx, ref) {
  return await ctx.repo.git.tryRun(["check-ref-format", ref]) !== null;
}
async function getTree(ctx) {
  const rev = ctx.params["tree_sha"] ?? "";
  const git = ctx.repo.git;
  const out = rev.startsWith("-") ? null : await git.tryRun(["rev-parse", "-q", "--verify", `${rev}^{tree}`]);
  if (!out) throw notFound();
  const sha = out.toString().trim();
  const recursive = ["1", "true"].includes(ctx.query.get("recursive") ?? "");
  const base = `${ctx.urls.api}/repos/${ctx.repo.fullName}/git`;
  const tree = (await git.readTree(sha, recursive)).map((e) => ({
    ...e,
    url: `${base}/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`
  }));
  return ok({ sha, url: `${base}/trees/${sha}`, tree, truncated: false });
}
async function createTree(ctx) {
  const body = bodyOf(ctx);
  const git = ctx.repo.git;
  let base = null;
  if (body["base_tree"] !== void 0) {
    const out = await git.tryRun([
      "rev-parse",
      "-q",
      "--verify",
      `${str(body["base_tree"]) ?? ""}^{tree}`
    ]);
    if (!out) throw unprocessable("Invalid tree info");
    base = out.toString().trim();
  }
  const entries = Array.isArray(body["tree"]) ? body["tree"] : [];
  const changes = [];
  for (const e of entries) {
    const path4 = str(e["path"]) ?? "";
    const mode = str(e["mode"]) ?? "100644";
    if (path4 === "" || path4.startsWith("/") || path4.split("/").some((s) => s === "" || s === "." || s === ".."))
      throw unprocessable(`Invalid tree info: path ${JSON.stringify(path4)}`);
    if (typeof e["content"] === "string") {
      changes.push({ path: path4, mode, sha: await git.writeBlob(Buffer.from(e["content"], "utf8")) });
    } else if (e["sha"] === null) {
      if (base === null || await git.tryRun(["cat-file", "-e", `${base}:${path4}`]) === null)
        throw unprocessable("GitRPC::BadObjectState");
      changes.push({ path: path4, mode, sha: null });
    } else {
      const sha2 = str(e["sha"]) ?? "";
      const type = await git.objectType(sha2);
      if (type !== (e["type"] ?? "blob")) throw unprocessable("GitRPC::BadObjectState");
      changes.push({ path: path4, mode, sha: sha2, type: type === "tree" ? "tree" : "blob" });
    }
  }
  const sha = await git.writeTree(base, changes);
  const tree = await git.readTree(sha, false);
  return created({
    sha,
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/trees/${sha}`,
    tree,
    truncated: false
  });
}
function person(ctx, v, fallback) {
  const o = v && typeof v === "object" ? v : {};
  const u = ctx.identity.user;
  return {
    name: str(o["name"]) ?? fallback?.name ?? u.login,
    email: str(o["email"]) ?? fallback?.email ?? `${u.id}+${u.login}@users.noreply.github.com`,
    date: str(o["date"]) ?? fallback?.date ?? ctx.now.toISOString()
  };
}
async function createCommit(ctx) {
  const body = bodyOf(ctx);
  const git = ctx.repo.git;
  const tree = str(body["tree"]) ?? "";
  if (await git.objectType(tree) !== "tree") throw unprocessable("Tree SHA does not exist");
  const parents = Array.isArray(body["parents"]) ? body["parents"] : [];
  for (const p of parents)
    if (await git.objectType(p) !== "commit")
      throw unprocessable("Parent SHA does not exist or is not a commit object");
  const author = person(ctx, body["author"]);
  const committer = person(ctx, body["committer"], author);
  const commit = {
    tree,
    parents,
    author,
    committer,
    message: str(body["message"]) ?? ""
  };
  const sha = await git.writeCommit(commit);
  return created(renderGitCommit(await git.readCommit(sha), ctx.repo, ctx.urls));
}
async function getCommit(ctx) {
  const sha = ctx.params["commit_sha"] ?? "";
  if (await ctx.repo.git.objectType(sha) !== "commit") throw notFound();
  return ok(renderGitCommit(await ctx.repo.git.readCommit(sha), ctx.repo, ctx.urls));
}
async function getBlob(ctx) {
  const sha = ctx.params["file_sha"] ?? "";
  if (await ctx.repo.git.objectType(sha) !== "blob") throw notFound();
  const content = await ctx.repo.git.readBlob(sha);
  return ok({
    sha,
    node_id: Buffer.from(`Blob:${sha}`).toString("base64url"),
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/blobs/${sha}`,
    size: content.length,
    content: wrap60(content.toString("base64")),
    encoding: "base64"
  });
}
async function createBlob(ctx) {
  const body = bodyOf(ctx);
  const content = str(body["content"]) ?? "";
  const encoding = str(body["encoding"]) ?? "utf-8";
  if (encoding !== "utf-8" && encoding !== "base64")
    throw unprocessable(`Invalid encoding: ${encoding}`);
  const bytes = encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8");
  const sha = await ctx.repo.git.writeBlob(bytes);
  return created({ sha, url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/blobs/${sha}` });
}
function wrap60(b64) {
  return (b64.match(/.{1,60}/g) ?? []).map((l) => `${l}
`).join("");
}
var R2 = "/repos/{owner}/{repo}/git";
var gitDataRoutes = [
  route("GET", `${R2}/ref/{ref}`, getRef),
  route("GET", `${R2}/matching-refs/{ref}`, matchingRefs),
  route("POST", `${R2}/refs`, createRef),
  route("PATCH", `${R2}/refs/{ref}`, updateRef),
  route("DELETE", `${R2}/refs/{ref}`, deleteRef),
  route("GET", `${R2}/trees/{tree_sha}`, getTree),
  route("POST", `${R2}/trees`, createTree),
  route("GET", `${R2}/commits/{commit_sha}`, getCommit),
  route("POST", `${R2}/commits`, createCommit),
  route("GET", `${R2}/blobs/{file_sha}`, getBlob),
  route("POST", `${R2}/blobs`, createBlob)
];

// src/sandbox/emulator/routes/deploy-keys.ts
var TYPES = /* @__PURE__ */ new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com"
]);
function normalizeSshKey(line) {
  const [type = "", b64 = ""] = line.trim().split(/\s+/);
  if (!TYPES.has(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const blob = Buffer.from(b64, "base64");
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len + 4 > blob.length || blob.subarray(4, 4 + len).toString("latin1") !== type) return null;
  return `${type} ${b64}`;
}
function render(ctx, k) {
  return {
    id: k.id,
    key: k.key,
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/keys/${k.id}`,
    title: k.title,
    verified: true,
    created_at: k.created_at,
    read_only: k.read_only,
    added_by: k.added_by,
    last_used: null,
    enabled: true
  };
}
function invalid(message) {
  return new ApiError(422, "Validation Failed", [
    { resource: "PublicKey", code: "custom", field: "key", message }
  ]);
}
async function createKey(ctx) {
  const body = bodyOf(ctx);
  const key = normalizeSshKey(str(body["key"]) ?? "");
  if (!key) throw invalid("key is invalid. You must supply a key in OpenSSH public key format");
  const inUse = [...ctx.state.repos.values()].some((r) => r.deployKeys.some((k) => k.key === key));
  if (inUse) throw invalid("key is already in use");
  const deployKey = {
    id: ctx.state.id(),
    key,
    title: str(body["title"]) ?? "",
    read_only: body["read_only"] === true,
    created_at: ctx.now.toISOString(),
    added_by: ctx.identity.user.login
  };
  ctx.repo.deployKeys.push(deployKey);
  return created(render(ctx, deployKey));
}
async function listKeys(ctx) {
  const page = paginate(ctx, ctx.repo.deployKeys);
  return ok(
    page.items.map((k) => render(ctx, k)),
    page.headers
  );
}
function find(ctx) {
  const id = intParam(ctx, "key_id");
  const key = ctx.repo.deployKeys.find((k) => k.id === id);
  if (!key) throw notFound();
  return key;
}
async function getKey(ctx) {
  return ok(render(ctx, find(ctx)));
}
async function deleteKey(ctx) {
  const key = find(ctx);
  ctx.repo.deployKeys.splice(ctx.repo.deployKeys.indexOf(key), 1);
  return noContent();
}
var R3 = "/repos/{owner}/{repo}/keys";
var deployKeyRoutes = [
  route("GET", R3, listKeys),
  route("POST", R3, createKey),
  route("GET", `${R3}/{key_id}`, getKey),
  route("DELETE", `${R3}/{key_id}`, deleteKey)
];

// src/sandbox/emulator/routes/issues.ts
function loadIssue(ctx) {
  const issue = ctx.repo.issues.get(intParam(ctx, "issue_number"));
  if (!issue) throw notFound();
  return issue;
}
function ensureLabels(ctx, raw) {
  const list3 = Array.isArray(raw) ? raw : [];
  return list3.flatMap((v) => {
    const name = typeof v === "string" ? v : str(v?.name);
    if (!name) return [];
    return [ensureLabel(ctx, name).name];
  });
}
function ensureLabel(ctx, name, color = "ededed", description = null) {
  const existing = ctx.repo.label(name);
  if (existing) return existing;
  const label = { id: ctx.state.id(), name, color, description };
  ctx.repo.labels.set(name.toLowerCase(), label);
  return label;
}
function labelList(ctx, issue) {
  return issue.labels.flatMap((n) => {
    const l = ctx.repo.label(n);
    return l ? [renderLabel(l, ctx.repo, ctx.urls)] : [];
  });
}
async function createIssue(ctx) {
  const body = bodyOf(ctx);
  const now = ctx.now.toISOString();
  const title = body["title"];
  if (typeof title !== "string" && typeof title !== "number")
    throw new ApiError(422, "Validation Failed", [
      { resource: "Issue", field: "title", code: "missing_field" }
    ]);
  const issue = {
    id: ctx.state.id(),
    number: ctx.repo.nextNumber(),
    title: String(title),
    body: str(body["body"]) ?? null,
    state: "open",
    state_reason: null,
    labels: ensureLabels(ctx, body["labels"]),
    assignees: [],
    user: ctx.identity.user,
    created_at: now,
    updated_at: now,
    closed_at: null,
    comments: [],
    isPull: false
  };
  ctx.repo.issues.set(issue.number, issue);
  return created(renderIssue(issue, ctx.repo, ctx.urls));
}
async function getIssue(ctx) {
  return ok(renderIssue(loadIssue(ctx), ctx.repo, ctx.urls));
}
async function listIssues(ctx) {
  const state = ctx.query.get("state") ?? "open";
  const wanted = (ctx.query.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
  const creator = ctx.query.get("creator")?.toLowerCase();
  const asc = ctx.query.get("direction") === "asc";
  const issues = [...ctx.repo.issues.values()].filter((i) => state === "all" || i.state === state).filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w))).filter((i) => !creator || i.user.login.toLowerCase() === creator).sort((a, b) => asc ? a.number - b.number : b.number - a.number);
  const page = paginate(ctx, issues);
  return ok(
    page.items.map((i) => renderIssue(i, ctx.repo, ctx.urls)),
    page.headers
  );
}
async function updateIssue(ctx) {
  const issue = loadIssue(ctx);
  const body = bodyOf(ctx);
  if (typeof body["title"] === "string") issue.title = body["title"];
  if (typeof body["body"] === "string" || body["body"] === null) issue.body = body["body"];
  if (body["labels"] !== void 0) issue.labels = ensureLabels(ctx, body["labels"]);
  const state = str(body["state"]);
  if (state === "closed" && issue.state === "open") {
    if (issue.isPull)
      throw new ApiError(422, "Close pull requests through the pulls API in the emulator");
    issue.state = "closed";
    issue.closed_at = ctx.now.toISOString();
    issue.state_reason = str(body["state_reason"]) ?? "completed";
  } else if (state === "open" && issue.state === "closed") {
    issue.state = "open";
    issue.closed_at = null;
    issue.state_reason = "reopened";
  }
  issue.updated_at = ctx.now.toISOString();
  return ok(renderIssue(issue, ctx.repo, ctx.urls));
}
async function createComment(ctx) {
  const issue = loadIssue(ctx);
  const now = ctx.now.toISOString();
  const comment = {
    id: ctx.state.id(),
    body: str(bodyOf(ctx)["body"]) ?? "",
    user: ctx.identity.user,
    created_at: now,
    updated_at: now
  };
  issue.comments.push(comment);
  issue.updated_at = now;
  return created(renderComment(comment, ctx.repo, issue.number, ctx.urls));
}
async function listComments(ctx) {
  const issue = loadIssue(ctx);
  const page = paginate(ctx, issue.comments);
  return ok(
    page.items.map((c) => renderComment(c, ctx.repo, issue.number, ctx.urls)),
    page.headers
  );
}
async function addLabels(ctx) {
  const issue = loadIssue(ctx);
  const raw = Array.isArray(ctx.body) ? ctx.body : bodyOf(ctx)["labels"];
  for (const name of ensureLabels(ctx, raw))
    if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) issue.labels.push(name);
  return ok(labelList(ctx, issue));
}
async function setLabels(ctx) {
  const issue = loadIssue(ctx);
  issue.labels = ensureLabels(ctx, Array.isArray(ctx.body) ? ctx.body : bodyOf(ctx)["labels"]);
  return ok(labelList(ctx, issue));
}
async function removeLabel(ctx) {
  const issue = loadIssue(ctx);
  const name = (ctx.params["name"] ?? "").toLowerCase();
  const before = issue.labels.length;
  issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
  if (issue.labels.length === before) throw new ApiError(404, "Label does not exist");
  return ok(labelList(ctx, issue));
}
async function listIssueLabels(ctx) {
  const page = paginate(ctx, labelList(ctx, loadIssue(ctx)));
  return ok(page.items, page.headers);
}
async function createLabel(ctx) {
  const body = bodyOf(ctx);
  const name = str(body["name"]) ?? "";
  if (ctx.repo.label(name))
    throw new ApiError(422, "Validation Failed", [
      { resource: "Label", code: "already_exists", field: "name" }
    ]);
  const label = ensureLabel(
    ctx,
    name,
    (str(body["color"]) ?? "ededed").replace(/^#/, ""),
    str(body["description"]) ?? null
  );
  return created(renderLabel(label, ctx.repo, ctx.urls));
}
async function listLabels(ctx) {
  const page = paginate(ctx, [...ctx.repo.labels.values()]);
  return ok(
    page.items.map((l) => renderLabel(l, ctx.repo, ctx.urls)),
    page.headers
  );
}
async function getLabel(ctx) {
  const label = ctx.repo.label(ctx.params["name"] ?? "");
  if (!label) throw notFound();
  return ok(renderLabel(label, ctx.repo, ctx.urls));
}
var R4 = "/repos/{owner}/{repo}";
var I = `${R4}/issues/{issue_number}`;
var issueRoutes = [
  route("POST", `${R4}/issues`, createIssue),
  route("GET", `${R4}/issues`, listIssues),
  route("GET", I, getIssue),
  route("PATCH", I, updateIssue),
  route("POST", `${I}/comments`, createComment),
  route("GET", `${I}/comments`, listComments),
  route("GET", `${I}/labels`, listIssueLabels),
  route("POST", `${I}/labels`, addLabels),
  route("PUT", `${I}/labels`, setLabels),
  route("DELETE", `${I}/labels/{name}`, removeLabel),
  route("POST", `${R4}/labels`, createLabel),
  route("GET", `${R4}/labels`, listLabels),
  route("GET", `${R4}/labels/{name}`, getLabel)
];

// src/sandbox/emulator/routes/repos.ts
async function getRepo(ctx) {
  return ok(renderRepo(ctx.repo, ctx.urls));
}
async function commitSummary(ctx, sha) {
  const c = await ctx.repo.git.readCommit(sha);
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const html = `${ctx.urls.server}/${ctx.repo.fullName}`;
  return {
    sha,
    node_id: Buffer.from(`Commit:${sha}`).toString("base64url"),
    url: `${api}/commits/${sha}`,
    html_url: `${html}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message.replace(/\n$/, ""),
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      comment_count: 0
    },
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${html}/commit/${p}`
    }))
  };
}
async function getBranch(ctx) {
  const branch = ctx.params["branch"] ?? "";
  const sha = await ctx.repo.git.readRef(`refs/heads/${branch}`);
  if (!sha) throw new ApiError(404, "Branch not found");
  const req = requirementsFor(ctx.repo, branch);
  const isProtected = ctx.repo.protection.has(branch) || ctx.repo.rulesFor(branch).length > 0;
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}/branches/${encodeURIComponent(branch)}`;
  return ok({
    name: branch,
    commit: await commitSummary(ctx, sha),
    _links: { self: api, html: `${ctx.urls.server}/${ctx.repo.fullName}/tree/${branch}` },
    protected: isProtected,
    protection: {
      enabled: isProtected,
      required_status_checks: {
        enforcement_level: req.contexts.length > 0 ? "non_admins" : "off",
        contexts: req.contexts
      }
    },
    protection_url: `${api}/protection`
  });
}
async function getCommit2(ctx) {
  const sha = await ctx.repo.git.resolveCommit(ctx.params["ref"] ?? "");
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params["ref"] ?? ""}`);
  const summary = await commitSummary(ctx, sha);
  const parent = summary["parents"][0]?.sha ?? "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  return ok({ ...summary, files: await files(ctx, parent, sha) });
}
var STATUS = { A: "added", D: "removed", M: "modified", T: "changed" };
async function files(ctx, from, to) {
  const changed = await ctx.repo.git.diffNames(from, to);
  return Promise.all(
    changed.map(async (f) => {
      const entry = f.status === "D" ? null : await lsPath(ctx, to, f.path);
      return {
        sha: entry?.sha ?? null,
        filename: f.path,
        status: STATUS[f.status[0] ?? "M"] ?? "modified",
        additions: 0,
        deletions: 0,
        changes: 0,
        blob_url: `${ctx.urls.server}/${ctx.repo.fullName}/blob/${to}/${f.path}`,
        raw_url: `${ctx.urls.server}/${ctx.repo.fullName}/raw/${to}/${f.path}`,
        contents_url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/contents/${encodeURIComponent(f.path)}?ref=${to}`
      };
    })
  );
}
async function lsPath(ctx, commit, path4) {
  const out = await ctx.repo.git.tryRun(["ls-tree", "-z", "-l", commit, "--", path4]);
  const line = out?.toString().split("\0")[0];
  if (!line) return null;
  const tab = line.indexOf("	");
  const [mode = "", type = "", sha = "", size = "-"] = line.slice(0, tab).split(/ +/);
  const entry = {
    mode,
    type,
    sha,
    path: line.slice(tab + 1)
  };
  if (size !== "-") entry.size = Number(size);
  return entry;
}
function contentItem(ctx, e, ref) {
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  const type = e.type === "tree" ? "dir" : e.type === "commit" ? "submodule" : e.mode === "120000" ? "symlink" : "file";
  const url = `${api}/contents/${e.path.split("/").map(encodeURIComponent).join("/")}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${api}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`;
  const htmlUrl = `${ctx.urls.server}/${ctx.repo.fullName}/blob/${ref}/${e.path}`;
  return {
    type,
    name: e.path.split("/").at(-1) ?? e.path,
    path: e.path,
    sha: e.sha,
    size: e.size ?? 0,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url: type === "file" ? `${ctx.urls.server}/${ctx.repo.fullName}/raw/${ref}/${e.path}` : null,
    _links: { self: url, git: gitUrl, html: htmlUrl }
  };
}
async function getContent(ctx) {
  const ref = ctx.query.get("ref") ?? ctx.repo.defaultBranch;
  const commit = await ctx.repo.git.resolveCommit(ref);
  if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`);
  const path4 = (ctx.params["path"] ?? "").replace(/^\/+|\/+$/g, "");
  const entry = await lsPath(ctx, commit, path4);
  if (!entry || entry.path !== path4) throw notFound();
  if (entry.type === "tree") {
    const children = await ctx.repo.git.readTree(`${commit}:${path4}`, false);
    return ok(children.map((c) => contentItem(ctx, { ...c, path: `${path4}/${c.path}` }, ref)));
  }
  const bytes = await ctx.repo.git.readBlob(entry.sha);
  if (/\.raw\b/.test(String(ctx.req.headers["accept"] ?? "")))
    return { status: 200, raw: bytes, headers: { "content-type": "application/vnd.github.raw" } };
  return ok({
    ...contentItem(ctx, entry, ref),
    content: wrap60(bytes.toString("base64")),
    encoding: "base64"
  });
}
async function compare(ctx) {
  const [baseRev = "", headRev = ""] = (ctx.params["basehead"] ?? "").split("...");
  const git = ctx.repo.git;
  const base = await git.resolveCommit(baseRev);
  const head = await git.resolveCommit(headRev);
  if (!base || !head) throw notFound();
  const mb = await git.mergeBase(base, head);
  if (!mb) throw notFound();
  const ahead = await git.revList(mb, head);
  const behind = await git.revList(mb, base);
  const status = ahead.length === 0 && behind.length === 0 ? "identical" : behind.length === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
  return ok({
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/compare/${baseRev}...${headRev}`,
    status,
    ahead_by: ahead.length,
    behind_by: behind.length,
    total_commits: ahead.length,
    base_commit: await commitSummary(ctx, base),
    merge_base_commit: await commitSummary(ctx, mb),
    commits: await Promise.all(ahead.slice(0, 250).map((sha) => commitSummary(ctx, sha))),
    files: await files(ctx, mb, head)
  });
}
async function branchRules(ctx) {
  const rules = ctx.repo.rulesFor(ctx.params["branch"] ?? "").map((r) => ({
    ...r,
    ruleset_source_type: "Repository",
    ruleset_source: ctx.repo.fullName,
    ruleset_id: 1
  }));
  const page = paginate(ctx, rules);
  return ok(page.items, page.headers);
}
async function branchProtection(ctx) {
  const branch = ctx.params["branch"] ?? "";
  const p = ctx.repo.protection.get(branch);
  if (!await ctx.repo.git.readRef(`refs/heads/${branch}`))
    throw new ApiError(404, "Branch not found");
  if (!p) throw new ApiError(404, "Branch not protected");
  const url = `${ctx.urls.api}/repos/${ctx.repo.fullName}/branches/${encodeURIComponent(branch)}/protection`;
  const out = {
    url,
    enforce_admins: { url: `${url}/enforce_admins`, enabled: p.enforce_admins === true }
  };
  if (p.required_status_checks)
    out["required_status_checks"] = {
      url: `${url}/required_status_checks`,
      strict: p.strict === true,
      contexts: p.required_status_checks,
      checks: p.required_status_checks.map((context) => ({ context, app_id: null }))
    };
  if (p.required_approving_review_count !== void 0)
    out["required_pull_request_reviews"] = {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: false,
      require_code_owner_reviews: p.require_code_owner_reviews === true,
      required_approving_review_count: p.required_approving_review_count
    };
  return ok(out);
}
async function getEnvironment(ctx) {
  const name = ctx.params["environment_name"] ?? "";
  if (!ctx.repo.environments.has(name)) throw notFound();
  const id = [...ctx.repo.environments].indexOf(name) + 1;
  return ok({
    id,
    node_id: Buffer.from(`Environment:${ctx.repo.id}:${id}`).toString("base64url"),
    name,
    url: `${ctx.urls.api}/repos/${ctx.repo.fullName}/environments/${encodeURIComponent(name)}`,
    html_url: `${ctx.urls.server}/${ctx.repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    protection_rules: [],
    deployment_branch_policy: null
  });
}
var R5 = "/repos/{owner}/{repo}";
var repoRoutes = [
  route("GET", R5, getRepo),
  route("GET", `${R5}/branches/{branch}`, getBranch),
  route("GET", `${R5}/commits/{ref}`, getCommit2),
  route("GET", `${R5}/contents/{path}`, getContent),
  route("GET", `${R5}/compare/{basehead}`, compare),
  route("GET", `${R5}/rules/branches/{branch}`, branchRules),
  route("GET", `${R5}/branches/{branch}/protection`, branchProtection),
  route("GET", `${R5}/environments/{environment_name}`, getEnvironment)
];

// src/sandbox/emulator/routes/pulls.ts
async function loadPull(ctx) {
  const n = intParam(ctx, "pull_number");
  const pull = ctx.repo.pulls.get(n);
  const issue = ctx.repo.issues.get(n);
  if (!pull || !issue) throw notFound();
  await refresh(ctx, pull, issue);
  return { pull, issue };
}
async function refresh(ctx, pull, issue) {
  if (issue.state !== "open") return;
  const head = await ctx.repo.git.readRef(`refs/heads/${pull.headRef}`);
  if (head) {
    pull.headSha = head;
  } else {
    issue.state = "closed";
    issue.closed_at = ctx.now.toISOString();
  }
}
async function pullJson(ctx, { pull, issue }, withMergeable = true) {
  const baseSha = await ctx.repo.git.readRef(`refs/heads/${pull.baseRef}`) ?? "";
  let mergeable = null;
  let blocked = false;
  if (withMergeable && issue.state === "open" && baseSha) {
    mergeable = await ctx.repo.git.mergeTree(baseSha, pull.headSha) !== null;
    blocked = await assertMergeAllowed(ctx.repo, pull, issue.user, baseSha).then(
      () => false,
      () => true
    );
  }
  return renderPull(pull, issue, ctx.repo, { baseSha, mergeable, blocked }, ctx.urls);
}
function validationFailed(errors) {
  return new ApiError(
    422,
    "Validation Failed",
    errors.map((e) => ({ resource: "PullRequest", ...e }))
  );
}
function headBranch(ctx, head) {
  const i = head.indexOf(":");
  if (i === -1) return head;
  if (head.slice(0, i).toLowerCase() !== ctx.repo.owner.login.toLowerCase()) return "";
  return head.slice(i + 1);
}
async function createPull(ctx) {
  if (ctx.identity.kind === "github-actions" && !ctx.repo.actionsCanCreatePullRequests)
    throw new ApiError(403, "GitHub Actions is not permitted to create or approve pull requests.");
  const body = bodyOf(ctx);
  const headRef = headBranch(ctx, str(body["head"]) ?? "");
  const baseRef = str(body["base"]) ?? "";
  const title = str(body["title"]);
  const git = ctx.repo.git;
  const baseSha = await git.readRef(`refs/heads/${baseRef}`);
  const headSha = headRef ? await git.readRef(`refs/heads/${headRef}`) : null;
  const errors = [];
  if (!title) errors.push({ field: "title", code: "missing_field" });
  if (!baseSha) errors.push({ field: "base", code: "invalid" });
  if (!headSha) errors.push({ field: "head", code: "invalid" });
  if (errors.length > 0) throw validationFailed(errors);
  const open = [...ctx.repo.pulls.values()].find(
    (p) => p.headRef === headRef && p.baseRef === baseRef && ctx.repo.issues.get(p.number)?.state === "open"
  );
  if (open)
    throw validationFailed([
      {
        code: "custom",
        message: `A pull request already exists for ${ctx.repo.owner.login}:${headRef}.`
      }
    ]);
  if (baseSha && headSha && await git.isAncestor(headSha, baseSha))
    throw validationFailed([
      { code: "custom", message: `No commits between ${baseRef} and ${headRef}` }
    ]);
  const number = ctx.repo.nextNumber();
  const now = ctx.now.toISOString();
  const issue = {
    id: ctx.state.id(),
    number,
    title: title ?? "",
    body: str(body["body"]) ?? null,
    state: "open",
    state_reason: null,
    labels: [],
    assignees: [],
    user: ctx.identity.user,
    created_at: now,
    updated_at: now,
    closed_at: null,
    comments: [],
    isPull: true
  };
  const pull = {
    id: ctx.state.id(),
    number,
    headRef,
    headSha: headSha ?? "",
    baseRef,
    draft: body["draft"] === true,
    maintainer_can_modify: body["maintainer_can_modify"] !== false,
    merged_at: null,
    merged_by: null,
    merge_commit_sha: null,
    requested_reviewers: [],
    requested_teams: [],
    reviews: []
  };
  ctx.repo.issues.set(number, issue);
  ctx.repo.pulls.set(number, pull);
  return created(await pullJson(ctx, { pull, issue }, false));
}
async function getPull(ctx) {
  return ok(await pullJson(ctx, await loadPull(ctx)));
}
async function listPulls(ctx) {
  const state = ctx.query.get("state") ?? "open";
  const head = ctx.query.get("head")?.includes(":") ? ctx.query.get("head") : null;
  const base = ctx.query.get("base");
  const direction = ctx.query.get("direction") ?? "desc";
  const all = [];
  for (const pull of ctx.repo.pulls.values()) {
    const issue = ctx.repo.issues.get(pull.number);
    if (!issue) continue;
    await refresh(ctx, pull, issue);
    if (state !== "all" && issue.state !== state) continue;
    if (head && `${ctx.repo.owner.login}:${pull.headRef}`.toLowerCase() !== head.toLowerCase())
      continue;
    if (base && pull.baseRef !== base) continue;
    all.push({ pull, issue });
  }
  all.sort(
    (a, b) => direction === "asc" ? a.pull.number - b.pull.number : b.pull.number - a.pull.number
  );
  const page = paginate(ctx, all);
  return ok(await Promise.all(page.items.map((p) => pullJson(ctx, p, false))), page.headers);
}
async function updatePull(ctx) {
  const loaded = await loadPull(ctx);
  const { pull, issue } = loaded;
  const body = bodyOf(ctx);
  if (typeof body["title"] === "string") issue.title = body["title"];
  if (typeof body["body"] === "string") issue.body = body["body"];
  if (typeof body["base"] === "string") {
    if (!await ctx.repo.git.readRef(`refs/heads/${body["base"]}`))
      throw validationFailed([{ field: "base", code: "invalid" }]);
    pull.baseRef = body["base"];
  }
  const state = str(body["state"]);
  if (state === "closed" && issue.state === "open") {
    issue.state = "closed";
    issue.closed_at = ctx.now.toISOString();
  } else if (state === "open" && issue.state === "closed") {
    if (pull.merged_at)
      throw validationFailed([{ code: "custom", message: "Cannot reopen a merged pull request" }]);
    if (!await ctx.repo.git.readRef(`refs/heads/${pull.headRef}`))
      throw validationFailed([
        { code: "custom", message: "Cannot reopen: the head branch was deleted" }
      ]);
    issue.state = "open";
    issue.closed_at = null;
    await refresh(ctx, pull, issue);
  }
  issue.updated_at = ctx.now.toISOString();
  return ok(await pullJson(ctx, loaded));
}
async function pullFiles(ctx) {
  const { pull } = await loadPull(ctx);
  const baseSha = await ctx.repo.git.readRef(`refs/heads/${pull.baseRef}`) ?? pull.headSha;
  const from = await ctx.repo.git.mergeBase(baseSha, pull.headSha) ?? baseSha;
  const page = paginate(ctx, await files(ctx, from, pull.headSha));
  return ok(page.items, page.headers);
}
var mergedCommits = /* @__PURE__ */ new WeakMap();
async function pullOwnCommits(ctx, pull) {
  const cached = pull.merge_commit_sha ? mergedCommits.get(pull) : void 0;
  if (cached) return cached;
  const git = ctx.repo.git;
  const base = pull.merge_commit_sha ? (await git.readCommit(pull.merge_commit_sha)).parents[0] : await git.readRef(`refs/heads/${pull.baseRef}`);
  const from = base ? await git.mergeBase(base, pull.headSha) : null;
  const commits = from === null ? [] : await git.revList(from, pull.headSha);
  if (pull.merge_commit_sha) mergedCommits.set(pull, commits);
  return commits;
}
async function pullsForCommit(ctx) {
  const sha = await ctx.repo.git.resolveCommit(ctx.params["commit_sha"] ?? "");
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params["commit_sha"] ?? ""}`);
  const found = [];
  for (const pull of ctx.repo.pulls.values()) {
    const issue = ctx.repo.issues.get(pull.number);
    if (!issue) continue;
    await refresh(ctx, pull, issue);
    const hit = pull.merge_commit_sha === sha || pull.headSha === sha || (await pullOwnCommits(ctx, pull)).includes(sha);
    if (hit) found.push({ pull, issue });
  }
  const page = paginate(ctx, found);
  return ok(await Promise.all(page.items.map((p) => pullJson(ctx, p, false))), page.headers);
}
async function pullCommits(ctx) {
  const { pull } = await loadPull(ctx);
  const git = ctx.repo.git;
  const base = pull.merge_commit_sha ? (await git.readCommit(pull.merge_commit_sha)).parents[0] : await git.readRef(`refs/heads/${pull.baseRef}`);
  const from = base ? await git.mergeBase(base, pull.headSha) : null;
  const shas = from ? await git.revList(from, pull.headSha) : [pull.headSha];
  const page = paginate(ctx, shas);
  return ok(await Promise.all(page.items.map((sha) => commitSummary(ctx, sha))), page.headers);
}
var R6 = "/repos/{owner}/{repo}/pulls";
var pullRoutes = [
  route("POST", R6, createPull),
  route("GET", R6, listPulls),
  route("GET", `${R6}/{pull_number}`, getPull),
  route("PATCH", `${R6}/{pull_number}`, updatePull),
  route("GET", `${R6}/{pull_number}/files`, pullFiles),
  route("GET", `${R6}/{pull_number}/commits`, pullCommits),
  route("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls", pullsForCommit)
];

// src/sandbox/emulator/routes/pull-reviews.ts
var GITHUB = { name: "GitHub", email: "noreply@github.com" };
function split(message) {
  const i = message.indexOf("\n");
  return i === -1 ? { subject: message, body: "" } : { subject: message.slice(0, i), body: message.slice(i + 1).replace(/^\n+/, "") };
}
async function mergePull(ctx) {
  const { pull, issue } = await loadPull(ctx);
  const body = bodyOf(ctx);
  if (issue.state !== "open" || pull.merged_at)
    throw new ApiError(405, "Pull Request is not mergeable");
  const sha = str(body["sha"]);
  if (sha && sha !== pull.headSha)
    throw new ApiError(409, "Head branch was modified. Review and try the merge again.");
  const method = str(body["merge_method"]) ?? "merge";
  if (method === "rebase")
    throw new ApiError(405, "Rebase merges are not allowed on this repository.");
  if (pull.draft) throw new ApiError(405, "Pull Request is still a draft");
  const git = ctx.repo.git;
  const baseRef = `refs/heads/${pull.baseRef}`;
  const baseSha = await git.readRef(baseRef);
  if (!baseSha) throw new ApiError(405, "Pull Request is not mergeable");
  await assertMergeAllowed(ctx.repo, pull, issue.user, baseSha);
  const tree = await git.mergeTree(baseSha, pull.headSha);
  if (!tree) throw new ApiError(405, "Pull Request is not mergeable");
  const now = ctx.now.toISOString();
  const merger = ctx.identity.user;
  const mergerPerson = {
    name: merger.login,
    email: `${merger.id}+${merger.login}@users.noreply.github.com`,
    date: now
  };
  let message;
  let parents;
  let author = mergerPerson;
  if (method === "squash") {
    const messages = await Promise.all(
      (await git.revList(baseSha, pull.headSha)).map(
        async (c) => (await git.readCommit(c)).message.trimEnd()
      )
    );
    const only = messages.length === 1 ? split(messages[0] ?? "") : null;
    const title = str(body["commit_title"]) ?? `${only ? only.subject : issue.title} (#${pull.number})`;
    const text = str(body["commit_message"]) ?? (only ? only.body : messages.map((m) => `* ${m}`).join("\n\n"));
    message = text ? `${title}

${text}
` : `${title}
`;
    parents = [baseSha];
    author = {
      name: issue.user.login,
      email: `${issue.user.id}+${issue.user.login}@users.noreply.github.com`,
      date: now
    };
  } else {
    const title = str(body["commit_title"]) ?? `Merge pull request #${pull.number} from ${ctx.repo.owner.login}/${pull.headRef}`;
    message = `${title}

${str(body["commit_message"]) ?? issue.title}
`;
    parents = [baseSha, pull.headSha];
  }
  const commit = await git.writeCommit({
    tree,
    parents,
    author,
    committer: { ...GITHUB, date: now },
    message
  });
  if (!await git.updateRef(baseRef, commit, baseSha))
    throw new ApiError(409, "Base branch was modified. Review and try the merge again.");
  pull.merged_at = now;
  pull.merged_by = merger;
  pull.merge_commit_sha = commit;
  issue.state = "closed";
  issue.closed_at = now;
  issue.updated_at = now;
  if (ctx.repo.deleteBranchOnMerge) await git.deleteRef(`refs/heads/${pull.headRef}`, pull.headSha);
  return ok({ sha: commit, merged: true, message: "Pull Request successfully merged" });
}
var EVENTS = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED"
};
async function createReview(ctx) {
  const { pull, issue } = await loadPull(ctx);
  const body = bodyOf(ctx);
  const event = str(body["event"]);
  const state = event ? EVENTS[event] : "PENDING";
  if (!state) throw new ApiError(422, "Unprocessable Entity", [`Unknown event ${event ?? ""}`]);
  const text = str(body["body"]) ?? "";
  const me = ctx.identity.user;
  if (issue.state !== "open")
    throw new ApiError(422, "Unprocessable Entity", ["Pull request is closed"]);
  if (state !== "COMMENTED" && state !== "PENDING" && me.login === issue.user.login)
    throw new ApiError(422, "Unprocessable Entity", [
      `Review Can not ${state === "APPROVED" ? "approve" : "request changes on"} your own pull request`
    ]);
  if (state === "APPROVED" && ctx.identity.kind === "github-actions" && !ctx.repo.actionsCanCreatePullRequests)
    throw new ApiError(422, "Unprocessable Entity", [
      "GitHub Actions is not permitted to approve pull requests."
    ]);
  if ((state === "CHANGES_REQUESTED" || state === "COMMENTED") && text === "")
    throw new ApiError(422, "Unprocessable Entity", [`Review body is required for ${event ?? ""}`]);
  const review = {
    id: ctx.state.id(),
    user: me,
    body: text,
    state,
    commit_id: str(body["commit_id"]) ?? pull.headSha,
    submitted_at: ctx.now.toISOString()
  };
  pull.reviews.push(review);
  if (state !== "PENDING")
    pull.requested_reviewers = pull.requested_reviewers.filter((l) => l !== me.login);
  return ok(renderReview(review, ctx.repo, pull.number, ctx.urls));
}
async function listReviews(ctx) {
  const { pull } = await loadPull(ctx);
  const visible = pull.reviews.filter(
    (r) => r.state !== "PENDING" || r.user.login === ctx.identity.user.login
  );
  const page = paginate(ctx, visible);
  return ok(
    page.items.map((r) => renderReview(r, ctx.repo, pull.number, ctx.urls)),
    page.headers
  );
}
async function requestReviewers(ctx) {
  const loaded = await loadPull(ctx);
  const { pull, issue } = loaded;
  const body = bodyOf(ctx);
  const users = Array.isArray(body["reviewers"]) ? body["reviewers"] : [];
  const teams = Array.isArray(body["team_reviewers"]) ? body["team_reviewers"] : [];
  if (users.some((u) => u.toLowerCase() === issue.user.login.toLowerCase()))
    throw new ApiError(422, "Review cannot be requested from pull request author.");
  const unknown = users.filter((u) => !ctx.state.users.has(u.toLowerCase()));
  if (unknown.length > 0)
    throw new ApiError(
      422,
      `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${ctx.repo.fullName} repository.`
    );
  const members = { name: "members", access: "read" };
  if (teams.length > 0 && !holds(ctx.identity, members))
    throw new ApiError(422, "Validation Failed", [
      `Could not resolve to a node with the global id of '${teamNodeId(teams[0] ?? "")}'.`
    ]);
  for (const u of users) {
    const login = ctx.state.user(u).login;
    if (!pull.requested_reviewers.includes(login)) pull.requested_reviewers.push(login);
  }
  for (const t of teams) if (!pull.requested_teams.includes(t)) pull.requested_teams.push(t);
  return created(await pullJson(ctx, loaded, false));
}
function teamNodeId(slug) {
  return Buffer.from(`04:Team${slug}`).toString("base64");
}
async function listRequestedReviewers(ctx) {
  const { pull } = await loadPull(ctx);
  return ok({
    users: pull.requested_reviewers.map((l) => renderUser(ctx.state.user(l), ctx.urls)),
    teams: pull.requested_teams.map((slug) => ({ id: 0, slug, name: slug }))
  });
}
var R7 = "/repos/{owner}/{repo}/pulls/{pull_number}";
var pullReviewRoutes = [
  route("PUT", `${R7}/merge`, mergePull),
  route("POST", `${R7}/reviews`, createReview),
  route("GET", `${R7}/reviews`, listReviews),
  route("POST", `${R7}/requested_reviewers`, requestReviewers),
  route("GET", `${R7}/requested_reviewers`, listRequestedReviewers)
];

// src/sandbox/emulator/routes/secrets.ts
function scopeOf(ctx, app, kind) {
  if (kind === "org") {
    const org = ctx.params["org"] ?? "";
    const known = [...ctx.state.repos.values()].some(
      (r) => r.owner.login.toLowerCase() === org.toLowerCase()
    );
    if (!known) throw notFound();
    return `${app}:org:${org.toLowerCase()}`;
  }
  const repo2 = ctx.repo.fullName.toLowerCase();
  if (kind === "repo") return `${app}:repo:${repo2}`;
  const env = ctx.params["environment_name"] ?? "";
  if (!ctx.repo.environments.has(env)) throw notFound();
  return `${app}:env:${repo2}:${env}`;
}
function render2(ctx, kind, s) {
  const out = {
    name: s.name,
    created_at: s.created_at,
    updated_at: s.updated_at
  };
  if (kind === "org") {
    out["visibility"] = s.visibility ?? "private";
    if (s.visibility === "selected")
      out["selected_repositories_url"] = `${ctx.urls.api}/orgs/${ctx.params["org"] ?? ""}/secrets/${s.name}/repositories`;
  }
  return out;
}
function validationFailed2(field, message) {
  return new ApiError(422, "Validation Failed", [
    { resource: "Secret", field, code: "custom", message }
  ]);
}
function put(app, kind) {
  return async (ctx) => {
    const scope = scopeOf(ctx, app, kind);
    const name = ctx.params["secret_name"] ?? "";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^GITHUB_/i.test(name))
      throw validationFailed2(
        "name",
        "Secret names may only contain letters, digits and _, and may not start with GITHUB_ or a digit"
      );
    const body = bodyOf(ctx);
    const boxes = ctx.state.secrets;
    const existing = boxes.get(scope, name);
    const value = str(body["encrypted_value"]);
    let sealed = existing?.sealed;
    let keyPair = existing?.keyPair;
    if (value !== void 0 || kind !== "org") {
      const checked = boxes.check(scope, str(body["key_id"]) ?? "", value ?? "");
      if ("problem" in checked) throw validationFailed2("encrypted_value", checked.problem);
      sealed = checked.sealed;
      keyPair = boxes.keyPair(scope);
    }
    if (!sealed || !keyPair)
      throw validationFailed2("encrypted_value", "A new secret needs encrypted_value and key_id");
    const visibility = kind === "org" ? str(body["visibility"]) : void 0;
    const ids = Array.isArray(body["selected_repository_ids"]) ? body["selected_repository_ids"] : [];
    const selected = ids.map(Number).filter((id) => ctx.state.repoById(id));
    const isNew = boxes.put(scope, {
      name,
      sealed,
      keyPair,
      visibility,
      selectedRepositoryIds: visibility === "selected" ? selected : [],
      now: ctx.now.toISOString()
    });
    return isNew ? { status: 201, body: {} } : noContent();
  };
}
function get(app, kind) {
  return async (ctx) => {
    const s = ctx.state.secrets.get(scopeOf(ctx, app, kind), ctx.params["secret_name"] ?? "");
    if (!s) throw notFound();
    return ok(render2(ctx, kind, s));
  };
}
function list(app, kind) {
  return async (ctx) => {
    const all = ctx.state.secrets.list(scopeOf(ctx, app, kind));
    const page = paginate(ctx, all);
    return ok(
      { total_count: all.length, secrets: page.items.map((s) => render2(ctx, kind, s)) },
      page.headers
    );
  };
}
function del(app, kind) {
  return async (ctx) => {
    if (!ctx.state.secrets.delete(scopeOf(ctx, app, kind), ctx.params["secret_name"] ?? ""))
      throw notFound();
    return noContent();
  };
}
function publicKey(app, kind) {
  return async (ctx) => ok(ctx.state.secrets.publicKeyJson(scopeOf(ctx, app, kind)));
}
function orgSecret(ctx, app) {
  const s = ctx.state.secrets.get(scopeOf(ctx, app, "org"), ctx.params["secret_name"] ?? "");
  if (!s) throw notFound();
  return s;
}
function selectedRepos(app) {
  return async (ctx) => {
    const s = orgSecret(ctx, app);
    const repos = s.selectedRepositoryIds.flatMap((id) => {
      const r = ctx.state.repoById(id);
      return r ? [renderRepo(r, ctx.urls)] : [];
    });
    return ok({ total_count: repos.length, repositories: repos });
  };
}
function setSelectedRepos(app) {
  return async (ctx) => {
    const s = orgSecret(ctx, app);
    if (s.visibility !== "selected")
      throw new ApiError(409, "The secret visibility is not set to selected");
    const ids = bodyOf(ctx)["selected_repository_ids"];
    s.selectedRepositoryIds = (Array.isArray(ids) ? ids : []).map(Number).filter((id) => ctx.state.repoById(id));
    return noContent();
  };
}
function changeSelectedRepo(app, add) {
  return async (ctx) => {
    const s = orgSecret(ctx, app);
    if (s.visibility !== "selected")
      throw new ApiError(409, "The secret visibility is not set to selected");
    const id = Number(ctx.params["repository_id"]);
    s.selectedRepositoryIds = s.selectedRepositoryIds.filter((x) => x !== id);
    if (add) s.selectedRepositoryIds.push(id);
    return noContent();
  };
}
function scopeRoutes(app, kind, base) {
  return [
    route("GET", `${base}/public-key`, publicKey(app, kind)),
    route("GET", base, list(app, kind)),
    route("GET", `${base}/{secret_name}`, get(app, kind)),
    route("PUT", `${base}/{secret_name}`, put(app, kind)),
    route("DELETE", `${base}/{secret_name}`, del(app, kind))
  ];
}
function orgRoutes(app, base) {
  return [
    ...scopeRoutes(app, "org", base),
    route("GET", `${base}/{secret_name}/repositories`, selectedRepos(app)),
    route("PUT", `${base}/{secret_name}/repositories`, setSelectedRepos(app)),
    route(
      "PUT",
      `${base}/{secret_name}/repositories/{repository_id}`,
      changeSelectedRepo(app, true)
    ),
    route(
      "DELETE",
      `${base}/{secret_name}/repositories/{repository_id}`,
      changeSelectedRepo(app, false)
    )
  ];
}
var R8 = "/repos/{owner}/{repo}";
var secretRoutes = [
  ...scopeRoutes("actions", "repo", `${R8}/actions/secrets`),
  ...scopeRoutes("actions", "env", `${R8}/environments/{environment_name}/secrets`),
  ...scopeRoutes("dependabot", "repo", `${R8}/dependabot/secrets`),
  ...orgRoutes("actions", "/orgs/{org}/actions/secrets"),
  ...orgRoutes("dependabot", "/orgs/{org}/dependabot/secrets")
];

// src/sandbox/emulator/routes/statuses.ts
var STATES = ["error", "failure", "pending", "success"];
async function createStatus(ctx) {
  const sha = ctx.params["sha"] ?? "";
  if (await ctx.repo.git.objectType(sha) !== "commit")
    throw new ApiError(422, `No commit found for SHA: ${sha}`);
  const body = bodyOf(ctx);
  const state = STATES.find((s) => s === body["state"]);
  if (!state)
    throw new ApiError(422, "Validation Failed", [
      { resource: "Status", field: "state", code: "custom" }
    ]);
  const context = str(body["context"]) ?? "default";
  if (ctx.repo.statuses.filter((s) => s.sha === sha && s.context === context).length >= 1e3)
    throw new ApiError(422, "Validation Failed", [
      {
        resource: "Status",
        code: "custom",
        message: "This SHA and context has reached the maximum number of statuses."
      }
    ]);
  const status = {
    id: ctx.state.id(),
    sha,
    state,
    context,
    description: str(body["description"]) ?? null,
    target_url: str(body["target_url"]) ?? null,
    creator: ctx.identity.user,
    created_at: ctx.now.toISOString()
  };
  ctx.repo.statuses.push(status);
  return created(renderStatus(status, ctx.urls));
}
async function resolve(ctx) {
  const sha = await ctx.repo.git.resolveCommit(ctx.params["ref"] ?? "");
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params["ref"] ?? ""}`);
  return sha;
}
async function listStatuses(ctx) {
  const sha = await resolve(ctx);
  const newestFirst2 = ctx.repo.statuses.filter((s) => s.sha === sha).reverse();
  const page = paginate(ctx, newestFirst2);
  return ok(
    page.items.map((s) => renderStatus(s, ctx.urls)),
    page.headers
  );
}
async function combinedStatus(ctx) {
  const sha = await resolve(ctx);
  const latest = /* @__PURE__ */ new Map();
  for (const s of ctx.repo.statuses) if (s.sha === sha) latest.set(s.context, s);
  const statuses = [...latest.values()];
  const state = statuses.some((s) => s.state === "failure" || s.state === "error") ? "failure" : statuses.length === 0 || statuses.some((s) => s.state === "pending") ? "pending" : "success";
  const api = `${ctx.urls.api}/repos/${ctx.repo.fullName}`;
  return ok({
    state,
    statuses: statuses.map((s) => renderStatus(s, ctx.urls)),
    sha,
    total_count: statuses.length,
    repository: renderRepo(ctx.repo, ctx.urls),
    commit_url: `${api}/commits/${sha}`,
    url: `${api}/commits/${sha}/status`
  });
}
var R9 = "/repos/{owner}/{repo}";
var statusRoutes = [
  route("POST", `${R9}/statuses/{sha}`, createStatus),
  route("GET", `${R9}/commits/{ref}/statuses`, listStatuses),
  route("GET", `${R9}/commits/{ref}/status`, combinedStatus)
];

// src/sandbox/emulator/server.ts
var API_PREFIX = "/api/v3";
var router = new Router();
router.add(
  ...repoRoutes,
  ...gitDataRoutes,
  ...pullRoutes,
  ...pullReviewRoutes,
  ...issueRoutes,
  ...statusRoutes,
  ...secretRoutes,
  ...deployKeyRoutes,
  ...actionRoutes,
  ...accessRoutes
);
async function listen(p) {
  const server = createServer2((req, res) => {
    handle(p, req, res).catch((e) => {
      if (!res.headersSent) send(res, { status: 500, body: { message: "emulator failure" } }, {});
      p.problems.push({
        kind: "server-error",
        operation: "?",
        path: req.url ?? "",
        errors: [String(e)]
      });
    });
  });
  await new Promise((resolve3) => server.listen(0, "127.0.0.1", resolve3));
  return { server, port: server.address().port };
}
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}
async function handle(p, req, res) {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (!url.pathname.startsWith(`${API_PREFIX}/`) && isGitHttpPath(url.pathname))
    return serveGitHttp(p.state, p.tokens, req, res, url);
  const entry = {
    method,
    route: null,
    operation: null,
    path: url.pathname,
    status: 0,
    login: null
  };
  p.log.push(entry);
  const raw = await readBody(req);
  p.onReceived?.(url.pathname, raw);
  const finish = (reply2, extra = {}) => {
    entry.status = reply2.status;
    send(res, reply2, extra);
  };
  const rawPath = url.pathname.startsWith(`${API_PREFIX}/`) ? url.pathname.slice(API_PREFIX.length) : null;
  const { match } = rawPath ? router.match(method, rawPath) : { match: null };
  if (!match) return finish(errorReply(new ApiError(404, "Not Found")));
  const template = match.route.template;
  entry.route = template;
  entry.operation = `${method} ${template}`;
  let body = void 0;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return finish(errorReply(new ApiError(400, "Problems parsing JSON")));
    }
  }
  if (p.validator) {
    const errors = await p.validator.validateRequest({
      method,
      template,
      params: match.params,
      query: url.searchParams,
      body
    });
    if (errors.length > 0) {
      entry.invalid = errors;
      p.problems.push({
        kind: "invalid-request",
        operation: entry.operation,
        path: url.pathname,
        errors
      });
      return finish(errorReply(new ApiError(422, `Invalid request.

${errors.join("\n")}`)));
    }
  }
  const fault = p.faults.take(method, template, url.pathname, req.headers);
  if (fault) {
    entry.fault = fault.label;
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.kind === "status")
      return finish({ status: fault.status ?? 500, body: fault.body, headers: fault.headers });
  }
  let rateHeaders = {};
  let reply;
  try {
    const identity = p.tokens.authenticate(req.headers["authorization"]);
    entry.login = identity.user.login;
    rateHeaders = spendRateLimit(identity, p.now());
    let repo2 = null;
    if (template.startsWith("/repos/{owner}/{repo}")) {
      repo2 = p.state.repo(match.params["owner"] ?? "", match.params["repo"] ?? "") ?? null;
      if (!repo2) throw new ApiError(404, "Not Found");
    }
    authorize(identity, match.route.permission, repo2);
    const ctx = {
      req,
      method,
      template,
      params: match.params,
      query: url.searchParams,
      body,
      identity,
      state: p.state,
      repo: repo2 ?? notARepo(),
      urls: p.urls,
      now: p.now()
    };
    reply = await match.route.handler(ctx);
  } catch (e) {
    if (!(e instanceof ApiError)) {
      p.problems.push({
        kind: "server-error",
        operation: entry.operation,
        path: url.pathname,
        errors: [String(e)]
      });
    }
    reply = e instanceof ApiError ? errorReply(e) : { status: 500, body: { message: "emulator failure" } };
  }
  if (fault?.kind === "lost") {
    entry.status = 0;
    req.socket.destroy();
    return;
  }
  if (p.validator?.validateResponse && reply.status < 300 && reply.body !== void 0) {
    const errors = await p.validator.validateResponse({
      method,
      template,
      status: reply.status,
      body: reply.body
    });
    if (errors.length > 0)
      p.problems.push({
        kind: "invalid-response",
        operation: entry.operation,
        path: url.pathname,
        errors
      });
  }
  finish(reply, rateHeaders);
}
function notARepo() {
  return new Proxy({}, {
    get() {
      throw new Error("ctx.repo used on a route that is not repository-scoped");
    }
  });
}
function errorReply(e) {
  const body = {
    message: e.message,
    documentation_url: "https://docs.github.com/rest",
    status: String(e.status)
  };
  if (e.errors) body["errors"] = e.errors;
  return { status: e.status, body, headers: e.headers };
}
function send(res, reply, extra) {
  const headers = {
    "x-github-api-version-selected": "2022-11-28",
    ...extra,
    ...reply.headers
  };
  if (reply.raw) {
    res.writeHead(reply.status, { "content-type": "application/octet-stream", ...headers });
    res.end(reply.raw);
  } else if (reply.body === void 0 || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
  } else {
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(reply.body));
  }
}

// src/sandbox/emulator/secret-boxes.ts
import { randomInt } from "node:crypto";
var sodiumReady = libsodium_wrappers_default.ready;
function scopeKey(scope) {
  const app = scope.app ?? "actions";
  if ("organization" in scope) return `${app}:org:${scope.organization.toLowerCase()}`;
  const repo2 = scope.repository.toLowerCase();
  return scope.environment ? `${app}:env:${repo2}:${scope.environment}` : `${app}:repo:${repo2}`;
}
var SecretBoxes = class {
  #keys = /* @__PURE__ */ new Map();
  #secrets = /* @__PURE__ */ new Map();
  /** The scope's current key pair, created on first use. */
  keyPair(scope) {
    let kp = this.#keys.get(scope);
    if (!kp) {
      kp = this.#newKeyPair();
      this.#keys.set(scope, kp);
    }
    return kp;
  }
  /** Replaces the scope's key pair (GitHub rotates these); sealed values stay openable. */
  rotateKey(scope) {
    const kp = this.#newKeyPair();
    this.#keys.set(scope, kp);
    return kp;
  }
  #newKeyPair() {
    const { publicKey: publicKey2, privateKey } = libsodium_wrappers_default.crypto_box_keypair();
    const keyId = `${randomInt(1e8, 1e9)}${randomInt(1e8, 1e9)}`;
    return { keyId, publicKey: publicKey2, privateKey };
  }
  publicKeyJson(scope) {
    const kp = this.keyPair(scope);
    return {
      key_id: kp.keyId,
      key: libsodium_wrappers_default.to_base64(kp.publicKey, libsodium_wrappers_default.base64_variants.ORIGINAL)
    };
  }
  /**
   * Checks a PUT body against the scope's current key. Returns the sealed bytes, or a reason
   * for a 422 (which never includes the value).
   */
  check(scope, keyId, encrypted) {
    const kp = this.keyPair(scope);
    if (keyId !== kp.keyId) return { problem: `key_id ${keyId} is not the current public key` };
    let sealed;
    try {
      sealed = libsodium_wrappers_default.from_base64(encrypted, libsodium_wrappers_default.base64_variants.ORIGINAL);
    } catch {
      return { problem: "encrypted_value is not base64" };
    }
    try {
      libsodium_wrappers_default.crypto_box_seal_open(sealed, kp.publicKey, kp.privateKey);
    } catch {
      return { problem: "encrypted_value is not a sealed box for the current public key" };
    }
    return { sealed };
  }
  list(scope) {
    return [...this.#secrets.get(scope)?.values() ?? []].sort(
      (a, b) => a.name.localeCompare(b.name)
    );
  }
  get(scope, name) {
    return this.#secrets.get(scope)?.get(name.toUpperCase());
  }
  /** Stores a secret; true when it was created, false when updated. */
  put(scope, secret) {
    let map = this.#secrets.get(scope);
    if (!map) {
      map = /* @__PURE__ */ new Map();
      this.#secrets.set(scope, map);
    }
    const name = secret.name.toUpperCase();
    const existing = map.get(name);
    const { now, ...rest } = secret;
    map.set(name, { ...rest, name, created_at: existing?.created_at ?? now, updated_at: now });
    return existing === void 0;
  }
  delete(scope, name) {
    return this.#secrets.get(scope)?.delete(name.toUpperCase()) ?? false;
  }
  /** The plaintext of a stored secret (tests only), or undefined when there is none. */
  open(scope, name) {
    const s = this.get(scope, name);
    if (!s) return void 0;
    const plain2 = libsodium_wrappers_default.crypto_box_seal_open(s.sealed, s.keyPair.publicKey, s.keyPair.privateKey);
    return libsodium_wrappers_default.to_string(plain2);
  }
};

// src/sandbox/emulator/state.ts
var RepoState = class {
  id;
  owner;
  name;
  git;
  defaultBranch;
  private;
  actionsCanCreatePullRequests;
  deleteBranchOnMerge = false;
  environments = /* @__PURE__ */ new Set();
  issues = /* @__PURE__ */ new Map();
  pulls = /* @__PURE__ */ new Map();
  labels = /* @__PURE__ */ new Map();
  statuses = [];
  deployKeys = [];
  /**
   * Roles given to people (login, lower case). `null`: the user exists but has no access. A
   * known user with no entry is a collaborator with write, as the emulator always assumed of
   * the users a test adds; the owner is admin.
   */
  collaborators = /* @__PURE__ */ new Map();
  /** Branch name pattern (fnmatch-style `*`) -> rules. */
  rules = /* @__PURE__ */ new Map();
  protection = /* @__PURE__ */ new Map();
  #nextNumber = 1;
  constructor(init) {
    this.id = init.id;
    this.owner = init.owner;
    this.name = init.name;
    this.git = init.git;
    this.defaultBranch = init.defaultBranch;
    this.private = true;
    this.actionsCanCreatePullRequests = false;
  }
  get fullName() {
    return `${this.owner.login}/${this.name}`;
  }
  nextNumber() {
    return this.#nextNumber++;
  }
  label(name) {
    return this.labels.get(name.toLowerCase());
  }
  rulesFor(branch) {
    const out = [];
    for (const [pattern, rules] of this.rules) if (globMatch(pattern, branch)) out.push(...rules);
    return out;
  }
};
var EmulatorState = class {
  users = /* @__PURE__ */ new Map();
  /** Teams (`org/slug`, lower case) and the repositories (full name, lower case) they reach. */
  teams = /* @__PURE__ */ new Map();
  repos = /* @__PURE__ */ new Map();
  secrets = new SecretBoxes();
  #nextId = 1e3;
  id() {
    return this.#nextId++;
  }
  user(login, type = "User") {
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const u = { login, id: this.id(), type };
    this.users.set(login.toLowerCase(), u);
    return u;
  }
  repo(owner2, name) {
    return this.repos.get(`${owner2}/${name}`.toLowerCase());
  }
  repoById(id) {
    for (const r of this.repos.values()) if (r.id === id) return r;
    return void 0;
  }
};
function globMatch(pattern, value) {
  const re = pattern.split("*").map((p) => p.replace(/[.+?^$(){}|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${re}$`).test(value);
}

// src/sandbox/emulator/index.ts
async function startEmulator(opts = {}) {
  await sodiumReady;
  const root = await mkdtemp2(path3.join(tmpdir4(), "rekey-emulator-"));
  const state = new EmulatorState();
  const tokens = new Tokens();
  const faults = new Faults();
  const log = [];
  const problems = [];
  const now = opts.now ?? (() => /* @__PURE__ */ new Date());
  const urls = { api: "", server: "" };
  const { server, port } = await listen({
    state,
    tokens,
    faults,
    log,
    problems,
    validator: opts.validator,
    onReceived: opts.onReceived,
    now,
    urls
  });
  const url = `http://127.0.0.1:${port}`;
  urls.api = `${url}${API_PREFIX}`;
  urls.server = url;
  const repo2 = (fullName) => {
    const [owner2 = "", name = ""] = fullName.split("/");
    const r = state.repo(owner2, name);
    if (!r) throw new Error(`no repository ${fullName} in the emulator`);
    return r;
  };
  const commitFiles = async (fullName, branch, files2, message, author) => {
    const r = repo2(fullName);
    const ref = `refs/heads/${branch}`;
    const parent = await r.git.readRef(ref);
    const parentTree = parent ? (await r.git.readCommit(parent)).tree : null;
    const changes = await Promise.all(
      Object.entries(files2).map(async ([p, content]) => ({
        path: p,
        mode: "100644",
        sha: content === null ? null : await r.git.writeBlob(typeof content === "string" ? Buffer.from(content) : content)
      }))
    );
    const tree = await r.git.writeTree(parentTree, changes);
    const date = now().toISOString();
    const who = {
      ...author ?? { name: r.owner.login, email: `${r.owner.login}@users.noreply.github.com` },
      date
    };
    const sha = await r.git.writeCommit({
      tree,
      parents: parent ? [parent] : [],
      author: who,
      committer: who,
      message
    });
    if (!await r.git.updateRef(ref, sha, parent))
      throw new Error(`${fullName} ${branch} moved during commitFiles`);
    return sha;
  };
  const emulator = {
    url,
    apiUrl: urls.api,
    serverUrl: url,
    async addRepo(spec) {
      const [owner2 = "", name = ""] = spec.fullName.split("/");
      if (!owner2 || !name) throw new Error(`repository must be owner/name: ${spec.fullName}`);
      if (state.repo(owner2, name)) throw new Error(`${spec.fullName} exists`);
      const defaultBranch = spec.defaultBranch ?? "main";
      const git = await GitStore.create(
        path3.join(root, "repos", owner2, `${name}.git`),
        defaultBranch
      );
      const r = new RepoState({
        id: state.id(),
        owner: state.user(owner2, "Organization"),
        name,
        git,
        defaultBranch
      });
      r.private = spec.private ?? true;
      r.actionsCanCreatePullRequests = spec.actionsCanCreatePullRequests ?? false;
      r.deleteBranchOnMerge = spec.deleteBranchOnMerge ?? false;
      for (const env of spec.environments ?? []) r.environments.add(env);
      state.repos.set(`${owner2}/${name}`.toLowerCase(), r);
      const files2 = spec.files ?? { "README.md": `# ${name}
` };
      if (Object.keys(files2).length > 0)
        await commitFiles(spec.fullName, defaultBranch, files2, "Initial commit\n");
      return r;
    },
    actionsEnv(fullName) {
      const r = repo2(fullName);
      return {
        GITHUB_API_URL: urls.api,
        GITHUB_SERVER_URL: url,
        GITHUB_REPOSITORY: r.fullName,
        GITHUB_REPOSITORY_OWNER: r.owner.login
      };
    },
    repo: repo2,
    addUser: (login) => state.user(login, "User"),
    setCollaborator(fullName, login, role) {
      state.user(login, "User");
      repo2(fullName).collaborators.set(login.toLowerCase(), role);
    },
    addTeam(org, slug, repos = {}) {
      const reach = /* @__PURE__ */ new Map();
      for (const [name, role] of Object.entries(repos)) reach.set(name.toLowerCase(), role);
      state.teams.set(`${org}/${slug}`.toLowerCase(), reach);
    },
    addToken: (spec) => tokens.add(state, spec).token,
    revokeToken: (token) => tokens.revoke(token),
    commitFiles,
    fromFork(fullName, number, forkFullName) {
      const pull = repo2(fullName).pulls.get(number);
      if (!pull) throw new Error(`no pull request #${number} in ${fullName}`);
      pull.headRepo = forkFullName;
    },
    setBranchRules(fullName, pattern, rules) {
      repo2(fullName).rules.set(pattern, rules);
    },
    setBranchProtection(fullName, branch, protection) {
      const r = repo2(fullName);
      if (protection) r.protection.set(branch, protection);
      else r.protection.delete(branch);
    },
    requestLog: log,
    calls: (operation) => log.filter((e) => operation === void 0 || e.operation === operation).length,
    clearLog: () => void log.splice(0),
    inject: (fault) => faults.inject(fault),
    setFaultHook: (hook) => faults.setHook(hook),
    openSecret(scope, name) {
      const value = state.secrets.open(scopeKey(scope), name);
      if (value === void 0) throw new Error(`no secret ${name} in ${scopeKey(scope)}`);
      return value;
    },
    secretNames: (scope) => state.secrets.list(scopeKey(scope)).map((s) => s.name),
    rotateSecretKey: (scope) => void state.secrets.rotateKey(scopeKey(scope)),
    problems,
    assertNoInvalidRequests() {
      const bad = problems.filter((x) => x.kind !== "invalid-response");
      if (bad.length > 0)
        throw new Error(
          `emulator saw ${bad.length} problem(s):
${bad.map((b) => `${b.kind} ${b.operation}: ${b.errors.join("; ")}`).join("\n")}`
        );
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve3) => server.close(() => resolve3()));
      await rm2(root, { recursive: true, force: true });
    }
  };
  return emulator;
}

// src/sandbox/demo/sandbox.ts
var KEYS_REPO = "acme/keys";
var TARGET_REPOS = [
  { fullName: "acme/identity-service" },
  { fullName: "acme/payments-api", environments: ["production"] },
  { fullName: "acme/infra-config" }
];
var PEOPLE = ["alice", "bob"];
var TEMPLATE = [".sops.yaml", "policies", "keys-manifest"];
var run2 = promisify2(execFile2);
async function templateFiles(templateDir) {
  const out = {};
  const walk = async (path4) => {
    const entries = await readdir(path4, { withFileTypes: true }).catch(() => null);
    if (entries === null) {
      out[relative(templateDir, path4).split("\\").join("/")] = await readFile(path4);
      return;
    }
    for (const e of entries) await walk(join2(path4, e.name));
  };
  for (const p of TEMPLATE) await walk(join2(templateDir, p));
  return out;
}
function keysRepositoryConventions(emu, keysRepo) {
  emu.setBranchRules(keysRepo, "main", [
    { type: "pull_request", parameters: { required_approving_review_count: 1 } },
    {
      type: "required_status_checks",
      parameters: { required_status_checks: [{ context: "rekey/verify" }] }
    }
  ]);
  return emu.addToken({
    kind: "app",
    login: "rekey",
    repositories: [keysRepo],
    permissions: {
      contents: "write",
      pull_requests: "write",
      issues: "write",
      statuses: "write"
    }
  });
}
async function openSandbox(opts) {
  let clock = opts.start;
  const dir = await mkdtemp3(join2(tmpdir5(), "rekey-demo-"));
  let emu;
  try {
    emu = await startEmulator({ now: () => clock });
    await emu.addRepo({
      fullName: KEYS_REPO,
      files: await templateFiles(opts.templateDir),
      // A merged rekey branch must go, or the next PR for the key finds it and stops (stale).
      deleteBranchOnMerge: true
    });
    for (const r of TARGET_REPOS)
      await emu.addRepo({ fullName: r.fullName, environments: r.environments ?? [] });
    for (const p of PEOPLE) emu.addUser(p);
    const rekeyToken = keysRepositoryConventions(emu, KEYS_REPO);
    const distToken = emu.addToken({
      kind: "app",
      login: "rekey-distribution",
      repositories: [KEYS_REPO],
      // pull_requests: the rekey/rewrap PR when .sops.yaml names new recipients.
      permissions: {
        contents: "write",
        issues: "write",
        statuses: "write",
        pull_requests: "write"
      }
    });
    const targetsToken = emu.addToken({
      kind: "app",
      login: "rekey-distribution",
      repositories: TARGET_REPOS.map((r) => r.fullName),
      permissions: {
        secrets: "write",
        // GitHub lists environment secrets under Environments as well as Secrets.
        environments: "write",
        administration: "write"
      }
    });
    const client = (token) => createGitHubClient({
      token,
      apiUrl: emu.apiUrl,
      serverUrl: emu.serverUrl,
      // The emulator answers on loopback and the clock is virtual: GitHub's 1-3 s spacing
      // between writes would only make the demo slow.
      throttle: { enabled: false },
      retry: { enabled: false },
      // Loopback only: no proxy may sit between the demo and its emulator.
      fetch: globalThis.fetch
    });
    const [owner2, repo2] = KEYS_REPO.split("/");
    const people = new Map(
      PEOPLE.map((login) => [
        login,
        client(emu.addToken({ kind: "user", login, permissions: "all" }))
      ])
    );
    const distClient = client(distToken);
    const clone = join2(dir, "checkout");
    const url = new URL(`${emu.serverUrl}/${KEYS_REPO}.git`);
    url.username = "x-access-token";
    url.password = rekeyToken;
    const git = async (...args) => (await run2("git", args, {
      cwd: dir,
      env: {
        PATH: process.env["PATH"],
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_TERMINAL_PROMPT: "0"
      }
    })).stdout.trim();
    await git("clone", "-q", "--no-checkout", url.toString(), clone);
    const sandbox = {
      emu,
      dir,
      outputDir: join2(dir, "output"),
      clone,
      now: () => clock,
      setClock: (at) => void (clock = at),
      rekey: createGitHubPorts(client(rekeyToken), { owner: owner2, repo: repo2 }),
      distributor: {
        client: distClient,
        ports: createGitHubPorts(distClient, { owner: owner2, repo: repo2 }),
        targets: client(targetsToken)
      },
      auditor: client(
        emu.addToken({
          kind: "app",
          login: "rekey-audit",
          repositories: [KEYS_REPO],
          permissions: { contents: "read", pull_requests: "read", statuses: "read" }
        })
      ),
      person: (login) => people.get(login),
      async checkout() {
        await git("-C", clone, "fetch", "-q", "origin", "main");
        await git("-C", clone, "checkout", "-q", "--detach", "FETCH_HEAD");
        return readCheckout(clone);
      },
      async readBranch(branch) {
        await git("-C", clone, "fetch", "-q", "origin", `refs/heads/${branch}`);
        const sha = await git("-C", clone, "rev-parse", "FETCH_HEAD");
        return { sha, tree: await readTreeAtRef(clone, sha) };
      },
      async close() {
        try {
          await emu.close();
        } finally {
          await rm3(dir, { recursive: true, force: true });
        }
      }
    };
    return sandbox;
  } catch (e) {
    await emu?.close();
    await rm3(dir, { recursive: true, force: true });
    throw e;
  }
}

// src/sandbox/demo/distribution.ts
async function runDistribution(sb, commit, codec, mask, runUrl, rewrapper) {
  const [owner2, repo2] = KEYS_REPO.split("/");
  const { client, ports } = sb.distributor;
  return distribute(
    {
      commit: commit.sha,
      tree: commit.tree,
      defaultBranch: "main",
      holder: `${runUrl} (distribution job)`,
      now: () => sb.now(),
      runUrl,
      mask
    },
    {
      git: ports.git,
      statuses: ports.statuses,
      issues: ports.issues,
      state: createStateRefAdapter(client, { owner: owner2, repo: repo2 }),
      targets: createTargetPorts(sb.distributor.targets, sb.outputDir),
      sops: codec,
      ...rewrapper ? { rewrap: { git: ports.git, pulls: ports.pulls, codec: rewrapper } } : {}
    }
  );
}

// src/sandbox/demo/narrate.ts
function keysOf(c) {
  const snap = loadSnapshot(c.tree).snapshot;
  return new Map([...snap.keys].map(([id, k]) => [id, k.value]));
}
function describeOpened(k) {
  const what = k.action === "revoke" ? "revocation" : k.action === "promote" ? `promotion of v${k.version}` : `${k.action === "emergency" ? "emergency rotation" : "rotation"} to v${k.version}, fingerprint ${k.fingerprint}`;
  return `${k.keyId}: opened PR #${k.pull.number} on ${k.branch} (${what})`;
}
function describeDistribution(r) {
  const out = [
    `distribution job on ${r.commit.slice(0, 12)}: ${r.outcome}; status rekey/distribution = ${r.status ?? "not written"}`
  ];
  for (const p of r.problems) out.push(`  ${p}`);
  for (const k of r.keys)
    for (const t of k.targets) {
      if (t.outcome === "unchanged") continue;
      for (const s of t.steps) out.push(`  ${s}`);
      for (const e of t.errors) out.push(`  FAILED ${t.where}: ${e}`);
    }
  if (out.length === 1) out.push("  every target already held what main says: nothing to write");
  return out;
}
function describeChecks(checks, keys, focus) {
  const good = checks.filter((c) => c.ok).length;
  const out = [
    `read back (secrets opened with the emulator's private key and fingerprinted): ${good} of ${checks.length} targets hold exactly what key.yaml says`
  ];
  for (const c of checks) {
    if (c.ok && focus !== void 0 && !focus.includes(c.keyId)) continue;
    const key = keys.get(c.keyId);
    const found = c.found.map((fp) => {
      const v = key?.versions.find((x) => x.fingerprint === fp)?.version;
      return `${fp}${v === void 0 ? "" : ` (v${v})`}`;
    });
    out.push(
      `  ${c.ok ? "ok" : "MISMATCH"}  ${c.where}: ${found.join(", ") || "empty"}${c.ok ? "" : `; key.yaml wants ${c.want.map((w) => `v${w.version}`).join(", ") || "nothing"}`}`
    );
  }
  return out;
}
function describeKeys(c) {
  const out = [];
  for (const [id, key] of keysOf(c)) {
    out.push(`${id} (${key.type}, policy ${key.policy})`);
    for (const v of key.versions) {
      const entered = c.history.keys.get(id)?.versions.get(v.version)?.entered ?? {};
      const trail = Object.entries(entered).map(([state, ref]) => `${state} ${ref.time.slice(0, 10)}`).join(" -> ");
      out.push(`  v${v.version} ${v.state.padEnd(14)} ${trail}`);
    }
  }
  return out;
}

// src/core/verify/change-scope.ts
var PIPELINE_DIRS = [".github/", "actions/", "dist/", "src/"];
function scopeOf2(path4) {
  if (path4.startsWith("keys-manifest/")) return "manifest";
  if (path4 === ".sops.yaml" || path4.startsWith("policies/")) return "configuration";
  if (PIPELINE_DIRS.some((d) => path4.startsWith(d))) return "pipeline-code";
  if (/^package[^/]*\.json$/.test(path4)) return "pipeline-code";
  return "other";
}
function changeScope(paths) {
  const out = {
    "pipeline-code": [],
    configuration: [],
    manifest: [],
    other: []
  };
  for (const p of new Set(paths)) out[scopeOf2(p)].push(p);
  for (const list3 of Object.values(out)) list3.sort();
  return out;
}
var list2 = (paths) => paths.length <= 3 ? paths.join(", ") : `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more`;
function checkScope(s) {
  const code = s["pipeline-code"];
  if (code.length === 0 || s.manifest.length === 0) return [];
  return code.map(
    (file) => violation(
      "change/pipeline-code-with-manifest",
      `this change edits pipeline code (${file}) and keys-manifest/ (${list2(s.manifest)}) together; open them as two pull requests so each is reviewed on its own`,
      { file, line: 0, column: 0 }
    )
  );
}

// src/commands/verify-pull.ts
async function verifyPull(input, ports, opts = {}) {
  const paths = input.changedPaths ?? treeChanges(input.base.tree, input.head.tree);
  const scope = changeScope(paths);
  const sides = loadSides(input.base.tree, input.head.tree);
  const found = await verifyManifest(input, sides, ports, opts);
  const rewrap = checkRewrap({
    ...input,
    base: input.base.tree,
    head: input.head.tree,
    changedPaths: paths,
    kind: found.kind
  });
  const keysOf2 = (s) => [...s.keys.values()].map((k) => k.value);
  const removals = removalsOnMerge(keysOf2(sides.base.snapshot), keysOf2(sides.head.snapshot));
  const kind = scope["pipeline-code"].length === 0 ? found.kind : found.kind === "none" ? "pipeline-code" : "mixed";
  return {
    ...found,
    kind,
    scope,
    removals,
    diagnostics: sortDiagnostics([
      ...found.diagnostics,
      ...checkScope(scope),
      // compareSides judged the manifest trees; this adds what only the PR shows (its
      // branch, pipeline code), without repeating a finding.
      ...rewrap.diagnostics.filter(
        (d) => !found.diagnostics.some((f) => f.rule === d.rule && f.file === d.file)
      ),
      ...await provenance(input, sides, found.keys, ports)
    ])
  };
}
async function provenance(input, sides, keys, ports) {
  if (input.author === void 0) return [];
  const base = sides.base.snapshot;
  if (!provenanceApplies(base)) return [];
  const added = addedVersions(keys, base);
  if (added.length === 0) return [];
  const commits = ports.materialCommits ? await ports.materialCommits(added.map((a) => a.file)) : /* @__PURE__ */ new Map();
  return checkProvenance({
    base,
    head: sides.head.snapshot,
    keys,
    author: input.author,
    commits
  });
}
function treeChanges(base, head) {
  const same = (a, b) => a !== void 0 && b !== void 0 && Buffer.compare(a, b) === 0;
  return [.../* @__PURE__ */ new Set([...base.keys(), ...head.keys()])].filter(
    (p) => !same(base.get(p), head.get(p))
  );
}
async function verifyManifest(input, sides, ports, opts) {
  const { base, now } = input;
  const first = verifySides(sides, { now });
  const destroyed = first.keys.flatMap(
    (k) => k.moves.filter((m) => m.to === "destroyed" && (m.from === "deactivated" || m.from === "compromised")).map((m) => ({
      keyId: k.keyId,
      version: m.version,
      state: m.from
    }))
  );
  const versions = destroyed.map(({ keyId, version }) => ({ keyId, version }));
  if (destroyed.length === 0) return { ...first, gate: void 0 };
  const baseSnapshot = sides.base.snapshot;
  const counter = { calls: 0 };
  let evidence;
  try {
    if (ports.statuses === void 0)
      throw new Error("no token to read rekey/distribution commit statuses");
    evidence = await gather(
      base.sha,
      destroyed.map((d) => d.keyId),
      baseSnapshot,
      { ...ports, statuses: ports.statuses },
      opts.maxStatusCalls ?? DEFAULT_MAX_STATUS_CALLS,
      counter
    );
  } catch (e) {
    return {
      ...first,
      gate: {
        destroyed: versions,
        statusCalls: counter.calls,
        bounded: false,
        verdicts: [],
        error: e instanceof Error ? e.message : String(e)
      }
    };
  }
  const gate = revocationGate(
    gateEvidence({
      base: baseSnapshot,
      history: evidence.history,
      firstParent: evidence.firstParent,
      now
    })
  );
  const result = verifySides(sides, { now, gate });
  return {
    ...result,
    gate: {
      destroyed: versions,
      statusCalls: counter.calls,
      bounded: evidence.bounded,
      verdicts: destroyed.map(({ keyId, version, state }) => ({
        keyId,
        version,
        ...gate(keyId, version, { state })
      }))
    }
  };
}
async function gather(baseSha, keyIds, base, ports, max, counter) {
  const [history, shas] = await Promise.all([ports.history(baseSha), ports.firstParent(baseSha)]);
  if (shas[shas.length - 1] !== baseSha)
    throw new Error(`the first-parent history does not end at the base commit ${baseSha}`);
  const evidence = await readDistributionEvidence({
    firstParent: shas,
    since: activeSince(base, history, keyIds),
    statuses: ports.statuses,
    max,
    counter,
    // The base branch's pin, never the PR's: a PR cannot widen who may prove distribution.
    ...trustedCreators(base.pipeline)
  });
  return { firstParent: evidence.records, history, bounded: evidence.bounded };
}

// src/sandbox/demo/pull-life.ts
var VERIFY_CONTEXT = "rekey/verify";
var [owner, repo] = KEYS_REPO.split("/");
async function reviewAndMerge(sb, pull, base, policy, say, opts = {}) {
  const head = await sb.readBranch(pull.branch);
  const result = await verifyPull(
    { base, head, now: sb.now() },
    {
      history: (sha) => buildHistoryIndex(sb.clone, sha),
      firstParent: (sha) => firstParentCommits(sb.clone, sha),
      statuses: sb.rekey.statuses
    }
  );
  const passed = result.diagnostics.length === 0;
  await sb.rekey.statuses.createStatus(head.sha, {
    state: passed ? "success" : "failure",
    context: VERIFY_CONTEXT,
    description: passed ? `${result.kind}: 0 violations` : `${result.diagnostics.length} violations`
  });
  for (const v of result.gate?.verdicts ?? [])
    say(
      `    verify-pull re-checks the gate for ${v.keyId} v${v.version}: ${v.open ? "open" : "closed"}`
    );
  say(
    `    verify-pull: ${result.kind}, ${result.diagnostics.length} violations -> check ${VERIFY_CONTEXT} = ${passed ? "success" : "failure"}`
  );
  if (!passed) {
    for (const d of result.diagnostics) say(`      ${formatDiagnostic(d)}`);
    return { merged: false, reason: "verify failed", verify: result };
  }
  const merger = sb.person(PEOPLE[0]);
  const merge = () => merger.octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
    owner,
    repo,
    pull_number: pull.number,
    merge_method: "merge",
    sha: head.sha
  });
  if (opts.showRefusedMerge) {
    try {
      await merge();
      return {
        merged: false,
        reason: "merged without an approval: the branch rules are not applied"
      };
    } catch (e) {
      if (!isGitHubError(e) || e.status !== 405) throw e;
      say(
        `    ${PEOPLE[0]} tries to merge before anyone approved: refused by the branch rules (405)`
      );
    }
  }
  const needed = pull.action === "emergency" ? policy.emergency?.approvals ?? policy.approvals : policy.approvals;
  const approvers2 = PEOPLE.slice(0, Math.max(1, needed));
  for (const login of approvers2)
    await sb.person(login).octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      owner,
      repo,
      pull_number: pull.number,
      commit_id: head.sha,
      event: "APPROVE"
    });
  const opened = await sb.person(PEOPLE[0]).octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner,
    repo,
    pull_number: pull.number
  });
  say(
    `    approved by ${approvers2.join(" and ")} (policy ${policy.name}: ${needed} approval${needed === 1 ? "" : "s"}; the author ${opened.data.user.login} cannot approve its own PR)`
  );
  const merged = await merge();
  say(`    merged by ${PEOPLE[0]}: main is now ${merged.data.sha.slice(0, 12)}`);
  return { merged: true, sha: merged.data.sha, verify: result };
}

// src/sandbox/demo/rewrap-step.ts
async function rewrapStep(sb, ctx) {
  const { say, problems } = ctx;
  const breakGlass = await identityToRecipient(await generateIdentity());
  const before = await sb.checkout();
  const sops = new TextDecoder().decode(before.tree.get(".sops.yaml"));
  const changed = sops.replace(/^(\s+age: )(age1\S+)$/m, `$1$2,${breakGlass}`);
  if (changed === sops) {
    problems.push("the re-wrap step found no age: line in .sops.yaml");
    return;
  }
  await sb.emu.commitFiles(
    KEYS_REPO,
    "main",
    { ".sops.yaml": changed },
    "sops: add the break-glass recipient\n",
    { name: PEOPLE[0], email: `${PEOPLE[0]}@users.noreply.github.com` }
  );
  say(`  ${PEOPLE[0]} adds a break-glass recipient (${breakGlass.slice(0, 16)}\u2026) to .sops.yaml`);
  say("  (a configuration change, reviewed like any other; its review is not shown)");
  const main = await sb.checkout();
  const run3 = await runDistribution(
    sb,
    main,
    ctx.codec,
    ctx.mask,
    ctx.runUrl,
    ctx.rewrapper
  );
  const held = run3.keys.filter((k) => k.outcome === "held").map((k) => k.key);
  say(
    `    distribution job on ${main.sha.slice(0, 12)}: ${held.length} keys held (nothing written to their targets); status rekey/distribution = ${run3.status ?? "not written"}`
  );
  if (run3.rewrap === void 0 || held.length === 0) {
    problems.push(`the re-wrap step: no ${REWRAP_BRANCH} PR (${run3.outcome})`);
    return;
  }
  say(
    `    it re-wraps their material and opens PR #${run3.rewrap.number} on ${REWRAP_BRANCH}: only the age stanzas change`
  );
  const policy = loadSnapshot(main.tree).snapshot.policies.get("strict")?.value;
  if (!policy) {
    problems.push("the re-wrap step: no strict policy");
    return;
  }
  const end = await reviewAndMerge(
    sb,
    { keyId: held.join(", "), action: "rotate", branch: REWRAP_BRANCH, number: run3.rewrap.number },
    main,
    policy,
    say
  );
  if (!end.merged) {
    problems.push(`the ${REWRAP_BRANCH} PR: ${end.reason}`);
    return;
  }
  if (end.verify.kind !== "rewrap") problems.push(`the ${REWRAP_BRANCH} PR is ${end.verify.kind}`);
  say("  the push to main starts the distribution workflow: the held keys are distributed again");
  await ctx.distribute();
}

// src/sandbox/demo/report.ts
import { mkdir, mkdtemp as mkdtemp4, writeFile } from "node:fs/promises";
import { tmpdir as tmpdir6 } from "node:os";
import { join as join3 } from "node:path";
var FORMATS = ["html", "md"];
async function writeAuditReport(sb, outDir, now) {
  const main = await sb.checkout();
  const [owner2, repo2] = KEYS_REPO.split("/");
  const report = await audit(
    {
      ref: main.sha,
      head: main.sha,
      now,
      repository: KEYS_REPO,
      serverUrl: sb.emu.serverUrl,
      defaultBranch: "main"
    },
    {
      history: (ref) => buildAuditHistory(sb.clone, ref),
      tree: (ref) => readTreeAtRef(sb.clone, ref),
      github: {
        pulls: createAuditPullsAdapter(sb.auditor, { owner: owner2, repo: repo2 }),
        statuses: createStatusAdapter(sb.auditor, { owner: owner2, repo: repo2 }),
        firstParent: (ref) => firstParentCommits(sb.clone, ref)
      }
    }
  );
  const dir = outDir ?? await mkdtemp4(join3(tmpdir6(), "rekey-demo-report-"));
  await mkdir(dir, { recursive: true });
  const files2 = [];
  for (const f of FORMATS) {
    const path4 = join3(dir, AUDIT_FILE_NAMES[f]);
    await writeFile(path4, renderAudit(report, f));
    files2.push(path4);
  }
  const lines2 = [
    `${report.manifestCommits} manifest commits, ${report.keys.length} keys, ${report.github.calls} GitHub calls; ${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}${report.findings.length ? ":" : ""}`,
    ...report.findings.map(
      (f) => `  ${f.rule}${f.key ? ` ${f.key}${f.version ? ` v${f.version}` : ""}` : ""}: ${f.message}`
    ),
    ...report.github.notChecked.map((n) => `  not checked: ${n}`)
  ];
  return { files: files2, lines: lines2 };
}

// src/sandbox/demo/targets-check.ts
import { readFile as readFile2 } from "node:fs/promises";
import { join as join4 } from "node:path";
var newestFirst = (k, ...states) => k.versions.filter((v) => states.includes(v.state)).sort((a, b) => b.version - a.version);
function check(keyId, where, want, found) {
  const expected = want.map((w) => w.fingerprint).sort();
  const got = [...found].sort();
  const ok2 = expected.length === got.length && expected.every((f, i) => f === got[i]);
  return { keyId, where, want, found: got, ok: ok2 };
}
async function checkTargets(sb, keys) {
  const out = [];
  for (const [keyId, key] of keys) {
    for (const t of key.targets) {
      if (t.kind === "github-secret") {
        if (t.repository === void 0) continue;
        const scope = {
          app: t.app ?? "actions",
          repository: t.repository,
          ...t.environment === void 0 ? {} : { environment: t.environment }
        };
        const names = new Set(sb.emu.secretNames(scope));
        const slots = [
          [t.name, newestFirst(key, "active")[0]]
        ];
        if (t.previous !== void 0) slots.push([t.previous, newestFirst(key, "deactivated")[0]]);
        for (const [name, version] of slots) {
          const found = names.has(name) ? [
            await fingerprintOf(
              key.type,
              { secret: sb.emu.openSecret(scope, name) },
              key.options
            )
          ] : [];
          const where = `${t.repository}${t.environment ? ` (${t.environment})` : ""} secret ${name}`;
          out.push(check(keyId, where, version ? [version] : [], found));
        }
      } else if (t.kind === "github-deploy-key") {
        const [owner2, repo2] = t.repository.split("/");
        const listed = await sb.distributor.targets.octokit.request(
          "GET /repos/{owner}/{repo}/keys",
          {
            owner: owner2,
            repo: repo2,
            per_page: 100
          }
        );
        const found = [];
        for (const k of listed.data)
          if (managedDeployKeyVersion(k.title, keyId) !== null)
            found.push(await fingerprintOf("ssh-ed25519", { secret: "", public: k.key }));
        out.push(
          check(
            keyId,
            `${t.repository} deploy keys`,
            newestFirst(key, "active", "deactivated"),
            found
          )
        );
      } else if (t.kind === "file" && t.format === "jwks") {
        const text = await readFile2(join4(sb.outputDir, t.path), "utf8").catch(() => null);
        const found = text === null ? [] : JSON.parse(text).keys.map((k) => k.kid);
        out.push(
          check(
            keyId,
            `file ${t.path}`,
            newestFirst(key, "pre-activation", "active", "deactivated"),
            found
          )
        );
      }
    }
  }
  return out;
}

// src/sandbox/demo/scenario.ts
var T = {
  imported: /* @__PURE__ */ new Date("2026-11-23T08:00:00Z"),
  cleanup: /* @__PURE__ */ new Date("2026-12-02T09:30:00Z"),
  rotation: /* @__PURE__ */ new Date("2027-02-10T09:30:00Z"),
  promotion: /* @__PURE__ */ new Date("2027-02-16T09:30:00Z"),
  revocation: /* @__PURE__ */ new Date("2027-02-24T09:30:00Z"),
  incident: /* @__PURE__ */ new Date("2027-02-24T11:30:00Z")
};
var RUN = "https://github.example/acme/keys/actions/runs/demo";
var minutes = (d, m) => new Date(d.getTime() + m * 6e4);
var stamp = (d) => d.toISOString().slice(0, 16).replace("T", " ");
var days = (a, b) => Math.round((b.getTime() - a.getTime()) / 864e5);
async function runDemo(opts) {
  const wrap = opts.wrapCodec ?? ((c) => c);
  const encryptOnly = wrap(new BuiltinSopsCodec({ identities: [] }));
  const distributionCodec = wrap(new BuiltinSopsCodec({ identities: [...opts.identities] }));
  const problems = [];
  const checks = [];
  const masked = /* @__PURE__ */ new Set();
  let report = [];
  const say = (line) => {
    let out = line;
    for (const m of masked) if (out.includes(m)) out = out.split(m).join("***");
    if (out !== line) problems.push("a secret value reached the output (blanked)");
    opts.say(out);
  };
  const section = (at, title) => {
    opts.signal?.throwIfAborted();
    say(`
== ${stamp(at)} UTC  ${title}`);
  };
  const sb = await openSandbox({ templateDir: opts.templateDir, start: T.imported });
  try {
    say("rekey demo: three example keys live through rotation, review, distribution,");
    say("revocation and an emergency, on a sandbox GitHub. Nothing printed is secret.");
    say(`  GitHub      an emulator at ${sb.emu.apiUrl} (loopback only)`);
    say(`  repository  ${KEYS_REPO}: the template's .sops.yaml, policies/ and keys-manifest/`);
    say("  targets     secrets in acme/payments-api and acme/identity-service,");
    say("              a deploy key on acme/infra-config, a JWKS file");
    say("  who         rekey[bot] opens PRs (an App token; it encrypts, it cannot decrypt);");
    say(
      "              alice and bob review and merge; the distribution job holds the age identity"
    );
    say("  time        a virtual clock: months pass in seconds");
    const distribute2 = async (focus) => {
      opts.signal?.throwIfAborted();
      const main = await sb.checkout();
      sb.setClock(minutes(sb.now(), 5));
      const run3 = await runDistribution(sb, main, distributionCodec, (v) => masked.add(v), RUN);
      for (const l of describeDistribution(run3)) say(`    ${l}`);
      if (run3.status !== "success")
        problems.push(`distribution of ${main.sha.slice(0, 12)}: ${run3.outcome}`);
      const keys = keysOf(main);
      const mine = await checkTargets(sb, keys);
      checks.push(...mine);
      for (const l of describeChecks(mine, keys, focus)) say(`    ${l}`);
      for (const c of mine)
        if (!c.ok) problems.push(`${c.keyId}: ${c.where} does not hold what key.yaml says`);
    };
    let refusalShown = false;
    const followUp = async (base, keys) => {
      const opened = [];
      for (const k of keys) {
        if (k.outcome === "created") opened.push(k);
        say(
          `  ${k.outcome === "created" ? describeOpened(k) : `${k.keyId}: ${k.outcome}${"reason" in k ? `: ${k.reason}` : ""}`}`
        );
      }
      const snap = loadSnapshot(base.tree).snapshot;
      const merged = [];
      for (const k of opened) {
        say(`  PR #${k.pull.number} (${k.keyId})`);
        const policy = snap.policies.get(snap.keys.get(k.keyId).value.policy).value;
        const end2 = await reviewAndMerge(sb, { ...k, number: k.pull.number }, base, policy, say, {
          showRefusedMerge: !refusalShown
        });
        refusalShown = true;
        if (end2.merged) merged.push(k.keyId);
        else problems.push(`PR #${k.pull.number} (${k.keyId}): ${end2.reason}`);
      }
      if (merged.length > 0) {
        say(`  the push to main starts the distribution workflow`);
        await distribute2(merged);
      }
      return opened.length;
    };
    const rotateRun = async (at, emergency2) => {
      sb.setClock(at);
      const base = await sb.checkout();
      const result = await rotate(
        {
          ...base,
          now: at,
          run: RUN,
          // As the rotate action does: keys whose distribution is halted are left alone.
          halted: () => haltedKeys(sb.rekey.issues),
          ...emergency2 ? { emergency: emergency2 } : {}
        },
        { ...sb.rekey, codec: encryptOnly }
      );
      if (result.kind !== "applied") {
        problems.push(`rotate at ${stamp(at)}: ${result.kind}`);
        return 0;
      }
      return followUp(base, result.keys);
    };
    const revokeRun = async (at) => {
      sb.setClock(at);
      const base = await sb.checkout();
      const result = await revoke({ ...base, now: at, run: RUN }, sb.rekey);
      if (result.kind !== "applied") {
        problems.push(`revoke at ${stamp(at)}: ${result.kind}`);
        return 0;
      }
      for (const v of result.verdicts)
        say(
          `  gate ${v.keyId} v${v.version} (${v.state}): ${v.open ? "open" : "closed"}, ${v.reason}`
        );
      return followUp(
        base,
        result.keys.filter((k) => !(k.outcome === "skipped" && k.reason.startsWith("gate closed")))
      );
    };
    section(T.imported, "day 0: the template is imported into acme/keys");
    {
      const main = await sb.checkout();
      const keys = keysOf(main);
      const versions = [...keys.values()].reduce((n, k) => n + k.versions.length, 0);
      say(
        `  main at ${main.sha.slice(0, 12)}: ${keys.size} keys, ${versions} versions; the push starts the distribution job`
      );
      await distribute2();
    }
    section(T.cleanup, `${days(T.imported, T.cleanup)} days later: the scheduled revoke workflow`);
    say("  the template came with deactivated versions; each may be destroyed once its successor");
    say("  was proven distributed (the status of day 0) and the policy's grace has passed");
    if (await revokeRun(T.cleanup) === 0) problems.push("the first revocation opened no PR");
    section(T.rotation, `${days(T.cleanup, T.rotation)} days later: the scheduled rotate workflow`);
    say("  a key is due when its active version reaches its cryptoperiod minus rotate-before");
    if (await rotateRun(T.rotation) === 0) problems.push("the scheduled rotation opened no PR");
    section(
      T.promotion,
      `${days(T.rotation, T.promotion)} days later: rotate and revoke run again`
    );
    say("  rotate: a prepublished version is promoted once its distribution is proven");
    await rotateRun(T.promotion);
    say("  revoke: an old version may go once its successor was proven distributed, plus grace");
    await revokeRun(T.promotion);
    section(
      T.revocation,
      `${days(T.promotion, T.revocation)} days later: the grace periods have passed`
    );
    if (await revokeRun(T.revocation) === 0)
      problems.push("the scheduled revocation opened no PR");
    section(T.incident, "incident: the deploy key of infra/deploy-ssh was pasted into a CI log");
    say("  on-call dispatches the rotate workflow: key infra/deploy-ssh, compromised: yes");
    const emergency = {
      key: "infra/deploy-ssh",
      reason: "private key pasted into a CI log",
      compromised: true
    };
    if (await rotateRun(T.incident, emergency) === 0) problems.push("the emergency opened no PR");
    say("  revoke: a compromised version needs no grace");
    await revokeRun(minutes(T.incident, 45));
    section(minutes(T.incident, 50), "a database login: a postgres-role target");
    say("  alternating users, as AWS Secrets Manager rotates them; the login test is the probe");
    problems.push(...await databaseRotation(say, (v) => void masked.add(v)));
    const rewrapAt = minutes(T.incident, 55);
    sb.setClock(rewrapAt);
    section(rewrapAt, ".sops.yaml gains a recipient: the re-wrap PR");
    await rewrapStep(sb, {
      say,
      problems,
      codec: distributionCodec,
      rewrapper: new BuiltinSopsCodec({ identities: [...opts.identities] }),
      mask: (v) => masked.add(v),
      runUrl: RUN,
      distribute: () => distribute2()
    });
    const end = minutes(T.incident, 65);
    sb.setClock(end);
    section(end, "where every key stands on main");
    for (const l of describeKeys(await sb.checkout())) say(`  ${l}`);
    say("\n  the audit report over the whole history (audit command). The demo skips the daily");
    say("  scheduled runs between its stops, and the template arrived with a history of its own:");
    say("  an auditor sees both in the findings.");
    const audit2 = await writeAuditReport(sb, opts.outDir, end);
    for (const l of audit2.lines) say(`  ${l}`);
    report = audit2.files;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    problems.push(why);
    say(`
demo stopped: ${why}`);
  } finally {
    await sb.close();
  }
  const ok2 = problems.length === 0;
  say(ok2 ? "\ndemo complete; the sandbox is removed" : `
demo FAILED: ${problems.join("; ")}`);
  for (const f of report) say(`report: ${f}`);
  return { ok: ok2, problems, checks, report };
}

// src/cli/commands/demo.ts
var help = `Usage: rekey demo [--out DIR]

Runs the whole life of the template's example keys on a sandbox GitHub, told step by step:
a GitHub emulator on 127.0.0.1 serving a temporary key repository, the demo age identity
(demo/age-identity.txt) and a virtual clock. The scheduled rotate workflow opens rotation
PRs (the real rotate command, through the real GitHub adapters, with an App token), verify
checks them, a second person approves and merges, the distribution job writes the targets
(and the demo opens what landed and compares fingerprints), time passes, revocation PRs
remove the old versions, an emergency replaces a compromised key, and the audit report is
written. Only fingerprints are printed, never a secret.

Everything temporary is removed at the end, also on failure or Ctrl-C; only the report
remains.

Options:
  --out DIR   where the audit report is written (default: a new folder under the system's
              temporary directory); its path is printed at the end

Exit: 0 the demo ran as expected, 1 a step did not, 2 usage error.
`;
function packageRoot(from = import.meta.dirname) {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync2(join5(dir, "package.json")) && existsSync2(join5(dir, "keys-manifest"))) return dir;
    if (dirname(dir) === dir)
      throw new Error("cannot find the rekey package root (package.json and keys-manifest/)");
  }
}
var demo = {
  name: "demo",
  summary: "run the whole pipeline on a sandbox GitHub (no account, nothing to set up)",
  help,
  async run(argv, io) {
    const { values } = parse("demo", argv, { out: { type: "string" } });
    const root = packageRoot();
    const identities = readFileSync2(join5(root, "demo/age-identity.txt"), "utf8").split("\n").filter((l) => l.startsWith("AGE-SECRET-KEY-"));
    const abort = new AbortController();
    const interrupted = () => {
      io.stderr("rekey demo: interrupted; removing the sandbox\n");
      abort.abort(new Error("interrupted"));
    };
    process.once("SIGINT", interrupted);
    try {
      const result = await runDemo({
        templateDir: root,
        identities,
        ...values.out === void 0 ? {} : { outDir: resolve2(io.cwd, values.out) },
        say: (line) => io.stdout(`${line}
`),
        signal: abort.signal
      });
      return result.ok ? EXIT.ok : EXIT.findings;
    } finally {
      process.off("SIGINT", interrupted);
    }
  }
};
export {
  demo,
  packageRoot
};
