import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  isPullAuthor,
  readDistributionEvidence
} from "./chunk-TX6AZEJX.js";
import {
  violation
} from "./chunk-LX4CV2AR.js";
import {
  parseSopsConfig
} from "./chunk-2PDFHADE.js";
import {
  KEY_STATES,
  describeMs,
  durationMs,
  parseKeyFilePath,
  parseYaml,
  pipelineDocument,
  policyDocument
} from "./chunk-ARAMIKVA.js";

// src/core/audit/model.ts
var destructionSubject = (keyId, version) => `${keyId}@v${version}`;

// src/core/verify/provenance.ts
function isLoginIdentity(p, logins) {
  const email = p.email.toLowerCase();
  return logins.some((login) => {
    const l = login.toLowerCase();
    return p.name.toLowerCase() === l && (email === `${l}@users.noreply.github.com` || new RegExp(`^\\d+\\+${l.replace(/[[\]]/g, "\\$&")}@users\\.noreply\\.github\\.com$`).test(
      email
    ));
  });
}
function addedVersions(keys, base) {
  return keys.flatMap(
    (k) => base.keys.has(k.keyId) ? k.moves.filter((m) => m.from === void 0 && m.to !== void 0).map((m) => ({
      keyId: k.keyId,
      version: m.version,
      file: `keys-manifest/${k.keyId}/v${m.version}.sops.yaml`
    })) : []
  );
}
function provenanceApplies(base) {
  return base.pipeline["pull-authors"] !== void 0 && !base.pipeline["manual-rotation"];
}
function checkProvenance(input) {
  const { base, head } = input;
  if (!provenanceApplies(base)) return [];
  const logins = base.pipeline["pull-authors"];
  const out = [];
  for (const v of addedVersions(input.keys, base)) {
    const why = [];
    if (input.author === null || !isPullAuthor(input.author, logins))
      why.push(`the pull request was opened by ${input.author ?? "an unknown author"}`);
    for (const c of input.commits.get(v.file) ?? []) {
      const people = [c.author, c.committer].filter((p) => !isLoginIdentity(p, logins));
      if (people.length > 0)
        why.push(
          `commit ${c.sha.slice(0, 12)} writing ${v.file} was ${people[0] === c.author ? "authored" : "committed"} by ${people[0].name.slice(0, 100)}`
        );
    }
    if (why.length === 0) continue;
    const doc = head.keys.get(v.keyId);
    const index = doc?.value.versions.findIndex((x) => x.version === v.version) ?? -1;
    const at = doc ? doc.locate(index >= 0 ? ["versions", index] : ["versions"]) : { file: v.file, line: 0, column: 0 };
    out.push(
      violation(
        "change/manual-rotation",
        `v${v.version} of ${v.keyId} is new material not made by rekey's App (${logins.join(", ")}): ${why.join("; ")}. Close this PR and let rekey rotate the key (or dispatch an emergency rotation); a person who made the material knows it. The base branch's pipeline.yaml can allow this with manual-rotation: true (a weaker mode, docs/formats.md)`,
        at
      )
    );
  }
  return out;
}

// src/core/audit/timeline.ts
function findingCommit(c, link2) {
  const url = link2(c.sha);
  return { sha: c.sha, time: c.time, ...url ? { url } : {} };
}
function commitPositions(history) {
  let pos = POSITIONS.get(history);
  if (pos === void 0) {
    const map = /* @__PURE__ */ new Map();
    history.commits.forEach((c, i) => map.set(c.commit.sha, i));
    POSITIONS.set(history, pos = map);
  }
  return pos;
}
var POSITIONS = /* @__PURE__ */ new WeakMap();
var LEAVES_ACTIVE = ["deactivated", "compromised", "destroyed"];
function firstAfter(entered, states, from, pos) {
  let best;
  for (const s of states) {
    const c = entered[s];
    if (c === void 0) continue;
    const p = pos.get(c.sha) ?? -1;
    if (p <= from) continue;
    if (best === void 0 || p < (pos.get(best.sha) ?? 0)) best = c;
  }
  return best;
}
function activePeriod(entered, pos) {
  let memo = PERIODS.get(pos);
  if (memo === void 0) PERIODS.set(pos, memo = /* @__PURE__ */ new WeakMap());
  if (memo.has(entered)) return memo.get(entered);
  const from = entered.active;
  const until = from === void 0 ? void 0 : firstAfter(entered, LEAVES_ACTIVE, pos.get(from.sha) ?? -1, pos);
  const period = from === void 0 ? void 0 : until ? { from, until } : { from };
  memo.set(entered, period);
  return period;
}
var PERIODS = /* @__PURE__ */ new WeakMap();
function destructions(history) {
  let out = DESTRUCTIONS.get(history);
  if (out === void 0) {
    out = Object.freeze(findDestructions(history));
    DESTRUCTIONS.set(history, out);
  }
  return out;
}
var DESTRUCTIONS = /* @__PURE__ */ new WeakMap();
function findDestructions(history) {
  const pos = commitPositions(history);
  const out = [];
  for (const [keyId, key] of history.index.keys) {
    const periods = [];
    for (const [n, w] of key.versions) {
      const period = activePeriod(w.entered, pos);
      if (!period) continue;
      periods.push({
        version: n,
        from: period.from,
        start: pos.get(period.from.sha) ?? Infinity,
        end: period.until ? pos.get(period.until.sha) ?? Infinity : Infinity
      });
    }
    for (const [version, v] of key.versions) {
      const destroyed = v.entered.destroyed;
      if (destroyed === void 0) continue;
      const at = pos.get(destroyed.sha) ?? -1;
      let from;
      let fromPos = -1;
      for (const s of KEY_STATES) {
        const c = v.entered[s];
        const p = c ? pos.get(c.sha) ?? -1 : -1;
        if (s !== "destroyed" && c && p <= at && p >= fromPos) {
          from = s;
          fromPos = p;
        }
      }
      let successor;
      for (const p of periods)
        if (p.version !== version && p.start <= at && p.end > at)
          successor = { version: p.version, activeSince: p.from };
      out.push({
        keyId,
        version,
        destroyed,
        from,
        beforeHistory: v.appeared.sha === destroyed.sha,
        ...successor ? { successor } : {}
      });
    }
  }
  return out.sort((a, b) => (pos.get(a.destroyed.sha) ?? 0) - (pos.get(b.destroyed.sha) ?? 0));
}
function keyReports(history, policies, link2, pulls, since) {
  const pos = commitPositions(history);
  const written = /* @__PURE__ */ new Map();
  for (const c of history.commits)
    for (const m of c.materials) {
      const k = `${m.keyId}@v${m.version}`;
      const entry = written.get(k) ?? { written: [], deleted: [] };
      (m.kind === "written" ? entry.written : entry.deleted).push(c.commit);
      written.set(k, entry);
    }
  const event = (kind, c) => {
    const pull = pulls.get(c.sha);
    return {
      kind,
      commit: findingCommit(c, link2),
      ...pull ? {
        pull: {
          number: pull.number,
          url: pull.url,
          title: pull.title,
          author: pull.author,
          mergedBy: pull.mergedBy,
          approvedBy: pull.approvals.map((a) => a.login)
        }
      } : {}
    };
  };
  const cutoff = since?.getTime();
  const reports = [];
  for (const [keyId, key] of history.index.keys) {
    const versions = [];
    for (const [version, v] of [...key.versions].reverse()) {
      const events = [];
      for (const s of KEY_STATES) {
        const c = v.entered[s];
        if (c) events.push(event(s, c));
      }
      const files = written.get(`${keyId}@v${version}`);
      for (const c of files?.written ?? []) events.push(event("material-written", c));
      for (const c of files?.deleted ?? []) events.push(event("material-deleted", c));
      events.sort((a, b) => (pos.get(a.commit.sha) ?? 0) - (pos.get(b.commit.sha) ?? 0));
      const last = events[events.length - 1];
      const live = v.state !== "destroyed";
      if (cutoff !== void 0 && !live && last && Date.parse(last.commit.time) < cutoff) continue;
      const period = activePeriod(v.entered, pos);
      versions.push({
        version,
        state: v.state,
        events,
        ...period ? {
          active: {
            from: period.from.time,
            ...period.until ? { until: period.until.time } : {}
          }
        } : {}
      });
    }
    const policy = policies.get(keyId);
    reports.push({
      key: keyId,
      ...policy ? { policy } : {},
      ...key.removed ? { removed: findingCommit(key.removed, link2) } : {},
      versions
    });
  }
  return reports;
}

