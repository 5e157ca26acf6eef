import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  githubEndpoints,
  originUrl
} from "./chunk-77SZJW2S.js";
import {
  MAX_PAGES,
  PER_PAGE,
  PaginationLimitError,
  allPages,
  classifyToken,
  createGitHubClient,
  describeTokenKind,
  isGitHubError,
  parseRepository
} from "./chunk-RFVFQ63W.js";
import {
  checkLocal,
  finding,
  sortFindings
} from "./chunk-FNJFXXRG.js";
import {
  doctorReportJson
} from "./chunk-3E3V2TVM.js";
import {
  printJson
} from "./chunk-SI6NGII7.js";
import "./chunk-2PDFHADE.js";
import {
  readWorkingTree,
  repoDir
} from "./chunk-M6OUJUZB.js";
import {
  parseYaml
} from "./chunk-ARAMIKVA.js";
import {
  EXIT,
  UsageError,
  parse,
  parseNow
} from "./chunk-QIKD5X2T.js";
import "./chunk-XTJWW723.js";

// src/core/doctor/remote.ts
var DEFAULT_VERIFY_CHECK = "rekey verify";
var same = (a, b) => a.trim().toLowerCase() === b.trim().toLowerCase();
function rulesRequire(rules, verifyCheck) {
  let check = false;
  let approvals = 0;
  let codeOwners = false;
  let strict = false;
  let mergeQueue = false;
  for (const r of rules) {
    if (r.type === "required_status_checks") {
      const list = r.parameters["required_status_checks"];
      const here = Array.isArray(list) && list.some(
        (c) => typeof c === "object" && c !== null && typeof c.context === "string" && same(c.context, verifyCheck)
      );
      check ||= here;
      strict ||= here && r.parameters["strict_required_status_checks_policy"] === true;
    }
    if (r.type === "merge_queue") mergeQueue = true;
    if (r.type === "pull_request") {
      const n = Number(r.parameters["required_approving_review_count"] ?? 0);
      if (Number.isFinite(n)) approvals = Math.max(approvals, n);
      codeOwners ||= r.parameters["require_code_owner_review"] === true;
    }
  }
  return { check, approvals, codeOwners, strict, mergeQueue, any: rules.length > 0 };
}
function staleVerdict(input, fromRules, classic, where) {
  if (fromRules.mergeQueue)
    return input.verifyOnMergeGroup === false ? [
      finding(
        "doctor/verify-merge-group",
        `${input.branch} uses a merge queue, but the verify workflow does not run on \`merge_group\`: the queue waits for a \`${input.verifyCheck}\` check that never reports`,
        where
      )
    ] : [];
  const classicStrict = classic?.strict === true && classic.requiredChecks.some((c) => same(c, input.verifyCheck));
  if (fromRules.strict || classicStrict) return [];
  return [
    finding(
      "doctor/protection-stale-verdict",
      `${input.branch} neither requires branches to be up to date for the \`${input.verifyCheck}\` check nor uses a merge queue: two pull requests verified on the same base can both merge into an invalid manifest`,
      where
    )
  ];
}
function checkProtection(input) {
  const where = `GitHub: rulesets and branch protection of ${input.branch}`;
  const fromRules = rulesRequire(input.rules, input.verifyCheck);
  const classic = input.classic !== null && "unreadable" in input.classic ? void 0 : input.classic;
  const check = fromRules.check || (classic?.requiredChecks.some((c) => same(c, input.verifyCheck)) ?? false);
  const approvals = Math.max(fromRules.approvals, classic?.requiredApprovals ?? 0);
  const codeOwners = fromRules.codeOwners || classic?.requireCodeOwnerReviews === true;
  if (check && approvals >= 1)
    return [
      ...codeOwners ? [] : [
        finding(
          "doctor/protection-code-owners",
          `${input.branch} requires a review, but not one by a code owner: a change to keys-manifest/, .sops.yaml or the pipeline code (.github/, actions/, dist/, src/) merges with anyone's approval`,
          where
        )
      ],
      ...staleVerdict(input, fromRules, classic, where)
    ];
  const missing = [
    ...check ? [] : [`the \`${input.verifyCheck}\` check`],
    ...approvals >= 1 ? [] : ["an approving review"]
  ].join(" and ");
  if (input.classic !== null && "unreadable" in input.classic)
    return [
      finding(
        "doctor/protection-unreadable",
        `the rulesets on ${input.branch} do not require ${missing}, and its classic protection could not be read (${input.classic.unreadable})`,
        where
      )
    ];
  if (!fromRules.any && classic === null)
    return [
      finding(
        "doctor/protection-missing",
        `${input.branch} has neither a ruleset nor branch protection: anyone with write access can push to it directly`,
        where
      )
    ];
  const out = [];
  if (!check)
    out.push(
      finding(
        "doctor/protection-verify-check",
        `neither the rulesets nor the branch protection of ${input.branch} require the \`${input.verifyCheck}\` check`,
        where
      )
    );
  if (approvals < 1)
    out.push(
      finding(
        "doctor/protection-reviews",
        `neither the rulesets nor the branch protection of ${input.branch} require an approving review`,
        where
      )
    );
  return out;
}
var HOUR = 36e5;
var DAY = 24 * HOUR;
function cronPeriodMs(cron) {
  const [minute = "*", hour = "*", dom = "*", month = "*", dow = "*"] = cron.trim().split(/\s+/);
  if (dom !== "*" || month !== "*" || dow !== "*") return 7 * DAY;
  const step = /^\*\/(\d+)$/.exec(hour);
  if (hour === "*") return minute === "*" || minute.startsWith("*/") ? HOUR / 2 : HOUR;
  if (step) return Number(step[1]) * HOUR;
  const hours = hour.split(",").length;
  return hours > 1 ? DAY / hours : DAY;
}
var ago = (ms) => ms >= 2 * DAY ? `${Math.floor(ms / DAY)} days` : `${Math.floor(ms / HOUR)} hours`;
function checkSchedules(input) {
  const out = [];
  for (const wf of input.local) {
    const remote = input.remote.find((r) => r.path === wf.file);
    const where = `GitHub: Actions workflow ${wf.file}`;
    if (!remote) {
      out.push(
        finding(
          "doctor/schedule-not-on-default-branch",
          `${wf.file} has a schedule but GitHub does not list it as a workflow of this repository`,
          where
        )
      );
      continue;
    }
    if (remote.state !== "active") {
      out.push(
        finding(
          "doctor/schedule-disabled",
          `${wf.file} is ${remote.state.replaceAll("_", " ")}: its schedule does not run`,
          where
        )
      );
      continue;
    }
    const runs = input.runs.get(remote.id) ?? [];
    if (runs.length === 0) {
      out.push(finding("doctor/schedule-never-ran", `${wf.file} has never run`, where));
      continue;
    }
    const period = Math.max(...wf.crons.map(cronPeriodMs));
    const lastScheduled = runs.find((r) => r.event === "schedule");
    const allowed = 2 * period + HOUR;
    const age = lastScheduled ? input.now.getTime() - Date.parse(lastScheduled.createdAt) : NaN;
    if (!lastScheduled || age > allowed)
      out.push(
        finding(
          "doctor/schedule-stale",
          lastScheduled ? `${wf.file} last ran on its schedule ${ago(age)} ago (${lastScheduled.createdAt}); its cron (${wf.crons.join(", ")}) should have run it within ${ago(allowed)}` : `${wf.file} has not run on its schedule among its last ${runs.length} runs`,
          where
        )
      );
    const done = runs.find((r) => r.status === "completed");
    if (done && done.conclusion !== "success" && done.conclusion !== "skipped")
      out.push(
        finding(
          "doctor/schedule-failing",
          `the last completed run of ${wf.file} ended ${done.conclusion ?? "without a conclusion"}: ${done.url}`,
          where
        )
      );
  }
  return out;
}

