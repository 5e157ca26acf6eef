// A repository set up the way DESIGN.md asks (`goodRepo`), and the ways to break it, shared by
// the core doctor tests and the doctor command tests against the emulator.
const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
const APP_TOKEN =
  'actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3 # v3.1.1';

/** A mutating workflow: schedule (or push), the shared group, an App token, an environment. */
export function mutating(
  action: string,
  trigger: string,
  token = '${{ steps.app.outputs.token }}',
): string {
  return `name: rekey ${action}
'on':
${trigger}
  workflow_dispatch:
permissions: {}
concurrency:
  group: rekey-mutations
  cancel-in-progress: false
  queue: max
jobs:
  ${action}:
    runs-on: ubuntu-24.04
    environment: rekey
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - id: app
        uses: ${APP_TOKEN}
        with:
          client-id: \${{ vars.REKEY_APP_CLIENT_ID }}
          private-key: \${{ secrets.REKEY_APP_PRIVATE_KEY }}
      - uses: ./actions/${action}
        with:
          token: ${token}
`;
}

/** verify.yml as the template has it: the base's code runs, the change is read as data. */
export const VERIFY = `name: rekey verify
'on':
  pull_request:
  merge_group:
permissions: {}
jobs:
  verify:
    name: rekey verify
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        with:
          ref: \${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}
          persist-credentials: false
      - uses: ${CHECKOUT}
        with:
          path: .rekey-pull-request
          fetch-depth: 0
          persist-credentials: false
      - uses: ./actions/verify
        with:
          token: \${{ github.token }}
          pull-request-path: .rekey-pull-request
`;

/** verify.yml as it was before: the merge ref at the root, so the change's dist/ runs. */
export const VERIFY_RUNS_PULL_REQUEST_CODE = `name: rekey verify
'on':
  pull_request:
permissions: {}
jobs:
  verify:
    name: rekey verify
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: ./actions/verify
        with:
          token: \${{ github.token }}
`;

/** distribute.yml with the keys-repository token and the targets token, as the template. */
export const DISTRIBUTE = `name: rekey distribute
'on':
  push:
    branches: [main]
  workflow_dispatch:
permissions: {}
concurrency:
  group: rekey-mutations
  cancel-in-progress: false
  queue: max
jobs:
  distribute:
    runs-on: ubuntu-24.04
    environment: rekey
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - id: targets
        run: echo "repositories=$(node bin/rekey.js targets --repositories --repository "$GITHUB_REPOSITORY")" >> "$GITHUB_OUTPUT"
      - id: app
        uses: ${APP_TOKEN}
        with:
          client-id: \${{ vars.REKEY_APP_CLIENT_ID }}
          private-key: \${{ secrets.REKEY_APP_PRIVATE_KEY }}
          permission-contents: write
          permission-statuses: write
          permission-issues: write
      - id: targets-app
        uses: ${APP_TOKEN}
        with:
          client-id: \${{ vars.REKEY_APP_CLIENT_ID }}
          private-key: \${{ secrets.REKEY_APP_PRIVATE_KEY }}
          owner: \${{ github.repository_owner }}
          repositories: \${{ steps.targets.outputs.repositories }}
          permission-secrets: write
      - uses: ./actions/distribute
        with:
          token: \${{ steps.app.outputs.token }}
          targets-token: \${{ steps.targets-app.outputs.token }}
`;

export const SCHEDULE = (cron: string) => `  schedule:\n    - cron: '${cron}'`;

export const SOPS = `creation_rules:
  - path_regex: ^keys-manifest/.*\\.sops\\.yaml$
    encrypted_regex: ^secret$
    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
`;

export const CODEOWNERS = `# rekey: every change to key material and recipients needs the security team
* @acme/platform
/keys-manifest/ @acme/security
/.sops.yaml @acme/security
/policies/ @acme/security
/.github/ @acme/security
/actions/ @acme/security
/dist/ @acme/security
/src/ @acme/security
/package.json @acme/security
/package-lock.json @acme/security
`;

export const KEY = `id: payments/webhook
description: Signs webhooks
owner: "@acme/payments"
policy: standard
type: random
options: { bytes: 32, encoding: base64 }
targets: []
versions: []
`;

/** The files of a well set-up repository. */
export function goodRepo(): Record<string, string> {
  return {
    'README.md': '# infra\n',
    '.github/workflows/rotate.yml': mutating('rotate', SCHEDULE('17 6 * * *')),
    '.github/workflows/revoke.yml': mutating('revoke', SCHEDULE('37 7 * * *')),
    '.github/workflows/distribute.yml': DISTRIBUTE,
    '.github/workflows/verify.yml': VERIFY,
    '.github/CODEOWNERS': CODEOWNERS,
    '.sops.yaml': SOPS,
    'keys-manifest/payments/webhook/key.yaml': KEY,
    'policies/pipeline.yaml':
      "default-branch: main\nstatus-creators: ['acme-rekey[bot]']\npull-authors: ['acme-rekey[bot]']\n",
  };
}

export const tree = (files: Record<string, string>): ReadonlyMap<string, Uint8Array> =>
  new Map(Object.entries(files).map(([p, t]) => [p, new TextEncoder().encode(t)]));
