import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  haltedKeys
} from "./chunk-Q5O5VV72.js";
import {
  renderRotateSummary,
  rotate
} from "./chunk-T5NIG7I5.js";
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
import {
  BuiltinSopsCodec
} from "./chunk-RKFFQOLR.js";
import "./chunk-JFLGVF2I.js";
import {
  cliProgress
} from "./chunk-SI6NGII7.js";
import "./chunk-2PDFHADE.js";
import {
  repoDir
} from "./chunk-M6OUJUZB.js";
import "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  formatDiagnostic,
  parse
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/rotate.ts
var help = `Usage: rekey rotate [--dry-run] [--key KEY-ID --reason TEXT [--compromised]]
                   [--allow-github-token] [--dir DIR] [--repo OWNER/NAME]

What the rotate action does, from a local clone (--dir, default the working directory) of the
default branch with full history: opens or updates a rekey/rotate/<key-id> pull request for
every key that is due (keys halted by distribution are skipped), or with --key and --reason an
emergency rotation of that key on rekey/emergency/<key-id> (--compromised marks the current
version compromised). New material is encrypted to the .sops.yaml recipients; no identity is
needed. --dry-run prints the plan and makes no request that writes.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (a GitHub App installation token:
events caused by a workflow's GITHUB_TOKEN start no workflows, so a recognised GITHUB_TOKEN is
refused unless --allow-github-token). The repository is --repo, else the origin remote;
GITHUB_API_URL / GITHUB_SERVER_URL for GHES.

Exit: 0 done (or nothing due), 1 the manifest is invalid, 2 usage or configuration error.
`;
function rotateCommandWith(client = {}) {
  return {
    name: "rotate",
    summary: "open rotation pull requests for due keys, or an emergency one (as the rotate action)",
    help,
    async run(argv, rawIo) {
      const { values } = parse("rotate", argv, {
        "dry-run": { type: "boolean", default: false },
        key: { type: "string" },
        reason: { type: "string" },
        compromised: { type: "boolean", default: false },
        "allow-github-token": { type: "boolean", default: false },
        dir: { type: "string" },
        repo: { type: "string" }
      });
      if (values.key === void 0 && (values.reason !== void 0 || values.compromised))
        throw new UsageError("rekey rotate: --reason and --compromised go with --key");
      if (values.key !== void 0 && !values.reason)
        throw new UsageError("rekey rotate: an emergency rotation (--key) needs --reason");
      const { io, ports, checkout } = await cliPullRun(rawIo, "rotate", {
        dir: repoDir(rawIo, values.dir),
        repo: values.repo,
        allowGithubToken: values["allow-github-token"],
        dryRun: values["dry-run"],
        client
      });
      const { sha, tree, history, firstParent } = checkout;
      const result = await rotate(
        {
          tree,
          sha,
          history,
          firstParent,
          now: rawIo.now(),
          dryRun: values["dry-run"],
          halted: () => haltedKeys(ports.issues),
          progress: cliProgress({ now: () => rawIo.now(), stderr: (t) => io.stderr(t) }),
          ...values.key ? {
            emergency: {
              key: values.key,
              reason: values.reason ?? "",
              compromised: values.compromised
            }
          } : {}
        },
        { ...ports, codec: new BuiltinSopsCodec({ identities: [] }) }
      );
      io.stdout(`${renderRotateSummary("rekey rotate", result)}
`);
      if (result.kind === "invalid") {
        for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}
`);
        return EXIT.findings;
      }
      if (result.kind !== "dry-run" && printKeyOutcomes(io, result.keys) !== "ok")
        return EXIT.findings;
      return EXIT.ok;
    }
  };
}
var rotateCommand = rotateCommandWith();
export {
  rotateCommand,
  rotateCommandWith
};