// src/core/doctor/reviewers.ts
var POLICY = /^policies\/(?!pipeline\.ya?ml$)[^/]+\.ya?ml$/;
var KEY = /^keys-manifest\/.+\/key\.ya?ml$/;
var HANDLE = /^@[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/;
var isMap = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function reviewerRefs(tree) {
  const out = [];
  for (const [file, bytes] of [...tree].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const isPolicy = POLICY.test(file);
    if (!isPolicy && !KEY.test(file)) continue;
    const parsed = parseYaml(file, bytes);
    if (parsed.diagnostics.length > 0 || !isMap(parsed.value)) continue;
    const doc = parsed.value;
    const add = (value, path) => {
      if (typeof value !== "string" || !HANDLE.test(value)) return;
      const at = parsed.locate(path);
      out.push({ handle: value, file, line: at.line, column: at.column });
    };
    if (isPolicy) {
      const lists = [[doc["reviewers"], ["reviewers"]]];
      const emergency = doc["emergency"];
      if (isMap(emergency)) lists.push([emergency["reviewers"], ["emergency", "reviewers"]]);
      for (const [list, path] of lists)
        if (Array.isArray(list)) list.forEach((h, i) => add(h, [...path, i]));
    } else add(doc["owner"], ["owner"]);
  }
  return out;
}
async function checkReviewers(refs, settings, reason2) {
  const findings = [];
  const skipped = [];
  const owner = settings.owner.toLowerCase();
  let teams;
  let teamsUnreadable;
  const roles = /* @__PURE__ */ new Map();
  const reported = /* @__PURE__ */ new Set();
  for (const ref of refs) {
    const at = {
      file: ref.file,
      ...ref.line ? { line: ref.line } : {},
      ...ref.column ? { column: ref.column } : {}
    };
    const [name = "", slug] = ref.handle.slice(1).toLowerCase().split("/");
    if (slug !== void 0) {
      if (name !== owner) {
        findings.push(
          finding(
            "doctor/reviewer-unresolvable",
            `${ref.handle} is a team of ${name}, but the repository belongs to ${settings.owner}: GitHub cannot ask it to review`,
            at
          )
        );
        continue;
      }
      if (teams === void 0 && teamsUnreadable === void 0) {
        try {
          teams = new Set(await settings.teams(settings.owner));
        } catch (e) {
          teamsUnreadable = reason2(e);
          skipped.push(`the teams of ${settings.owner} could not be listed: ${teamsUnreadable}`);
        }
      }
      if (teams && !teams.has(slug))
        findings.push(
          finding(
            "doctor/reviewer-unresolvable",
            `${ref.handle} is not a team of ${settings.owner} that this token can see`,
            at
          )
        );
      continue;
    }
    if (!roles.has(name)) {
      try {
        roles.set(name, await settings.userRole(name));
      } catch (e) {
        roles.set(name, void 0);
        skipped.push(`${ref.handle} could not be looked up: ${reason2(e)}`);
      }
    }
    const role = roles.get(name);
    if (role === void 0) continue;
    const key = `${ref.file}\0${ref.handle}`;
    if (role === null || role === "none") {
      findings.push(
        finding(
          "doctor/reviewer-unresolvable",
          role === null ? `${ref.handle}: GitHub knows no such user` : `${ref.handle} has no access to the repository`,
          at
        )
      );
    } else if (role === "read" && !reported.has(key)) {
      reported.add(key);
      findings.push(
        finding(
          "doctor/reviewer-cannot-approve",
          `${ref.handle} has read access only: their approval does not count`,
          at
        )
      );
    }
  }
  return { findings, skipped };
}

// src/core/doctor/report.ts
function doctorReport(findings, checked, skipped) {
  const sorted = sortFindings(findings);
  return {
    findings: sorted,
    checked,
    skipped,
    errors: sorted.filter((f) => f.severity === "error").length,
    warnings: sorted.filter((f) => f.severity === "warning").length
  };
}
function formatDoctorText(r) {
  const out = [];
  for (const f of r.findings)
    out.push(`${f.severity}: ${f.where}: ${f.message} [${f.rule}]`, `  fix: ${f.fix}`);
  if (r.findings.length > 0) out.push("");
  out.push(`checked: ${r.checked.join(", ")}`);
  for (const s of r.skipped) out.push(`skipped: ${s.check} (${s.reason})`);
  out.push(
    `${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`
  );
  return out.join("\n") + "\n";
}

// src/commands/doctor.ts
var LOCAL_CHECKS = [
  "workflows",
  "concurrency",
  "workflow-tokens",
  "codeowners",
  "sops-recipients"
];
var REMOTE_CHECKS = [
  "token-kind",
  "branch-protection",
  "scheduled-workflows",
  "reviewers"
];
var RUNS_PER_WORKFLOW = 20;
var reason = (e) => isGitHubError(e) ? `${e.status} ${e.code}${e.acceptedPermissions ? `; the token needs ${e.acceptedPermissions}` : ""}` : e instanceof Error ? e.message : String(e);
async function doctor(input, ports) {
  const local = checkLocal(input.tree);
  const findings = [...local.findings];
  const checked = [...LOCAL_CHECKS];
  const skipped = [];
  if ("missing" in input.token || !ports) {
    const why = "missing" in input.token ? input.token.missing : "no GitHub access was given";
    for (const check of REMOTE_CHECKS) skipped.push({ check, reason: why });
    return doctorReport(findings, checked, skipped);
  }
  checked.push("token-kind");
  if (input.token.kind === "personal-access-token")
    findings.push(
      finding(
        "doctor/token-classic-pat",
        "doctor runs with a classic personal access token",
        "the token doctor was given"
      )
    );
  const { settings } = ports;
  let branch;
  try {
    branch = await settings.defaultBranch();
  } catch (e) {
    skipped.push({
      check: "branch-protection",
      reason: `the repository could not be read: ${reason(e)}`
    });
  }
  if (branch !== void 0) {
    try {
      const rules = await settings.branchRules(branch);
      let classic;
      try {
        classic = await settings.branchProtection(branch);
      } catch (e) {
        if (!isGitHubError(e, "forbidden") && !isGitHubError(e, "unauthorized")) throw e;
        classic = { unreadable: reason(e) };
      }
      findings.push(
        ...checkProtection({
          branch,
          classic,
          rules,
          verifyCheck: input.verifyCheck ?? DEFAULT_VERIFY_CHECK,
          ...local.verifyOnMergeGroup === void 0 ? {} : { verifyOnMergeGroup: local.verifyOnMergeGroup }
        })
      );
      checked.push("branch-protection");
    } catch (e) {
      skipped.push({ check: "branch-protection", reason: reason(e) });
    }
  }
  if (local.scheduled.length === 0) {
    checked.push("scheduled-workflows");
  } else {
    try {
      const remote = await settings.listWorkflows();
      const runs = /* @__PURE__ */ new Map();
      for (const wf of local.scheduled) {
        const r = remote.find((w) => w.path === wf.file);
        if (r && r.state === "active")
          runs.set(
            r.id,
            await settings.recentRuns(r.path.slice(r.path.lastIndexOf("/") + 1), RUNS_PER_WORKFLOW)
          );
      }
      findings.push(...checkSchedules({ local: local.scheduled, remote, runs, now: input.now }));
      checked.push("scheduled-workflows");
    } catch (e) {
      skipped.push({ check: "scheduled-workflows", reason: reason(e) });
    }
  }
  if (!ports.reviewers)
    skipped.push({ check: "reviewers", reason: "no reviewer lookup was given" });
  else {
    const reviewers = await checkReviewers(reviewerRefs(input.tree), ports.reviewers, reason);
    findings.push(...reviewers.findings);
    if (reviewers.skipped.length === 0) checked.push("reviewers");
    else skipped.push({ check: "reviewers", reason: reviewers.skipped.join("; ") });
  }
  return doctorReport(findings, checked, skipped);
}

// src/adapters/github/repo-settings.ts
function createRepoSettingsAdapter(client, at) {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    async defaultBranch() {
      const r = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
      return r.data.default_branch;
    },
    async branchProtection(branch) {
      try {
        const r = await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", {
          owner,
          repo,
          branch
        });
        const checks = r.data.required_status_checks;
        const reviews = r.data.required_pull_request_reviews;
        return {
          requiredChecks: [
            .../* @__PURE__ */ new Set([
              ...checks?.contexts ?? [],
              ...(checks?.checks ?? []).map((c) => c.context)
            ])
          ],
          requiredApprovals: reviews ? reviews.required_approving_review_count ?? 1 : 0,
          requireCodeOwnerReviews: reviews?.require_code_owner_reviews === true,
          strict: checks?.strict === true
        };
      } catch (e) {
        if (isGitHubError(e, "not-found")) return null;
        throw e;
      }
    },
    async branchRules(branch) {
      const rules = await allPages(
        `rules of ${branch}`,
        (page) => octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", {
          owner,
          repo,
          branch,
          page,
          per_page: PER_PAGE
        })
      );
      return rules.map((r) => ({
        type: r.type,
        parameters: "parameters" in r && r.parameters ? r.parameters : {}
      }));
    },
    async listWorkflows() {
      const out = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const r = await octokit.request("GET /repos/{owner}/{repo}/actions/workflows", {
          owner,
          repo,
          page,
          per_page: PER_PAGE
        });
        for (const w of r.data.workflows)
          out.push({ id: w.id, name: w.name, path: w.path, state: w.state, url: w.html_url });
        if (out.length >= r.data.total_count || r.data.workflows.length === 0) return out;
      }
      throw new PaginationLimitError("workflows", MAX_PAGES);
    },
    async recentRuns(workflowFile, limit) {
      const r = await octokit.request(
        "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
        { owner, repo, workflow_id: workflowFile, per_page: Math.min(100, Math.max(1, limit)) }
      );
      return r.data.workflow_runs.map((run) => ({
        id: Number(run.id),
        event: run.event,
        status: run.status ?? null,
        conclusion: run.conclusion ?? null,
        createdAt: run.created_at,
        url: run.html_url
      }));
    }
  };
}

