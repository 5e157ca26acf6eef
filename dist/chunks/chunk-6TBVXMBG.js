import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  REKEY_MARKER_PREFIX
} from "./chunk-T5NIG7I5.js";
import {
  openChangePull
} from "./chunk-RHBAICD4.js";
import {
  DEFAULT_MAX_STATUS_CALLS,
  DISTRIBUTION_CONTEXT,
  activeSince,
  readDistributionEvidence,
  recognisePulls,
  trustedCreators
} from "./chunk-TX6AZEJX.js";
import {
  validateTree
} from "./chunk-KLUG7MGF.js";
import {
  gateEvidence,
  revocationGate
} from "./chunk-H24RPHF5.js";
import {
  prepareRevocation
} from "./chunk-7FORXWZS.js";

// src/commands/revoke.ts
async function revoke(input, ports) {
  const { tree, now } = input;
  const validation = validateTree(tree, now);
  if (validation.diagnostics.length > 0)
    return { kind: "invalid", diagnostics: validation.diagnostics };
  const { snapshot } = validation;
  const defaultBranch = snapshot.pipeline["default-branch"];
  const candidates = /* @__PURE__ */ new Map();
  for (const [id, key] of [...snapshot.keys].sort(([a], [b]) => a < b ? -1 : 1)) {
    const gone = key.value.versions.filter((v) => v.state === "deactivated" || v.state === "compromised").map((v) => ({ version: v.version, state: v.state }));
    if (gone.length > 0) candidates.set(id, gone);
  }
  const keys = [];
  if (candidates.size === 0)
    return {
      kind: input.dryRun ? "dry-run" : "applied",
      verdicts: [],
      keys,
      statusCalls: 0,
      bounded: false
    };
  const open = /* @__PURE__ */ new Map();
  const listed = await ports.pulls.listOpenRekeyPulls(REKEY_MARKER_PREFIX);
  for (const p of recognisePulls(listed, { authors: snapshot.pipeline["pull-authors"] }).rekey)
    if (!open.has(p.keyId)) open.set(p.keyId, p.number);
  for (const [id] of candidates)
    if (open.has(id)) {
      keys.push({
        outcome: "unchanged",
        keyId: id,
        reason: `rekey PR #${open.get(id)} is open for this key`,
        pull: open.get(id)
      });
      candidates.delete(id);
    }
  const head = input.dryRun ? null : await ports.git.getBranchHead(defaultBranch);
  if (!input.dryRun && (head === null || head.commit !== input.sha)) {
    const why = head === null ? `the default branch ${defaultBranch} does not exist on GitHub` : `${defaultBranch} moved to ${head.commit.slice(0, 12)} after this run checked out ${input.sha.slice(0, 12)}; the next run decides on it`;
    return {
      kind: "superseded",
      sha: input.sha,
      head: head?.commit ?? null,
      keys: [...candidates.keys()].map((keyId) => ({ outcome: "superseded", keyId, reason: why }))
    };
  }
  const evidence = await readDistributionEvidence({
    firstParent: input.firstParent,
    since: activeSince(snapshot, input.history, candidates.keys()),
    statuses: ports.statuses,
    max: input.maxStatusCalls ?? DEFAULT_MAX_STATUS_CALLS,
    ...trustedCreators(snapshot.pipeline)
  });
  const gate = revocationGate(
    gateEvidence({
      base: snapshot,
      history: input.history,
      firstParent: evidence.records,
      now
    })
  );
  const verdicts = [];
  for (const [keyId, versions] of candidates) {
    const mine = versions.map((v) => ({
      keyId,
      ...v,
      ...gate(keyId, v.version, { state: v.state })
    }));
    verdicts.push(...mine);
    const ready = mine.filter((v) => v.open);
    const lines = mine.map(
      (v) => `v${v.version} (${v.state}): ${v.open ? "may be destroyed" : "kept"}: ${v.reason}`
    );
    if (ready.length === 0) {
      keys.push({
        outcome: "skipped",
        keyId,
        action: "revoke",
        reason: `gate closed: ${lines.join("; ")}`
      });
      continue;
    }
    if (input.dryRun || head === null) {
      keys.push({
        outcome: "skipped",
        keyId,
        action: "revoke",
        reason: `dry run; would revoke: ${lines.join("; ")}`
      });
      continue;
    }
    const key = snapshot.keys.get(keyId).value;
    const change = prepareRevocation(
      tree,
      keyId,
      ready.map((v) => v.version),
      input.run ? { run: input.run } : {}
    );
    keys.push(
      await openChangePull(
        {
          change,
          key,
          policy: snapshot.policies.get(key.policy).value,
          base: head,
          defaultBranch,
          reason: `the revocation gate is open for ${ready.map((v) => `v${v.version}`).join(", ")}`,
          evidence: lines
        },
        ports
      )
    );
  }
  return {
    kind: input.dryRun ? "dry-run" : "applied",
    verdicts,
    keys,
    statusCalls: evidence.calls,
    bounded: evidence.bounded
  };
}
var cell = (s) => s.replace(/[\r\n]+/g, " ").replace(/[|\\`<>]/g, (c) => `\\${c}`);
function renderRevokeSummary(r) {
  const out = ["## rekey revoke", ""];
  if (r.kind === "invalid") {
    out.push(
      `The default branch is invalid (${r.diagnostics.length} findings); nothing was written.`
    );
    for (const d of r.diagnostics)
      out.push(`- ${cell(`${d.file}:${d.line} ${d.rule}: ${d.message}`)}`);
    return `${out.join("\n")}
`;
  }
  if (r.kind === "superseded") {
    out.push(
      `Superseded: ${cell(r.keys[0]?.outcome === "superseded" ? r.keys[0].reason : "the default branch moved")}. Nothing was written.`
    );
    return `${out.join("\n")}
`;
  }
  if (r.kind === "dry-run") out.push("Dry run: nothing was written.", "");
  out.push(
    `Read ${r.statusCalls} ${DISTRIBUTION_CONTEXT} status list${r.statusCalls === 1 ? "" : "s"}${r.bounded ? " (stopped at the bound; later commits count as unproven)" : ""}.`,
    "",
    "| key | version | gate | reason |",
    "| --- | --- | --- | --- |",
    ...r.verdicts.map(
      (v) => `| ${cell(v.keyId)} | v${v.version} (${v.state}) | ${v.open ? "open" : "closed"} | ${cell(v.reason)} |`
    ),
    "",
    "| key | outcome | pull request |",
    "| --- | --- | --- |",
    ...r.keys.map(
      (k) => `| ${cell(k.keyId)} | ${k.outcome} | ${"pull" in k && typeof k.pull === "object" ? `[#${k.pull.number}](${k.pull.url})` : "pull" in k && k.pull !== void 0 ? `#${k.pull}` : ""} |`
    )
  );
  const problems = r.keys.flatMap(
    (k) => "errors" in k ? [...k.errors, ...k.warnings].map((w) => `- ${cell(`${k.keyId}: ${w}`)}`) : []
  );
  if (problems.length > 0) out.push("", ...problems);
  return `${out.join("\n")}
`;
}

export {
  revoke,
  renderRevokeSummary
};
