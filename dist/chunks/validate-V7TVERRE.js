import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  validateInBatches
} from "./chunk-KLUG7MGF.js";
import {
  validateReport
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
import "./chunk-ARAMIKVA.js";
import {
  EXIT,
  parse,
  parseNow
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/validate.ts
var help = `Usage: rekey validate [--ref REF] [--json] [--dir DIR] [--now ISO]

Checks the manifest (keys-manifest/), the policies (policies/) and .sops.yaml of the working
tree, or of REF: safe YAML, the formats, folder structure, lifecycle invariants (one active
version, material present exactly for live versions, no future times) and the recipients of
every material file. Reports every problem with file, line, column and rule id. --json prints the report as
rekey.validate/v1 (docs/cli.md).

Exit: 0 valid, 1 problems found, 2 usage or configuration error.
`;
var validate = {
  name: "validate",
  summary: "check the manifest, policies and .sops.yaml (working tree or --ref)",
  help,
  async run(argv, io) {
    const { values } = parse("validate", argv, {
      ref: { type: "string" },
      json: { type: "boolean", default: false },
      dir: { type: "string" },
      now: { type: "string" }
    });
    const tree = await readTree(repoDir(io, values.dir), values.ref);
    const v = validateInBatches(tree, parseNow(values.now, io));
    const ok = v.diagnostics.length === 0;
    if (values.json) io.stdout(printJson(validateReport(v)));
    else if (ok)
      io.stdout(
        `ok: ${v.counts.keys} keys, ${v.counts.versions} versions, ${v.counts.policies} policies
`
      );
    else io.stdout(diagnosticsText(v.diagnostics));
    return ok ? EXIT.ok : EXIT.findings;
  }
};
export {
  validate
};