// src/core/audit/findings-provenance.ts
function person(s) {
  const m = /^(.*?)\s*<([^>]*)>$/.exec(s);
  return m ? { name: m[1], email: m[2] } : { name: s, email: "" };
}
function provenanceFindings(input) {
  const { history, link: link2, github, pullAuthors } = input;
  if (!pullAuthors) return [];
  const bySha = new Map(history.commits.map((c) => [c.commit.sha, c]));
  const out = [];
  for (const [keyId, key] of history.index.keys)
    for (const [version, v] of key.versions) {
      if (v.appeared.sha === key.appeared.sha) continue;
      const commit2 = bySha.get(v.appeared.sha);
      const pull = github?.pulls.get(v.appeared.sha);
      let who;
      if (pull) {
        if (!isPullAuthor(pull.author, pullAuthors))
          who = `pull request #${pull.number} was opened by ${pull.author}`;
      } else if (commit2 && commit2.parents.length <= 1) {
        if (!isLoginIdentity(person(v.appeared.author), pullAuthors))
          who = `commit ${v.appeared.sha.slice(0, 12)} was authored by ${person(v.appeared.author).name.slice(0, 100)}`;
      }
      if (who === void 0) continue;
      out.push({
        rule: "audit/material-by-person",
        severity: "high",
        key: keyId,
        version,
        commits: [findingCommit(v.appeared, link2)],
        ...pull ? { pull: { number: pull.number, url: pull.url } } : {},
        message: `${keyId} v${version} was added by someone other than rekey's App (${pullAuthors.join(", ")}): ${who}. Whoever made the material may know it; rotate the key if that is not expected. Git author fields can be forged: GitHub's "Verified" mark on the commit helps tell.`
      });
    }
  return out;
}

// src/core/audit/findings-pulls.ts
function pullFindings({ history, policies, link: link2, github }) {
  if (!github) return [];
  const out = [];
  for (const c of history.commits) {
    if (!github.pulls.has(c.commit.sha)) continue;
    const pull = github.pulls.get(c.commit.sha) ?? null;
    const commits = [findingCommit(c.commit, link2)];
    const keys = c.keys.length > 0 ? c.keys : [...new Set(c.materials.map((m) => m.keyId))];
    if (pull === null && c.parents.length === 0) continue;
    if (pull === null) {
      out.push({
        rule: "audit/direct-push",
        severity: "high",
        ...keys.length === 1 ? { key: keys[0] } : {},
        commits,
        message: `${c.commit.sha.slice(0, 12)} (${c.commit.author}) changed ${[...keys, ...c.policies ?? [], ...c.sopsConfig ? [".sops.yaml"] : []].join(", ") || "the manifest"} on the default branch without a merged pull request.`
      });
      continue;
    }
    const ref = { number: pull.number, url: pull.url };
    const at = `PR #${pull.number}`;
    for (const a of pull.approvals) {
      if (a.login === pull.author)
        out.push({
          rule: "audit/approval-by-author",
          severity: "high",
          ...keys.length === 1 ? { key: keys[0] } : {},
          commits,
          pull: ref,
          message: `${at} was approved by its own author, ${a.login}; that approval does not count.`
        });
      else if (a.bot)
        out.push({
          rule: "audit/approval-by-bot",
          severity: "high",
          ...keys.length === 1 ? { key: keys[0] } : {},
          commits,
          pull: ref,
          message: `${at} was approved by the bot ${a.login}; a bot's approval does not count.`
        });
    }
    const required = requiredApprovals(pull, keys, policies);
    const counted = pull.approvals.filter((a) => !a.bot && a.login !== pull.author).length;
    if (counted < required)
      out.push({
        rule: "audit/approval-missing",
        severity: "high",
        ...keys.length === 1 ? { key: keys[0] } : {},
        commits,
        pull: ref,
        message: `${at} (by ${pull.author}, merged by ${pull.mergedBy ?? "unknown"}) had ${counted} of ${required} required approval${required === 1 ? "" : "s"} from people other than the author at the merged head` + (pull.staleApprovals.length > 0 ? `; approvals at an older head by ${pull.staleApprovals.join(", ")} were not counted.` : ".")
      });
  }
  return out;
}
function requiredApprovals(pull, keys, policies) {
  const emergency = pull.labels.includes("rekey:emergency");
  let required = 1;
  for (const k of keys) {
    const p = policies.get(k);
    if (!p) continue;
    required = Math.max(
      required,
      emergency && p.emergencyApprovals !== void 0 ? p.emergencyApprovals : p.approvals
    );
  }
  return required;
}

