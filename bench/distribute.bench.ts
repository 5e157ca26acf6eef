// Distribution benchmark (issue #5): N repository secrets across 50 repositories of the GitHub
// emulator, every REST call delayed by 50 ms. The latency is added on the client side by a
// wrapping `fetch` handed to the rekey GitHub client (the emulator itself answers at once,
// in this process). Each run goes through the `distribute` command as the action calls it:
// lease and receipts on the manifest repository's refs/rekey/distribution, preflight, apply,
// status; a fresh emulator per run, so every secret is written (no receipts yet).
//
// The first run (no receipts) is followed by a no-op run on the same commit and by a rotation
// run (every key rotated to v2, distributed on top of the first run's receipts: the steady
// state). The calls-per-secret target (<= 1.1) is the rotation run's figure; the first run's
// is printed beside it with its floor, 1 + 1/k + own/N (a PUT per secret, a public key per
// scope of k secrets, the run's own calls over N secrets).
//
// Checks, and fails loudly (exit 1) when they do not hold:
//   - exactly one public-key GET per repository and one secret PUT per secret;
//   - every secret opens, with the emulator's private key, to the manifest's material (v1
//     after the first run, v2 after the rotation run);
//   - the no-op run writes nothing and the rotation run writes every secret once.
// Reports wall time with write spacing off (target < 10 s for 500 secrets) and with the
// client's DEFAULT spacing against its floor of one second per secret write (target
// overhead < 10 %). The default-spacing run at 500 writes takes over eight minutes, so
// `npm run bench` runs it at 50 writes and says so; `--full` runs it at 500.
//
// Without spacing it runs at concurrency 4 (the action's default) and 16; with the default
// spacing at 4, as a workflow run does (writes are serialized by the spacing anyway).
//
// Run: node bench/distribute.bench.ts [--full | --quick] [--concurrency N] [--secrets N]
//      npm run bench -- distribute --full
import { figure } from './figures.ts';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { createGitHubClient, type GitHubClient } from '../src/adapters/github/client.ts';
import { createGitHubPorts } from '../src/adapters/github/index.ts';
import { createStateRefAdapter } from '../src/adapters/github/refs.ts';
import { createTargetPorts } from '../src/adapters/targets/index.ts';
import { distribute } from '../src/commands/distribute/index.ts';
import { prepareRotation } from '../src/commands/changes.ts';
import { prepareNewKey } from '../src/commands/new-key.ts';
import { loadSnapshot } from '../src/core/load-snapshot.ts';
import { parseSopsConfig } from '../src/core/sops-config.ts';
import { BuiltinSopsCodec } from '../src/crypto/sops/index.ts';
import { type Emulator, startEmulator } from '../src/sandbox/emulator/index.ts';

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    secrets: { type: 'string', default: '500' },
    latency: { type: 'string', default: '50' },
  },
});
const QUICK = args.quick || process.env.REKEY_BENCH_QUICK === '1';
const REPOS = 50;
const PER_KEY = 10; // each key goes to 10 repositories
const LATENCY_MS = Number(args.latency);
/** The action's default (4) for the spaced run, as production runs; 4 and 16 without spacing. */
const OFF_CONCURRENCY = args.concurrency ? [Number(args.concurrency)] : QUICK ? [4] : [4, 16];
const SPACED_CONCURRENCY = args.concurrency ? Number(args.concurrency) : 4;
const SECRETS = Number(args.secrets);
const SPACED_SECRETS = args.full ? SECRETS : 50;
const OWNER = 'acme';
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const codec = new BuiltinSopsCodec({ identities: [identity] });
const SOPS_YAML = `creation_rules:\n  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$\n    encrypted_regex: ^secret$\n    age: ${recipient}\n`;
const sopsConfig = parseSopsConfig('.sops.yaml', YAML.parse(SOPS_YAML)).config!;
const POLICY =
  "name: standard\ncryptoperiod: 90d\nrotate-before: 14d\ngrace: 7d\napprovals: 1\nreviewers: ['@acme/security']\n";

const repoName = (r: number) => `${OWNER}/svc-${String(r).padStart(2, '0')}`;

/**
 * A manifest of `secrets / 10` random keys, key k going to the 10 repositories from
 * (10 k mod 50), each as repository secret KEY_<k>: 500 secrets are 10 per repository.
 */