// src/adapters/github/reviewers.ts
function createReviewerLookupAdapter(client, at) {
  const { octokit } = client;
  const { owner, repo } = at;
  return {
    owner,
    async teams(org) {
      const teams = await allPages(
        `teams of ${org}`,
        (page) => octokit.request("GET /orgs/{org}/teams", { org, page, per_page: PER_PAGE })
      );
      return teams.map((t) => t.slug.toLowerCase());
    },
    async userRole(login) {
      try {
        const r = await octokit.request(
          "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
          { owner, repo, username: login }
        );
        const p = r.data.permission;
        return p === "admin" || p === "write" || p === "read" ? p : "none";
      } catch (e) {
        if (isGitHubError(e, "not-found")) return null;
        throw e;
      }
    }
  };
}

// src/cli/commands/doctor.ts
var help = `Usage: rekey doctor [--dir DIR] [--repo OWNER/NAME] [--json | --format text|json]
                    [--verify-check NAME] [--now ISO]

Checks a repository's setup against rekey's design, each finding with a rule id, a
severity, where (file:line for local files) and how to fix it (docs/doctor.md):

  local   workflow hardening, the shared concurrency group rekey-mutations, the token each
          rekey step is given, the distribute job's id-token against the aws-secret targets,
          CODEOWNERS covering keys-manifest/ and .sops.yaml, the .sops.yaml recipients for
          keys-manifest material
  remote  the kind of token, a ruleset or branch protection on the default branch requiring
          the verify check (--verify-check, default "rekey verify") and a review, scheduled
          workflows enabled and recently run, every key owner and policy reviewer someone
          GitHub accepts in a review request (members read for teams)

The remote checks need a token in REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (metadata and
actions read; administration read for classic protection) and the repository (--repo, else
GITHUB_REPOSITORY); GITHUB_API_URL selects GitHub Enterprise Server. Without them only the
local checks run, and the report lists the skipped ones and why. Doctor writes nothing.
--json (or --format json) prints rekey.doctor/v1 (docs/cli.md).

Exit: 0 no error-severity finding, 1 errors found, 2 usage or configuration error.
`;
var PREFIXES = [
  ".github/",
  "CODEOWNERS",
  "docs/CODEOWNERS",
  ".sops.yaml",
  "keys-manifest/",
  "policies/"
];
var doctorCommand = {
  name: "doctor",
  summary: "check a repository's rekey setup (workflows, tokens, protection, CODEOWNERS, SOPS)",
  help,
  async run(argv, io) {
    const { values } = parse("doctor", argv, {
      dir: { type: "string" },
      repo: { type: "string" },
      format: { type: "string", default: "text" },
      json: { type: "boolean", default: false },
      "verify-check": { type: "string" },
      now: { type: "string" }
    });
    if (values.format !== "text" && values.format !== "json")
      throw new UsageError(
        `rekey doctor: --format is text or json, not ${JSON.stringify(values.format)}`
      );
    const json = values.json || values.format === "json";
    const dir = repoDir(io, values.dir);
    const tree = await readWorkingTree(dir, PREFIXES);
    for (const s of tree.irregular ?? []) io.stderr(`warning: ${s.path} not read (${s.reason})
`);
    const token = io.env.REKEY_TOKEN || io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
    const repository = values.repo ?? io.env.GITHUB_REPOSITORY;
    let input;
    let ports;
    if (!token) input = { missing: "no token: set REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN" };
    else if (!repository)
      input = { missing: "no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY" };
    else {
      const client = createGitHubClient({
        token,
        ...githubEndpoints(io.env, await originUrl(dir)),
        userAgent: "rekey-doctor"
      });
      const kind = classifyToken(token, {
        ...io.env.GITHUB_ACTIONS === "true" && io.env.GITHUB_TOKEN ? { githubToken: io.env.GITHUB_TOKEN } : {}
      });
      io.stderr(`doctor reads ${repository} with ${describeTokenKind(kind)}
`);
      input = { kind };
      const at = parseRepository(repository);
      ports = {
        settings: createRepoSettingsAdapter(client, at),
        reviewers: createReviewerLookupAdapter(client, at)
      };
    }
    const report = await doctor(
      {
        tree,
        now: parseNow(values.now, io),
        token: input,
        ...values["verify-check"] ? { verifyCheck: values["verify-check"] } : {}
      },
      ports
    );
    io.stdout(json ? printJson(doctorReportJson(report)) : formatDoctorText(report));
    return report.errors === 0 ? EXIT.ok : EXIT.findings;
  }
};
export {
  doctorCommand
};
