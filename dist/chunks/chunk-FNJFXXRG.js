import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);
import {
  findCreationRule,
  parseSopsConfig
} from "./chunk-2PDFHADE.js";
import {
  parseKeyFilePath,
  parseYaml
} from "./chunk-ARAMIKVA.js";
import {
  diagnostic
} from "./chunk-QIKD5X2T.js";

// src/core/doctor/findings.ts
var DOCTOR_RULES = {
  "doctor/workflow-missing": {
    severity: "error",
    fix: "Add the workflow from rekey's template (.github/workflows/<name>.yml in the rekey repository); docs/workflows.md explains each one."
  },
  "doctor/concurrency-group": {
    severity: "error",
    fix: "Put the workflow in the shared group: `concurrency: { group: rekey-mutations, cancel-in-progress: false }` at the top level, so rotate, revoke and distribute never run at once and never cancel each other halfway."
  },
  "doctor/mutations-queue": {
    severity: "error",
    fix: 'Add `queue: max` to the `rekey-mutations` concurrency group (next to `cancel-in-progress: false`), so up to 100 pending runs wait in line and an emergency dispatch is never cancelled by the next run (docs/workflows.md, "No dropped emergencies").'
  },
  "doctor/token-github-token": {
    severity: "error",
    fix: "Mint a GitHub App token with actions/create-github-app-token (client-id, private-key) in the job and pass `${{ steps.<id>.outputs.token }}` as `token`; events caused by GITHUB_TOKEN start no workflows, and it can never write secrets."
  },
  "doctor/token-not-app": {
    severity: "warning",
    fix: "Prefer a GitHub App installation token (actions/create-github-app-token) over a personal access token: it expires after an hour, is scoped to this repository, and its PRs are not attributed to a person."
  },
  "doctor/token-classic-pat": {
    severity: "warning",
    fix: "Run doctor with a fine-grained token or an App token; a classic personal access token reaches every repository its owner can see."
  },
  "doctor/distribute-single-token": {
    severity: "error",
    fix: "Mint two App tokens in the distribute job, as rekey's template distribute.yml does: the keys-repository token (no `owner:`; contents, statuses and issues: write) as `token`, and a targets token (`owner:` plus `repositories:` from `rekey targets --repositories`; secrets and administration only) as `targets-token`."
  },
  "doctor/distribute-token-scope": {
    severity: "error",
    fix: "Give the targets token `repositories: ${{ steps.<targets-step>.outputs.repositories }}` (computed by `rekey targets --repositories`) and only `permission-secrets: write` and the permissions your targets need (administration: write for deploy keys); no `permission-contents`."
  },
  "doctor/id-token-unused": {
    severity: "warning",
    fix: 'Remove `id-token: write` from the distribute job\'s permissions (and the AWS credentials step, if you like): only aws-secret targets need it (docs/targets.md "AWS Secrets Manager"). Add it back with the first such target.'
  },
  "doctor/id-token-missing": {
    severity: "warning",
    fix: "Grant the distribute job `id-token: write` and set the repository variable `REKEY_AWS_ROLE_ARN`: distribute.yml then exchanges GitHub's OIDC token for one hour of that IAM role's credentials (docs/targets.md \"AWS Secrets Manager\"). Not needed on a self-hosted runner that has its own AWS role."
  },
  "doctor/protection-missing": {
    severity: "error",
    fix: "Add a ruleset (Settings > Rules > Rulesets) or classic branch protection on the default branch that requires pull requests, at least one approving review and the status check."
  },
  "doctor/protection-verify-check": {
    severity: "error",
    fix: 'Require the `rekey verify` status check on the default branch (ruleset rule "Require status checks to pass", or classic protection "Require status checks").'
  },
  "doctor/protection-reviews": {
    severity: "error",
    fix: 'Require at least one approving review on the default branch (ruleset rule "Require a pull request before merging", or classic protection), so no rotation merges unseen.'
  },
  "doctor/protection-code-owners": {
    severity: "error",
    fix: `Turn on "Require review from Code Owners" in the ruleset's pull request rule (or in classic protection): without it CODEOWNERS only requests a review, and any approval merges a change to keys-manifest/, .sops.yaml or the code that runs with the keys.`
  },
  "doctor/protection-stale-verdict": {
    severity: "error",
    fix: 'Turn on "Require branches to be up to date before merging" in the ruleset rule that requires the verify check (`strict_required_status_checks_policy: true`; classic protection: "Require branches to be up to date"), or add a merge queue (`merge_queue` rule) with verify.yml triggered on `merge_group` (docs/workflows.md, "Stale verdicts").'
  },
  "doctor/verify-merge-group": {
    severity: "error",
    fix: "Add `merge_group:` to the `'on':` of the verify workflow (rekey's template verify.yml has it), so the merge queue gets the check on the group's commit."
  },
  "doctor/protection-unreadable": {
    severity: "warning",
    fix: "Give the token doctor runs with `administration: read` (classic protection needs it), or configure a ruleset, which any token with metadata access can read."
  },
  "doctor/codeowners-missing": {
    severity: "error",
    fix: "Add .github/CODEOWNERS giving keys-manifest/, .sops.yaml, policies/ and the pipeline code (.github/, actions/, dist/, src/, package.json, package-lock.json) owners, e.g. `/keys-manifest/ @your-org/security` one line each, and require code owner review on the default branch."
  },
  "doctor/codeowners-uncovered": {
    severity: "error",
    fix: "Add a line that gives the path owners, below any line that matches it (the last matching line wins): e.g. `/keys-manifest/ @your-org/security`, `/.sops.yaml @your-org/security`, `/dist/ @your-org/security`. Pipeline code runs at the next distribution with the age identity and a secrets-writing token, so it is owned like the keys."
  },
  "doctor/codeowners-invalid-line": {
    severity: "warning",
    fix: "GitHub skips this line; rewrite it without `!` or `[...]` and with owners written as @user, @org/team or an e-mail address."
  },
  "doctor/sops-config-missing": {
    severity: "error",
    fix: "Add .sops.yaml with a creation rule for keys-manifest material: `path_regex: ^keys-manifest/.*\\.sops\\.yaml$`, `encrypted_regex: ^secret$` and the age recipients who may decrypt (docs/sops.md)."
  },
  "doctor/sops-config-invalid": {
    severity: "error",
    fix: "Fix .sops.yaml as the message says; rekey refuses unknown keys that sops would silently ignore (docs/sops.md)."
  },
  "doctor/sops-no-recipients": {
    severity: "error",
    fix: "Give keys-manifest material a creation rule with recipients: `path_regex: ^keys-manifest/.*\\.sops\\.yaml$` and `age: age1...` (the distribution identity, plus a break-glass recipient)."
  },
  "doctor/demo-recipient": {
    severity: "error",
    fix: "Replace the demo recipient in .sops.yaml with your distribution identity's (`rekey init` does it for a fresh copy of the template), then re-wrap the material (`rekey sops rewrap`, or merge the rekey/rewrap PR distribution opens) and rotate every key that was ever wrapped for it: its identity is public (docs/runbooks/rotate-age-identity.md)."
  },
  "doctor/status-creators-unpinned": {
    severity: "warning",
    fix: "Set `status-creators: ['<your-app-slug>[bot]']` in policies/pipeline.yaml: then only the distribution App's `rekey/distribution` statuses open the revocation gate and prove promotions, and only its `rekey/state` statuses vouch for the receipts on refs/rekey/distribution, not a status anyone with `statuses: write` can post (docs/formats.md)."
  },
  "doctor/pull-authors-unpinned": {
    severity: "warning",
    fix: "Set `pull-authors: ['<your-app-slug>[bot]']` in policies/pipeline.yaml: then only PRs the rotation App opened count as rekey's (a copied marker neither holds a key back nor spends max-open-prs), and verify refuses a new version in a PR anyone else opened (docs/formats.md)."
  },
  "doctor/reviewer-unresolvable": {
    severity: "error",
    fix: "Name a team of the repository's organization that the App can see (grant the App the organization permission Members: read) or a user with write access to the repository. GitHub refuses a review request naming anyone else, and refuses all of its reviewers with them, so rekey's PRs would open with nobody asked."
  },
  "doctor/reviewer-cannot-approve": {
    severity: "warning",
    fix: "Give the user write access (or name a team that has it): a review from someone with read access is recorded, but does not count toward the approvals branch protection requires."
  },
  "doctor/sops-crypt-rule": {
    severity: "warning",
    fix: 'Set `encrypted_regex: ^secret$` on the keys-manifest rule so only `secret` is encrypted and `id`, `version` and `public` stay reviewable (DESIGN "Formats").'
  },
  "doctor/schedule-disabled": {
    severity: "error",
    fix: 'Enable the workflow (Actions > the workflow > "Enable workflow", or `gh workflow enable <file>`); GitHub disables schedules after 60 days without activity in public repositories.'
  },
  "doctor/schedule-not-on-default-branch": {
    severity: "error",
    fix: "Merge the workflow file to the default branch: schedules run only from there."
  },
  "doctor/schedule-never-ran": {
    severity: "warning",
    fix: "Dispatch the workflow once by hand (`gh workflow run <file>`) and check its log; a schedule that never fired is often disabled or on the wrong branch."
  },
  "doctor/schedule-stale": {
    severity: "warning",
    fix: "Look at the workflow's recent runs: scheduled runs are delayed or dropped under load, and keys are not rotated while they do not run. Dispatch it by hand and watch the next scheduled run."
  },
  "doctor/schedule-failing": {
    severity: "warning",
    fix: "Open the last run's log and fix what failed; rekey converges on the next successful run."
  }
};
var WORKFLOW_FIXES = {
  "workflow/unreadable": "Fix the YAML so the file loads (see the yaml/* findings), with `on` and `jobs` at the top level.",
  "workflow/top-level-permissions": "Put `permissions: {}` at the top of the workflow and grant scopes per job.",
  "workflow/job-permissions": "Give the job its own `permissions:` mapping with only the scopes it needs (`{}` for none).",
  "workflow/unpinned-action": "Pin the action to a full commit SHA with its version in a comment: `uses: owner/action@<40-hex sha> # vX.Y.Z`.",
  "workflow/pull-request-target": "Trigger on `pull_request` instead; rekey PRs come from branches of this repository.",
  "workflow/untrusted-input-in-script": 'Pass the value through `env:` and quote it in the script (`"$VALUE"`), or move the logic into a JavaScript action.',
  "workflow/runs-pull-request-code": "Check the base out at the workspace root (`ref: ${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}`) and the pull request into a folder (`path: .rekey-pull-request`, fetch-depth 0), and give that folder to the action as `pull-request-path`: rekey's template verify.yml does this (docs/workflows.md).",
  "workflow/checkout-credentials": "Add `with: { persist-credentials: false }` to the actions/checkout step.",
  "workflow/secret-outside-environment": "Move the secret to a job with `environment:` naming a protected environment, so its protection rules decide who may use it.",
  "workflow/rekey-concurrency": "Write `cancel-in-progress: false` in the rekey concurrency group.",
  "workflow/rekey-queue": "Write `queue: max` in the rekey concurrency group, so a pending run waits instead of being cancelled by the next one."
};
function finding(rule, message, at) {
  const { severity, fix } = DOCTOR_RULES[rule];
  return { rule, severity, message, fix, ...place(at) };
}
function place(at) {
  if (typeof at === "string") return { where: at };
  const line = at.line ?? 0;
  const column = at.column ?? 0;
  return {
    where: line > 0 ? `${at.file}:${line}${column > 0 ? `:${column}` : ""}` : at.file,
    file: at.file,
    ...line > 0 ? { line } : {},
    ...column > 0 ? { column } : {}
  };
}
var RANK = { error: 0, warning: 1 };
function sortFindings(fs) {
  return [...fs].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || (a.file ?? "~" + a.where).localeCompare(b.file ?? "~" + b.where) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule)
  );
}

