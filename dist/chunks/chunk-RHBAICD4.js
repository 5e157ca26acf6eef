import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  renderPull
} from "./chunk-TX6AZEJX.js";
import {
  isGitHubError,
  reviewerRequest
} from "./chunk-RFVFQ63W.js";

// src/commands/open-pull.ts
function branchFor(action, keyId) {
  return `rekey/${action}/${keyId}`;
}
function rekeyTrailers(message) {
  const out = /* @__PURE__ */ new Map();
  for (const line of message.split("\n")) {
    const m = /^(Rekey-[A-Za-z]+): (.*)$/.exec(line);
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}
var SAME = ["Rekey-Key", "Rekey-Action", "Rekey-Version"];
async function openChangePull(input, ports) {
  const { change, key, policy } = input;
  const branch = branchFor(change.action, change.keyId);
  const committed = await ports.git.commitFiles({
    base: input.base,
    changes: change.files,
    message: change.message,
    branch: { name: branch, mode: "create" }
  });
  let fingerprint = change.fingerprint;
  let adopting = false;
  if (committed.ref === "exists") {
    const existing = committed.existing;
    const message = await ports.git.getCommitMessage(existing);
    const theirs = rekeyTrailers(message ?? "");
    const ours = rekeyTrailers(change.message);
    const differs = SAME.filter((t) => theirs.get(t) !== ours.get(t));
    if (message === null || differs.length > 0 || !theirs.get("Rekey-Fingerprint"))
      return {
        outcome: "skipped",
        keyId: change.keyId,
        action: change.action,
        branch,
        reason: `branch ${branch} exists at ${existing.slice(0, 12)} and does not carry this change (${message === null ? "its commit is missing" : `its ${differs.join(", ") || "Rekey-Fingerprint"} trailer differs`}); a stale branch: close its PR or delete the branch, and the next run opens a fresh one`
      };
    fingerprint = theirs.get("Rekey-Fingerprint");
    adopting = true;
  }
  const fingerprints = new Map(key.versions.map((v) => [v.version, v.fingerprint]));
  fingerprints.set(change.version, fingerprint);
  const content = renderPull({
    action: change.action,
    key,
    policy,
    version: change.version,
    moves: change.moves,
    fingerprints,
    reason: input.reason,
    ...input.incident !== void 0 ? { incident: input.incident } : {},
    ...input.evidence !== void 0 ? { evidence: input.evidence } : {}
  });
  const pull = await ports.pulls.createPull({
    head: branch,
    base: input.defaultBranch,
    title: content.title,
    body: content.body
  });
  await ports.pulls.addLabels(pull.number, content.labels);
  const handles = [
    key.owner,
    ...change.action === "emergency" && policy.emergency ? policy.emergency.reviewers : policy.reviewers
  ];
  const reviewers = await requestReviewers(pull.number, handles, pull.author, ports.pulls);
  const warnings = reviewers.refused.map(
    (r) => `reviewer ${r.handle} not requested on #${pull.number}: ${r.message}`
  );
  const errors = [];
  if (reviewers.requested.length === 0)
    errors.push(
      `no reviewer could be requested on #${pull.number} (${[
        ...reviewers.refused.map((r) => `${r.handle} refused`),
        ...reviewers.author ? [`${reviewers.author} is the author`] : []
      ].join(", ")}); ask one by hand (docs/actions.md "Reviewers")`
    );
  const body = withReviewerNote(pull.body, reviewers);
  if (body !== pull.body) await ports.pulls.updatePull(pull.number, { body });
  const opened = {
    keyId: change.keyId,
    action: change.action,
    branch,
    version: change.version,
    fingerprint,
    pull: { number: pull.number, url: pull.url },
    reviewers,
    warnings,
    errors
  };
  if (!adopting) return { ...opened, outcome: "created" };
  return { ...opened, outcome: pull.result === "created" ? "adopted" : "unchanged" };
}
async function requestReviewers(number, handles, author, pulls) {
  const seen = /* @__PURE__ */ new Set();
  const wanted = [];
  let authorHandle;
  for (const handle of handles) {
    const r = reviewerRequest([handle]);
    const entry = r.users[0] ? { handle, kind: "user", name: r.users[0] } : r.teams[0] ? { handle, kind: "team", name: r.teams[0] } : void 0;
    if (!entry) continue;
    const id = `${entry.kind}:${entry.name.toLowerCase()}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (entry.kind === "user" && author !== "" && entry.name.toLowerCase() === author.toLowerCase())
      authorHandle = handle;
    else wanted.push(entry);
  }
  const requested = [];
  const refused = [];
  const attempt = async (group) => {
    try {
      await pulls.requestReviewers(number, {
        users: group.filter((h) => h.kind === "user").map((h) => h.name),
        teams: group.filter((h) => h.kind === "team").map((h) => h.name)
      });
      requested.push(...group.map((h) => h.handle));
    } catch (e) {
      if (!isGitHubError(e, "unprocessable")) throw e;
      const users = group.filter((h) => h.kind === "user");
      const teams = group.filter((h) => h.kind === "team");
      if (users.length > 0 && teams.length > 0) {
        await attempt(users);
        await attempt(teams);
      } else if (group.length > 1) for (const h of group) await attempt([h]);
      else refused.push({ handle: group[0].handle, message: e.message });
    }
  };
  if (wanted.length > 0) await attempt(wanted);
  return { requested, refused, ...authorHandle ? { author: authorHandle } : {} };
}
var REVIEWER_NOTE = "<!-- rekey:no-reviewer -->";
function withReviewerNote(body, outcome) {
  const at = body.indexOf(REVIEWER_NOTE);
  const base = (at < 0 ? body : body.slice(0, at)).trimEnd();
  if (outcome.requested.length > 0) return at < 0 ? body : `${base}
`;
  const why = [
    ...outcome.refused.map(
      (r) => `- \`${r.handle.replace(/`/g, "")}\`: GitHub refused the request`
    ),
    ...outcome.author ? [`- \`${outcome.author.replace(/`/g, "")}\`: the author of this pull request`] : []
  ];
  return [
    base,
    "",
    REVIEWER_NOTE,
    "> [!WARNING]",
    "> **No reviewer could be requested.** Ask the key owner or a policy reviewer by hand.",
    "> A team needs the organization permission `members: read` on the token and access to this",
    '> repository; a user needs access to it (docs/actions.md "Reviewers").',
    "",
    ...why.length > 0 ? why : ["- the key owner and the policy name no one else"],
    ""
  ].join("\n");
}
function reviewerErrors(results) {
  return results.flatMap(
    (r) => "errors" in r && Array.isArray(r.errors) ? r.errors : []
  );
}

export {
  branchFor,
  rekeyTrailers,
  openChangePull,
  requestReviewers,
  reviewerErrors
};
