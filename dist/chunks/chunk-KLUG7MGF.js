import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  checkKeyInvariants,
  checkManifestInvariants,
  checkPublicForm,
  checkRecipients,
  checkTargetOwnership,
  isScannedPath,
  manifestFactsOf,
  scanForPrivateKeys,
  sopsConfigOf
} from "./chunk-H24RPHF5.js";
import {
  loadSnapshot
} from "./chunk-ABOOY56S.js";
import {
  MANIFEST_DIR,
  describeMs,
  durationMs,
  fileTree,
  parseKeyFilePath,
  parseMaterialPath
} from "./chunk-ARAMIKVA.js";
import {
  InvalidInputError,
  diagnostic,
  sortDiagnostics
} from "./chunk-QIKD5X2T.js";

// src/core/plan/window.ts
var formatters = /* @__PURE__ */ new Map();
function formatter(timeZone) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit"
    });
    formatters.set(timeZone, f);
  }
  return f;
}
function wall(instant, timeZone) {
  const p = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant)) p[type] = value;
  const [y, mo, d, h, mi, s] = ["year", "month", "day", "hour", "minute", "second"].map(
    (k) => Number(p[k])
  );
  return {
    ms: Date.UTC(y, mo - 1, d, h, mi, s),
    weekday: p.weekday.toLowerCase(),
    minutes: h * 60 + mi
  };
}
var MINUTE = 6e4;
var HOUR = 60 * MINUTE;
var DAY = 24 * HOUR;
var WEEKDAY_OF_UTC_DAY = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
function wallToInstant(wallMs, timeZone) {
  const offsetAt = (t) => wall(t, timeZone).ms - t;
  const candidates = [
    .../* @__PURE__ */ new Set([wallMs - offsetAt(wallMs - 14 * HOUR), wallMs - offsetAt(wallMs + 14 * HOUR)])
  ].sort((a, b) => a - b);
  const exact = candidates.find((c) => wall(c, timeZone).ms === wallMs);
  if (exact !== void 0) return exact;
  let lo = candidates[0];
  let hi = candidates[candidates.length - 1];
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (wall(mid, timeZone).ms >= wallMs) hi = mid;
    else lo = mid;
  }
  return hi;
}
function parseHours(hours) {
  const [a, b] = hours.split("-");
  const m = (hm) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
  return [m(a), m(b)];
}
function windowStatus(window, now) {
  const [start, end] = parseHours(window.hours);
  const here = wall(now.getTime(), window.timezone);
  if (window.days.includes(here.weekday) && here.minutes >= start && here.minutes < end)
    return { open: true };
  const today = here.ms - here.ms % DAY;
  for (let i = 0; i <= 7; i++) {
    const day = today + i * DAY;
    const weekday = WEEKDAY_OF_UTC_DAY[new Date(day).getUTCDay()];
    if (!window.days.includes(weekday)) continue;
    const opens = wallToInstant(day + start * MINUTE, window.timezone);
    if (opens > now.getTime()) return { open: false, nextOpen: new Date(opens) };
  }
  throw new RangeError(`window never opens: ${window.days.join(",")} ${window.hours}`);
}