// src/core/doctor/demo-recipient.ts
var DEMO_RECIPIENT = "age1w99ncydejtgjg26pxg76xr3660u6zvlhxknsywau24pt7nklf3pqupwy02";
var MATERIAL = /^keys-manifest\/.+\.sops\.yaml$/;
function checkDemoRecipient(tree) {
  const out = [];
  const decoder = new TextDecoder();
  const paths = [...tree.keys()].filter((p) => p === ".sops.yaml" || MATERIAL.test(p)).sort();
  for (const path of paths) {
    const lines = decoder.decode(tree.get(path)).split("\n");
    const line = lines.findIndex((l) => l.includes(DEMO_RECIPIENT) && !/^\s*#/.test(l));
    if (line < 0) continue;
    out.push(
      finding(
        "doctor/demo-recipient",
        path === ".sops.yaml" ? `.sops.yaml names the published demo recipient ${DEMO_RECIPIENT}: every key rekey encrypts is readable by anyone (its identity is in rekey's template, demo/age-identity.txt)` : `${path} is wrapped for the published demo recipient ${DEMO_RECIPIENT}: anyone can decrypt it`,
        { file: path, line: line + 1 }
      )
    );
  }
  return out;
}

// src/core/workflow-lint/expressions.ts
function expressionsIn(text2) {
  const out = [];
  let at = text2.indexOf("${{");
  while (at !== -1) {
    const end = closingBraces(text2, at + 3);
    out.push(text2.slice(at + 3, end === -1 ? text2.length : end));
    if (end === -1) break;
    at = text2.indexOf("${{", end + 2);
  }
  return out;
}
function closingBraces(text2, from) {
  for (let i = from; i < text2.length; i++) {
    const c = text2[i];
    if (c === "'") i = stringEnd(text2, i);
    else if (c === "}" && text2[i + 1] === "}") return i;
  }
  return -1;
}
function stringEnd(text2, open) {
  for (let i = open + 1; i < text2.length; i++) {
    if (text2[i] !== "'") continue;
    if (text2[i + 1] === "'") i++;
    else return i;
  }
  return text2.length;
}
var IDENT_START = /[A-Za-z_]/;
var IDENT = /[A-Za-z0-9_-]/;
function referencesIn(expression) {
  const refs = [];
  let i = 0;
  const n = expression.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(expression[i])) i++;
  };
  const ident = () => {
    const start = i;
    while (i < n && IDENT.test(expression[i])) i++;
    return expression.slice(start, i).toLowerCase();
  };
  while (i < n) {
    const c = expression[i];
    if (c === "'") {
      i = stringEnd(expression, i) + 1;
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < n && /[0-9A-Za-z_.]/.test(expression[i])) i++;
      continue;
    }
    if (!IDENT_START.test(c)) {
      i++;
      continue;
    }
    const path = [ident()];
    skipSpace();
    if (expression[i] === "(") continue;
    for (; ; ) {
      skipSpace();
      if (expression[i] === ".") {
        i++;
        skipSpace();
        if (expression[i] === "*") {
          i++;
          path.push("*");
        } else if (i < n && IDENT_START.test(expression[i])) path.push(ident());
        else break;
      } else if (expression[i] === "[") {
        const save = i;
        i++;
        skipSpace();
        if (expression[i] === "'") {
          const end = stringEnd(expression, i);
          path.push(
            expression.slice(i + 1, end).replaceAll("''", "'").toLowerCase()
          );
          i = end + 1;
        } else if (expression[i] === "*") {
          i++;
          path.push("*");
        } else {
          i = save + 1;
          break;
        }
        skipSpace();
        if (expression[i] === "]") i++;
      } else break;
    }
    refs.push(path);
  }
  return refs;
}

