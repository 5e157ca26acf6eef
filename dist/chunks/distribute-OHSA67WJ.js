import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  createHttpsProbe,
  createTargetPorts,
  distribute,
  renderDistributeSummary
} from "./chunk-TST5YSVO.js";
import "./chunk-Q5O5VV72.js";
import {
  cliClient,
  cliHolder,
  cliRepository,
  cliToken,
  cliTokenKind,
  scrubber
} from "./chunk-QYM7A45N.js";
import "./chunk-RHBAICD4.js";
import {
  readCheckout
} from "./chunk-TX6AZEJX.js";
import "./chunk-77SZJW2S.js";
import {
  assertCanDistribute,
  createGitHubPorts,
  createStateRefAdapter
} from "./chunk-RFVFQ63W.js";
import "./chunk-LILU27SP.js";
import "./chunk-KLUG7MGF.js";
import "./chunk-H24RPHF5.js";
import "./chunk-LX4CV2AR.js";
import "./chunk-HJR77GQ7.js";
import {
  loadSnapshot
} from "./chunk-ABOOY56S.js";
import {
  loadAgeIdentities
} from "./chunk-4TVHPAIV.js";
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
import {
  durationMs,
  keyId
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse
} from "./chunk-QIKD5X2T.js";
import "./chunk-S22VKM6H.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/distribute.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
var help = `Usage: rekey distribute [--dry-run] [--resume KEY-ID]... [--concurrency N]
                       [--lease-wait 5m] [--output-dir DIR] [--evidence FILE]
                       [--dir DIR] [--repo OWNER/NAME]

What the distribute action does, from a local clone (--dir, default the working directory)
whose HEAD is the head of the default branch on GitHub: takes the distribution lease as
cli:<user>@<host>:<pid>, decrypts each key's versions with the age identities in
SOPS_AGE_KEY / SOPS_AGE_KEY_FILE, writes secrets, deploy keys and files (--output-dir, default
rekey-files in the clone), sets the rekey/distribution status on the commit and opens or
updates failure issues. --dry-run plans and writes nothing. The evidence JSON goes to
--evidence (default rekey-distribution.json in the clone). No value is ever printed.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (a GitHub App installation token
with secrets/administration write; a workflow's GITHUB_TOKEN is refused when recognised).
The repository is --repo, else the origin remote; GITHUB_API_URL / GITHUB_SERVER_URL for GHES.

Exit: 0 converged, dry run, busy or superseded; 1 some key failed, preflight failed or the
manifest is invalid, or the clone is not at the default branch head; 2 usage or configuration
error.
`;
var FAILING = /* @__PURE__ */ new Set(["failed", "preflight-failed", "invalid"]);
function distributeCommandWith(client = {}) {
  return {
    name: "distribute",
    summary: "push each key to its targets from a local clone (as the distribute action)",
    help,
    async run(argv, rawIo) {
      const { values } = parse("distribute", argv, {
        "dry-run": { type: "boolean", default: false },
        resume: { type: "string", multiple: true },
        concurrency: { type: "string", default: "4" },
        "lease-wait": { type: "string", default: "5m" },
        "output-dir": { type: "string" },
        evidence: { type: "string" },
        dir: { type: "string" },
        repo: { type: "string" }
      });
      const concurrency = Number(values.concurrency);
      if (!/^\d+$/.test(values.concurrency) || concurrency < 1 || concurrency > 32)
        throw new UsageError("rekey distribute: --concurrency is a whole number from 1 to 32");
      if (!/^(0|[1-9]\d{0,3})(m|h)$/.test(values["lease-wait"]))
        throw new UsageError("rekey distribute: --lease-wait is an integer and m or h, like 5m");
      const resume = (values.resume ?? []).flatMap((s) => s.split(/[\s,]+/).filter(Boolean));
      for (const id of resume)
        if (!keyId.safeParse(id).success)
          throw new UsageError(`rekey distribute: --resume: not a key id: ${JSON.stringify(id)}`);
      const token = cliToken(rawIo, "distribute");
      const io = scrubber(rawIo);
      io.mask(token);
      assertCanDistribute(cliTokenKind(rawIo, token));
      const ages = await loadAgeIdentities({
        env: rawIo.env,
        homedir: rawIo.env.HOME || homedir()
      });
      for (const id of ages.identities) io.mask(id);
      for (const [name, value] of Object.entries(rawIo.env))
        if (name.startsWith("REKEY_PG_") && value) io.mask(value);
      if (ages.identities.length === 0)
        throw new UsageError(
          "rekey distribute: no age identity to decrypt keys-manifest/ with: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE"
        );
      io.stderr(`age identities from ${ages.sources.join(", ")}
`);
      for (const ignored of ages.ignored)
        io.stderr(
          `warning: ${ignored} is set but not supported by rekey's built-in SOPS codec; ignored
`
        );
      const dir = repoDir(rawIo, values.dir);
      const at = await cliRepository("distribute", dir, values.repo);
      const { sha, tree } = await readCheckout(dir);
      const defaultBranch = loadSnapshot(tree).snapshot.pipeline["default-branch"];
      const gh = cliClient(rawIo, token, at.origin, client);
      const github = createGitHubPorts(gh, at);
      if (!values["dry-run"]) {
        const head = await github.git.getBranchHead(defaultBranch);
        if (head?.commit !== sha) {
          io.stderr(
            `rekey distribute: the clone's HEAD ${sha.slice(0, 12)} is not the head of ${defaultBranch} on GitHub (${head ? head.commit.slice(0, 12) : "no such branch"}): distribution runs on the default branch head only. Run \`git fetch origin && git checkout --detach origin/${defaultBranch}\` and try again. Nothing was written.
`
          );
          return EXIT.findings;
        }
      }
      const outputDir = path.resolve(dir, values["output-dir"] ?? "rekey-files");
      mkdirSync(outputDir, { recursive: true, mode: 448 });
      const result = await distribute(
        {
          commit: sha,
          tree,
          defaultBranch,
          holder: cliHolder(),
          now: () => rawIo.now(),
          concurrency,
          dryRun: values["dry-run"],
          resume,
          leaseWaitMs: durationMs(values["lease-wait"]),
          mask: io.mask,
          log: {
            info: (m) => io.stderr(`${m}
`),
            warn: (m) => io.stderr(`warning: ${m}
`)
          },
          progress: cliProgress({ now: () => rawIo.now(), stderr: (t) => io.stderr(t) })
        },
        {
          git: github.git,
          statuses: github.statuses,
          issues: github.issues,
          state: createStateRefAdapter(gh, at),
          targets: createTargetPorts(gh, outputDir, { env: (n) => rawIo.env[n] }),
          probes: createHttpsProbe(),
          sops: new BuiltinSopsCodec({ identities: ages.identities })
        }
      );
      const evidencePath = path.resolve(dir, values.evidence ?? "rekey-distribution.json");
      mkdirSync(path.dirname(evidencePath), { recursive: true });
      writeFileSync(evidencePath, `${JSON.stringify(result.evidence, null, 2)}
`);
      io.stdout(renderDistributeSummary(result));
      for (const k of result.keys)
        io.stdout(`${k.key}: ${k.outcome}${k.issue ? ` (${k.issue})` : ""}
`);
      for (const p of result.problems) io.stderr(`error: ${p}
`);
      if (result.outcome === "superseded")
        io.stderr(
          `the default branch moved while this run prepared; fetch it and run again from its head
`
        );
      io.stdout(
        `rekey distribute: ${result.outcome} at ${sha}${result.status ? `, rekey/distribution = ${result.status}` : ""}
wrote ${evidencePath}
`
      );
      return FAILING.has(result.outcome) ? EXIT.findings : EXIT.ok;
    }
  };
}
var distributeCommand = distributeCommandWith();
export {
  distributeCommand,
  distributeCommandWith
};