// src/core/plan/plan.ts
function iso(ms) {
  if (!(ms >= 0 && ms < LAST_FOUR_DIGIT_YEAR_MS)) return isoByDate(ms);
  const secs = Math.floor(ms / 1e3);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(sod / 3600);
  const minute = Math.floor(sod % 3600 / 60);
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(sod % 60)}Z`;
}
var LAST_FOUR_DIGIT_YEAR_MS = Date.UTC(1e4, 0, 1);
var two = (n) => n < 10 ? `0${n}` : `${n}`;
var isoByDate = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
var span = (duration) => describeMs(durationMs(duration));
function policyTimes(policy) {
  return {
    cryptoperiod: durationMs(policy.cryptoperiod),
    rotateBefore: durationMs(policy["rotate-before"]),
    prepublish: durationMs(policy.prepublish),
    cryptoperiodText: span(policy.cryptoperiod),
    rotateBeforeText: span(policy["rotate-before"]),
    prepublishText: span(policy.prepublish)
  };
}
function since(keyId, v, state, history) {
  const commit = history?.keys.get(keyId)?.versions.get(v.version)?.entered[state];
  if (commit) return { ms: Date.parse(commit.time), sha: commit.sha };
  const why = history ? `history has no first-parent commit where v${v.version} became ${state}` : "history was not read";
  return {
    ms: Date.parse(v.created),
    note: `${why}; v${v.version}'s age is taken from its created time`
  };
}
function assess(key, times, history, now) {
  const notes = [];
  const { cryptoperiod, rotateBefore, prepublish } = times;
  let max = 0;
  let active;
  let pending;
  for (const v of key.versions) {
    if (v.version > max) max = v.version;
    if (v.state === "active") active ??= v;
    else if (v.state === "pre-activation" && (!pending || v.version > pending.version)) pending = v;
  }
  const next = max + 1;
  let activeText = "no active version";
  let overdue = false;
  let dueMs = now;
  if (active) {
    const s = since(key.id, active, "active", history);
    if (s.note) notes.push(s.note);
    const age = now - s.ms;
    overdue = age >= cryptoperiod;
    dueMs = s.ms + cryptoperiod - rotateBefore;
    activeText = `v${active.version} active ${describeMs(age)} of a ${times.cryptoperiodText} cryptoperiod` + (overdue ? `, overdue by ${describeMs(age - cryptoperiod)}` : "") + `; rotate-before ${times.rotateBeforeText}`;
  }
  if (pending) {
    const s = since(key.id, pending, "pre-activation", history);
    if (s.note) notes.push(s.note);
    const promotable = s.ms + prepublish;
    const waited = `v${pending.version} pre-activation for ${describeMs(now - s.ms)} of a ${times.prepublishText} prepublish`;
    if (promotable <= now)
      return {
        kind: "promote",
        version: pending.version,
        ...active ? { replaces: active.version } : {},
        due: iso(promotable),
        dueMs: promotable,
        overdue,
        reason: `${waited}; ${activeText}`,
        notes,
        preconditions: [
          {
            kind: "distribution-proven",
            version: pending.version,
            ...s.sha ? { since: s.sha } : {}
          }
        ]
      };
    return {
      kind: "ok",
      nextDue: iso(promotable),
      overdue,
      reason: `${waited}, promotable ${iso(promotable)}; ${activeText}`,
      notes
    };
  }
  if (active && dueMs > now)
    return {
      kind: "ok",
      nextDue: iso(dueMs),
      overdue,
      reason: `${activeText}; rotation due in ${describeMs(dueMs - now)}`,
      notes
    };
  const prepublishes = prepublish > 0 && active !== void 0;
  if (prepublish > 0 && !active)
    notes.push("no active version to keep in use, so the new version starts active");
  return {
    kind: "rotate",
    version: next,
    state: prepublishes ? "pre-activation" : "active",
    ...active ? { replaces: active.version } : {},
    due: iso(dueMs),
    dueMs,
    overdue,
    reason: prepublishes ? `${activeText}; prepublish ${times.prepublishText}: v${next} starts pre-activation` : activeText,
    notes
  };
}
function plan(input) {
  const now = input.now.getTime();
  if (Number.isNaN(now)) throw new RangeError("plan: now is not a valid time");
  const { snapshot } = input;
  const halted = new Set(input.halted);
  const openPullNumbers = new Set(input.openPulls.map((p) => p.number));
  const max = snapshot.pipeline["max-open-prs"];
  const windows = /* @__PURE__ */ new Map();
  const timesOf = /* @__PURE__ */ new Map();
  const firstPull = /* @__PURE__ */ new Map();
  for (const p of input.openPulls) {
    const seen = firstPull.get(p.keyId);
    if (seen === void 0 || p.number < seen.number) firstPull.set(p.keyId, p);
  }
  const unknownPolicy = [...snapshot.keys.values()].filter(
    (k) => !snapshot.policies.has(k.value.policy)
  );
  if (unknownPolicy.length > 0)
    throw new InvalidInputError(
      unknownPolicy.map(
        (k) => diagnostic(
          "plan/unknown-policy",
          `policy ${k.value.policy} is not defined in policies/`,
          k.locate(["policy"])
        )
      )
    );
  const steps = /* @__PURE__ */ new Map();
  const candidates = [];
  for (const keyId of [...snapshot.keys.keys()].sort()) {
    const key = snapshot.keys.get(keyId).value;
    const policy = snapshot.policies.get(key.policy).value;
    let times = timesOf.get(policy);
    if (!times) timesOf.set(policy, times = policyTimes(policy));
    const need = assess(key, times, input.history, now);
    if (need.kind === "ok") {
      steps.set(keyId, {
        keyId,
        policy: policy.name,
        kind: "ok",
        nextDue: need.nextDue,
        overdue: need.overdue,
        reason: need.reason,
        notes: halted.has(keyId) ? [...need.notes, "halted: nothing is due, but automation will not touch this key"] : need.notes
      });
      continue;
    }
    const base = { keyId, policy: policy.name };
    const { dueMs: _dueMs, ...wanted } = need;
    const skip = (cause, why, extra = {}) => ({
      ...base,
      kind: "skip",
      wanted: need.kind,
      cause,
      due: need.due,
      overdue: need.overdue,
      reason: `${why}; ${need.kind === "rotate" ? "rotation" : "promotion"} due: ${need.reason}`,
      notes: need.notes,
      ...extra
    });
    const pull = firstPull.get(keyId);
    if (halted.has(keyId)) {
      steps.set(keyId, skip("halted", "halted (label rekey:halted): a person must resume it"));
      continue;
    }
    if (pull) {
      steps.set(
        keyId,
        skip("open-pull", `rekey PR #${pull.number} (${pull.kind}) is open for this key`, {
          pull: pull.number
        })
      );
      continue;
    }
    if (policy.window) {
      let w = windows.get(policy.name);
      if (!w) windows.set(policy.name, w = windowStatus(policy.window, input.now));
      if (!w.open) {
        const win = policy.window;
        steps.set(
          keyId,
          skip(
            "outside-window",
            `outside the policy window (${win.days.join(",")} ${win.hours} ${win.timezone}); it next opens ${iso(w.nextOpen.getTime())}`,
            { nextWindow: iso(w.nextOpen.getTime()) }
          )
        );
        continue;
      }
    }
    candidates.push({ keyId, need, policy: policy.name });
    steps.set(keyId, { ...base, ...wanted });
  }
  const room = Math.max(0, max - openPullNumbers.size);
  candidates.sort((a, b) => a.need.dueMs - b.need.dueMs || (a.keyId < b.keyId ? -1 : 1));
  candidates.slice(room).forEach(({ keyId, need, policy }) => {
    steps.set(keyId, {
      keyId,
      policy,
      kind: "skip",
      wanted: need.kind,
      cause: "budget",
      due: need.due,
      overdue: need.overdue,
      reason: `open-PR budget spent (max-open-prs ${max}: ${openPullNumbers.size} open, ${room} opened by this run); ${need.kind === "rotate" ? "rotation" : "promotion"} due: ${need.reason}`,
      notes: need.notes
    });
  });
  const ordered = [...steps.values()];
  return {
    now: iso(now),
    steps: ordered,
    overdue: ordered.filter((s) => s.overdue).map((s) => s.keyId),
    budget: { max, open: openPullNumbers.size, planned: Math.min(room, candidates.length) }
  };
}