// src/core/audit/findings-recipients.ts
function sopsRecipients(bytes) {
  const parsed = parseYaml(".sops.yaml", bytes);
  if (parsed.value === void 0 || parsed.value === null) return void 0;
  const { config } = parseSopsConfig(".sops.yaml", parsed.value);
  if (!config) return void 0;
  const out = /* @__PURE__ */ new Set();
  for (const rule of config.creationRules)
    for (const g of rule.keyGroups) for (const r of [...g.age, ...g.pgp]) out.add(r);
  return out;
}
var sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
var brief = (r) => r.length > 24 ? `${r.slice(0, 16)}\u2026${r.slice(-6)}` : r;
function recipientFindings({ history, link: link2 }) {
  const out = [];
  for (const c of history.commits) {
    const change = c.sopsConfig;
    if (!change?.before) continue;
    const before = sopsRecipients(change.before);
    const after = change.after ? sopsRecipients(change.after) : /* @__PURE__ */ new Set();
    let message;
    if (!before || !after) {
      if (change.after && sameBytes(change.after, change.before)) continue;
      message = `.sops.yaml changed at ${c.commit.time} and could not be read on ${before ? "the new" : "the old"} side; check its recipients by hand.`;
    } else {
      const added = [...after].filter((r) => !before.has(r));
      const removed = [...before].filter((r) => !after.has(r));
      if (added.length === 0 && removed.length === 0) continue;
      const list = (xs) => xs.map(brief).join(", ");
      message = `.sops.yaml recipients changed at ${c.commit.time}` + (added.length ? `; added ${list(added)}` : "") + (removed.length ? `; removed ${list(removed)}` : "") + (change.after ? "" : " (the file was deleted)") + ". Check that this was approved; existing material is re-encrypted only by a rotation.";
    }
    out.push({
      rule: "audit/recipients-changed",
      severity: "review",
      commits: [findingCommit(c.commit, link2)],
      message
    });
  }
  return out;
}

