import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  KEY_STATES,
  external_exports
} from "./chunk-ARAMIKVA.js";
import {
  sortDiagnostics
} from "./chunk-QIKD5X2T.js";

// src/core/reports/common.ts
var schemaId = (command) => `rekey.${command}/v1`;
var envelope = (command) => ({
  schema: external_exports.literal(schemaId(command)).describe("The shape and its major version."),
  rekey: external_exports.literal(1).describe("The output format generation (always 1; kept for old scripts)."),
  command: external_exports.literal(command),
  ok: external_exports.boolean().describe("True when the command exits 0.")
});
var severity = external_exports.enum(["error", "warning"]);
var diagnosticJson = external_exports.object({
  file: external_exports.string().describe("Repository-relative path with / separators."),
  line: external_exports.number().int().min(0).describe("1-based; 0 when about the file as a whole."),
  column: external_exports.number().int().min(0).describe("1-based; 0 when unknown."),
  rule: external_exports.string().describe("Stable rule id (area/name)."),
  severity,
  message: external_exports.string()
});
function diagnosticsJson(ds) {
  return sortDiagnostics(ds).map(({ file, line, column, rule, message }) => ({
    file,
    line,
    column,
    rule,
    severity: "error",
    message
  }));
}

// src/core/reports/doctor.ts
var doctorReportSchema = external_exports.object({
  ...envelope("doctor"),
  findings: external_exports.array(
    external_exports.object({
      file: external_exports.string().nullable().describe("The repository file; null when the finding is about a GitHub setting."),
      line: external_exports.number().int().min(0).describe("1-based; 0 when unknown."),
      column: external_exports.number().int().min(0).describe("1-based; 0 when unknown."),
      rule: external_exports.string().describe("Stable rule id (doctor/name); docs/doctor.md lists them."),
      severity,
      message: external_exports.string(),
      where: external_exports.string().describe("file:line, or the GitHub setting, for people."),
      fix: external_exports.string()
    })
  ).describe("Sorted: errors first, then by where and rule."),
  checked: external_exports.array(external_exports.string()),
  skipped: external_exports.array(external_exports.object({ check: external_exports.string(), reason: external_exports.string() })),
  errors: external_exports.number().int().min(0),
  warnings: external_exports.number().int().min(0)
});
function doctorReportJson(r) {
  return {
    schema: "rekey.doctor/v1",
    rekey: 1,
    command: "doctor",
    ok: r.errors === 0,
    findings: r.findings.map((f) => ({
      file: f.file ?? null,
      line: f.line ?? 0,
      column: f.column ?? 0,
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      where: f.where,
      fix: f.fix
    })),
    checked: [...r.checked],
    skipped: r.skipped.map((s) => ({ ...s })),
    errors: r.errors,
    warnings: r.warnings
  };
}

// src/core/reports/plan.ts
var time = external_exports.string().describe("ISO 8601, UTC.");
var base = {
  keyId: external_exports.string(),
  policy: external_exports.string(),
  reason: external_exports.string().describe("One sentence a reviewer can check."),
  notes: external_exports.array(external_exports.string()).describe("Caveats, such as an age taken from `created`.")
};
var step = external_exports.discriminatedUnion("kind", [
  external_exports.object({
    kind: external_exports.literal("rotate"),
    ...base,
    version: external_exports.number().int(),
    state: external_exports.enum(["active", "pre-activation"]),
    replaces: external_exports.number().int().optional(),
    due: time,
    overdue: external_exports.boolean()
  }),
  external_exports.object({
    kind: external_exports.literal("promote"),
    ...base,
    version: external_exports.number().int(),
    replaces: external_exports.number().int().optional(),
    due: time,
    overdue: external_exports.boolean(),
    preconditions: external_exports.array(
      external_exports.object({
        kind: external_exports.literal("distribution-proven"),
        version: external_exports.number().int(),
        since: external_exports.string().optional()
      })
    )
  }),
  external_exports.object({
    kind: external_exports.literal("skip"),
    ...base,
    wanted: external_exports.enum(["rotate", "promote"]),
    cause: external_exports.enum(["halted", "open-pull", "outside-window", "budget"]),
    due: time,
    overdue: external_exports.boolean(),
    pull: external_exports.number().int().optional(),
    nextWindow: time.optional()
  }),
  external_exports.object({ kind: external_exports.literal("ok"), ...base, nextDue: time, overdue: external_exports.boolean() })
]);
var planned = external_exports.object({
  ...envelope("plan"),
  ok: external_exports.literal(true),
  now: time,
  steps: external_exports.array(step).describe("One step per key, ordered by key id."),
  overdue: external_exports.array(external_exports.string()).describe("Keys past their cryptoperiod."),
  budget: external_exports.object({
    max: external_exports.number().int(),
    open: external_exports.number().int(),
    planned: external_exports.number().int()
  }),
  diagnostics: external_exports.array(diagnosticJson).describe("Always empty when ok.")
});
var invalid = external_exports.object({
  ...envelope("plan"),
  ok: external_exports.literal(false),
  diagnostics: external_exports.array(diagnosticJson).describe("Why the manifest is invalid; nothing is planned.")
});
var planReportSchema = external_exports.discriminatedUnion("ok", [planned, invalid]);
var head = { schema: "rekey.plan/v1", rekey: 1, command: "plan" };
function planReport(outcome) {
  if (outcome.kind === "invalid")
    return { ...head, ok: false, diagnostics: diagnosticsJson(outcome.diagnostics) };
  const p = outcome.plan;
  return {
    ...head,
    ok: true,
    now: p.now,
    steps: p.steps.map(
      (s) => s.kind === "promote" ? { ...s, notes: [...s.notes], preconditions: s.preconditions.map((c) => ({ ...c })) } : { ...s, notes: [...s.notes] }
    ),
    overdue: [...p.overdue],
    budget: { ...p.budget },
    diagnostics: []
  };
}

