import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  verifyReport
} from "./chunk-3E3V2TVM.js";
import {
  verifyTrees
} from "./chunk-H24RPHF5.js";
import "./chunk-LX4CV2AR.js";
import "./chunk-ABOOY56S.js";
import {
  diagnosticsText,
  printJson
} from "./chunk-SI6NGII7.js";
import "./chunk-2PDFHADE.js";
import {
  readTreePair,
  repoDir
} from "./chunk-M6OUJUZB.js";
import "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse,
  parseNow
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/verify.ts
var help = `Usage: rekey verify --base REF [--head REF] [--json] [--dir DIR] [--now ISO]

Checks the change from REF (the base branch) to --head (default: the working tree) against
rekey's rules: file formats, the key lifecycle, recipients equal to the BASE branch's
.sops.yaml, no plaintext secret outside encrypted \`secret\` fields. Every violation is
reported with file, line and rule id. The change is classified (rotation, promotion,
revocation, emergency, new key, configuration, mixed, none). --json prints rekey.verify/v1
(docs/cli.md).

Destroying a version needs distribution evidence from GitHub (the revocation gate); without
it, this command refuses the revocation (fail closed).

Exit: 0 no violations, 1 violations, 2 usage or configuration error.
`;
var verify = {
  name: "verify",
  summary: "check a change (base..head) against the format and lifecycle rules",
  help,
  async run(argv, io) {
    const { values } = parse("verify", argv, {
      base: { type: "string" },
      head: { type: "string" },
      json: { type: "boolean", default: false },
      dir: { type: "string" },
      now: { type: "string" }
    });
    if (values.base === void 0)
      throw new UsageError(`rekey verify: --base REF is required

${help}`);
    const dir = repoDir(io, values.dir);
    const [base, head] = await readTreePair(dir, values.base, values.head);
    const result = verifyTrees(base, head, { now: parseNow(values.now, io) });
    const headName = values.head ?? "working tree";
    if (values.json) {
      io.stdout(printJson(verifyReport(values.base, headName, result)));
    } else {
      io.stdout(`verify ${values.base}..${headName}: ${result.kind}
`);
      for (const k of result.keys) {
        const moves = k.moves.map((m) => `v${m.version} ${m.from ?? "new"} -> ${m.to ?? "removed"}`).join(", ");
        io.stdout(
          `  ${k.keyId}: ${k.kinds.join(", ") || "no effect"}${moves ? ` (${moves})` : ""}
`
        );
      }
      for (const f of result.configuration) io.stdout(`  ${f}: configuration
`);
      io.stdout(
        result.diagnostics.length === 0 ? "ok: no violations\n" : `
${diagnosticsText(result.diagnostics)}`
      );
    }
    return result.diagnostics.length === 0 ? EXIT.ok : EXIT.findings;
  }
};
export {
  verify
};
