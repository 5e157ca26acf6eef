import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  branchFor,
  openChangePull
} from "./chunk-RHBAICD4.js";
import {
  DEFAULT_MAX_STATUS_CALLS,
  DISTRIBUTION_CONTEXT,
  readDistributionEvidence,
  recognisePulls,
  trustedCreators
} from "./chunk-TX6AZEJX.js";
import {
  formatPlan
} from "./chunk-32EPHRZN.js";
import {
  plan,
  validateTree
} from "./chunk-KLUG7MGF.js";
import {
  prepareEmergency,
  preparePromotion,
  prepareRotation
} from "./chunk-7FORXWZS.js";
import {
  parseSopsConfig
} from "./chunk-2PDFHADE.js";

// src/commands/rotate.ts
var REKEY_MARKER_PREFIX = "<!-- rekey:v1 ";
async function haltedOf(halted, needed) {
  if (halted === void 0) return { ids: [] };
  if (typeof halted === "function") {
    if (!needed()) return { ids: [] };
    const issues2 = await halted();
    return { ids: [...issues2.keys()], issues: issues2 };
  }
  if (Array.isArray(halted)) return { ids: halted };
  const issues = halted;
  return { ids: [...issues.keys()], issues };
}
function sopsConfigOf(snapshot) {
  if (snapshot.sopsConfig === void 0)
    throw new Error("the default branch has no .sops.yaml: there are no recipients to encrypt to");
  const parsed = parseSopsConfig({
    file: snapshot.sopsConfig.file,
    value: snapshot.sopsConfig.value,
    locate: snapshot.sopsConfig.locate
  });
  if (!parsed.config) throw new Error(".sops.yaml on the default branch is not usable");
  return parsed.config;
}
async function rotate(input, ports) {
  const { tree, now } = input;
  const validation = validateTree(tree, now);
  if (validation.diagnostics.length > 0)
    return { kind: "invalid", diagnostics: validation.diagnostics };
  const { snapshot } = validation;
  const defaultBranch = snapshot.pipeline["default-branch"];
  const emergency = input.emergency;
  if (emergency && !snapshot.keys.has(emergency.key))
    throw new RangeError(`emergency: no key ${emergency.key} in keys-manifest/`);
  if (emergency && emergency.reason.trim() === "")
    throw new RangeError("emergency: a reason is required");
  const listed = await ports.pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
  const openPulls = recognisePulls(listed, {
    authors: snapshot.pipeline["pull-authors"]
  }).rekey.map(({ keyId, kind, number }) => ({ keyId, kind, number }));
  const planWith = (halted2) => plan({ snapshot, history: input.history, openPulls, halted: halted2, now });
  const firstPlan = emergency ? void 0 : planWith([]);
  const { ids: halted, issues } = await haltedOf(
    input.halted,
    () => input.dryRun === true || (firstPlan?.steps.some((s) => s.kind !== "ok") ?? false)
  );
  const haltedIssue = (keyId) => issues?.get(keyId)?.url;
  const plan2 = emergency ? void 0 : halted.length > 0 ? planWith(halted) : firstPlan;
  if (input.dryRun) {
    const p = plan2 ?? planWith(halted);
    const text = emergency ? `${formatPlan(p)}
emergency (dry run): would open ${branchFor("emergency", emergency.key)} (${emergency.compromised ? "active version marked compromised" : "active version deactivated"})
` : formatPlan(p);
    return { kind: "dry-run", plan: p, text };
  }
  const head = await ports.git.getBranchHead(defaultBranch);
  if (head === null || head.commit !== input.sha) {
    const why = head === null ? `the default branch ${defaultBranch} does not exist on GitHub` : `${defaultBranch} moved to ${head.commit.slice(0, 12)} after this run checked out ${input.sha.slice(0, 12)}; the next run plans on it`;
    const ids = emergency ? [emergency.key] : [...snapshot.keys.keys()].sort();
    return {
      kind: "superseded",
      sha: input.sha,
      head: head?.commit ?? null,
      keys: ids.map((keyId) => ({ outcome: "superseded", keyId, reason: why }))
    };
  }
  const sopsConfig = sopsConfigOf(snapshot);
  const docs = (keyId) => {
    const key = snapshot.keys.get(keyId).value;
    return { key, policy: snapshot.policies.get(key.policy).value };
  };
  const pullCtx = { base: head, defaultBranch };
  if (emergency) {
    const { key, policy } = docs(emergency.key);
    const change = await prepareEmergency(
      tree,
      emergency.key,
      {
        now,
        sopsConfig,
        reason: emergency.reason,
        compromised: emergency.compromised,
        ...input.run ? { run: input.run } : {}
      },
      ports
    );
    const result = await openChangePull(
      {
        ...pullCtx,
        change,
        key,
        policy,
        reason: emergency.compromised ? "emergency rotation: the active version is reported compromised" : "emergency rotation requested by an operator",
        incident: emergency.reason
      },
      ports
    );
    return { kind: "applied", plan: void 0, keys: [result], statusCalls: 0 };
  }
  const keys = [];
  const budget = { calls: 0, max: input.maxStatusCalls ?? DEFAULT_MAX_STATUS_CALLS };
  const progress = input.progress?.start("rotate", plan2.steps.length, "keys");
  for (const [n, step] of plan2.steps.entries()) {
    progress?.at(n);
    const { keyId } = step;
    switch (step.kind) {
      case "ok":
        keys.push({ outcome: "unchanged", keyId, reason: `not due; next due ${step.nextDue}` });
        break;
      case "skip":
        keys.push(
          step.cause === "open-pull" ? { outcome: "unchanged", keyId, reason: step.reason, pull: step.pull } : {
            outcome: "skipped",
            keyId,
            action: step.wanted,
            reason: step.cause === "halted" && haltedIssue(keyId) ? `${step.reason}; see ${haltedIssue(keyId)}` : step.reason
          }
        );
        break;
      case "rotate": {
        const { key, policy } = docs(keyId);
        const change = await prepareRotation(
          tree,
          keyId,
          {
            now,
            sopsConfig,
            prepublish: step.state === "pre-activation",
            ...input.run ? { run: input.run } : {}
          },
          ports
        );
        keys.push(
          await openChangePull({ ...pullCtx, change, key, policy, reason: step.reason }, ports)
        );
        break;
      }
      case "promote": {
        const proven = await distributionProven(
          step,
          input.firstParent,
          ports.statuses,
          budget,
          trustedCreators(snapshot.pipeline).trusted
        );
        if (!proven.ok) {
          keys.push({ outcome: "skipped", keyId, action: "promote", reason: proven.reason });
          break;
        }
        const { key, policy } = docs(keyId);
        const change = preparePromotion(tree, keyId, input.run ? { run: input.run } : {});
        keys.push(
          await openChangePull(
            { ...pullCtx, change, key, policy, reason: `${step.reason}; ${proven.reason}` },
            ports
          )
        );
        break;
      }
    }
  }
  progress?.at(plan2.steps.length);
  progress?.end();
  return { kind: "applied", plan: plan2, keys, statusCalls: budget.calls };
}
async function distributionProven(step, firstParent, statuses, budget, trusted) {
  const proven = [];
  for (const pre of step.preconditions) {
    if (pre.since === void 0)
      return {
        ok: false,
        reason: `promotion due, but history does not show where v${pre.version} entered pre-activation, so its distribution cannot be proven`
      };
    if (!firstParent.includes(pre.since))
      return {
        ok: false,
        reason: `promotion due, but commit ${pre.since.slice(0, 12)} is not on first-parent history`
      };
    const evidence = await readDistributionEvidence({
      firstParent,
      since: /* @__PURE__ */ new Map([[step.keyId, pre.since]]),
      statuses,
      max: budget.max,
      counter: budget,
      ...trusted ? { trusted } : {}
    });
    const at = evidence.provenAt.get(step.keyId);
    if (at === void 0)
      return {
        ok: false,
        reason: evidence.bounded ? `promotion due; the status read budget ran out before a ${DISTRIBUTION_CONTEXT} success was found` : `promotion due, but no ${DISTRIBUTION_CONTEXT} success at or after ${pre.since.slice(0, 12)}: v${pre.version} is not proven on every target`
      };
    proven.push(`v${pre.version} proven distributed at ${at.slice(0, 12)}`);
  }
  return { ok: true, reason: proven.join("; ") || "no precondition" };
}
var cell = (s) => s.replace(/[\r\n]+/g, " ").replace(/[|\\`<>]/g, (c) => `\\${c}`);
function renderRotateSummary(title, r) {
  const out = [`## ${title}`, ""];
  if (r.kind === "invalid") {
    out.push(
      `The default branch is invalid (${r.diagnostics.length} finding${r.diagnostics.length === 1 ? "" : "s"}); nothing was written.`,
      "",
      "| where | rule | message |",
      "| --- | --- | --- |",
      ...r.diagnostics.map(
        (d) => `| ${cell(`${d.file}:${d.line}`)} | ${cell(d.rule)} | ${cell(d.message)} |`
      )
    );
    return `${out.join("\n")}
`;
  }
  if (r.kind === "dry-run") {
    out.push("Dry run: nothing was written.", "", "```", r.text.replace(/`/g, "'"), "```");
    return `${out.join("\n")}
`;
  }
  out.push("| key | outcome | pull request | detail |", "| --- | --- | --- | --- |");
  for (const k of r.keys) {
    const pull = "pull" in k && typeof k.pull === "object" ? `[#${k.pull.number}](${k.pull.url})` : "pull" in k && typeof k.pull === "number" ? `#${k.pull}` : "";
    const detail = "reason" in k ? k.reason : `${k.action} v${k.version}, fingerprint ${k.fingerprint}${[...k.errors, ...k.warnings].map((w) => `; ${w}`).join("")}`;
    out.push(`| ${cell(k.keyId)} | ${k.outcome} | ${pull} | ${cell(detail)} |`);
  }
  return `${out.join("\n")}
`;
}

export {
  REKEY_MARKER_PREFIX,
  rotate,
  renderRotateSummary
};