// src/core/reports/validate.ts
var validateReportSchema = external_exports.object({
  ...envelope("validate"),
  keys: external_exports.number().int().min(0),
  versions: external_exports.number().int().min(0),
  policies: external_exports.number().int().min(0),
  diagnostics: external_exports.array(diagnosticJson)
});
function validateReport(v) {
  return {
    schema: "rekey.validate/v1",
    rekey: 1,
    command: "validate",
    ok: v.diagnostics.length === 0,
    ...v.counts,
    diagnostics: diagnosticsJson(v.diagnostics)
  };
}

// src/core/reports/verify.ts
var state = external_exports.enum(KEY_STATES);
var verifyReportSchema = external_exports.object({
  ...envelope("verify"),
  base: external_exports.string().describe("The base ref as given."),
  head: external_exports.string().describe('The head ref as given, or "working tree".'),
  kind: external_exports.string().describe(
    "The change as a whole: none, rotation, promotion, revocation, emergency, new-key, configuration, pipeline-code, rewrap, mixed (new kinds may be added within v1)."
  ),
  keys: external_exports.array(
    external_exports.object({
      keyId: external_exports.string(),
      kinds: external_exports.array(external_exports.string()).describe("What the change does to this key, sorted."),
      moves: external_exports.array(
        external_exports.object({
          version: external_exports.number().int(),
          from: state.nullable().describe("null: the version is new."),
          to: state.nullable().describe("null: the entry was removed.")
        })
      ),
      configuration: external_exports.array(external_exports.string()).describe("key.yaml fields other than versions that changed.")
    })
  ).describe("Per changed key, sorted by key id."),
  configuration: external_exports.array(external_exports.string()).describe("Changed policy files and .sops.yaml, sorted."),
  diagnostics: external_exports.array(diagnosticJson)
});
function verifyReport(base2, head2, r) {
  return {
    schema: "rekey.verify/v1",
    rekey: 1,
    command: "verify",
    ok: r.diagnostics.length === 0,
    base: base2,
    head: head2,
    kind: r.kind,
    keys: r.keys.map((k) => ({
      keyId: k.keyId,
      kinds: [...k.kinds],
      moves: k.moves.map((m) => ({ version: m.version, from: m.from ?? null, to: m.to ?? null })),
      configuration: [...k.configuration]
    })),
    configuration: [...r.configuration],
    diagnostics: diagnosticsJson(r.diagnostics)
  };
}

// src/core/reports/audit.ts
var time2 = external_exports.string().describe("ISO 8601, UTC.");
var commit = external_exports.object({
  sha: external_exports.string(),
  time: time2,
  url: external_exports.string().optional()
});
var pullRef = { number: external_exports.number().int(), url: external_exports.string() };
var auditReportSchema = external_exports.object({
  schema: external_exports.literal("rekey.audit/v1").describe("The shape and its major version."),
  generatedAt: time2,
  repository: external_exports.string().optional().describe("owner/name, when known."),
  ref: external_exports.string(),
  head: external_exports.string().optional().describe("The commit the ref resolved to."),
  since: time2.optional(),
  manifestCommits: external_exports.number().int().min(0),
  github: external_exports.object({
    enriched: external_exports.boolean().describe("True when GitHub was read (a token and a repository)."),
    calls: external_exports.number().int().min(0),
    budget: external_exports.number().int().min(0),
    notChecked: external_exports.array(external_exports.string()).describe("Checks that could not be made, and why.")
  }),
  keys: external_exports.array(
    external_exports.object({
      key: external_exports.string(),
      policy: external_exports.object({
        name: external_exports.string(),
        cryptoperiod: external_exports.string(),
        grace: external_exports.string(),
        approvals: external_exports.number().int(),
        emergencyApprovals: external_exports.number().int().optional()
      }).optional(),
      removed: commit.optional().describe("Set when key.yaml was deleted."),
      versions: external_exports.array(
        external_exports.object({
          version: external_exports.number().int(),
          state: external_exports.enum(KEY_STATES),
          events: external_exports.array(
            external_exports.object({
              kind: external_exports.enum([...KEY_STATES, "material-written", "material-deleted"]),
              commit,
              pull: external_exports.object({
                ...pullRef,
                title: external_exports.string(),
                author: external_exports.string(),
                mergedBy: external_exports.string().nullable(),
                approvedBy: external_exports.array(external_exports.string())
              }).optional()
            })
          ),
          active: external_exports.object({ from: time2, until: time2.optional() }).optional()
        })
      )
    })
  ),
  findings: external_exports.array(
    external_exports.object({
      rule: external_exports.string().describe("Stable rule id (audit/name); docs/audit.md lists them."),
      severity: external_exports.enum(["high", "medium", "review"]),
      key: external_exports.string().optional(),
      version: external_exports.number().int().optional(),
      commits: external_exports.array(commit),
      pull: external_exports.object(pullRef).optional(),
      message: external_exports.string(),
      ongoing: external_exports.boolean().optional()
    })
  )
});

export {
  doctorReportJson,
  planReport,
  validateReport,
  verifyReport
};