async function manifest(secrets: number): Promise<Map<string, Uint8Array>> {
  const tree = new Map<string, Uint8Array>([
    ['.sops.yaml', enc(SOPS_YAML)],
    ['policies/standard.yaml', enc(POLICY)],
    ['policies/pipeline.yaml', enc('default-branch: main\n')],
  ]);
  for (let k = 0; k < secrets / PER_KEY; k++) {
    const change = await prepareNewKey(
      tree,
      {
        id: `bench/key-${k}`,
        type: 'random',
        policy: 'standard',
        owner: '@acme/team',
        description: `bench key ${k}`,
        options: { bytes: 32, encoding: 'base64' },
        targets: Array.from({ length: PER_KEY }, (_, j) => ({
          kind: 'github-secret' as const,
          repository: repoName((k * PER_KEY + j) % REPOS),
          app: 'actions' as const,
          name: `KEY_${k}`,
        })),
      },
      { now: new Date('2026-11-01T08:00:00Z'), sopsConfig },
      { codec },
    );
    for (const f of change.files)
      if (f.content === null) tree.delete(f.path);
      else tree.set(f.path, f.content);
  }
  return tree;
}

/**
 * Every key of `tree` rotated (v2 active, v1 deactivated) and pushed to the manifest
 * repository's main: the steady state, a rotation distributed on top of the first run's
 * receipts.
 */
async function rotateAll(
  emu: Emulator,
  tree: Map<string, Uint8Array>,
): Promise<{ tree: Map<string, Uint8Array>; commit: string }> {
  const next = new Map(tree);
  const changed: Record<string, Uint8Array | null> = {};
  const { snapshot } = loadSnapshot(tree);
  for (const id of [...snapshot.keys.keys()].sort()) {
    const change = await prepareRotation(
      next,
      id,
      { now: new Date('2026-11-20T08:00:00Z'), sopsConfig, prepublish: false },
      { codec },
    );
    for (const f of change.files) {
      changed[f.path] = f.content;
      if (f.content === null) next.delete(f.path);
      else next.set(f.path, f.content);
    }
  }
  const commit = await emu.commitFiles(`${OWNER}/keys`, 'main', changed, 'rekey: rotate all\n');
  return { tree: next, commit };
}

/** The emulator with the manifest repository and the 50 target repositories. */
async function bed(
  tree: Map<string, Uint8Array>,
): Promise<{ emu: Emulator; token: string; commit: string }> {
  const emu = await startEmulator();
  for (let r = 0; r < REPOS; r++) await emu.addRepo({ fullName: repoName(r), files: {} });
  await emu.addRepo({ fullName: `${OWNER}/keys`, files: Object.fromEntries(tree) });
  const token = emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: { contents: 'write', statuses: 'write', issues: 'write', secrets: 'write' },
  });
  const head = await createGitHubPorts(client(emu, token, false), {
    owner: OWNER,
    repo: 'keys',
  }).git.getBranchHead('main');
  if (!head) throw new Error('the manifest repository has no main branch');
  return { emu, token, commit: head.commit };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Node's fetch, every call LATENCY_MS later: the "50 ms added latency per call". */
const slowFetch: typeof fetch = async (input, init) => {
  await sleep(LATENCY_MS);
  return fetch(input, init);
};

function client(emu: Emulator, token: string, spacing: boolean): GitHubClient {
  return createGitHubClient({
    token,
    apiUrl: emu.apiUrl,
    serverUrl: emu.serverUrl,
    fetch: slowFetch,
    // Spacing on: the client's defaults, exactly what an action run gets.
    throttle: spacing ? { enabled: true } : { enabled: false },
  });
}

/**
 * One run of the distribute command (lease, preflight, apply, receipts, status, issues) on
 * the manifest repository `acme/keys`, as the action calls it.
 */
async function distributeViaCommand(
  emu: Emulator,
  c: GitHubClient,
  commit: string,
  tree: Map<string, Uint8Array>,
  outputDir: string,
  concurrency: number,
): Promise<{ failed: number; outcome: string }> {
  const manifestRepo = { owner: OWNER, repo: 'keys' };
  const github = createGitHubPorts(c, manifestRepo);
  const result = await distribute(
    {
      commit,
      tree,
      defaultBranch: 'main',
      holder: 'bench',
      now: () => new Date(),
      concurrency,
      mask: () => {},
    },
    {
      git: github.git,
      statuses: github.statuses,
      issues: github.issues,
      state: createStateRefAdapter(c, manifestRepo),
      targets: createTargetPorts(c, outputDir),
      sops: codec,
    },
  );
  void emu;
  return {
    failed: result.keys.filter((k) => k.outcome !== 'converged').length,
    outcome: result.outcome,
  };
}

