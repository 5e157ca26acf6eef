import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  CatFileBatchParser,
  GitReadError,
  KEY_STATES,
  exited,
  isKeyId,
  parseKeyFilePath,
  parseMaterialPath,
  parseYaml,
  spawnGit
} from "./chunk-ARAMIKVA.js";

// src/core/history/key-versions.ts
var MAX_HISTORY_FILE_BYTES = 1024 * 1024;
var STATES = new Set(KEY_STATES);
function readVersionStates(text, memo) {
  if (text.length > MAX_HISTORY_FILE_BYTES)
    return { ok: false, reason: `larger than ${MAX_HISTORY_FILE_BYTES} bytes` };
  return scanVersionStates(text, memo) ?? parseVersionStates(text);
}
function parseVersionStates(text) {
  const parsed = parseYaml("key.yaml", new TextEncoder().encode(text), {
    maxBytes: MAX_HISTORY_FILE_BYTES
  });
  const doc = parsed.value;
  if (doc === void 0) {
    const rule = parsed.diagnostics[0]?.rule ?? "yaml/syntax";
    return { ok: false, reason: `not YAML: ${rule}` };
  }
  if (doc === null || doc === void 0) return { ok: true, versions: [], skipped: [] };
  if (typeof doc !== "object" || Array.isArray(doc)) return { ok: false, reason: "not a mapping" };
  const list = doc.versions;
  if (list === void 0 || list === null) return { ok: true, versions: [], skipped: [] };
  if (!Array.isArray(list)) return { ok: false, reason: "versions is not a list" };
  const versions = [];
  const skipped = [];
  list.forEach((entry, i) => {
    const e = typeof entry === "object" && entry !== null ? entry : {};
    const { version, state } = e;
    if (typeof version === "number" && Number.isSafeInteger(version) && version >= 1 && typeof state === "string" && STATES.has(state))
      versions.push({ version, state });
    else skipped.push(`versions[${i}]: expected a version number >= 1 and a known state`);
  });
  return { ok: true, versions, skipped };
}
var VERSIONS_LINE = /^versions[ \t]*:[ \t]*(?:#.*)?$/;
var VERSIONS_WORD = /^versions\b/;
var VERSION_FIELD = /(?:^|[\s{,])version[ \t]*:[ \t]+([1-9][0-9]{0,15})[ \t]*(?=[,}\n]|$)/g;
var STATE_FIELD = /(?:^|[\s{,])state[ \t]*:[ \t]+([a-z-]+)[ \t]*(?=[,}\n]|$)/g;
var ITEM_CACHE = /* @__PURE__ */ new Map();
var ITEM_CACHE_MAX = 2e4;
var MEMO_SLACK = 16;
var NONE_SKIPPED = Object.freeze([]);
var QUOTED = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'/g;
var SPACE = 32;
var HASH = 35;
function scanVersionStates(text, memo) {
  if (text.includes("\r") || text.includes("	")) return void 0;
  const items = [];
  let seen = false;
  let inList = false;
  let indent = -1;
  for (let pos = 0; pos < text.length; ) {
    let nl = text.indexOf("\n", pos);
    if (nl === -1) nl = text.length;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line === "") continue;
    if (line.charCodeAt(0) !== SPACE) {
      if (line.startsWith("---") || line.startsWith("...") || line.startsWith("%"))
        return void 0;
      if (VERSIONS_WORD.test(line)) {
        if (seen || !VERSIONS_LINE.test(line)) return void 0;
        seen = inList = true;
        continue;
      }
      if (!inList || line.charCodeAt(0) === HASH) continue;
      if (line === "-" || line.startsWith("- ")) {
        if (indent > 0) return void 0;
        indent = 0;
        items.push(line.slice(1));
        continue;
      }
      inList = false;
      continue;
    }
    if (!inList) continue;
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.charCodeAt(0) === HASH) continue;
    const lead = line.length - trimmed.length;
    const isItem = trimmed === "-" || trimmed.startsWith("- ");
    if (indent === -1) {
      if (!isItem) return void 0;
      indent = lead;
    }
    if (lead === indent && isItem) items.push(trimmed.slice(1));
    else if (lead > indent && items.length > 0) items[items.length - 1] += `
${trimmed}`;
    else return void 0;
  }
  if (!seen) return void 0;
  const versions = [];
  const cache = memo?.items ?? ITEM_CACHE;
  const prev = memo?.last;
  const shift = prev ? items.length - prev.items.length : 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let known;
    if (prev) {
      const j = i - shift;
      if (j >= 0 && j < prev.items.length && prev.items[j] === item) known = prev.states[j];
      else if (i < prev.items.length && prev.items[i] === item) known = prev.states[i];
    }
    known ??= cache.get(item);
    if (known !== void 0) {
      versions.push(known);
      continue;
    }
    const unquoted = item.includes('"') || item.includes("'") ? item.replace(QUOTED, '""') : item;
    const body = unquoted.includes("#") ? unquoted.replace(/(^|\s)#.*$/gm, "$1") : unquoted;
    if (/['"&*!|>?%@`]/.test(body.includes('"') ? body.replace(/""/g, "") : body)) return void 0;
    const v = [...body.matchAll(VERSION_FIELD)];
    const s = [...body.matchAll(STATE_FIELD)];
    if (v.length !== 1 || s.length !== 1) return void 0;
    const state = s[0][1];
    const version = Number(v[0][1]);
    if (!STATES.has(state) || !Number.isSafeInteger(version)) return void 0;
    const entry = Object.freeze({ version, state });
    if (!memo && ITEM_CACHE.size >= ITEM_CACHE_MAX) ITEM_CACHE.clear();
    cache.set(item, entry);
    versions.push(entry);
  }
  if (memo) {
    memo.last = { items, states: versions };
    if (memo.items.size > 2 * items.length + MEMO_SLACK)
      memo.items = new Map(items.map((item, i) => [item, versions[i]]));
  }
  return { ok: true, versions, skipped: NONE_SKIPPED };
}

// src/core/history/model.ts
function frozen(k) {
  const versions = /* @__PURE__ */ new Map();
  for (const n of [...k.versions.keys()].sort((a, b) => a - b)) {
    const v = k.versions.get(n);
    versions.set(n, { appeared: v.appeared, entered: { ...v.entered }, state: v.state });
  }
  return {
    appeared: k.appeared,
    ...k.removed ? { removed: k.removed } : {},
    versions,
    ...k.earlier.length > 0 ? { earlier: [...k.earlier] } : {}
  };
}
var decoder = new TextDecoder("utf-8", { fatal: false });
var HistoryIndexBuilder = class {
  keys = /* @__PURE__ */ new Map();
  problems = [];
  commits = 0;
  last;
  add({ commit, changes }) {
    this.commits++;
    this.last = commit;
    for (const change of changes) this.apply(commit, change);
  }
  /**
   * A manifest, policy or `.sops.yaml` path that history shows as a symlink, submodule or
   * other non-regular entry at `commit` (key.yaml itself is reported through {@link add}).
   * Such a tree never validated; the audit lists it rather than reading past it.
   */
  notAFile(commit, file) {
    this.problem(
      "history/not-a-file",
      "a symlink, submodule or other non-regular entry here, not a file rekey reads",
      file,
      commit
    );
  }
  finish() {
    const keys = /* @__PURE__ */ new Map();
    for (const id of [...this.keys.keys()].sort()) keys.set(id, frozen(this.keys.get(id)));
    return {
      keys,
      problems: [...this.problems],
      commits: this.commits,
      ...this.last ? { last: this.last } : {}
    };
  }
  problem(rule, message, file, commit) {
    this.problems.push({ rule, message, file, commit });
  }
  apply(commit, change) {
    const { keyId, file } = change;
    if (!isKeyId(keyId)) {
      this.problem(
        "history/invalid-key-path",
        "key.yaml outside a valid key id folder",
        file,
        commit
      );
      return;
    }
    let key = this.keys.get(keyId);
    if (change.kind !== "written") {
      if (change.kind === "not-a-file")
        this.problem("history/not-a-file", "key.yaml is a symlink or submodule here", file, commit);
      if (key) key.removed = commit;
      return;
    }
    const read = change.read ?? readVersionStates(
      typeof change.content === "string" ? change.content : decoder.decode(change.content)
    );
    if (!key) {
      key = { appeared: commit, versions: /* @__PURE__ */ new Map(), earlier: [] };
      this.keys.set(keyId, key);
    } else if (key.removed) {
      const { earlier, ...previous } = key;
      earlier.push(frozen({ ...previous, earlier: [] }));
      key.appeared = commit;
      key.versions = /* @__PURE__ */ new Map();
      delete key.removed;
    }
    if (!read.ok) {
      this.problem(
        "history/unreadable-key-file",
        `could not read versions: ${read.reason}`,
        file,
        commit
      );
      return;
    }
    for (const s of read.skipped) this.problem("history/invalid-version-entry", s, file, commit);
    const seen = /* @__PURE__ */ new Set();
    for (const { version, state } of read.versions) {
      if (seen.has(version)) {
        this.problem(
          "history/invalid-version-entry",
          `version ${version} listed twice`,
          file,
          commit
        );
        continue;
      }
      seen.add(version);
      const v = key.versions.get(version);
      if (!v) {
        key.versions.set(version, {
          appeared: commit,
          entered: { [state]: commit },
          state,
          listed: true
        });
        continue;
      }
      v.listed = true;
      if (v.state === state) continue;
      if (v.entered[state] !== void 0)
        this.problem(
          "history/state-reentered",
          `version ${version} went back from ${v.state} to ${state}`,
          file,
          commit
        );
      else v.entered[state] = commit;
      v.state = state;
    }
    for (const [n, v] of key.versions)
      if (v.listed && !seen.has(n)) {
        v.listed = false;
        this.problem("history/version-removed", `version ${n} is no longer listed`, file, commit);
      }
  }
};

// src/adapters/git/log-stream.ts
var RAW_LINE = /^:([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([A-Z])\d*$/;
var SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
var OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
var HIGH_WATER = 4096;
var LOW_WATER = 1024;
var FLUSH_AT = 512;
var NEWLINE = 10;
var RecordParser = class {
  commit;
  header;
  raw;
  record = 0;
  extra;
  emit;
  constructor(extra, emit) {
    this.extra = extra;
    this.emit = emit;
  }
  bad(what) {
    return new GitReadError("bad-output", `git log: ${what} at record ${this.record}`);
  }
  token(raw) {
    this.record++;
    if (this.header !== void 0) {
      this.header.push(raw);
      if (this.header.length === 3 + this.extra) this.startCommit(this.header);
      return;
    }
    if (this.raw !== void 0) {
      const m = this.raw;
      this.raw = void 0;
      this.commit.changes.push({
        oldMode: m[1],
        newMode: m[2],
        oldOid: m[3],
        newOid: m[4],
        status: m[5],
        path: raw
      });
      return;
    }
    let lead = 0;
    while (raw.charCodeAt(lead) === NEWLINE) lead++;
    const token = lead === 0 ? raw : raw.slice(lead);
    if (token.startsWith("")) {
      if (this.commit) this.emit(this.commit);
      this.commit = void 0;
      this.header = [token.slice(1)];
    } else if (token.startsWith(":")) {
      const m = RAW_LINE.exec(token);
      if (!m || this.commit === void 0) throw this.bad("malformed raw diff line");
      this.raw = m;
    } else throw this.bad("unexpected record");
  }
  startCommit([sha, ct, author, ...fields]) {
    this.header = void 0;
    const seconds = Number(ct);
    if (!SHA.test(sha) || !Number.isSafeInteger(seconds) || author === void 0)
      throw this.bad("malformed commit header");
    const time = new Date(seconds * 1e3).toISOString().replace(/\.\d{3}Z$/, "Z");
    this.commit = { sha, time, author, fields, changes: [] };
  }
  /** The text after the last NUL (a newline at most) and the last commit. */
  end(rest) {
    if (rest.replace(/^\n+/, "") !== "") this.token(rest);
    if (this.header !== void 0) throw this.bad("malformed commit header");
    if (this.raw !== void 0) throw this.bad("malformed raw diff line");
    if (this.commit) this.emit(this.commit);
    this.commit = void 0;
  }
};
async function streamLog(repoDir, ref, stream, options = {}) {
  options.signal?.throwIfAborted();
  if (ref === "" || ref.startsWith("-") || /[\0\n]/.test(ref))
    throw new GitReadError("unknown-ref", `not a usable ref: ${JSON.stringify(ref)}`);
  const spawn = options.spawn ?? spawnGit;
  const [first, ...rest] = stream.args;
  const args = stream.reverse ? [first, "--reverse", ...rest] : [...stream.args];
  const log = spawn(args, { cwd: repoDir, env: options.env });
  let cat;
  let failure;
  const fail = (e) => {
    failure ??= e;
    log.kill();
    cat?.kill();
  };
  const onAbort = () => fail(options.signal.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const waiting = [];
  let head = 0;
  let delivered = /* @__PURE__ */ new Map();
  let got = 0;
  let paused = false;
  const drain = () => {
    while (head < waiting.length) {
      if (failure !== void 0) return;
      const w = waiting[head];
      if (got < w.oids.length) return;
      waiting[head++] = void 0;
      const blobs = delivered;
      delivered = /* @__PURE__ */ new Map();
      got = 0;
      stream.onCommit(w.commit, blobs);
      if (head > 1024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
    }
    if (paused && waiting.length - head < LOW_WATER) {
      paused = false;
      log.stdout.resume();
    }
  };
  let requests = [];
  const flush = () => {
    if (requests.length > 0 && cat) cat.stdin.write(requests.join("\n") + "\n");
    requests = [];
  };
  const catErr = [];
  let catDone = Promise.resolve();
  const startCat = () => {
    const c = spawn(["cat-file", "--batch", "--buffer"], { cwd: repoDir, env: options.env });
    c.stderr.on("data", (b) => catErr.push(b));
    c.stdin.on("error", () => {
    });
    const parser = new CatFileBatchParser(
      (o) => {
        const want = waiting[head]?.oids[got];
        if (o.type !== "blob")
          throw new GitReadError("bad-output", `${o.oid} is a ${o.type}, not a blob`);
        if (want !== o.oid)
          throw new GitReadError(
            "bad-output",
            `cat-file answered ${o.oid}, not ${want ?? "nothing"}`
          );
        delivered.set(o.oid, o.content);
        got++;
        drain();
      },
      (name) => {
        throw new GitReadError("bad-output", `object ${name} is missing`);
      }
    );
    const parsed = new Promise((resolve) => {
      c.stdout.on("data", (b) => {
        if (failure !== void 0) return;
        try {
          parser.push(b);
        } catch (e) {
          fail(e);
        }
      });
      c.stdout.once("end", () => {
        try {
          if (failure === void 0) parser.end();
        } catch (e) {
          fail(e);
        }
        resolve();
      });
    });
    catDone = Promise.all([parsed, exited(c, "git cat-file --batch", catErr)]).then(() => {
    });
    catDone.catch(fail);
    return c;
  };
  const records = new RecordParser(stream.extra, (commit) => {
    const oids = stream.wants(commit);
    for (const oid of oids) {
      if (!OID.test(oid))
        throw new GitReadError("bad-output", `not an object id: ${JSON.stringify(oid)}`);
      cat ??= startCat();
      requests.push(oid);
    }
    waiting.push({ commit, oids });
    if (oids.length === 0) drain();
    else if (!paused && waiting.length - head > HIGH_WATER) {
      paused = true;
      log.stdout.pause();
    }
  });
  const logErr = [];
  log.stderr.on("data", (b) => logErr.push(b));
  log.stdin.end();
  let carry;
  log.stdout.on("data", (chunk) => {
    if (failure !== void 0) return;
    try {
      const data = carry ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let nul = data.indexOf(0, start); nul !== -1; nul = data.indexOf(0, start)) {
        records.token(data.toString("utf8", start, nul));
        start = nul + 1;
      }
      carry = start < data.length ? data.subarray(start) : void 0;
      if (paused || requests.length >= FLUSH_AT) flush();
    } catch (e) {
      fail(e);
    }
  });
  try {
    await exited(log, "git log --first-parent", logErr);
  } catch (e) {
    fail(e);
  }
  if (failure === void 0)
    try {
      records.end(carry ? carry.toString("utf8") : "");
      flush();
    } catch (e) {
      fail(e);
    }
  cat?.stdin.end();
  await catDone.catch((e) => fail(e));
  options.signal?.removeEventListener("abort", onAbort);
  if (failure !== void 0) throw failure;
  if (head < waiting.length)
    throw new GitReadError(
      "bad-output",
      `cat-file ended with ${waiting.length - head} commit(s) unread`
    );
}

// src/adapters/git/history.ts
function historyLogArgs(ref) {
  return [
    "log",
    "--first-parent",
    "--diff-merges=first-parent",
    "--raw",
    "-z",
    "--no-abbrev",
    "--no-renames",
    "--no-color",
    "--format=%x01%H%x00%ct%x00%an <%ae>",
    "--end-of-options",
    ref,
    "--",
    ":(top,glob)keys-manifest/**/key.yaml"
  ];
}
function indexLogArgs(ref) {
  const args = historyLogArgs(ref);
  return [...args.slice(0, -1), ":(top,literal)keys-manifest/"];
}
var RAW_LINE2 = /^:([0-7]{6}) ([0-7]{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([A-Z])\d*$/;
function parseRawLog(out, extra, commit, change) {
  const tokens = out.split("\0");
  const commits = [];
  let i = 0;
  const bad = (what) => new GitReadError("bad-output", `git log: ${what} at record ${i}`);
  while (i < tokens.length) {
    const token = tokens[i].replace(/^\n+/, "");
    if (token === "" && i === tokens.length - 1) break;
    if (token.startsWith("")) {
      const sha = token.slice(1);
      const seconds = Number(tokens[i + 1]);
      const author = tokens[i + 2];
      const fields = tokens.slice(i + 3, i + 3 + extra);
      if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha) || !Number.isSafeInteger(seconds) || author === void 0 || fields.length !== extra)
        throw bad("malformed commit header");
      const time = new Date(seconds * 1e3).toISOString().replace(/\.\d{3}Z$/, "Z");
      commits.push(commit({ sha, time, author }, fields));
      i += 3 + extra;
    } else if (token.startsWith(":")) {
      const m = RAW_LINE2.exec(token);
      const path = tokens[i + 1];
      const current = commits[commits.length - 1];
      if (!m || path === void 0 || current === void 0) throw bad("malformed raw diff line");
      current.changes.push(change(m, path));
      i += 2;
    } else throw bad("unexpected record");
  }
  return commits;
}
function parseHistoryLog(out) {
  return parseRawLog(
    out,
    0,
    (header) => ({ ...header, changes: [] }),
    (m, path) => ({ path, status: m[5], newMode: m[2], newOid: m[4] })
  );
}
function collect(child, what) {
  const out = [];
  const err = [];
  child.stdout.on("data", (c) => out.push(c));
  child.stderr.on("data", (c) => err.push(c));
  child.stdin.end();
  return exited(child, what, err).then(() => Buffer.concat(out).toString("utf8"));
}
async function buildHistoryIndex(repoDir, ref, options = {}) {
  const builder = new HistoryIndexBuilder();
  const memos = /* @__PURE__ */ new Map();
  const keyIdOf = (c) => c.path.endsWith("/key.yaml") ? parseKeyFilePath(c.path) : void 0;
  const readable = (c) => c.status !== "D" && REGULAR.test(c.newMode) && keyIdOf(c) !== void 0;
  const newestFirst = [];
  await streamLog(
    repoDir,
    ref,
    {
      args: indexLogArgs(ref),
      extra: 0,
      wants: (c) => c.changes.filter(readable).map((ch) => ch.newOid),
      onCommit: (c, blobs) => {
        const changes = [];
        for (const ch of c.changes) {
          const keyId = keyIdOf(ch);
          if (keyId === void 0) continue;
          if (ch.status === "D") changes.push({ keyId, file: ch.path, kind: "deleted" });
          else if (!readable(ch)) changes.push({ keyId, file: ch.path, kind: "not-a-file" });
          else {
            const content = blobs.get(ch.newOid);
            if (content === void 0)
              throw new GitReadError("bad-output", `blob ${ch.newOid} of ${ch.path} was not read`);
            changes.push(readWritten(keyId, ch.path, content, memos));
          }
        }
        if (changes.length > 0)
          newestFirst.push({ commit: { sha: c.sha, time: c.time, author: c.author }, changes });
      }
    },
    options
  );
  for (let i = newestFirst.length - 1; i >= 0; i--) builder.add(newestFirst[i]);
  return builder.finish();
}
var decoder2 = new TextDecoder("utf-8", { fatal: false });
function readWritten(keyId, file, content, memos) {
  let memo = memos.get(file);
  if (memo === void 0) memos.set(file, memo = { items: /* @__PURE__ */ new Map() });
  const read = isKeyId(keyId) ? readVersionStates(decoder2.decode(content), memo) : void 0;
  return { keyId, file, kind: "written", content: "", ...read ? { read } : {} };
}
async function isShallowRepository(repoDir, options = {}) {
  const out = await collect(
    (options.spawn ?? spawnGit)(["rev-parse", "--is-shallow-repository"], {
      cwd: repoDir,
      env: options.env
    }),
    "git rev-parse --is-shallow-repository"
  );
  return out.trim() === "true";
}
function auditLogArgs(ref) {
  return [
    "log",
    "--first-parent",
    "--diff-merges=first-parent",
    "--raw",
    "-z",
    "--no-abbrev",
    "--no-renames",
    "--no-color",
    "--format=%x01%H%x00%ct%x00%an <%ae>%x00%P%x00%s",
    "--end-of-options",
    ref,
    "--",
    // Literal prefixes cost git less than glob patterns; paths are matched exactly below.
    ":(top,literal)keys-manifest/",
    ":(top,literal).sops.yaml",
    ":(top,literal)policies/"
  ];
}
var POLICY_PATH = /^policies\/[^/]+\.yaml$/;
var ZERO_OID = /^0+$/;
var NONE = Object.freeze([]);
var REGULAR = /^100(644|755)$/;
function auditBlobs(c) {
  const oids = [];
  for (const ch of c.changes) {
    if (Buffer.byteLength(ch.path) >= 200) continue;
    if (ch.path.endsWith("/key.yaml") || POLICY_PATH.test(ch.path)) {
      if (ch.status !== "D" && REGULAR.test(ch.newMode)) oids.push(ch.newOid);
    } else if (ch.path === ".sops.yaml") {
      if (!ZERO_OID.test(ch.oldOid) && REGULAR.test(ch.oldMode)) oids.push(ch.oldOid);
      if (ch.status !== "D" && REGULAR.test(ch.newMode)) oids.push(ch.newOid);
    }
  }
  return oids;
}
async function buildAuditHistory(repoDir, ref, options = {}) {
  const builder = new HistoryIndexBuilder();
  const memos = /* @__PURE__ */ new Map();
  const commits = [];
  const files = /* @__PURE__ */ new Map();
  const settled = /* @__PURE__ */ new Set();
  const last = (path, content) => {
    if (settled.has(path)) return;
    settled.add(path);
    if (content) files.set(path, content);
  };
  const newestFirst = [];
  const onCommit = (c, blobs) => {
    const blob = (oid, path) => {
      const content = blobs.get(oid);
      if (content === void 0)
        throw new GitReadError("bad-output", `blob ${oid} of ${path} was not read`);
      return content;
    };
    const changes = [];
    const materials = [];
    const policies = [];
    let sopsConfig;
    const irregular = [];
    for (const ch of c.changes) {
      const isFile = ch.status !== "D" && REGULAR.test(ch.newMode);
      if (ch.status !== "D" && !isFile && parseKeyFilePath(ch.path) === void 0)
        irregular.push(ch.path);
      if (POLICY_PATH.test(ch.path)) {
        policies.push(ch.path);
        last(ch.path, isFile ? blobs.get(ch.newOid) : void 0);
        continue;
      }
      if (ch.path === ".sops.yaml") {
        const hadOld = !ZERO_OID.test(ch.oldOid) && blobs.has(ch.oldOid);
        sopsConfig = {
          ...hadOld ? { before: blob(ch.oldOid, ch.path) } : {},
          ...isFile ? { after: blob(ch.newOid, ch.path) } : {}
        };
        continue;
      }
      const keyId = parseKeyFilePath(ch.path);
      if (keyId !== void 0) {
        if (ch.status === "D") changes.push({ keyId, file: ch.path, kind: "deleted" });
        else if (!isFile) changes.push({ keyId, file: ch.path, kind: "not-a-file" });
        else if (!isKeyId(keyId))
          changes.push({ keyId, file: ch.path, kind: "written", content: "" });
        else {
          const content = blob(ch.newOid, ch.path);
          last(ch.path, content);
          changes.push(readWritten(keyId, ch.path, content, memos));
        }
        if (ch.status === "D" || !isFile || !isKeyId(keyId)) last(ch.path, void 0);
        continue;
      }
      const material = parseMaterialPath(ch.path);
      if (material !== void 0)
        materials.push({
          keyId: material.id,
          version: material.version,
          file: ch.path,
          kind: ch.status === "D" ? "deleted" : "written"
        });
    }
    const commit = { sha: c.sha, time: c.time, author: c.author };
    if (changes.length + materials.length + policies.length === 0 && !sopsConfig) {
      if (irregular.length > 0) newestFirst.push({ irregular, commit, changes });
      return;
    }
    newestFirst.push({
      irregular: irregular.length > 0 ? irregular : NONE,
      commit,
      changes,
      audit: {
        commit,
        parents: c.parents,
        subject: c.subject,
        keys: changes.length === 0 ? NONE : changes.length === 1 ? [changes[0].keyId] : [...new Set(changes.map((x) => x.keyId))],
        materials: materials.length > 0 ? materials : NONE,
        policies: policies.length > 0 ? policies : NONE,
        ...sopsConfig ? { sopsConfig } : {}
      }
    });
  };
  await streamLog(
    repoDir,
    ref,
    {
      args: auditLogArgs(ref),
      extra: 2,
      wants: auditBlobs,
      onCommit: (c, blobs) => {
        const [parents = "", subject = ""] = c.fields;
        onCommit({ ...c, parents: parents.split(" ").filter((p) => p !== ""), subject }, blobs);
      }
    },
    options
  );
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const { irregular, commit, changes, audit } = newestFirst[i];
    for (const path of irregular) builder.notAFile(commit, path);
    if (audit === void 0) continue;
    builder.add({ commit, changes });
    commits.push(audit);
  }
  return { index: builder.finish(), commits, files };
}

export {
  indexLogArgs,
  parseHistoryLog,
  buildHistoryIndex,
  isShallowRepository,
  buildAuditHistory
};