// src/core/workflow-lint/pull-request-code.ts
var isMap = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var PULL_REQUEST_EVENTS = /* @__PURE__ */ new Set(["pull_request", "pull_request_target", "merge_group"]);
var CHANGE_BY_DEFAULT = /* @__PURE__ */ new Set(["pull_request", "merge_group"]);
var BASE_REFS = /* @__PURE__ */ new Set([
  "github.event.pull_request.base.sha",
  "github.event.pull_request.base.ref",
  "github.event.merge_group.base_sha",
  "github.event.merge_group.base_ref",
  "github.event.repository.default_branch",
  "github.base_ref"
]);
function refIsChange(ref, changeByDefault) {
  if (ref === void 0 || ref === null || ref === "") return changeByDefault;
  if (typeof ref !== "string") return true;
  if (/refs\/pull\//i.test(ref)) return true;
  const refs = expressionsIn(ref).flatMap(referencesIn);
  return refs.some((r) => !BASE_REFS.has(r.join(".")));
}
function repositoryIsHead(repository) {
  if (typeof repository !== "string") return false;
  return expressionsIn(repository).flatMap(referencesIn).some((r) => r.join(".").startsWith("github.event.pull_request.head"));
}
function folder(p) {
  if (typeof p !== "string") return "";
  return p.replace(/^\$\{\{\s*github\.workspace\s*\}\}\/?/i, "").replace(/^\.\/?/, "").replace(/\/+$/, "");
}
var inside = (dir, root) => root === "" || dir === root || dir.startsWith(`${root}/`);
function holdsPower(job) {
  const perms = job.permissions;
  const writes = typeof perms === "string" ? perms === "write-all" : isMap(perms) && Object.values(perms).some((v) => v === "write");
  const secrets = (value) => {
    if (typeof value === "string")
      return expressionsIn(value).some(
        (e) => referencesIn(e).some(([h, n]) => h === "secrets" && n !== "github_token")
      );
    if (Array.isArray(value)) return value.some(secrets);
    if (isMap(value)) return Object.values(value).some(secrets);
    return false;
  };
  return writes || secrets(job);
}
function runsPullRequestCode(events, id, job, report) {
  if (!events.some((e) => PULL_REQUEST_EVENTS.has(e))) return;
  const changeByDefault = events.some((e) => CHANGE_BY_DEFAULT.has(e));
  const target = events.includes("pull_request_target");
  const power = target || holdsPower(job);
  const defaults = isMap(job.defaults) && isMap(job.defaults.run) ? job.defaults.run : {};
  const checkouts = /* @__PURE__ */ new Map();
  const covering = (dir) => {
    let best;
    for (const [root, c] of checkouts)
      if (inside(dir, root) && (best === void 0 || root.length > best.root.length))
        best = { root, ...c };
    return best;
  };
  const steps = Array.isArray(job.steps) ? job.steps : [];
  steps.forEach((step, i) => {
    if (!isMap(step)) return;
    const path = ["jobs", id, "steps", i];
    const uses = typeof step.uses === "string" ? step.uses : void 0;
    const inputs = isMap(step.with) ? step.with : {};
    if (uses?.split("@")[0]?.toLowerCase() === "actions/checkout") {
      const change = refIsChange(inputs.ref, changeByDefault) || repositoryIsHead(inputs.repository);
      checkouts.set(folder(inputs.path), { change, step: i + 1 });
      return;
    }
    if (uses?.startsWith("./")) {
      const c = covering(folder(uses));
      if (c?.change)
        report(
          "workflow/runs-pull-request-code",
          `job \`${id}\` runs \`${uses}\` from step ${c.step}'s checkout of the pull request, so the change runs its own code and can decide its own check; check the base out at the workspace root and the change into a folder read as data (docs/workflows.md)`,
          [...path, "uses"]
        );
      return;
    }
    if (typeof step.run === "string" && power) {
      const dir = folder(step["working-directory"] ?? defaults["working-directory"]);
      const c = covering(dir);
      if (c?.change)
        report(
          "workflow/runs-pull-request-code",
          `job \`${id}\` runs a script in step ${c.step}'s checkout of the pull request while it holds ${target ? "the pull_request_target token and secrets" : "a write scope or a secret"}; the change's scripts and packages would run with them`,
          [...path, "run"]
        );
    }
  });
}

// src/core/workflow-lint/lint.ts
var isMap2 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function lintWorkflow(file, parsed) {
  const out = [];
  const at = (path) => {
    const { line, column } = parsed.locate(path);
    return { file, line, column };
  };
  const report = (rule, message, path) => out.push(diagnostic(rule, message, path === "file" ? { file, line: 0, column: 0 } : at(path)));
  const root = parsed.value;
  if (!isMap2(root)) {
    report(
      "workflow/unreadable",
      root === void 0 ? "the YAML loader could not read this file; fix its yaml/* findings first" : "a workflow is a mapping with `on` and `jobs` at the top level",
      "file"
    );
    return out;
  }
  if (!("permissions" in root))
    report(
      "workflow/top-level-permissions",
      "no top-level `permissions:`; the token then gets the repository default scopes. Add `permissions: {}`",
      "file"
    );
  else if (!isMap2(root.permissions) || Object.keys(root.permissions).length > 0)
    report(
      "workflow/top-level-permissions",
      "top-level `permissions:` must be `{}`; grant scopes per job",
      ["permissions"]
    );
  const events = triggers(root.on);
  events.forEach((event, i) => {
    if (event === "pull_request_target")
      report(
        "workflow/pull-request-target",
        "`pull_request_target` runs with this repository token and secrets while handling fork pull requests; use `pull_request`",
        ["on", ...isMap2(root.on) ? [event] : Array.isArray(root.on) ? [i] : []]
      );
  });
  concurrency(root.concurrency, ["concurrency"], report);
  if (readsSecrets(root.env))
    report(
      "workflow/secret-outside-environment",
      "the workflow-level `env:` reads a secret, so every job gets it; move it to the job that runs in a protected environment",
      ["env"]
    );
  const jobs = isMap2(root.jobs) ? root.jobs : {};
  for (const [id, job] of Object.entries(jobs)) {
    if (!isMap2(job)) continue;
    lintJob(id, job, report);
    runsPullRequestCode(events, id, job, report);
  }
  return out;
}
function lintJob(id, job, report) {
  const here = ["jobs", id];
  if (!("permissions" in job))
    report(
      "workflow/job-permissions",
      `job \`${id}\` declares no \`permissions:\`; list the scopes it needs (\`{}\` for none)`,
      here
    );
  else if (!isMap2(job.permissions))
    report(
      "workflow/job-permissions",
      `job \`${id}\`: \`permissions:\` must list scopes, not \`${String(job.permissions)}\``,
      [...here, "permissions"]
    );
  concurrency(job.concurrency, [...here, "concurrency"], report);
  if (typeof job.uses === "string") pinned(job.uses, [...here, "uses"], report);
  const environment = isMap2(job.environment) ? job.environment.name : job.environment;
  const protectedEnv = typeof environment === "string" && environment.trim() !== "";
  if (!protectedEnv && (readsSecrets(job) || job.secrets === "inherit"))
    report(
      "workflow/secret-outside-environment",
      `job \`${id}\` reads a secret but declares no \`environment:\`; secrets are only for a job in a protected environment`,
      [...here, ...job.secrets === "inherit" ? ["secrets"] : []]
    );
  const steps = Array.isArray(job.steps) ? job.steps : [];
  steps.forEach((step, i) => {
    if (!isMap2(step)) return;
    const path = [...here, "steps", i];
    const uses = typeof step.uses === "string" ? step.uses : void 0;
    if (uses !== void 0) pinned(uses, [...path, "uses"], report);
    if (typeof step.run === "string") script(step.run, [...path, "run"], report);
    const action = uses?.split("@")[0]?.toLowerCase();
    const inputs = isMap2(step.with) ? step.with : {};
    if (action === "actions/github-script" && typeof inputs.script === "string")
      script(inputs.script, [...path, "with", "script"], report);
    if (action === "actions/checkout") {
      const persist = inputs["persist-credentials"];
      if (persist !== false && persist !== "false")
        report(
          "workflow/checkout-credentials",
          "actions/checkout leaves the token in .git/config unless `persist-credentials: false`",
          "persist-credentials" in inputs ? [...path, "with", "persist-credentials"] : [...path, "uses"]
        );
    }
  });
}
function triggers(on) {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map((e) => typeof e === "string" ? e : "");
  if (isMap2(on)) return Object.keys(on);
  return [];
}
var FULL_SHA = /^[0-9a-f]{40}$/;
var DIGEST = /@sha256:[0-9a-f]{64}$/;
function pinned(uses, path, report) {
  if (uses.startsWith("./")) return;
  if (uses.startsWith("docker://")) {
    if (!DIGEST.test(uses))
      report(
        "workflow/unpinned-action",
        `\`${uses}\` is not pinned; use an image digest (@sha256:...)`,
        path
      );
    return;
  }
  const ref = uses.includes("@") ? uses.slice(uses.lastIndexOf("@") + 1) : "";
  if (!FULL_SHA.test(ref))
    report(
      "workflow/unpinned-action",
      `\`${uses}\` is not pinned to a full commit SHA; use @<40-hex sha> # <version>`,
      path
    );
}
function untrusted(ref) {
  const [head, second] = ref;
  if (head === "inputs") return true;
  if (head !== "github") return false;
  return second === void 0 || UNTRUSTED_GITHUB.has(second);
}
var UNTRUSTED_GITHUB = /* @__PURE__ */ new Set(["event", "head_ref", "ref", "ref_name"]);
function script(text2, path, report) {
  const seen = /* @__PURE__ */ new Set();
  for (const expression of expressionsIn(text2))
    for (const ref of referencesIn(expression)) {
      const name = ref.join(".");
      if (!untrusted(ref) || seen.has(name)) continue;
      seen.add(name);
      report(
        "workflow/untrusted-input-in-script",
        `\`\${{ ${name} }}\` is expanded into the script before it runs; pass it through \`env:\` and quote it`,
        path
      );
    }
}
function readsSecrets(value) {
  if (typeof value === "string")
    return expressionsIn(value).some(
      (e) => referencesIn(e).some(([head, name]) => head === "secrets" && name !== "github_token")
    );
  if (Array.isArray(value)) return value.some(readsSecrets);
  if (isMap2(value)) return Object.values(value).some(readsSecrets);
  return false;
}
function concurrency(value, path, report) {
  const group = isMap2(value) ? value.group : value;
  if (typeof group !== "string" || !group.trim().toLowerCase().startsWith("rekey")) return;
  if (!isMap2(value) || value["cancel-in-progress"] !== false)
    report(
      "workflow/rekey-concurrency",
      `concurrency group \`${group}\` is rekey's mutating group; say \`cancel-in-progress: false\` explicitly`,
      isMap2(value) && "cancel-in-progress" in value ? [...path, "cancel-in-progress"] : path
    );
  if (!isMap2(value) || value["queue"] !== "max")
    report(
      "workflow/rekey-queue",
      `concurrency group \`${group}\` keeps one pending run without \`queue: max\`: a newer run cancels the pending one, and a dispatched emergency is lost; add \`queue: max\``,
      isMap2(value) && "queue" in value ? [...path, "queue"] : path
    );
}

// src/core/doctor/codeowners.ts
var CODEOWNERS_LOCATIONS = [
  ".github/CODEOWNERS",
  "CODEOWNERS",
  "docs/CODEOWNERS"
];
function codeownersFile(present) {
  return CODEOWNERS_LOCATIONS.find(present);
}
var OWNER = /^(@[A-Za-z0-9](?:[A-Za-z0-9-]*)(?:\/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/;
function tokens(line) {
  const out = [];
  let cur = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\" && i + 1 < line.length) {
      cur += c + line[i + 1];
      i++;
    } else if (c === "#") break;
    else if (c === " " || c === "	") {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}
function parseCodeowners(file, text2) {
  const rules = [];
  const problems = [];
  text2.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const [pattern, ...owners] = tokens(raw);
    if (pattern === void 0) return;
    if (pattern.startsWith("!")) {
      problems.push({
        line,
        message: `\`${pattern}\`: negation (!) is not supported in CODEOWNERS`
      });
      return;
    }
    if (/(^|[^\\])\[/.test(pattern)) {
      problems.push({
        line,
        message: `\`${pattern}\`: character ranges ([...]) are not supported in CODEOWNERS`
      });
      return;
    }
    const bad = owners.filter((o) => !OWNER.test(o));
    if (bad.length > 0) {
      problems.push({
        line,
        message: `\`${pattern}\`: ${bad.map((b) => `\`${b}\``).join(", ")} is not an owner (@user, @org/team or an e-mail address); GitHub skips the line`
      });
      return;
    }
    rules.push({ line, pattern, owners, regex: patternRegex(pattern) });
  });
  return { file, rules, problems };
}
var escape = (c) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
function globBody(glob) {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length) {
      out += escape(glob[++i]);
    } else if (c === "*" && glob[i + 1] === "*") {
      const atStart = i === 0 || glob[i - 1] === "/";
      const atEnd = i + 2 === glob.length || glob[i + 2] === "/";
      if (atStart && glob[i + 2] === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else if (atStart && atEnd) {
        out += ".*";
        i += 1;
      } else {
        out += "[^/]*";
        i += 1;
      }
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += escape(c);
  }
  return out;
}
function patternRegex(pattern) {
  const dirOnly = pattern.endsWith("/") && !pattern.endsWith("\\/");
  let p = dirOnly ? pattern.slice(0, -1) : pattern;
  const anchored = p.startsWith("/") || p.includes("/");
  if (p.startsWith("/")) p = p.slice(1);
  if (p === "") return /^.*$/;
  const shallow = p.endsWith("/*");
  const prefix = anchored || p.startsWith("**/") ? "^" : "^(?:.*/)?";
  const suffix = dirOnly ? "/.*" : shallow ? "" : "(?:/.*)?";
  return new RegExp(`${prefix}${globBody(p)}${suffix}$`);
}
function decidingRule(co, path) {
  for (let i = co.rules.length - 1; i >= 0; i--)
    if (co.rules[i].regex.test(path)) return co.rules[i];
  return void 0;
}

// src/core/doctor/distribute-tokens.ts
var isMap3 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function appStepOf(value, apps) {
  if (typeof value !== "string") return void 0;
  for (const [h, id, o, n] of expressionsIn(value).flatMap(referencesIn))
    if (h === "steps" && id !== void 0 && o === "outputs" && n === "token") {
      const step = apps.get(id);
      if (step) return { id, step };
    }
  return void 0;
}
var blank = (v) => v === void 0 || v === null || String(v).trim() === "";
function checkDistributeTokens(jobId, stepIndex, inputs, apps, at) {
  const where = ["jobs", jobId, "steps", stepIndex];
  const keys = appStepOf(inputs["token"], apps);
  const targets = appStepOf(inputs["targets-token"], apps);
  const out = [];
  if (blank(inputs["targets-token"]) || keys && targets && keys.id === targets.id) {
    out.push(
      finding(
        "doctor/distribute-single-token",
        blank(inputs["targets-token"]) ? "rekey distribute is given one token for the keys repository and every target: it holds contents: write wherever it may write secrets" : `rekey distribute is given the same token (step \`${keys.id}\`) as \`token\` and \`targets-token\``,
        at([...where, "with", blank(inputs["targets-token"]) ? "token" : "targets-token"])
      )
    );
  }
  const reach = targets ?? (blank(inputs["targets-token"]) ? keys : void 0);
  if (reach) {
    const w = reach.step.with;
    const problems = [];
    if (!blank(w["owner"]) && blank(w["repositories"]))
      problems.push(
        "it is minted for every repository of the owner (`owner:` without `repositories:`)"
      );
    if (!Object.keys(w).some((k) => k.startsWith("permission-")))
      problems.push("it has every permission the App holds (no `permission-*` input)");
    if (!blank(w["permission-contents"]))
      problems.push(`it may ${String(w["permission-contents"])} contents`);
    if (problems.length > 0)
      out.push(
        finding(
          "doctor/distribute-token-scope",
          `the token rekey distribute writes targets with (step \`${reach.id}\`): ${problems.join("; ")}`,
          at(["jobs", jobId, "steps", reach.step.index, "with"])
        )
      );
  }
  if (keys && (!targets || keys.id !== targets.id)) {
    const w = keys.step.with;
    if (!blank(w["owner"]) && blank(w["repositories"]) && targets)
      out.push(
        finding(
          "doctor/distribute-token-scope",
          `the keys-repository token (step \`${keys.id}\`) is minted for every repository of the owner; leave \`owner:\` unset (this repository only) or name it in \`repositories:\``,
          at(["jobs", jobId, "steps", keys.step.index, "with"])
        )
      );
  }
  return out;
}
var appTokenInputs = (step) => isMap3(step["with"]) ? step["with"] : {};

// src/core/doctor/id-token.ts
var isMap4 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function keysWithAwsTargets(tree) {
  const ids = [];
  for (const [path, bytes] of tree) {
    const id = parseKeyFilePath(path);
    if (id === void 0) continue;
    const parsed = parseYaml(path, bytes);
    const doc = parsed.diagnostics.length === 0 ? parsed.value : void 0;
    const targets = isMap4(doc) && Array.isArray(doc["targets"]) ? doc["targets"] : [];
    if (targets.some((t) => isMap4(t) && t["kind"] === "aws-secret")) ids.push(id);
  }
  return ids.sort();
}
function idTokenGrant(wf, jobId, job) {
  const [perms, at] = "permissions" in job ? [job["permissions"], ["jobs", jobId, "permissions"]] : [wf["permissions"], ["permissions"]];
  if (perms === "write-all") return at;
  if (isMap4(perms) && perms["id-token"] === "write") return [...at, "id-token"];
  return void 0;
}
function checkIdToken(wf, jobId, job, stepAt, awsKeys, at) {
  const grant = idTokenGrant(wf, jobId, job);
  if (grant !== void 0 && awsKeys.length === 0)
    return [
      finding(
        "doctor/id-token-unused",
        `job \`${jobId}\` grants \`id-token: write\`, but no key has an aws-secret target: every step of the job can mint an OIDC token for this repository, and nothing of rekey's uses it`,
        at(grant)
      )
    ];
  if (grant === void 0 && awsKeys.length > 0) {
    const named = awsKeys.slice(0, 3).join(", ") + (awsKeys.length > 3 ? ", \u2026" : "");
    return [
      finding(
        "doctor/id-token-missing",
        `${awsKeys.length === 1 ? "key" : "keys"} ${named} ${awsKeys.length === 1 ? "has an" : "have"} aws-secret target${awsKeys.length === 1 ? "" : "s"}, but job \`${jobId}\` does not grant \`id-token: write\`: on a GitHub-hosted runner the AWS step has no OIDC token to exchange for the role's credentials`,
        at("permissions" in job ? ["jobs", jobId, "permissions"] : stepAt)
      )
    ];
  }
  return [];
}

// src/core/doctor/mutations-queue.ts
var isMap5 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function checkMutationsQueue(workflow, jobId, job, action, at) {
  const own = isMap5(job["concurrency"]) ? "job" : "workflow";
  const value = own === "job" ? job["concurrency"] : workflow["concurrency"];
  if (!isMap5(value) || value["queue"] === "max") return [];
  const base = own === "job" ? ["jobs", jobId, "concurrency"] : ["concurrency"];
  return [
    finding(
      "doctor/mutations-queue",
      `job \`${jobId}\` runs rekey ${action} in \`rekey-mutations\` without \`queue: max\`: a pending run is cancelled when the next one arrives, and a dispatched emergency (its key and reason) is lost`,
      at("queue" in value ? [...base, "queue"] : base)
    )
  ];
}
function withoutRepeatedQueueFindings(findings) {
  const ours = new Set(
    findings.filter((f) => f.rule === "doctor/mutations-queue").map((f) => f.where)
  );
  return findings.filter((f) => f.rule !== "workflow/rekey-queue" || !ours.has(f.where));
}

// src/core/doctor/local.ts
var MUTATIONS_GROUP = "rekey-mutations";
var REKEY_ACTIONS = [
  "rotate",
  "revoke",
  "distribute",
  "verify",
  "dashboard",
  "audit"
];
var MUTATING = ["rotate", "revoke", "distribute"];
var REQUIRED_ACTIONS = [
  "rotate",
  "verify",
  "distribute",
  "revoke"
];
var ACTION_USES = /^(?:\.\/|[^@\s]+\/)actions\/([a-z]+)(?:@\S*)?$/;
var isMap6 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var text = (b) => new TextDecoder().decode(b);
function checkLocal(tree) {
  const findings = [];
  const scheduled = [];
  const workflows = /* @__PURE__ */ new Map();
  let verifyOnMergeGroup;
  let awsKeys;
  const files = [...tree.keys()].filter((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p)).sort();
  for (const file of files) {
    const parsed = parseYaml(file, tree.get(file));
    for (const d of [...parsed.diagnostics, ...lintWorkflow(file, parsed)]) {
      const fix = WORKFLOW_FIXES[d.rule] ?? "Fix the YAML as the message says (docs/formats.md lists the yaml/* rules).";
      findings.push({ rule: d.rule, severity: "error", message: d.message, fix, ...place(d) });
    }
    if (!isMap6(parsed.value)) continue;
    const wf = parsed.value;
    const at = (path) => ({ ...parsed.locate(path) });
    const on = wf["on"];
    if (isMap6(on) && Array.isArray(on["schedule"])) {
      const crons = on["schedule"].flatMap(
        (s) => isMap6(s) && typeof s["cron"] === "string" ? [s["cron"]] : []
      );
      if (crons.length > 0) scheduled.push({ file, crons });
    }
    const used = /* @__PURE__ */ new Set();
    const jobs = isMap6(wf["jobs"]) ? wf["jobs"] : {};
    for (const [jobId, job] of Object.entries(jobs)) {
      if (!isMap6(job)) continue;
      const steps = Array.isArray(job["steps"]) ? job["steps"] : [];
      const appSteps = /* @__PURE__ */ new Set();
      const apps = /* @__PURE__ */ new Map();
      steps.forEach((step, i) => {
        if (!isMap6(step) || typeof step["uses"] !== "string") return;
        const uses = step["uses"];
        if (/^actions\/create-github-app-token@/i.test(uses) && typeof step["id"] === "string") {
          appSteps.add(step["id"].toLowerCase());
          apps.set(step["id"].toLowerCase(), { index: i, with: appTokenInputs(step) });
        }
        const action = ACTION_USES.exec(uses)?.[1];
        if (!action || !REKEY_ACTIONS.includes(action)) return;
        used.add(action);
        if (!MUTATING.includes(action)) return;
        const where = ["jobs", jobId, "steps", i];
        if (!inMutationsGroup(wf["concurrency"]) && !inMutationsGroup(job["concurrency"]))
          findings.push(
            finding(
              "doctor/concurrency-group",
              `job \`${jobId}\` runs rekey ${action} outside the \`${MUTATIONS_GROUP}\` concurrency group with \`cancel-in-progress: false\``,
              at(
                "concurrency" in job ? ["jobs", jobId, "concurrency"] : "concurrency" in wf ? ["concurrency"] : where
              )
            )
          );
        else findings.push(...checkMutationsQueue(wf, jobId, job, action, at));
        const w = isMap6(step["with"]) ? step["with"] : {};
        if (action === "distribute")
          findings.push(
            ...checkDistributeTokens(jobId, i, w, apps, at),
            ...checkIdToken(wf, jobId, job, where, awsKeys ??= keysWithAwsTargets(tree), at)
          );
        const token = w["token"];
        if (typeof token !== "string") return;
        const kind = tokenSource(token, appSteps);
        if (kind === "github-token")
          findings.push(
            finding(
              "doctor/token-github-token",
              `rekey ${action} is given the workflow's GITHUB_TOKEN: ${action === "distribute" ? "it can never write secrets or deploy keys" : "the pull requests it opens start no workflow runs, so the required verify check never runs by itself"}`,
              at([...where, "with", "token"])
            )
          );
        else if (kind === "secret")
          findings.push(
            finding(
              "doctor/token-not-app",
              `rekey ${action} is given a token from a repository secret (a personal access token?), not one minted by actions/create-github-app-token`,
              at([...where, "with", "token"])
            )
          );
      });
    }
    workflows.set(file, [...used].sort());
    if (used.has("verify"))
      verifyOnMergeGroup = (verifyOnMergeGroup ?? true) && triggersOf(on).includes("merge_group");
  }
  for (const action of REQUIRED_ACTIONS)
    if (![...workflows.values()].some((a) => a.includes(action)))
      findings.push(
        finding(
          "doctor/workflow-missing",
          `no workflow in .github/workflows runs the rekey ${action} action (actions/${action})`,
          { file: `.github/workflows/${action}.yml` }
        )
      );
  findings.push(
    ...checkCodeowners(tree),
    ...checkSopsConfig(tree),
    ...checkDemoRecipient(tree),
    ...checkStatusCreators(tree)
  );
  return {
    findings: withoutRepeatedQueueFindings(findings),
    scheduled,
    workflows,
    verifyOnMergeGroup
  };
}
function triggersOf(on) {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.filter((e) => typeof e === "string");
  return isMap6(on) ? Object.keys(on) : [];
}
function inMutationsGroup(value) {
  if (!isMap6(value)) return false;
  const group = value["group"];
  return typeof group === "string" && group.trim().toLowerCase() === MUTATIONS_GROUP && value["cancel-in-progress"] === false;
}
function tokenSource(value, appSteps) {
  const refs = expressionsIn(value).flatMap(referencesIn);
  if (refs.some(
    ([h, n]) => h === "github" && n === "token" || h === "secrets" && n === "github_token"
  ))
    return "github-token";
  if (refs.some(
    ([h, id, o, n]) => h === "steps" && id !== void 0 && appSteps.has(id) && o === "outputs" && n === "token"
  ))
    return "app";
  if (refs.some(([h]) => h === "secrets")) return "secret";
  return "other";
}
function keyIds(tree) {
  return [...tree.keys()].flatMap((p) => /^keys-manifest\/(.+)\/key\.yaml$/.exec(p)?.slice(1, 2) ?? []).sort();
}
var NEW_KEY = "example-new-key";
var PIPELINE_PATHS = [
  { path: ".github/workflows/distribute.yml", what: ".github/ (workflows, CODEOWNERS)" },
  { path: ".github/CODEOWNERS", what: ".github/CODEOWNERS" },
  { path: "actions/distribute/action.yml", what: "actions/" },
  { path: "dist/distribute.js", what: "dist/ (the bundles the actions run)" },
  { path: "src/actions/distribute.ts", what: "src/" },
  { path: "package.json", what: "package.json" },
  { path: "package-lock.json", what: "package-lock.json" },
  { path: "policies/pipeline.yaml", what: "policies/" }
];
function protectedPaths(tree) {
  const out = [{ path: ".sops.yaml", what: ".sops.yaml" }];
  out.push({
    path: `keys-manifest/${NEW_KEY}/key.yaml`,
    what: "keys-manifest/ (a key added later, e.g. keys-manifest/<id>/key.yaml)"
  });
  for (const id of keyIds(tree))
    for (const f of ["key.yaml", "v1.sops.yaml"]) {
      const path = `keys-manifest/${id}/${f}`;
      out.push({ path, what: path });
    }
  out.push(...PIPELINE_PATHS);
  const prefixes = [".github/", "actions/", "dist/", "src/", "policies/"];
  for (const path of [...tree.keys()].sort())
    if (prefixes.some((p) => path.startsWith(p)) && !out.some((o) => o.path === path))
      out.push({ path, what: path });
  return out;
}
function checkCodeowners(tree) {
  const file = codeownersFile((p) => tree.has(p));
  if (!file)
    return [
      finding(
        "doctor/codeowners-missing",
        "no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): nobody is asked to review changes to keys-manifest/, .sops.yaml, policies/ or the pipeline code",
        { file: ".github/CODEOWNERS" }
      )
    ];
  const co = parseCodeowners(file, text(tree.get(file)));
  const out = co.problems.map(
    (p) => finding("doctor/codeowners-invalid-line", p.message, { file, line: p.line })
  );
  const uncovered = /* @__PURE__ */ new Map();
  for (const { path, what } of protectedPaths(tree)) {
    const rule = decidingRule(co, path);
    if (rule && rule.owners.length > 0) continue;
    const line = rule?.line ?? 0;
    const group = uncovered.get(line) ?? { pattern: rule?.pattern ?? "", what: [] };
    group.what.push(what);
    uncovered.set(line, group);
  }
  for (const [line, { pattern, what }] of [...uncovered].sort((a, b) => a[0] - b[0]))
    out.push(
      finding(
        "doctor/codeowners-uncovered",
        line > 0 ? `${what.join(", ")} ${what.length === 1 ? "has" : "have"} no code owner: line ${line} (\`${pattern}\`) is the last match and names nobody` : `${what.join(", ")} ${what.length === 1 ? "has" : "have"} no code owner: no line of ${file} matches ${what.length === 1 ? "it" : "them"}`,
        { file, ...line > 0 ? { line } : {} }
      )
    );
  return out;
}
function checkSopsConfig(tree) {
  const file = ".sops.yaml";
  const bytes = tree.get(file);
  if (!bytes)
    return [
      finding(
        "doctor/sops-config-missing",
        "no .sops.yaml: rekey has no recipients to encrypt new key material to",
        { file }
      )
    ];
  const parsed = parseYaml(file, bytes);
  if (parsed.value === void 0)
    return parsed.diagnostics.map(
      (d) => finding("doctor/sops-config-invalid", `${d.message} [${d.rule}]`, d)
    );
  const { config, diagnostics } = parseSopsConfig({
    file,
    value: parsed.value,
    locate: parsed.locate
  });
  if (!config)
    return diagnostics.map(
      (d) => finding("doctor/sops-config-invalid", `${d.message} [${d.rule}]`, d)
    );
  const out = [];
  const seen = /* @__PURE__ */ new Set();
  for (const id of [...keyIds(tree), NEW_KEY]) {
    const path = `keys-manifest/${id}/v1.sops.yaml`;
    const rule = findCreationRule(config, path);
    if (!rule) {
      out.push(
        finding("doctor/sops-no-recipients", `no creation rule in .sops.yaml matches ${path}`, {
          file
        })
      );
      continue;
    }
    if (seen.has(rule.index)) continue;
    seen.add(rule.index);
    const empty = rule.keyGroups.every(
      (g) => g.age.length === 0 && g.pgp.length === 0 && g.other.length === 0
    );
    if (empty)
      out.push(
        finding(
          "doctor/sops-no-recipients",
          `creation rule ${rule.index + 1}, which keys-manifest material uses, names no recipient`,
          rule.at
        )
      );
    if (rule.crypt.kind !== "encrypted_regex" || rule.crypt.value !== "^secret$")
      out.push(
        finding(
          "doctor/sops-crypt-rule",
          `creation rule ${rule.index + 1} encrypts by \`${rule.crypt.kind}: ${rule.crypt.value}\`${rule.cryptExplicit ? "" : " (sops's default)"}, not \`encrypted_regex: ^secret$\``,
          rule.at
        )
      );
  }
  return out;
}
var PIPELINE = "policies/pipeline.yaml";
function checkStatusCreators(tree) {
  const bytes = tree.get(PIPELINE);
  const doc = bytes === void 0 ? void 0 : parseYaml(PIPELINE, bytes).value;
  const pinned2 = (field) => isMap6(doc) && Array.isArray(doc[field]) && doc[field].length > 0;
  const out = [];
  if (!pinned2("status-creators"))
    out.push(
      finding(
        "doctor/status-creators-unpinned",
        "any rekey/distribution status counts as distribution evidence, whoever posted it",
        { file: PIPELINE }
      )
    );
  if (!pinned2("pull-authors"))
    out.push(
      finding(
        "doctor/pull-authors-unpinned",
        "a pull request counts as rekey's whoever opened it, and verify cannot tell a rotation by a person from one by the App",
        { file: PIPELINE }
      )
    );
  return out;
}

export {
  finding,
  sortFindings,
  DEMO_RECIPIENT,
  checkLocal,
  checkCodeowners
};