interface Run {
  secrets: number;
  concurrency: number;
  spacing: boolean;
  wallMs: number;
  calls: Map<string, number>;
  /** REST calls of a second run on the same commit (nothing to do), when measured. */
  noop?: { calls: Map<string, number>; wallMs: number };
  /** REST calls of a rotation run (every key at v2) after those two, when measured. */
  rotation?: { calls: Map<string, number>; wallMs: number; cpuMs: number };
  cpuMs: number;
  problems: string[];
}

const byRoute = (emu: Emulator): Map<string, number> => {
  const calls = new Map<string, number>();
  for (const r of emu.requestLog) {
    const op = r.operation ?? `${r.method} ${r.path}`;
    calls.set(op, (calls.get(op) ?? 0) + 1);
  }
  return calls;
};
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
/** CPU milliseconds (user + system) of this process since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** How many secrets do not open, with the emulator's key, to version `version`'s material. */
async function wrongSecrets(
  emu: Emulator,
  tree: Map<string, Uint8Array>,
  version: number,
): Promise<number> {
  // Compared here, never printed.
  const { snapshot } = loadSnapshot(tree);
  let wrong = 0;
  for (const { value: key } of snapshot.keys.values()) {
    const path = `keys-manifest/${key.id}/v${version}.sops.yaml`;
    const plain = YAML.parse(dec(await codec.decrypt(path, tree.get(path)!))) as {
      secret: string;
    };
    for (const t of key.targets)
      if (t.kind === 'github-secret' && t.repository)
        if (emu.openSecret({ repository: t.repository }, t.name) !== plain.secret) wrong++;
  }
  return wrong;
}

async function run(
  secrets: number,
  spacing: boolean,
  concurrency: number,
  noop = false,
): Promise<Run> {
  const tree = await manifest(secrets);
  const { emu, token, commit } = await bed(tree);
  const out = mkdtempSync(join(tmpdir(), 'rekey-bench-files-'));
  try {
    emu.clearLog();
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    const c = client(emu, token, spacing);
    const result = await distributeViaCommand(emu, c, commit, tree, out, concurrency);
    const wallMs = performance.now() - t0;
    const cpuMs = cpuSince(u0);

    const calls = byRoute(emu);
    const problems: string[] = [];
    if (result.outcome !== 'converged') problems.push(`outcome ${result.outcome}, want converged`);
    if (result.failed > 0) problems.push(`${result.failed} key(s) did not converge`);
    const repos = Math.min(REPOS, secrets);
    const want = [
      ['GET /repos/{owner}/{repo}/actions/secrets/public-key', repos],
      ['PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', secrets],
    ] as const;
    for (const [op, n] of want)
      if (calls.get(op) !== n) problems.push(`${op}: ${calls.get(op) ?? 0} calls, want ${n}`);
    // The lease's first read of refs/rekey/distribution answers 404 (no state yet): expected.
    const statuses = emu.requestLog.filter(
      (r) => r.status >= 400 && !(r.status === 404 && r.operation?.endsWith('/git/ref/{ref}')),
    ).length;
    if (statuses > 0) problems.push(`${statuses} request(s) answered with an error status`);

    const wrong = await wrongSecrets(emu, tree, 1);
    if (wrong > 0) problems.push(`${wrong} secret(s) do not open to the manifest's material`);
    if (!noop) return { secrets, concurrency, spacing, wallMs, cpuMs, calls, problems };

    // The same commit again: every receipt proves its secret, nothing is written.
    emu.clearLog();
    const t1 = performance.now();
    const again = await distributeViaCommand(emu, c, commit, tree, out, concurrency);
    const noopMs = performance.now() - t1;
    const noopCalls = byRoute(emu);
    if (again.outcome !== 'converged') problems.push(`no-op run: outcome ${again.outcome}`);
    const puts = noopCalls.get('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}') ?? 0;
    if (puts > 0) problems.push(`no-op run: ${puts} secret PUT(s), want none`);
    const writes = [...noopCalls].filter(([op]) => !op.startsWith('GET ')).length;
    if (writes > 0) problems.push(`no-op run: ${writes} route(s) written to, want none`);

    // The steady state: every key rotated, distributed on top of those receipts.
    const rotated = await rotateAll(emu, tree);
    emu.clearLog();
    const t2 = performance.now();
    const u2 = process.cpuUsage();
    const rot = await distributeViaCommand(emu, c, rotated.commit, rotated.tree, out, concurrency);
    const rotationMs = performance.now() - t2;
    const rotationCpu = cpuSince(u2);
    const rotationCalls = byRoute(emu);
    if (rot.outcome !== 'converged') problems.push(`rotation run: outcome ${rot.outcome}`);
    const rotPuts = rotationCalls.get('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}');
    if (rotPuts !== secrets) problems.push(`rotation run: ${rotPuts ?? 0} PUTs, want ${secrets}`);
    const wrongV2 = await wrongSecrets(emu, rotated.tree, 2);
    if (wrongV2 > 0) problems.push(`rotation run: ${wrongV2} secret(s) do not open to v2`);
    return {
      secrets,
      concurrency,
      spacing,
      wallMs,
      cpuMs,
      calls,
      noop: { calls: noopCalls, wallMs: noopMs },
      rotation: { calls: rotationCalls, wallMs: rotationMs, cpuMs: rotationCpu },
      problems,
    };
  } finally {
    await emu.close();
    rmSync(out, { recursive: true, force: true });
  }
}