// src/core/audit/findings.ts
var ms = (c) => Date.parse(c.time);
function auditFindings(input) {
  const out = [
    ...lifetimeFindings(input),
    ...destructionFindings(input),
    ...recipientFindings(input),
    ...pullFindings(input),
    ...provenanceFindings(input),
    ...problemFindings(input)
  ];
  const cutoff = input.since?.getTime();
  const kept = cutoff === void 0 ? out : out.filter(
    (f) => f.ongoing === true || f.commits.some((c) => Date.parse(c.time) >= cutoff) || f.commits.length === 0
  );
  return kept.sort(
    (a, b) => (a.commits[0]?.time ?? "").localeCompare(b.commits[0]?.time ?? "") || a.rule.localeCompare(b.rule) || (a.key ?? "").localeCompare(b.key ?? "")
  );
}
function lifetimeFindings({ history, policies, now, link: link2, graceToleranceMs }) {
  const out = [];
  const pos = commitPositions(history);
  for (const [keyId, key] of history.index.keys) {
    const policy = policies.get(keyId);
    if (!policy) continue;
    const cryptoperiod = durationMs(policy.cryptoperiod);
    const grace = durationMs(policy.grace);
    for (const [version, v] of key.versions) {
      const period = activePeriod(v.entered, pos);
      if (period) {
        const end = period.until ? ms(period.until) : now.getTime();
        const over = end - ms(period.from) - cryptoperiod;
        if (over > 0 && !(key.removed && !period.until))
          out.push({
            rule: "audit/cryptoperiod-exceeded",
            severity: "high",
            key: keyId,
            version,
            commits: [period.from, ...period.until ? [period.until] : []].map(
              (c) => findingCommit(c, link2)
            ),
            ...period.until ? {} : { ongoing: true },
            message: period.until ? `v${version} of ${keyId} was active from ${period.from.time} to ${period.until.time}, ${describeMs(over)} longer than its ${policy.cryptoperiod} cryptoperiod (policy ${policy.name}).` : `v${version} of ${keyId} has been active since ${period.from.time}, ${describeMs(over)} longer than its ${policy.cryptoperiod} cryptoperiod (policy ${policy.name}); rotate it.`
          });
      }
      const compromised = v.entered.compromised;
      if (compromised && (v.state === "compromised" || v.entered.destroyed)) {
        const until = v.entered.destroyed;
        const over = (until ? ms(until) : now.getTime()) - ms(compromised) - graceToleranceMs;
        if (over > 0 && !(key.removed && !until))
          out.push({
            rule: "audit/grace-exceeded",
            severity: "high",
            key: keyId,
            version,
            commits: [compromised, ...until ? [until] : []].map((c) => findingCommit(c, link2)),
            ...until ? {} : { ongoing: true },
            message: until ? `v${version} of ${keyId} was compromised at ${compromised.time} and destroyed only at ${until.time}; a compromised version has no grace (tolerance ${describeMs(graceToleranceMs)}, exceeded by ${describeMs(over)}).` : `v${version} of ${keyId} has been compromised since ${compromised.time} and is not destroyed; a compromised version has no grace (tolerance ${describeMs(graceToleranceMs)}, exceeded by ${describeMs(over)}); revoke it.`
          });
      }
      const deactivated = v.entered.deactivated;
      if (deactivated && (v.state === "deactivated" || v.entered.destroyed)) {
        const until = v.entered.destroyed;
        const end = until ? ms(until) : now.getTime();
        const over = end - ms(deactivated) - grace;
        if (over > graceToleranceMs && !(key.removed && !until))
          out.push({
            rule: "audit/grace-exceeded",
            severity: "medium",
            key: keyId,
            version,
            commits: [deactivated, ...until ? [until] : []].map((c) => findingCommit(c, link2)),
            ...until ? {} : { ongoing: true },
            message: until ? `v${version} of ${keyId} stayed deactivated from ${deactivated.time} until it was destroyed at ${until.time}, ${describeMs(over)} past its ${policy.grace} grace (tolerance ${describeMs(graceToleranceMs)}).` : `v${version} of ${keyId} has been deactivated since ${deactivated.time}, ${describeMs(over)} past its ${policy.grace} grace (tolerance ${describeMs(graceToleranceMs)}); revoke it.`
          });
      }
    }
  }
  return out;
}
function destructionFindings({ history, policies, link: link2, github }) {
  const out = [];
  const all = destructions(history);
  const bySha = /* @__PURE__ */ new Map();
  for (const d of all) bySha.set(d.destroyed.sha, [...bySha.get(d.destroyed.sha) ?? [], d]);
  const present = /* @__PURE__ */ new Set();
  const stayed = /* @__PURE__ */ new Set();
  const deletedAt = /* @__PURE__ */ new Map();
  for (const c of history.commits) {
    for (const m of c.materials)
      if (m.kind === "written") present.add(m.file);
      else {
        present.delete(m.file);
        if (!deletedAt.has(m.file)) deletedAt.set(m.file, c.commit);
      }
    for (const d of bySha.get(c.commit.sha) ?? [])
      if (present.has(`keys-manifest/${d.keyId}/v${d.version}.sops.yaml`)) stayed.add(d);
  }
  for (const d of all) {
    const { keyId, version, destroyed } = d;
    const file = `keys-manifest/${keyId}/v${version}.sops.yaml`;
    if (stayed.has(d)) {
      const later = deletedAt.get(file);
      const removedLater = later && ms(later) >= ms(destroyed) && later.sha !== destroyed.sha;
      out.push({
        rule: "audit/material-not-removed",
        severity: "high",
        key: keyId,
        version,
        commits: [destroyed, ...removedLater ? [later] : []].map((c) => findingCommit(c, link2)),
        message: removedLater ? `v${version} of ${keyId} was destroyed at ${destroyed.time} but ${file} stayed in the tree until ${later.time}.` : `v${version} of ${keyId} was destroyed at ${destroyed.time} but ${file} is still in the tree; delete it.`
      });
    }
    if (!github) continue;
    const proof = github.distribution.get(destructionSubject(keyId, version));
    if (!proof || proof.result === "unchecked") continue;
    const successor = d.successor;
    if (proof.result === "unproven" || !successor) {
      out.push({
        rule: "audit/destroyed-unproven",
        severity: "high",
        key: keyId,
        version,
        commits: [...successor ? [successor.activeSince] : [], destroyed].map(
          (c) => findingCommit(c, link2)
        ),
        message: successor ? `v${version} of ${keyId} was destroyed at ${destroyed.time}, but no rekey/distribution success for v${successor.version} (active since ${successor.activeSince.sha.slice(0, 12)}) came before it.` : `v${version} of ${keyId} was destroyed at ${destroyed.time} while no other version was active, so nothing had been proven distributed in its place.`
      });
      continue;
    }
    const policy = policies.get(keyId);
    if (d.from === "deactivated" && policy) {
      const age = ms(destroyed) - Date.parse(proof.at);
      const grace = durationMs(policy.grace);
      if (age < grace)
        out.push({
          rule: "audit/destroyed-within-grace",
          severity: "medium",
          key: keyId,
          version,
          commits: [
            proof.sha === successor.activeSince.sha ? successor.activeSince : { sha: proof.sha, time: proof.at, author: "" },
            destroyed
          ].map((c) => findingCommit(c, link2)),
          message: `v${version} of ${keyId} was destroyed ${describeMs(Math.max(0, age))} after v${successor.version} was proven distributed (${proof.at}); its grace is ${policy.grace}.`
        });
    }
  }
  return out;
}
function problemFindings({ history, link: link2 }) {
  return history.index.problems.map((p) => {
    const key = /^keys-manifest\/(.+)\/key\.yaml$/.exec(p.file)?.[1];
    return {
      rule: p.rule,
      severity: "review",
      ...key ? { key } : {},
      commits: [findingCommit(p.commit, link2)],
      message: `${p.file} at ${p.commit.time}: ${p.message}.`
    };
  });
}

// src/core/audit/report.ts
var GITHUB_CHECKS = [
  "approvals (audit/approval-missing, audit/approval-by-author, audit/approval-by-bot)",
  "direct pushes (audit/direct-push)",
  "distribution before destruction (audit/destroyed-unproven, audit/destroyed-within-grace)"
];
function buildAuditReport(input) {
  const { history, repository, serverUrl } = input;
  const link2 = (sha) => repository && serverUrl ? `${serverUrl.replace(/\/+$/, "")}/${repository}/commit/${sha}` : void 0;
  const findings = auditFindings({
    history,
    policies: input.policies,
    now: input.now,
    link: link2,
    graceToleranceMs: input.graceToleranceMs,
    ...input.since ? { since: input.since } : {},
    ...input.github ? { github: input.github } : {},
    ...input.pullAuthors ? { pullAuthors: input.pullAuthors } : {}
  });
  const notChecked = [];
  if (input.github) notChecked.push(...input.github.notes);
  else {
    for (const c of GITHUB_CHECKS)
      notChecked.push(`${c}: ${input.withoutGitHub ?? "no GitHub token was given"}`);
    if (destructions(history).length > 0)
      notChecked.push("so every destroyed version\u2019s successor is unproven (not a finding)");
  }
  const missingPolicy = [...history.index.keys.keys()].filter((k) => !input.policies.has(k));
  if (missingPolicy.length > 0)
    notChecked.push(
      `cryptoperiod and grace of ${missingPolicy.join(", ")}: no readable key.yaml and policy at ${input.ref}`
    );
  return {
    schema: "rekey.audit/v1",
    generatedAt: input.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    ...repository ? { repository } : {},
    ref: input.ref,
    ...input.head ? { head: input.head } : {},
    ...input.since ? { since: input.since.toISOString().replace(/\.\d{3}Z$/, "Z") } : {},
    manifestCommits: history.commits.length,
    github: {
      enriched: input.github !== void 0,
      calls: input.github?.calls ?? 0,
      budget: input.github?.budget ?? 0,
      notChecked
    },
    keys: keyReports(history, input.policies, link2, input.github?.pulls ?? /* @__PURE__ */ new Map(), input.since),
    findings
  };
}

