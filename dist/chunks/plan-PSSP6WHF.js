import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  formatPlan
} from "./chunk-32EPHRZN.js";
import {
  buildHistoryIndex,
  isShallowRepository
} from "./chunk-LILU27SP.js";
import {
  planTree
} from "./chunk-KLUG7MGF.js";
import {
  planReport
} from "./chunk-3E3V2TVM.js";
import "./chunk-H24RPHF5.js";
import "./chunk-LX4CV2AR.js";
import "./chunk-ABOOY56S.js";
import {
  diagnosticsText,
  printJson
} from "./chunk-SI6NGII7.js";
import "./chunk-2PDFHADE.js";
import {
  readTree,
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  resolveRef
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  parse,
  parseNow
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/plan.ts
var help = `Usage: rekey plan [--ref REF] [--now ISO] [--json] [--dir DIR]

Shows, per key, whether a rotation or promotion is due and why ("active 83 d of a 90 d
cryptoperiod; rotate-before 14 d"), what is skipped (outside the policy window, over the
open-PR budget) and what is overdue. This is the rotate workflow's dry run.

Reads the manifest at REF (default HEAD) and derives activation times from first-parent git
history; outside a git repository, or in a shallow clone, it falls back to the \`created\`
times and says so. Open rekey PRs and halted keys live on GitHub: the rotate action reads
them; this command assumes there are none. It reads key.yaml, the policies, pipeline.yaml
and .sops.yaml, never a material file: \`rekey validate\` and \`rekey verify\` check those
(rotate and distribute check them again before acting). --json prints rekey.plan/v1
(docs/cli.md); notes go to stderr.

Exit: 0 plan printed, 1 the manifest is invalid (its problems are printed), 2 usage error.
`;
async function history(io, dir, ref) {
  try {
    await resolveRef(dir, ref);
  } catch {
    io.stderr(`note: ${dir} has no git ref ${ref}; ages come from \`created\` times
`);
    return void 0;
  }
  if (await isShallowRepository(dir)) {
    io.stderr(
      "note: shallow clone; ages come from `created` times (fetch full history for exact ones)\n"
    );
    return void 0;
  }
  return buildHistoryIndex(dir, ref);
}
var planCommand = {
  name: "plan",
  summary: "show which keys are due for rotation or promotion, and why",
  help,
  async run(argv, io) {
    const { values } = parse("plan", argv, {
      ref: { type: "string" },
      now: { type: "string" },
      json: { type: "boolean", default: false },
      dir: { type: "string" }
    });
    const dir = repoDir(io, values.dir);
    const now = parseNow(values.now, io);
    const ref = values.ref ?? "HEAD";
    const hist = await history(io, dir, ref);
    const tree = await readTree(
      dir,
      hist === void 0 && values.ref === void 0 ? void 0 : ref,
      { material: false }
    );
    const outcome = planTree({ tree, now, history: hist });
    io.stderr("note: plan reads no material file; `rekey validate` checks them\n");
    if (outcome.kind === "invalid") {
      if (values.json) io.stdout(printJson(planReport(outcome)));
      else
        io.stdout(
          `the manifest is invalid; nothing is planned until it is fixed

${diagnosticsText(outcome.diagnostics)}`
        );
      return EXIT.findings;
    }
    io.stdout(values.json ? printJson(planReport(outcome)) : formatPlan(outcome.plan));
    return EXIT.ok;
  }
};
export {
  planCommand
};
