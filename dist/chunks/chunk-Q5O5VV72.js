import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  external_exports,
  isKeyId
} from "./chunk-ARAMIKVA.js";

// src/commands/distribute/failures.ts
var HALTED_LABEL = "rekey:halted";
var FAILURE_LABEL = "rekey:distribution-failed";
var LABELS = [FAILURE_LABEL, "rekey"];
var MARKER_PREFIX = "<!-- rekey:distribution-failure ";
var STATE_PREFIX = "<!-- rekey:failure-state ";
var MAX_DETAIL_LINES = 40;
var MAX_DETAIL_CHARS = 400;
function failureMarker(key) {
  return `${MARKER_PREFIX}${key} -->`;
}
var stateSchema = external_exports.object({
  attempts: external_exports.number().int().min(0).max(1e6),
  since: external_exports.string().max(40).optional(),
  sinceCommit: external_exports.string().max(64).optional(),
  lastRun: external_exports.string().max(500).optional(),
  halted: external_exports.boolean().optional(),
  budget: external_exports.number().int().min(1).max(1e6).optional(),
  /** The first detail line of the last failure, raw (escaped where it is shown). */
  reason: external_exports.string().max(MAX_DETAIL_CHARS + 1).optional()
});
function readState(body) {
  const at = body.lastIndexOf(STATE_PREFIX);
  if (at < 0) return null;
  const end = body.indexOf(" -->", at);
  if (end < 0) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(body.slice(at + STATE_PREFIX.length, end)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
function oneLine(s) {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > MAX_DETAIL_CHARS ? `${one.slice(0, MAX_DETAIL_CHARS)}\u2026` : one;
}
function stateLine(state) {
  const json = JSON.stringify(state).replace(
    /[<>@]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
  return `${STATE_PREFIX}${json} -->`;
}
function safeLine(s) {
  return oneLine(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/@/g, "@\u200B").replace(/\|/g, "\\|");
}
var short = (sha) => (sha ?? "").slice(0, 12);
function sinceText(s) {
  const when = s.since ? `${s.since.replace("T", " ").replace(/\.\d+Z$|Z$/, "")} UTC` : null;
  const commit = s.sinceCommit ? `commit \`${short(s.sinceCommit)}\`` : null;
  return [when, commit].filter(Boolean).join(", ") || "unknown";
}
function renderFailureIssue(t) {
  const { key, state, budget } = t;
  const halted = state.halted === true;
  const title = halted ? `rekey: distribution of ${key} halted after ${state.attempts} failed attempts` : `rekey: distribution of ${key} failed`;
  const details = t.details.slice(0, MAX_DETAIL_LINES).map((d) => `- ${safeLine(d)}`);
  if (t.details.length > MAX_DETAIL_LINES)
    details.push(`- \u2026 and ${t.details.length - MAX_DETAIL_LINES} more (see the run's summary)`);
  if (details.length === 0) details.push("- (the run gave no details; see its summary)");
  const run = t.runUrl ? `[the run](${t.runUrl}) on commit \`${short(t.commit)}\`` : `commit \`${short(t.commit)}\``;
  const next = halted ? [
    `**Automation has stopped touching \`${key}\`**: the retry budget (${budget}) is spent.`,
    "Rotation skips it and distribution skips it, so its targets stay as they are now.",
    "",
    "1. Fix the cause above (a permission, a missing repository or environment, a target",
    "   that refuses the value). The failed run's job summary has a row per target.",
    `2. Run the **distribute** workflow (Actions \u2192 distribute \u2192 Run workflow) with`,
    `   \`resume: ${key}\`. That removes the \`${HALTED_LABEL}\` label, resets the attempt`,
    "   count and distributes the key again.",
    "",
    "When the key converges, rekey closes this issue."
  ] : [
    `The next distribution run (a push to the default branch, or the **distribute** workflow`,
    `run by hand) retries only what differs. After ${budget} failed attempt(s) in a row the`,
    `key is halted (label \`${HALTED_LABEL}\`) and automation stops touching it until a`,
    `person resumes it. When the key converges, rekey closes this issue.`
  ];
  const body = [
    `Distribution of \`${key}\` to its targets ${halted ? "is **halted**" : "failed"}.`,
    "",
    "| | |",
    "|---|---|",
    `| Key | \`${key}\` |`,
    `| Failing since | ${sinceText(state)} |`,
    `| Failed attempts | ${state.attempts} of ${budget} |`,
    `| Last attempt | ${run} |`,
    "",
    "### What failed in the last attempt",
    "",
    ...details,
    "",
    "### What happens next",
    "",
    ...next,
    "",
    failureMarker(key),
    stateLine(state),
    ""
  ].join("\n");
  return { title, body };
}
function keyOf(issue) {
  const at = issue.body.indexOf(MARKER_PREFIX);
  if (at < 0) return null;
  const end = issue.body.indexOf(" -->", at);
  const key = issue.body.slice(at + MARKER_PREFIX.length, end < 0 ? void 0 : end);
  return isKeyId(key) ? key : null;
}
function byKey(issues) {
  const out = /* @__PURE__ */ new Map();
  for (const i of issues) {
    const key = keyOf(i);
    if (key !== null && !out.has(key)) out.set(key, i);
  }
  return out;
}
var hasLabel = (i, label) => i.labels.some((l) => l.toLowerCase() === label.toLowerCase());
async function recordDistribution(issues, input) {
  if (!Number.isInteger(input.budget) || input.budget < 1)
    throw new RangeError("recordDistribution: budget must be a whole number of at least 1");
  if (input.failed.length === 0 && input.converged.length === 0) return [];
  const listed = input.open !== void 0 && input.failed.length === 0 ? input.open : await issues.listIssues(FAILURE_LABEL);
  const open = byKey(listed);
  const records = [];
  for (const f of input.failed) {
    const found = open.get(f.key);
    let before = found ? readState(found.body) : null;
    if (found && before?.halted && !hasLabel(found, HALTED_LABEL))
      before = { ...before, attempts: 0, halted: false };
    const repeat = input.runUrl !== void 0 && before?.lastRun === input.runUrl;
    const attempts = repeat ? before.attempts : (before?.attempts ?? 0) + 1;
    const halted = attempts >= input.budget || found !== void 0 && hasLabel(found, HALTED_LABEL);
    const state = {
      attempts,
      since: before?.since ?? input.now?.toISOString(),
      sinceCommit: before?.sinceCommit ?? input.commit,
      ...input.runUrl === void 0 ? {} : { lastRun: input.runUrl },
      halted,
      budget: input.budget,
      ...f.details[0] === void 0 ? {} : { reason: oneLine(f.details[0]) }
    };
    const text = renderFailureIssue({
      key: f.key,
      state,
      details: f.details,
      budget: input.budget,
      commit: input.commit,
      ...input.runUrl === void 0 ? {} : { runUrl: input.runUrl }
    });
    const labels = halted ? [...LABELS, HALTED_LABEL] : [...LABELS];
    const r = await issues.ensureIssue({ marker: failureMarker(f.key), labels, ...text });
    records.push({ key: f.key, issue: r.number, url: r.url, attempts, halted, result: r.result });
  }
  for (const key of input.converged) {
    const found = open.get(key);
    if (!found) continue;
    const attempts = readState(found.body)?.attempts ?? 0;
    const where = input.runUrl ? `[this run](${input.runUrl})` : "a run";
    await issues.commentIssue(
      found.number,
      `Distribution of \`${key}\` converged on commit \`${short(input.commit)}\` in ${where} after ${attempts} failed attempt(s): every target holds what the manifest says. Closing.`
    );
    await issues.closeIssue(failureMarker(key), FAILURE_LABEL);
  }
  return records;
}
async function haltedKeys(issues) {
  return haltedOf(await issues.listIssues(HALTED_LABEL));
}
async function failureIssues(issues) {
  const open = await issues.listIssues(FAILURE_LABEL);
  return { halted: haltedOf(open.filter((i) => hasLabel(i, HALTED_LABEL))), open };
}
function haltedOf(listed) {
  const out = /* @__PURE__ */ new Map();
  for (const [key, issue] of byKey(listed)) {
    const s = readState(issue.body);
    const tries = s ? `distribution failed ${s.attempts} time(s) since ${sinceText(s)}` : "halted";
    const reason = s?.reason ? `${tries}; last: ${oneLine(s.reason)}` : tries;
    out.set(key, { issue: issue.number, url: issue.url, reason });
  }
  return out;
}
async function resumeKey(issues, key, by) {
  const found = await issues.findIssue(failureMarker(key), FAILURE_LABEL);
  if (!found || !hasLabel(found, HALTED_LABEL)) return "not-halted";
  await issues.removeLabel(found.number, HALTED_LABEL);
  const before = readState(found.body) ?? { attempts: 0 };
  const state = { ...before, attempts: 0, halted: false };
  const text = renderFailureIssue({
    key,
    state,
    details: [
      `resumed${by ? ` by ${by}` : ""}; the last failure was: ${before.reason ?? "unknown"}`
    ],
    budget: before.budget ?? Math.max(1, before.attempts),
    commit: before.sinceCommit ?? "",
    ...before.lastRun === void 0 ? {} : { runUrl: before.lastRun }
  });
  await issues.ensureIssue({ marker: failureMarker(key), labels: [...LABELS], ...text });
  await issues.commentIssue(
    found.number,
    `Resumed${by ? ` by ${safeLine(by)}` : ""}: the \`${HALTED_LABEL}\` label is removed and the attempt count reset. The next distribution run retries this key.`
  );
  return "resumed";
}

export {
  recordDistribution,
  haltedKeys,
  failureIssues,
  resumeKey
};