function report(r: Run): void {
  const writes = [...r.calls]
    .filter(([op]) => !op.startsWith('GET '))
    .reduce((n, [, c]) => n + c, 0);
  const total = sum(r.calls);
  console.log(
    `\n${r.secrets} secrets, ${Math.min(REPOS, r.secrets)} repositories, ${LATENCY_MS} ms per call, ` +
      `concurrency ${r.concurrency}, write spacing ${r.spacing ? 'DEFAULT (client defaults)' : 'off'}`,
  );
  console.log(`  REST calls by route (${total} in all, ${writes} mutating):`);
  for (const [op, n] of [...r.calls].sort((a, b) => b[1] - a[1]))
    console.log(`    ${String(n).padStart(5)}  ${op}`);
  const s = r.wallMs / 1000;
  console.log(`  wall ${s.toFixed(2)} s, ${(r.wallMs / r.secrets).toFixed(1)} ms per secret`);
  if (r.spacing) {
    // The floor GitHub's guidance sets: one second per secret write. The run also makes a few
    // mutating calls of its own (lease, receipts, status), each spaced the same way.
    const floor = r.secrets;
    const overhead = (s - floor) / floor;
    const fixed = writes - r.secrets;
    console.log(
      `  floor ${floor} s (1 s per secret write): overhead ${(overhead * 100).toFixed(1)} %` +
        (r.secrets >= 500
          ? ` (target < 10 %: ${overhead < 0.1 ? 'met' : 'MISSED'})`
          : ` (the target is for 500 writes: --full)`),
    );
    console.log(
      `  of which ${fixed} s are the run's own ${fixed} mutating calls (lease, receipts, status); ` +
        `against all ${writes} mutating calls the overhead is ${(((s - writes) / writes) * 100).toFixed(1)} %`,
    );
  } else console.log(`  target < 10 s: ${s < 10 ? 'met' : 'MISSED'}`);
  const perSecret = total / r.secrets;
  const scopes = Math.min(REPOS, r.secrets);
  const k = r.secrets / scopes;
  const parts = (calls: Map<string, number>) => {
    const keys = calls.get('GET /repos/{owner}/{repo}/actions/secrets/public-key') ?? 0;
    const lists = calls.get('GET /repos/{owner}/{repo}/actions/secrets') ?? 0;
    const puts = calls.get('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}') ?? 0;
    return { keys, lists, puts, own: sum(calls) - keys - lists - puts };
  };
  const first = parts(r.calls);
  // The floor of a first run: 1 PUT per secret, 1 public key per scope, the run's own calls.
  const floor = (own: number) => 1 + 1 / k + own / r.secrets;
  console.log(
    `  ${perSecret.toFixed(3)} REST calls per secret written (first run: ${first.puts} PUTs, ` +
      `${first.keys} public keys, ${first.lists} lists, ${first.own} of the run's own); ` +
      `its floor 1 + 1/k + own/N = ${floor(first.own).toFixed(3)} (k = ${k} secrets per scope)`,
  );
  console.log(`  cpu ${(r.cpuMs / 1000).toFixed(2)} s (this process: client, emulator, crypto)`);
  if (!r.spacing) {
    // Per secret written: 1 PUT; per scope: its public key and its list after the writes.
    const at = (kk: number) => (1 + 2 / kk + first.own / 10_000).toFixed(2);
    console.log(
      `  model: 1 + 2/k + ${first.own}/N calls per secret (k secrets per scope, N secrets): ` +
        `10,000 secrets at k = 10 ${at(10)}, 20 ${at(20)}, 30 ${at(30)}, 50 ${at(50)}`,
    );
  }
  if (r.noop) {
    const n = sum(r.noop.calls);
    console.log(
      `  no-op run on the same commit: ${n} REST calls (${(n / scopes).toFixed(2)} per scope), ` +
        `${(r.noop.wallMs / 1000).toFixed(2)} s; by route:`,
    );
    for (const [op, c] of [...r.noop.calls].sort((a, b) => b[1] - a[1]))
      console.log(`    ${String(c).padStart(5)}  ${op}`);
  }
  const rot = r.rotation === undefined ? undefined : parts(r.rotation.calls);
  const rotPer = r.rotation === undefined ? undefined : sum(r.rotation.calls) / r.secrets;
  if (r.rotation && rot && rotPer !== undefined) {
    console.log(
      `  rotation run (every key v2, on the first run's receipts): ${sum(r.rotation.calls)} REST ` +
        `calls, ${rotPer.toFixed(3)} per secret (${rot.puts} PUTs, ${rot.keys} public keys, ` +
        `${rot.lists} lists, ${rot.own} of the run's own; floor 1 + 1/k + own/N = ` +
        `${floor(rot.own).toFixed(3)}), wall ${(r.rotation.wallMs / 1000).toFixed(2)} s, ` +
        `cpu ${(r.rotation.cpuMs / 1000).toFixed(2)} s; by route:`,
    );
    for (const [op, c] of [...r.rotation.calls].sort((a, b) => b[1] - a[1]))
      console.log(`    ${String(c).padStart(5)}  ${op}`);
  }
  for (const p of r.problems) console.log(`  FAIL: ${p}`);
  const label = `distribute: ${r.secrets} secrets, concurrency ${r.concurrency}${r.spacing ? ', default spacing' : ''}`;
  if (rot && rotPer !== undefined)
    figure({
      name: `${label}, rotation run, REST calls per secret written`,
      value: rotPer,
      unit: 'calls/secret',
      target: { op: '<=', value: 1.1 },
      note: `${k} per scope; floor 1 + 1/k + own/N = ${floor(rot.own).toFixed(3)} (1 public key per scope)`,
    });
  figure({
    name: `${label}, first run, REST calls per secret written`,
    value: perSecret,
    unit: 'calls/secret',
    note: `${k} per scope, no receipts yet; floor 1 + 1/k + own/N = ${floor(first.own).toFixed(3)}`,
  });
  if (r.noop) {
    figure({
      name: `distribute: no-op run, ${r.secrets} secrets in ${scopes} repositories, REST calls`,
      value: sum(r.noop.calls),
      unit: 'calls',
      target: { op: '<=', value: 60 },
    });
  }
  if (rotPer !== undefined) {
    // An App installation's budget is 5,000 REST calls an hour; at this cost per secret a run
    // writing 10,000 secrets needs this many hours of it (the target: 1.1 calls/secret).
    figure({
      name: `distribute: hours of an App's budget (5,000/h) for 10,000 secrets written`,
      value: (rotPer * 10_000) / 5_000,
      unit: 'h',
      target: { op: '<=', value: (1.1 * 10_000) / 5_000 },
      note: `at the rotation run's ${rotPer.toFixed(3)} calls/secret`,
    });
  }
  if (!r.spacing)
    figure({ name: `${label}, wall`, value: s, unit: 's', target: { op: '<', value: 10 } });
}

console.log(
  `distribute: the distribute command (lease, preflight, apply, receipts, status), ` +
    `latency added by a wrapping fetch on the client.`,
);
console.log(
  args.full
    ? `--full: the default-spacing run writes ${SPACED_SECRETS} secrets (about ${SPACED_SECRETS} s).`
    : `Default-spacing run at ${SPACED_SECRETS} writes (pass --full for ${SECRETS}: about ${SECRETS} s).`,
);
const runs: Run[] = [];
for (const [i, c] of OFF_CONCURRENCY.entries()) runs.push(await run(SECRETS, false, c, i === 0));
// --quick: no spaced run (about a second per write by design).
if (!QUICK) runs.push(await run(SPACED_SECRETS, true, SPACED_CONCURRENCY));
runs.forEach(report);
console.log(`\npeak RSS ${process.resourceUsage().maxRSS} KiB`);
const failures = runs.flatMap((r) => r.problems);
if (failures.length > 0) {
  console.error(`\nFAILED: ${failures.length} check(s) did not hold (see FAIL lines above)`);
  process.exit(1);
}