// src/core/audit/emit.ts
function lineWriter(emit, sep) {
  let first = true;
  return {
    push(...lines) {
      for (const line of lines) {
        emit(first ? line : sep + line);
        first = false;
      }
    }
  };
}
function collect(render) {
  const parts = [];
  render((text) => parts.push(text));
  return parts.join("");
}

// src/core/audit/render-csv.ts
var CSV_COLUMNS = [
  "record",
  "rule",
  "severity",
  "key",
  "version",
  "event",
  "commit",
  "time",
  "commit_url",
  "pull",
  "pull_url",
  "message"
];
function csvField(value) {
  let s = value === void 0 ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function renderAuditCsv(report) {
  return collect((emit) => writeAuditCsv(report, emit));
}
function writeAuditCsv(report, emit) {
  const rows = {
    push: (row) => emit(`${row.map(csvField).join(",")}\r
`)
  };
  rows.push([...CSV_COLUMNS]);
  for (const f of report.findings) {
    const c = f.commits[0];
    rows.push([
      "finding",
      f.rule,
      f.severity,
      f.key,
      f.version,
      void 0,
      f.commits.map((x) => x.sha).join(" "),
      c?.time,
      f.commits.map((x) => x.url ?? "").filter((u) => u !== "").join(" "),
      f.pull?.number,
      f.pull?.url,
      f.message
    ]);
  }
  for (const k of report.keys)
    for (const v of k.versions)
      for (const e2 of v.events)
        rows.push([
          "event",
          void 0,
          void 0,
          k.key,
          v.version,
          e2.kind,
          e2.commit.sha,
          e2.commit.time,
          e2.commit.url,
          e2.pull?.number,
          e2.pull?.url,
          e2.pull ? `${e2.pull.title} (by ${e2.pull.author}, merged by ${e2.pull.mergedBy ?? "unknown"}, approved by ${e2.pull.approvedBy.join(" ") || "nobody"})` : void 0
        ]);
}

// src/core/audit/segments.ts
function segments(v, now) {
  const changes = v.events.filter((e2) => !e2.kind.startsWith("material-")).map((e2) => ({ state: e2.kind, at: Date.parse(e2.commit.time) }));
  const out = [];
  changes.forEach((c, i) => {
    if (c.state === "destroyed") return;
    const next = changes[i + 1];
    out.push({
      state: c.state,
      from: c.at,
      to: next ? next.at : Math.max(now, c.at),
      open: next === void 0
    });
  });
  return out;
}
function span(all, now) {
  let from = now;
  let to = now;
  for (const s of all) {
    from = Math.min(from, s.from);
    to = Math.max(to, s.to);
  }
  return { from, to };
}

// src/core/audit/render-html.ts
function escapeHtml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
var e = escapeHtml;
var short = (sha) => sha.slice(0, 12);
var safeUrl = (u) => u && /^https?:\/\/[^\s"'<>]+$/.test(u) ? u : void 0;
var link = (text, url) => {
  const u = safeUrl(url);
  return u ? `<a href="${e(u)}">${e(text)}</a>` : e(text);
};
var commit = (c) => `<code>${link(short(c.sha), c.url)}</code>`;
var COLORS = {
  "pre-activation": "#9aa5b1",
  active: "#2f9e44",
  deactivated: "#f59f00",
  compromised: "#e03131"
};
var CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1f2328;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-size:12px}.high{color:#c92a2a;font-weight:600}.medium{color:#e67700}.review{color:#1864ab}
svg{display:block;margin:.5em 0}.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}`;
var day = (ms2) => new Date(ms2).toISOString().slice(0, 10);
function timelineSvg(k, from, to, now) {
  const rows = k.versions.map((v) => ({ v, segs: segments(v, now) })).filter((r) => r.segs.length > 0);
  const W = 900;
  const L = 60;
  const H = 22;
  const height = rows.length * H + 24;
  const x = (t) => L + (t - from) / Math.max(1, to - from) * (W - L - 10);
  const parts = [
    `<svg width="${W}" height="${height}" role="img" aria-label="${e(`timeline of ${k.key}`)}">`
  ];
  rows.forEach(({ v, segs }, i) => {
    const y = i * H + 4;
    parts.push(`<text x="4" y="${y + 14}" font-size="12">v${v.version}</text>`);
    for (const s of segs) {
      const x0 = x(s.from);
      const w = Math.max(2, x(s.to) - x0);
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${H - 6}" fill="${COLORS[s.state]}"><title>${e(`v${v.version} ${s.state} ${new Date(s.from).toISOString()} \u2013 ${s.open ? "now" : new Date(s.to).toISOString()}`)}</title></rect>`
      );
    }
  });
  const base = rows.length * H + 18;
  parts.push(`<text x="${L}" y="${base}" font-size="11">${e(day(from))}</text>`);
  parts.push(
    `<text x="${W - 10}" y="${base}" font-size="11" text-anchor="end">${e(day(to))}</text>`
  );
  parts.push("</svg>");
  return parts.join("");
}
function findingRow(f) {
  const pull = f.pull ? ` ${link(`#${f.pull.number}`, f.pull.url)}` : "";
  return `<tr><td><code>${e(f.rule)}</code></td><td class="${e(f.severity)}">${e(f.severity)}</td><td>${e(f.key ?? "")}${f.version ? ` v${f.version}` : ""}</td><td>${f.commits.map(commit).join(" ")}${pull}</td><td>${e(f.message)}</td></tr>`;
}
function renderAuditHtml(report) {
  return collect((emit) => writeAuditHtml(report, emit));
}
function writeAuditHtml(report, emit) {
  const now = Date.parse(report.generatedAt);
  const all = report.keys.flatMap((k) => k.versions.flatMap((v) => segments(v, now)));
  const { from, to } = span(all, now);
  const title = `rekey audit${report.repository ? ` of ${report.repository}` : ""}`;
  const h = lineWriter(emit, "\n");
  h.push(
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${e(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    `<p>Generated ${e(report.generatedAt)} from <code>${e(report.ref)}</code>${report.head ? ` (<code>${e(short(report.head))}</code>)` : ""}${report.since ? `, findings since ${e(report.since)}` : ""}: ${report.keys.length} keys, ${report.manifestCommits} manifest commits, <strong>${report.findings.length} findings</strong>.</p>`,
    `<p>${report.github.enriched ? `GitHub was asked about pull requests, reviews and distribution statuses (${report.github.calls} of at most ${report.github.budget} calls).` : "GitHub was not asked: the checks listed below were not made."}</p>`
  );
  if (report.findings.length > 0) {
    h.push(
      "<h2>Findings</h2><table><tr><th>Rule</th><th>Severity</th><th>Key</th><th>Commits</th><th>What happened</th></tr>"
    );
    for (const f of report.findings) h.push(findingRow(f));
    h.push("</table>");
  } else h.push("<p>No findings.</p>");
  if (report.github.notChecked.length > 0)
    h.push(
      "<h2>Not checked</h2><ul>",
      ...report.github.notChecked.map((s) => `<li>${e(s)}</li>`),
      "</ul>"
    );
  h.push(
    '<h2>Keys</h2><p class="legend">',
    ...Object.entries(COLORS).map(
      ([s, c]) => `<span><i style="background:${c}"></i>${e(s)}</span>`
    ),
    "</p>"
  );
  for (const k of report.keys) {
    h.push(`<h3>${e(k.key)}</h3>`);
    if (k.policy)
      h.push(
        `<p>Policy <code>${e(k.policy.name)}</code>: cryptoperiod ${e(k.policy.cryptoperiod)}, grace ${e(k.policy.grace)}, ${k.policy.approvals} approvals.</p>`
      );
    if (k.versions.length === 0) {
      h.push("<p>No versions in the reported period.</p>");
      continue;
    }
    h.push(timelineSvg(k, from, to, now));
    h.push(
      "<table><tr><th>Version</th><th>State</th><th>Event</th><th>When</th><th>Commit</th><th>Pull request</th></tr>"
    );
    for (const v of k.versions)
      for (const ev of v.events)
        h.push(
          `<tr><td>v${v.version}</td><td>${e(v.state)}</td><td>${e(ev.kind)}</td><td>${e(ev.commit.time)}</td><td>${commit(ev.commit)}</td><td>${ev.pull ? `${link(`#${ev.pull.number}`, ev.pull.url)} ${e(ev.pull.title)} by ${e(ev.pull.author)}; merged by ${e(ev.pull.mergedBy ?? "unknown")}; approved by ${e(ev.pull.approvedBy.join(", ") || "nobody")}` : ""}</td></tr>`
        );
    h.push("</table>");
  }
  h.push("</body></html>", "");
}

// src/core/audit/render-json.ts
function renderAuditJson(report) {
  return collect((emit) => writeAuditJson(report, emit));
}
function writeAuditJson(report, emit) {
  const fields = Object.entries(report).filter(([, v]) => JSON.stringify(v) !== void 0);
  const indent = (text, by) => text.replace(/\n/g, `
${by}`);
  emit("{\n");
  fields.forEach(([name, value], i) => {
    const comma = i < fields.length - 1 ? "," : "";
    if (Array.isArray(value) && value.length > 0) {
      emit(`  ${JSON.stringify(name)}: [
`);
      value.forEach((item, j) => {
        const text = JSON.stringify(item, null, 2) ?? "null";
        emit(`    ${indent(text, "    ")}${j < value.length - 1 ? "," : ""}
`);
      });
      emit(`  ]${comma}
`);
    } else
      emit(`  ${JSON.stringify(name)}: ${indent(JSON.stringify(value, null, 2), "  ")}${comma}
`);
  });
  emit("}\n");
}

// src/core/audit/render-markdown.ts
var MD_SPECIAL = /[&<>\\`*_[\]|#\n]/;
function mdText(s) {
  if (!MD_SPECIAL.test(s)) return s;
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/([\\`*_[\]|#])/g, "\\$1").replace(/\r?\n/g, " ");
}
var short2 = (sha) => sha.slice(0, 12);
var commitLink = (c) => c.url && /^https?:\/\/[^\s()<>]+$/.test(c.url) ? `[\`${short2(c.sha)}\`](${c.url})` : `\`${short2(c.sha)}\``;
function findingRow2(f) {
  const pull = f.pull && /^https?:\/\/[^\s()<>]+$/.test(f.pull.url) ? ` [#${f.pull.number}](${f.pull.url})` : "";
  return `| \`${f.rule}\` | ${f.severity} | ${f.key ? mdText(f.key) : ""}${f.version ? ` v${f.version}` : ""} | ${f.commits.map(commitLink).join(" ")}${pull} | ${mdText(f.message)} |`;
}
var SECONDS = (ms2) => Math.floor(ms2 / 1e3);
function mermaidGantt(k, now) {
  const lines = [
    "```mermaid",
    "gantt",
    `  title ${k.key.replace(/[^a-z0-9/-]/g, "")}`,
    "  dateFormat X",
    "  axisFormat %Y-%m-%d"
  ];
  for (const v of [...k.versions].reverse()) {
    const segs = segments(v, now);
    if (segs.length === 0) continue;
    lines.push(`  section v${v.version}`);
    segs.forEach((s, i) => {
      const tag = s.state === "active" ? "active, " : s.state === "compromised" ? "crit, " : s.state === "deactivated" ? "done, " : "";
      const end = Math.max(SECONDS(s.to), SECONDS(s.from) + 1);
      lines.push(`    ${s.state} :${tag}v${v.version}s${i}, ${SECONDS(s.from)}, ${end}`);
    });
  }
  lines.push("```");
  return lines.join("\n");
}
function renderAuditMarkdown(report) {
  return collect((emit) => writeAuditMarkdown(report, emit));
}
function writeAuditMarkdown(report, emit) {
  const now = Date.parse(report.generatedAt);
  const out = lineWriter(emit, "\n");
  const n = report.findings.length;
  out.push(`# rekey audit${report.repository ? ` of ${mdText(report.repository)}` : ""}`, "");
  out.push(
    `Generated ${report.generatedAt} from \`${mdText(report.ref)}\`${report.head ? ` (${short2(report.head)})` : ""}${report.since ? `, findings since ${report.since}` : ""}: ${report.keys.length} key${report.keys.length === 1 ? "" : "s"}, ${report.manifestCommits} manifest commit${report.manifestCommits === 1 ? "" : "s"}, **${n} finding${n === 1 ? "" : "s"}**.`,
    ""
  );
  out.push(
    report.github.enriched ? `GitHub was asked about pull requests, reviews and distribution statuses (${report.github.calls} of at most ${report.github.budget} calls).` : "GitHub was not asked: the checks below that need it were not made.",
    ""
  );
  if (n > 0) {
    out.push(
      "## Findings",
      "",
      "| Rule | Severity | Key | Commits | What happened |",
      "| --- | --- | --- | --- | --- |"
    );
    for (const f of report.findings) out.push(findingRow2(f));
    out.push("");
  } else out.push("No findings.", "");
  if (report.github.notChecked.length > 0) {
    out.push("## Not checked", "");
    for (const s of report.github.notChecked) out.push(`- ${mdText(s)}`);
    out.push("");
  }
  out.push("## Keys", "");
  for (const k of report.keys) {
    out.push(`### ${mdText(k.key)}`, "");
    if (k.policy)
      out.push(
        `Policy \`${mdText(k.policy.name)}\`: cryptoperiod ${k.policy.cryptoperiod}, grace ${k.policy.grace}, ${k.policy.approvals} approval${k.policy.approvals === 1 ? "" : "s"}.`,
        ""
      );
    if (k.removed)
      out.push(`key.yaml removed at ${k.removed.time} (${commitLink(k.removed)}).`, "");
    if (k.versions.length === 0) {
      out.push("No versions in the reported period.", "");
      continue;
    }
    out.push(mermaidGantt(k, now), "");
    out.push(
      "| Version | State | Event | When | Commit | Pull request |",
      "| --- | --- | --- | --- | --- | --- |"
    );
    for (const v of k.versions)
      for (const e2 of v.events)
        out.push(
          `| v${v.version} | ${v.state} | ${e2.kind} | ${e2.commit.time} | ${commitLink(e2.commit)} | ${e2.pull ? `#${e2.pull.number} ${mdText(e2.pull.title)} by ${mdText(e2.pull.author)}, merged by ${mdText(e2.pull.mergedBy ?? "unknown")}, approved by ${mdText(e2.pull.approvedBy.join(", ") || "nobody")}` : ""} |`
        );
    out.push("");
  }
}
var TOO_LARGE = new Error("the Markdown is over the limit");

// src/commands/audit.ts
var AUDIT_FORMATS = ["md", "json", "csv", "html"];
var AUDIT_FILE_NAMES = {
  md: "audit.md",
  json: "audit.json",
  csv: "audit.csv",
  html: "audit.html"
};
var DEFAULT_AUDIT_MAX_CALLS = 300;
var DEFAULT_GRACE_TOLERANCE = "7d";
var POLICY_LINE = /^policy:[ \t]*(["']?)([a-z0-9][a-z0-9-]{0,62})\1[ \t]*(?:#.*)?$/m;
function policyName(bytes) {
  const text = new TextDecoder().decode(bytes);
  const m = POLICY_LINE.exec(text);
  if (m) return m[2];
  const parsed = parseYaml("key.yaml", bytes).value;
  return typeof parsed?.policy === "string" ? parsed.policy : void 0;
}
function loginsAt(tree, field) {
  const bytes = tree.get("policies/pipeline.yaml");
  if (bytes === void 0) return void 0;
  const doc = pipelineDocument.safeParse(parseYaml("policies/pipeline.yaml", bytes).value);
  return doc.success ? doc.data[field] : void 0;
}
var statusCreatorsAt = (tree) => loginsAt(tree, "status-creators");
function policiesAt(tree) {
  const policies = /* @__PURE__ */ new Map();
  for (const [path, bytes] of tree) {
    const m = /^policies\/([^/]+)\.yaml$/.exec(path);
    if (!m) continue;
    const doc = policyDocument.safeParse(parseYaml(path, bytes).value);
    if (doc.success && doc.data.name === m[1]) policies.set(doc.data.name, doc.data);
  }
  const out = /* @__PURE__ */ new Map();
  for (const [path, bytes] of tree) {
    const id = parseKeyFilePath(path);
    const name = id === void 0 ? void 0 : policyName(bytes);
    const p = name === void 0 ? void 0 : policies.get(name);
    if (id === void 0 || !p) continue;
    out.set(id, {
      name: p.name,
      cryptoperiod: p.cryptoperiod,
      grace: p.grace,
      approvals: p.approvals,
      ...p.emergency ? { emergencyApprovals: p.emergency.approvals } : {}
    });
  }
  return out;
}
var isBot = (login, type) => type === "Bot" || login.endsWith("[bot]");
function approvalsAtHead(reviews, headSha) {
  const latest = /* @__PURE__ */ new Map();
  for (const r of reviews) {
    if (r.state === "COMMENTED" || r.state === "PENDING" || r.login === "") continue;
    latest.set(r.login.toLowerCase(), r);
  }
  const approvals = [];
  const stale = [];
  for (const r of latest.values()) {
    if (r.state !== "APPROVED") continue;
    if (r.commitId === headSha)
      approvals.push({ login: r.login, bot: isBot(r.login, r.userType), at: r.submittedAt ?? "" });
    else stale.push(r.login);
  }
  return { approvals, stale };
}
async function gitHubEvidence(input, history, gh, statusCreators) {
  const budget = input.maxCalls ?? DEFAULT_AUDIT_MAX_CALLS;
  const base = input.defaultBranch ?? "main";
  const counter = { calls: 0 };
  const notes = [];
  const cutoff = input.since?.getTime();
  const distribution = /* @__PURE__ */ new Map();
  const inPeriod = destructions(history).filter(
    (d) => cutoff === void 0 || Date.parse(d.destroyed.time) >= cutoff
  );
  const before = inPeriod.filter((d) => d.beforeHistory);
  for (const d of before)
    distribution.set(destructionSubject(d.keyId, d.version), {
      result: "unchecked",
      reason: "destroyed before history begins"
    });
  if (before.length > 0)
    notes.push(
      `distribution before destruction of ${before.map((d) => `${d.keyId} v${d.version}`).join(", ")}: already destroyed when history first shows ${before.length === 1 ? "it" : "them"}`
    );
  const wanted = inPeriod.filter((d) => !d.beforeHistory);
  const since = /* @__PURE__ */ new Map();
  for (const d of wanted)
    if (d.successor) since.set(destructionSubject(d.keyId, d.version), d.successor.activeSince.sha);
  if (since.size > 0) {
    const firstParent = await gh.firstParent(input.ref);
    const position = new Map(firstParent.map((s, i) => [s, i]));
    const last = Math.max(...wanted.map((d) => position.get(d.destroyed.sha) ?? -1));
    const evidence = await readDistributionEvidence({
      firstParent: firstParent.slice(0, Math.max(0, last)),
      since,
      statuses: gh.statuses,
      max: Math.max(0, budget - counter.calls),
      counter,
      ...statusCreators ? { trusted: statusCreators } : {}
    });
    const at = new Map(evidence.records.flatMap((r) => r.status ? [[r.sha, r.status.at]] : []));
    let unchecked = 0;
    for (const d of wanted) {
      const subject = destructionSubject(d.keyId, d.version);
      const proof = evidence.provenAt.get(subject);
      const before2 = proof !== void 0 && (position.get(proof) ?? Infinity) < (position.get(d.destroyed.sha) ?? -Infinity);
      if (before2) distribution.set(subject, { result: "proven", sha: proof, at: at.get(proof) });
      else if (proof === void 0 && evidence.bounded && since.has(subject)) {
        distribution.set(subject, { result: "unchecked", reason: "call budget spent" });
        unchecked++;
      } else distribution.set(subject, { result: "unproven" });
    }
    if (unchecked > 0)
      notes.push(
        `distribution before destruction of ${unchecked} version(s): the call budget (${budget}) was spent first`
      );
  } else
    for (const d of wanted)
      distribution.set(destructionSubject(d.keyId, d.version), { result: "unproven" });
  const pulls = /* @__PURE__ */ new Map();
  const commits = history.commits.filter((c) => cutoff === void 0 || Date.parse(c.commit.time) >= cutoff).reverse();
  let skipped = 0;
  const progress = input.progress?.start("audit", commits.length, "manifest commits");
  for (const [n, c] of commits.entries()) {
    progress?.at(n);
    if (budget - counter.calls < 3) {
      skipped++;
      continue;
    }
    const found = await gh.pulls.mergedPullForCommit(c.commit.sha, base);
    counter.calls += found.calls;
    if (!found.pull) {
      pulls.set(c.commit.sha, null);
      continue;
    }
    const p = found.pull;
    const r = await gh.pulls.listReviews(p.number);
    counter.calls += r.calls;
    const { approvals, stale } = approvalsAtHead(r.reviews, p.headSha);
    pulls.set(c.commit.sha, {
      number: p.number,
      url: p.url,
      title: p.title,
      author: p.author,
      authorBot: isBot(p.author, p.authorType),
      mergedBy: p.mergedBy,
      mergedAt: p.mergedAt,
      headSha: p.headSha,
      labels: p.labels,
      approvals,
      staleApprovals: stale
    });
  }
  progress?.at(commits.length);
  progress?.end();
  if (skipped > 0)
    notes.push(
      `approvals and direct pushes of the ${skipped} oldest manifest commit(s): the call budget (${budget}) was spent first; narrow with --since or raise it`
    );
  return { pulls, distribution, calls: counter.calls, budget, notes };
}
async function audit(input, ports) {
  const [history, files] = await Promise.all([
    ports.history(input.ref),
    ports.tree ? ports.tree(input.ref) : /* @__PURE__ */ new Map()
  ]);
  const tree = new Map([...history.files ?? [], ...files]);
  const pullAuthors = loginsAt(tree, "pull-authors");
  const github = ports.github ? await gitHubEvidence(input, history, ports.github, statusCreatorsAt(tree)) : void 0;
  return buildAuditReport({
    history,
    policies: policiesAt(tree),
    now: input.now,
    ref: input.ref,
    graceToleranceMs: durationMs(input.graceTolerance ?? DEFAULT_GRACE_TOLERANCE),
    ...input.head ? { head: input.head } : {},
    ...input.since ? { since: input.since } : {},
    ...input.repository ? { repository: input.repository } : {},
    ...input.serverUrl ? { serverUrl: input.serverUrl } : {},
    ...github ? { github } : {},
    ...input.withoutGitHub ? { withoutGitHub: input.withoutGitHub } : {},
    ...pullAuthors ? { pullAuthors } : {}
  });
}
function writeAudit(report, format, emit) {
  switch (format) {
    case "md":
      return writeAuditMarkdown(report, emit);
    case "json":
      return writeAuditJson(report, emit);
    case "csv":
      return writeAuditCsv(report, emit);
    case "html":
      return writeAuditHtml(report, emit);
  }
}
function renderAudit(report, format) {
  switch (format) {
    case "md":
      return renderAuditMarkdown(report);
    case "json":
      return renderAuditJson(report);
    case "csv":
      return renderAuditCsv(report);
    case "html":
      return renderAuditHtml(report);
  }
}

export {
  addedVersions,
  provenanceApplies,
  checkProvenance,
  AUDIT_FORMATS,
  AUDIT_FILE_NAMES,
  DEFAULT_AUDIT_MAX_CALLS,
  audit,
  writeAudit,
  renderAudit
};
