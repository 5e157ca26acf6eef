import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  AUDIT_FILE_NAMES,
  AUDIT_FORMATS,
  DEFAULT_AUDIT_MAX_CALLS,
  audit,
  renderAudit,
  writeAudit
} from "./chunk-LBQB3NJG.js";
import {
  firstParentCommits
} from "./chunk-TX6AZEJX.js";
import {
  githubEndpoints,
  originUrl,
  repositoryFromRemote
} from "./chunk-77SZJW2S.js";
import {
  createAuditPullsAdapter,
  createGitHubClient,
  createStatusAdapter,
  parseRepository
} from "./chunk-RFVFQ63W.js";
import {
  buildAuditHistory,
  isShallowRepository
} from "./chunk-LILU27SP.js";
import "./chunk-LX4CV2AR.js";
import {
  cliProgress
} from "./chunk-SI6NGII7.js";
import "./chunk-2PDFHADE.js";
import {
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  resolveRef,
  wo
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse,
  parseNow
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/cli/commands/audit.ts
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
var help = `Usage: rekey audit [--since DATE] [--format md|json|csv|html]... [--out DIR|-]
                  [--json] [--ref REF] [--repo OWNER/NAME] [--branch NAME] [--max-calls N]
                  [--now ISO] [--dir DIR]

Rebuilds every key version's timeline from first-parent git history (one git log, one
git cat-file) and reports findings: cryptoperiod or grace exceeded, material not removed on
destroy, recipients changed in .sops.yaml, and with a GitHub token also approvals missing,
by the author or by a bot, direct pushes to the manifest, and versions destroyed before their
successor was proven distributed. docs/audit.md explains each finding and what to do.

Writes audit.md (with a Mermaid gantt per key), audit.json (schema rekey.audit/v1), audit.csv
and audit.html (self-contained) to --out (default ./rekey-audit); --format picks some of them.
--out - prints the one --format given to stdout instead, and --json is --format json --out -
(rekey.audit/v1, docs/cli.md); the summary then goes to stderr.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (read-only is enough: contents,
pull_requests and statuses: read); without one the report says which checks were not made.
The repository is --repo, else the origin remote, whose host also picks the API (a GHES
clone talks to https://<host>/api/v3); GITHUB_API_URL / GITHUB_SERVER_URL override it.
At most --max-calls GitHub requests (default ${DEFAULT_AUDIT_MAX_CALLS}).

Exit: 0 no findings, 1 findings, 2 usage error.
`;
function localAuditPorts(dir, github) {
  const base = {
    // The shallow check runs beside the history pass instead of before it (one git process
    // start less on the audit's path); a shallow checkout stops the pass and is refused.
    history: async (ref) => {
      const stop = new AbortController();
      const history = buildAuditHistory(dir, ref, { signal: stop.signal });
      history.catch(() => {
      });
      let refusal;
      try {
        if (await isShallowRepository(dir))
          refusal = new Error(
            "the checkout is shallow, so history starts at the cut-off; fetch full history (fetch-depth: 0)"
          );
      } catch (e) {
        refusal = e;
      }
      if (refusal === void 0) return history;
      stop.abort(refusal);
      await history.catch(() => {
      });
      throw refusal;
    }
    // No tree read: the history pass carries key.yaml and the policies as they are at `ref`.
  };
  if (!github) return base;
  const at = parseRepository(github.repository);
  return {
    ...base,
    github: {
      pulls: createAuditPullsAdapter(github.client, at),
      statuses: createStatusAdapter(github.client, at),
      firstParent: (ref) => firstParentCommits(dir, ref)
    }
  };
}
function writeReportFile(path, render) {
  const fd = openSync(path, "w");
  try {
    let parts = [];
    let size = 0;
    const flush = () => {
      const bytes = Buffer.from(parts.join(""), "utf8");
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      parts = [];
      size = 0;
    };
    render((text) => {
      parts.push(text);
      size += text.length;
      if (size >= 1 << 20) flush();
    });
    flush();
  } finally {
    closeSync(fd);
  }
}
async function writeAuditFiles(report, out, formats = AUDIT_FORMATS) {
  await mkdir(out, { recursive: true });
  const paths = [];
  for (const f of formats) {
    const path = join(out, AUDIT_FILE_NAMES[f]);
    writeReportFile(path, (emit) => writeAudit(report, f, emit));
    paths.push(path);
  }
  return paths;
}
function parseSince(value) {
  if (value === void 0) return void 0;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? /* @__PURE__ */ new Date(`${value}T00:00:00Z`) : new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime()))
    throw new UsageError(`--since expects a date like 2026-01-01, not ${JSON.stringify(value)}`);
  return d;
}
var auditCommand = {
  name: "audit",
  summary: "report every key version\u2019s timeline and what an auditor would flag",
  help,
  async run(argv, io) {
    const { values } = parse("audit", argv, {
      since: { type: "string" },
      format: { type: "string", multiple: true },
      out: { type: "string" },
      json: { type: "boolean", default: false },
      ref: { type: "string" },
      repo: { type: "string" },
      branch: { type: "string" },
      "max-calls": { type: "string" },
      now: { type: "string" },
      dir: { type: "string" }
    });
    if (values.json && (values.format !== void 0 || (values.out ?? "-") !== "-"))
      throw new UsageError("rekey audit: --json is --format json --out -; give one or the other");
    const toStdout = values.json || values.out === "-";
    const formats = (values.format ?? (values.json ? ["json"] : [...AUDIT_FORMATS])).flatMap(
      (f) => f.split(",")
    );
    if (toStdout && formats.length !== 1)
      throw new UsageError(
        "rekey audit: --out - prints one report to stdout; pick its format with --format md|json|csv|html"
      );
    for (const f of formats)
      if (!AUDIT_FORMATS.includes(f))
        throw new UsageError(
          `rekey audit: --format is one of ${AUDIT_FORMATS.join(", ")}, not ${JSON.stringify(f)}`
        );
    const maxCalls = values["max-calls"] === void 0 ? void 0 : Number(values["max-calls"]);
    if (maxCalls !== void 0 && (!Number.isSafeInteger(maxCalls) || maxCalls < 0))
      throw new UsageError("rekey audit: --max-calls expects a whole number");
    const dir = repoDir(io, values.dir);
    const ref = values.ref ?? "HEAD";
    const head = await resolveRef(dir, ref);
    const git = wo({ baseDir: dir });
    const origin = await originUrl(dir);
    const repository = values.repo ?? repositoryFromRemote(origin);
    if (repository !== void 0) parseRepository(repository);
    const branch = values.branch ?? await git.revparse(["--abbrev-ref", "HEAD"]).then(
      (b) => b === "HEAD" ? "main" : b,
      () => "main"
    );
    const token = io.env.REKEY_TOKEN || io.env.GITHUB_TOKEN || io.env.GH_TOKEN || void 0;
    const endpoints = githubEndpoints(io.env, origin);
    const client = token ? createGitHubClient({ token, ...endpoints }) : void 0;
    const serverUrl = client?.serverUrl ?? endpoints.serverUrl;
    const ports = localAuditPorts(dir, client && repository ? { client, repository } : void 0);
    const report = await audit(
      {
        ref,
        head,
        now: parseNow(values.now, io),
        defaultBranch: branch,
        serverUrl,
        ...repository ? { repository } : {},
        ...values.since ? { since: parseSince(values.since) } : {},
        ...maxCalls !== void 0 ? { maxCalls } : {},
        progress: cliProgress(io),
        ...token && !repository ? { withoutGitHub: "the repository is unknown (no --repo and no GitHub origin remote)" } : token ? {} : { withoutGitHub: "no token (set REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN)" }
      },
      ports
    );
    let paths = [];
    if (toStdout) io.stdout(renderAudit(report, formats[0]));
    else
      paths = await writeAuditFiles(
        report,
        repoDir(io, values.out ?? "rekey-audit"),
        formats
      );
    const say = (t) => toStdout ? io.stderr(t) : io.stdout(t);
    const n = report.findings.length;
    say(
      `audit of ${repository ?? dir} at ${ref}: ${report.keys.length} key${report.keys.length === 1 ? "" : "s"}, ${report.manifestCommits} manifest commit${report.manifestCommits === 1 ? "" : "s"}, ${n} finding${n === 1 ? "" : "s"}
`
    );
    for (const f of report.findings)
      say(
        `  ${f.rule}${f.key ? ` ${f.key}` : ""}${f.version ? ` v${f.version}` : ""}: ${f.message}
`
      );
    for (const s of report.github.notChecked) say(`  not checked: ${s}
`);
    if (report.github.enriched)
      say(`  GitHub calls: ${report.github.calls} of at most ${report.github.budget}
`);
    for (const p of paths) say(`wrote ${p}
`);
    return n === 0 ? EXIT.ok : EXIT.findings;
  }
};
export {
  auditCommand,
  localAuditPorts,
  repositoryFromRemote,
  writeAuditFiles
};