// src/core/verify/check-snapshot.ts
function checkSnapshot(side, now) {
  const manifest = manifestFactsOf(side);
  const config = sopsConfigOf(side.snapshot);
  const out = checkManifestInvariants(manifest, now);
  for (const key of manifest.keys.values())
    for (const mat of key.materials.values())
      if (mat.loaded)
        out.push(...checkPublicForm(mat, key.doc.value.type), ...checkRecipients(mat, config));
  const decoder = new TextDecoder();
  for (const [path, bytes] of side.tree)
    if (isScannedPath(path)) out.push(...scanForPrivateKeys(path, decoder.decode(bytes)));
  return sortDiagnostics(out);
}

// src/commands/inspect.ts
function validateTree(tree, now) {
  const { snapshot, diagnostics } = loadSnapshot(tree);
  let versions = 0;
  for (const k of snapshot.keys.values()) versions += k.value.versions.length;
  return {
    snapshot,
    diagnostics: sortDiagnostics([...diagnostics, ...checkSnapshot({ snapshot, tree }, now)]),
    counts: { keys: snapshot.keys.size, versions, policies: snapshot.policies.size }
  };
}
var VALIDATE_BATCH_KEYS = 500;
function validateInBatches(tree, now, batchKeys = VALIDATE_BATCH_KEYS) {
  const folderOf = (path) => parseKeyFilePath(path) ?? parseMaterialPath(path)?.id;
  const skeleton = [];
  const common = [];
  const folders = /* @__PURE__ */ new Map();
  for (const [path, bytes] of tree) {
    const id = folderOf(path);
    if (id !== void 0) {
      const files = folders.get(id);
      if (files) files.push(path);
      else folders.set(id, [path]);
    }
    if (parseMaterialPath(path) !== void 0) continue;
    skeleton.push([path, bytes]);
    if (!path.startsWith(`${MANIFEST_DIR}/`)) common.push([path, bytes]);
  }
  const cache = /* @__PURE__ */ new Map();
  const first = loadSnapshot(fileTree(skeleton, tree.irregular ?? []), { cache });
  const loaded = [...first.diagnostics];
  const checked = checkTargetOwnership(first.snapshot.keys.values());
  const config = sopsConfigOf(first.snapshot);
  const ids = [...folders.keys()].sort();
  for (let i = 0; i < ids.length; i += batchKeys) {
    const files = [...common];
    for (const id of ids.slice(i, i + batchKeys))
      for (const path of folders.get(id)) files.push([path, tree.get(path)]);
    const batchTree = fileTree(files, []);
    const batch = loadSnapshot(batchTree, { cache });
    for (const d of batch.diagnostics) if (parseMaterialPath(d.file) !== void 0) loaded.push(d);
    for (const key of manifestFactsOf({
      snapshot: batch.snapshot,
      tree: batchTree
    }).keys.values()) {
      checked.push(...checkKeyInvariants(key, now));
      for (const mat of key.materials.values())
        if (mat.loaded)
          checked.push(
            ...checkPublicForm(mat, key.doc.value.type),
            ...checkRecipients(mat, config)
          );
    }
    for (const [path] of files) if (parseMaterialPath(path) !== void 0) cache.delete(path);
  }
  const decoder = new TextDecoder();
  for (const [path, bytes] of tree)
    if (isScannedPath(path)) checked.push(...scanForPrivateKeys(path, decoder.decode(bytes)));
  let versions = 0;
  for (const k of first.snapshot.keys.values()) versions += k.value.versions.length;
  const { keys, policies } = first.snapshot;
  return {
    diagnostics: sortDiagnostics([...sortDiagnostics(loaded), ...sortDiagnostics(checked)]),
    counts: { keys: keys.size, versions, policies: policies.size }
  };
}
function planTree(input) {
  const tree = withoutMaterial(input.tree);
  const { snapshot, diagnostics: loaded } = loadSnapshot(tree);
  const diagnostics = sortDiagnostics([
    ...loaded,
    ...checkManifestInvariants(manifestFactsOf({ snapshot, tree }), input.now, {
      material: false
    }),
    ...scanTree(tree)
  ]);
  if (diagnostics.length > 0) return { kind: "invalid", diagnostics };
  return {
    kind: "planned",
    plan: plan({
      snapshot,
      ...input.history ? { history: input.history } : {},
      openPulls: input.openPulls ?? [],
      halted: input.halted ?? [],
      now: input.now
    })
  };
}
function scanTree(tree) {
  const decoder = new TextDecoder();
  const out = [];
  for (const [path, bytes] of tree)
    if (isScannedPath(path)) out.push(...scanForPrivateKeys(path, decoder.decode(bytes)));
  return out;
}
function withoutMaterial(tree) {
  const files = [];
  for (const path of tree.keys()) if (!parseMaterialPath(path)) files.push([path, tree.get(path)]);
  return fileTree(
    files,
    (tree.irregular ?? []).filter((e) => !parseMaterialPath(e.path))
  );
}

export {
  plan,
  validateTree,
  validateInBatches,
  planTree
};
