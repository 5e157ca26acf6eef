import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);

// src/core/plan/format-plan.ts
function line(s) {
  switch (s.kind) {
    case "rotate":
      return `rotate   ${s.keyId} -> v${s.version} (${s.state}${s.replaces ? `, replaces v${s.replaces}` : ""}), due ${s.due}${s.overdue ? ", OVERDUE" : ""}`;
    case "promote":
      return `promote  ${s.keyId} v${s.version} to active${s.replaces ? ` (replaces v${s.replaces})` : ""}, due ${s.due}; needs: ${s.preconditions.map((p) => `v${p.version} distribution proven`).join(", ")}`;
    case "skip":
      return `skip     ${s.keyId} (${s.wanted} due ${s.due}${s.overdue ? ", OVERDUE" : ""}): ${s.cause}`;
    case "ok":
      return `ok       ${s.keyId}, next due ${s.nextDue}${s.overdue ? ", OVERDUE" : ""}`;
  }
}
function formatPlan(plan) {
  const out = [`rekey plan at ${plan.now}`];
  for (const s of plan.steps) {
    out.push(line(s), `         why: ${s.reason}`);
    for (const n of s.notes) out.push(`         note: ${n}`);
  }
  const count = (k) => plan.steps.filter((s) => s.kind === k).length;
  out.push(
    `${count("rotate")} to rotate, ${count("promote")} to promote, ${count("skip")} skipped, ${count("ok")} ok; open rekey PRs ${plan.budget.open} of ${plan.budget.max}, this run opens ${plan.budget.planned}` + (plan.overdue.length > 0 ? `; overdue: ${plan.overdue.join(", ")}` : "")
  );
  return out.join("\n") + "\n";
}

export {
  formatPlan
};
