import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);

// src/sandbox/emulator/permissions.ts
var g = (name, access) => ({ name, access });
var one = (name, access) => [[g(name, access)]];
var either = (a, b, access) => [
  [g(a, access)],
  [g(b, access)]
];
var R = "/repos/{owner}/{repo}";
var WORKFLOW_FILES = {
  name: "workflows",
  access: "write",
  when: "the new commit changes a file under .github/workflows (rekey never writes there)",
  source: "server-to-server-permissions.json lists it as a second permission set",
  inData: true
};
function secretScope(base, sets, note) {
  const entry = (method, route, access) => ({ method, route, anyOf: sets(access), ...note ? { note } : {} });
  return [
    entry("GET", `${base}/public-key`, "read"),
    entry("GET", base, "read"),
    entry("GET", `${base}/{secret_name}`, "read"),
    entry("PUT", `${base}/{secret_name}`, "write"),
    entry("DELETE", `${base}/{secret_name}`, "write")
  ];
}
function orgSecretRoutes(base, perm) {
  const withMetadata = [[g(perm, "write"), g("metadata", "read")]];
  return [
    ...secretScope(base, (a) => one(perm, a)),
    { method: "GET", route: `${base}/{secret_name}/repositories`, anyOf: one(perm, "read") },
    { method: "PUT", route: `${base}/{secret_name}/repositories`, anyOf: one(perm, "write") },
    {
      method: "PUT",
      route: `${base}/{secret_name}/repositories/{repository_id}`,
      anyOf: withMetadata
    },
    {
      method: "DELETE",
      route: `${base}/{secret_name}/repositories/{repository_id}`,
      anyOf: withMetadata
    }
  ];
}
var ROUTE_PERMISSIONS = [
  // Repository
  { method: "GET", route: R, anyOf: one("metadata", "read") },
  { method: "GET", route: `${R}/branches/{branch}`, anyOf: one("contents", "read") },
  { method: "GET", route: `${R}/commits/{ref}`, anyOf: one("contents", "read") },
  { method: "GET", route: `${R}/contents/{path}`, anyOf: one("contents", "read") },
  { method: "GET", route: `${R}/compare/{basehead}`, anyOf: one("contents", "read") },
  { method: "GET", route: `${R}/rules/branches/{branch}`, anyOf: one("metadata", "read") },
  {
    method: "GET",
    route: `${R}/branches/{branch}/protection`,
    anyOf: one("administration", "read")
  },
  // Listed under the Actions permission, not metadata or environments.
  { method: "GET", route: `${R}/environments/{environment_name}`, anyOf: one("actions", "read") },
  // Git data
  { method: "GET", route: `${R}/git/ref/{ref}`, anyOf: one("contents", "read") },
  { method: "GET", route: `${R}/git/matching-refs/{ref}`, anyOf: one("contents", "read") },
  {
    method: "POST",
    route: `${R}/git/refs`,
    anyOf: one("contents", "write"),
    conditional: [WORKFLOW_FILES]
  },
  {
    method: "PATCH",
    route: `${R}/git/refs/{ref}`,
    anyOf: one("contents", "write"),
    conditional: [WORKFLOW_FILES]
  },
  { method: "DELETE", route: `${R}/git/refs/{ref}`, anyOf: one("contents", "write") },
  { method: "GET", route: `${R}/git/trees/{tree_sha}`, anyOf: one("contents", "read") },
  { method: "POST", route: `${R}/git/trees`, anyOf: one("contents", "write") },
  { method: "GET", route: `${R}/git/commits/{commit_sha}`, anyOf: one("contents", "read") },
  { method: "POST", route: `${R}/git/commits`, anyOf: one("contents", "write") },
  { method: "GET", route: `${R}/git/blobs/{file_sha}`, anyOf: one("contents", "read") },
  { method: "POST", route: `${R}/git/blobs`, anyOf: one("contents", "write") },
  // Pull requests
  { method: "POST", route: `${R}/pulls`, anyOf: one("pull_requests", "write") },
  { method: "GET", route: `${R}/pulls`, anyOf: one("pull_requests", "read") },
  {
    method: "GET",
    route: `${R}/pulls/{pull_number}`,
    anyOf: either("pull_requests", "contents", "read")
  },
  { method: "PATCH", route: `${R}/pulls/{pull_number}`, anyOf: one("pull_requests", "write") },
  { method: "GET", route: `${R}/pulls/{pull_number}/files`, anyOf: one("pull_requests", "read") },
  {
    method: "GET",
    route: `${R}/pulls/{pull_number}/commits`,
    anyOf: one("pull_requests", "read")
  },
  {
    method: "GET",
    route: `${R}/commits/{commit_sha}/pulls`,
    anyOf: one("pull_requests", "read")
  },
  // Merging is a contents write, not a pull-request one.
  { method: "PUT", route: `${R}/pulls/{pull_number}/merge`, anyOf: one("contents", "write") },
  {
    method: "POST",
    route: `${R}/pulls/{pull_number}/reviews`,
    anyOf: one("pull_requests", "write")
  },
  {
    method: "GET",
    route: `${R}/pulls/{pull_number}/reviews`,
    anyOf: one("pull_requests", "read")
  },
  {
    method: "POST",
    route: `${R}/pulls/{pull_number}/requested_reviewers`,
    anyOf: one("pull_requests", "write"),
    conditional: [
      {
        name: "members",
        access: "read",
        when: "team_reviewers is not empty (organization permission)",
        source: 'not in the data: github/docs#35057, peter-evans/create-pull-request#986 (422 "Could not resolve to a node with the global id")',
        inData: false
      }
    ]
  },
  {
    method: "GET",
    route: `${R}/pulls/{pull_number}/requested_reviewers`,
    anyOf: one("pull_requests", "read")
  },
  // Issues and labels (pull requests are issues: most issue routes also open to pull_requests)
  { method: "POST", route: `${R}/issues`, anyOf: one("issues", "write") },
  { method: "GET", route: `${R}/issues`, anyOf: one("issues", "read") },
  { method: "GET", route: `${R}/issues/{issue_number}`, anyOf: one("issues", "read") },
  {
    method: "PATCH",
    route: `${R}/issues/{issue_number}`,
    anyOf: either("issues", "pull_requests", "write")
  },
  {
    method: "POST",
    route: `${R}/issues/{issue_number}/comments`,
    anyOf: either("issues", "pull_requests", "write")
  },
  {
    method: "GET",
    route: `${R}/issues/{issue_number}/comments`,
    anyOf: either("issues", "pull_requests", "read")
  },
  {
    method: "GET",
    route: `${R}/issues/{issue_number}/labels`,
    anyOf: either("issues", "pull_requests", "read")
  },
  {
    method: "POST",
    route: `${R}/issues/{issue_number}/labels`,
    anyOf: either("issues", "pull_requests", "write")
  },
  {
    method: "PUT",
    route: `${R}/issues/{issue_number}/labels`,
    anyOf: either("issues", "pull_requests", "write")
  },
  {
    method: "DELETE",
    route: `${R}/issues/{issue_number}/labels/{name}`,
    anyOf: either("issues", "pull_requests", "write")
  },
  { method: "POST", route: `${R}/labels`, anyOf: either("issues", "pull_requests", "write") },
  { method: "GET", route: `${R}/labels`, anyOf: either("issues", "pull_requests", "read") },
  {
    method: "GET",
    route: `${R}/labels/{name}`,
    anyOf: either("issues", "pull_requests", "read")
  },
  // Commit statuses
  { method: "POST", route: `${R}/statuses/{sha}`, anyOf: one("statuses", "write") },
  { method: "GET", route: `${R}/commits/{ref}/statuses`, anyOf: one("statuses", "read") },
  { method: "GET", route: `${R}/commits/{ref}/status`, anyOf: one("statuses", "read") },
  // Secrets
  ...secretScope(`${R}/actions/secrets`, (a) => one("secrets", a)),
  ...secretScope(
    `${R}/environments/{environment_name}/secrets`,
    (a) => [[g("environments", a), g("secrets", a)]],
    "The data lists these under both `environments` and `secrets` (additional-permissions), which reads either as one set of both or as two alternatives; the emulator requires both, the reading under which a token with both works either way."
  ),
  ...secretScope(`${R}/dependabot/secrets`, (a) => one("dependabot_secrets", a)),
  ...orgSecretRoutes("/orgs/{org}/actions/secrets", "organization_secrets"),
  ...orgSecretRoutes("/orgs/{org}/dependabot/secrets", "organization_dependabot_secrets"),
  // Reviewers (doctor): both listed in the data with `additional-permissions: false`.
  {
    method: "GET",
    route: `${R}/collaborators/{username}/permission`,
    anyOf: one("metadata", "read")
  },
  { method: "GET", route: "/orgs/{org}/teams", anyOf: one("members", "read") },
  // Deploy keys
  { method: "GET", route: `${R}/keys`, anyOf: one("administration", "read") },
  { method: "POST", route: `${R}/keys`, anyOf: one("administration", "write") },
  { method: "GET", route: `${R}/keys/{key_id}`, anyOf: one("administration", "read") },
  { method: "DELETE", route: `${R}/keys/{key_id}`, anyOf: one("administration", "write") },
  // Actions workflows (doctor)
  { method: "GET", route: `${R}/actions/workflows`, anyOf: one("actions", "read") },
  { method: "GET", route: `${R}/actions/workflows/{workflow_id}`, anyOf: one("actions", "read") },
  {
    method: "GET",
    route: `${R}/actions/workflows/{workflow_id}/runs`,
    anyOf: one("actions", "read")
  }
];
var byKey = new Map(ROUTE_PERMISSIONS.map((p) => [`${p.method} ${p.route}`, p]));
function permissionFor(method, route) {
  const entry = byKey.get(`${method.toUpperCase()} ${route}`);
  if (!entry)
    throw new Error(
      `${method} ${route} has no entry in src/sandbox/emulator/permissions.ts: add GitHub's permission for it (see server-to-server-permissions.json)`
    );
  return entry;
}
function acceptedHeader(entry) {
  return entry.anyOf.map((set) => set.map((x) => `${x.name}=${x.access}`).join(",")).join("; ");
}
function grantsFor(operations, withConditional = () => false) {
  const rank = { read: 1, write: 2, admin: 3 };
  const out = {};
  const add = (x) => {
    const had = out[x.name];
    if (x.name !== "metadata" && (!had || rank[had] < rank[x.access])) out[x.name] = x.access;
  };
  for (const op of operations) {
    const [method = "", route = ""] = op.split(" ");
    const entry = permissionFor(method, route);
    for (const x of entry.anyOf[0] ?? []) add(x);
    for (const c of entry.conditional ?? []) if (withConditional(c)) add(c);
  }
  return out;
}

export {
  permissionFor,
  acceptedHeader,
  grantsFor
};
