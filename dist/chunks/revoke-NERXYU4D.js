import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  renderRevokeSummary,
  revoke
} from "./chunk-6TBVXMBG.js";
import "./chunk-T5NIG7I5.js";
import {
  cliPullRun,
  printKeyOutcomes
} from "./chunk-QYM7A45N.js";
import "./chunk-RHBAICD4.js";
import "./chunk-TX6AZEJX.js";
import "./chunk-77SZJW2S.js";
import "./chunk-RFVFQ63W.js";
import "./chunk-32EPHRZN.js";
import "./chunk-LILU27SP.js";
import "./chunk-KLUG7MGF.js";
import "./chunk-H24RPHF5.js";
import "./chunk-LX4CV2AR.js";
import "./chunk-7FORXWZS.js";
import "./chunk-ABOOY56S.js";
import "./chunk-EUDQPH2W.js";
import "./chunk-JFLGVF2I.js";
import "./chunk-2PDFHADE.js";
import {
  repoDir
} from "./chunk-M6OUJUZB.js";
import "./chunk-ARAMIKVA.js";
import {
  EXIT,
  formatDiagnostic,
  parse
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/revoke.ts
var help = `Usage: rekey revoke [--dry-run] [--allow-github-token] [--dir DIR] [--repo OWNER/NAME]

What the revoke action does, from a local clone (--dir, default the working directory) of the
default branch with full history: opens or updates a rekey/revoke/<key-id> pull request for
each version the revocation gate lets go (its successor proven distributed by a
rekey/distribution success on the default branch, and the grace period over unless the version
is compromised). --dry-run prints the verdicts and makes no request that writes.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (a GitHub App installation token;
a recognised GITHUB_TOKEN is refused unless --allow-github-token). The repository is --repo,
else the origin remote; GITHUB_API_URL / GITHUB_SERVER_URL for GHES.

Exit: 0 done (or nothing to revoke), 1 the manifest is invalid, 2 usage or configuration error.
`;
function revokeCommandWith(client = {}) {
  return {
    name: "revoke",
    summary: "open revocation pull requests for versions the gate lets go (as the revoke action)",
    help,
    async run(argv, rawIo) {
      const { values } = parse("revoke", argv, {
        "dry-run": { type: "boolean", default: false },
        "allow-github-token": { type: "boolean", default: false },
        dir: { type: "string" },
        repo: { type: "string" }
      });
      const { io, ports, checkout } = await cliPullRun(rawIo, "revoke", {
        dir: repoDir(rawIo, values.dir),
        repo: values.repo,
        allowGithubToken: values["allow-github-token"],
        dryRun: values["dry-run"],
        client
      });
      const { sha, tree, history, firstParent } = checkout;
      const result = await revoke(
        { tree, sha, history, firstParent, now: rawIo.now(), dryRun: values["dry-run"] },
        ports
      );
      io.stdout(`${renderRevokeSummary(result)}
`);
      if (result.kind === "invalid") {
        for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}
`);
        return EXIT.findings;
      }
      return printKeyOutcomes(io, result.keys) === "ok" ? EXIT.ok : EXIT.findings;
    }
  };
}
var revokeCommand = revokeCommandWith();
export {
  revokeCommand,
  revokeCommandWith
};
