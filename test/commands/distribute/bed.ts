// Test bed for the distribute command: the GitHub emulator (OpenAPI validated) on a virtual
// clock, a manifest repository acme/keys whose keys are made with the real generators and
// SOPS codec, target repositories (acme/api with a `production` environment, acme/web,
// acme/deploy) in the organization acme, a file output folder, and per-run ports. Every
// generated secret is registered with the canary and remembered by fingerprint, so tests can
// open what was sealed and compare it with the manifest's material.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createGitHubPorts, createStateRefAdapter } from '../../../src/adapters/github/index.ts';
import { createTargetPorts } from '../../../src/adapters/targets/index.ts';
import {
  prepareEmergency,
  prepareRevocation,
  prepareRotation,
  type PreparedChange,
} from '../../../src/commands/changes.ts';
import type { StateRefPort } from '../../../src/core/ports/github.ts';
import type { DistributeInput, DistributePorts } from '../../../src/commands/distribute/types.ts';
import { prepareNewKey, type NewKeyInput } from '../../../src/commands/new-key.ts';
import {
  keyDocument,
  keyFile,
  loadDocument,
  type KeyDocument,
} from '../../../src/core/formats/index.ts';
import type { SopsCodec } from '../../../src/core/ports/sops.ts';
import type { TargetPorts } from '../../../src/core/ports/targets.ts';
import { generateKey, type GeneratedKey } from '../../../src/crypto/keys/index.ts';
import { type Emulator, startEmulator } from '../../../src/sandbox/emulator/index.ts';
import {
  activeSince,
  DEFAULT_MAX_STATUS_CALLS,
  readDistributionEvidence,
} from '../../../src/commands/distribution-evidence.ts';
import type { GateVerdict } from '../../../src/core/lifecycle/change.ts';
import { gateEvidence, revocationGate } from '../../../src/core/lifecycle/revocation-gate.ts';
import { loadSnapshot } from '../../../src/core/load-snapshot.ts';
import type { Issue } from '../../../src/sandbox/emulator/state.ts';
import { canary } from '../../support/canary.ts';
import { openApiValidator } from '../../support/openapi.ts';
import {
  checkoutOf,
  codec,
  gitAsync,
  POLICY,
  SOPS_YAML,
  sopsConfig,
  type Checkout,
} from '../rotate-bed.ts';

export const REPO = 'acme/keys';
export const T0 = new Date('2026-06-01T08:00:00Z');
const enc = (s: string) => new TextEncoder().encode(s);

/** Four keys over every target kind and scope the targets layer knows. */
export const STANDARD: readonly Omit<NewKeyInput, 'policy' | 'owner' | 'description'>[] = [
  {
    id: 'payments/webhook',
    type: 'random',
    options: { bytes: 32, encoding: 'base64' },
    targets: [
      {
        kind: 'github-secret',
        repository: 'acme/api',
        app: 'actions',
        name: 'WEBHOOK_KEY',
        previous: 'WEBHOOK_KEY_PREVIOUS',
      },
      {
        kind: 'github-secret',
        repository: 'acme/api',
        environment: 'production',
        app: 'actions',
        name: 'WEBHOOK_KEY',
      },
      { kind: 'file', path: 'payments.env', format: 'env' },
    ],
  },
  {
    id: 'shared/npm',
    type: 'random',
    options: { bytes: 24, encoding: 'hex' },
    targets: [
      {
        kind: 'github-secret',
        organization: 'acme',
        app: 'dependabot',
        visibility: 'selected',
        'selected-repositories': ['acme/web'],
        name: 'NPM_TOKEN',
        previous: 'NPM_TOKEN_OLD',
      },
      { kind: 'github-secret', repository: 'acme/web', app: 'actions', name: 'NPM_TOKEN' },
    ],
  },
  {
    id: 'infra/deploy',
    type: 'ssh-ed25519',
    targets: [
      { kind: 'github-deploy-key', repository: 'acme/deploy', title: 'ci', 'read-only': true },
      { kind: 'file', path: 'deploy/id_ed25519', format: 'raw' },
    ],
  },
  {
    id: 'auth/jwt',
    type: 'ed25519',
    targets: [
      { kind: 'file', path: 'jwks.json', format: 'jwks' },
      { kind: 'file', path: 'k8s/jwt.yaml', format: 'kubernetes-secret', name: 'signing.pem' },
    ],
  },
];

/** `n` random keys `svc/key-<i>`, each with one repository secret TOKEN (+ TOKEN_PREVIOUS) in acme/r<i>. */
export function simpleKeys(n: number): typeof STANDARD {
  return Array.from({ length: n }, (_, i) => ({
    id: `svc/key-${i + 1}`,
    type: 'random' as const,
    options: { bytes: 32, encoding: 'base64' as const },
    targets: [
      {
        kind: 'github-secret' as const,
        repository: `acme/r${i + 1}`,
        app: 'actions' as const,
        name: 'TOKEN',
        previous: 'TOKEN_PREVIOUS',
      },
    ],
  }));
}
export const simpleRepos = (n: number) => Array.from({ length: n }, (_, i) => `acme/r${i + 1}`);

export interface RunPorts extends DistributePorts {
  /** Target writes this run's ports made. */
  readonly writes: string[];
}

export interface DistBed {
  readonly emu: Emulator;
  readonly out: string;
  readonly tree: Map<string, Uint8Array>;
  readonly logs: string[];
  readonly masked: Set<string>;
  /** Request bodies sent by the runs' GitHub clients (statuses, issues, refs, secrets). */
  readonly bodies: string[];
  /** The state ref of acme/keys (lease and receipts), outside any run. */
  readonly stateRef: StateRefPort;
  now(): Date;
  at(d: Date): void;
  advance(ms: number): void;
  /** Adds a key at v1 (targets from `spec`); call commit() to push. */
  addKey(spec: Omit<NewKeyInput, 'policy' | 'owner' | 'description'>): Promise<void>;
  rotate(id: string): Promise<void>;
  emergency(id: string, compromised: boolean): Promise<void>;
  revoke(id: string, versions: readonly number[]): void;
  /** Sets (or with null deletes) a file of the manifest; call commit() to push. */
  write(path: string, content: string | null): void;
  /** Pushes the pending changes to acme/keys main; returns the new head. */
  commit(message?: string): Promise<string>;
  readonly head: () => string;
  key(id: string): KeyDocument;
  /** The generated material of a version of a key (by its fingerprint in key.yaml). */
  material(id: string, version: number): GeneratedKey;
  ports(over?: {
    sops?: SopsCodec;
    targets?: (t: TargetPorts) => TargetPorts;
    /** A token with these permissions instead of the bed's (which may do everything needed). */
    permissions?: Record<string, 'read' | 'write'>;
  }): RunPorts;
  input(over?: Partial<DistributeInput>): DistributeInput;
  /** A clone of acme/keys at its head (history, first-parent commits) for the gate. */
  checkout(): Promise<Checkout>;
  /** The revocation gate's verdict on a version, from the statuses on acme/keys, as revoke reads them. */
  gate(id: string, version: number, state: 'deactivated' | 'compromised'): Promise<GateVerdict>;
  /** Issues on acme/keys with their comments (for state and the canary). */
  issues(): Issue[];
  close(): Promise<void>;
}

export const TOKEN_PERMISSIONS = {
  contents: 'write',
  statuses: 'write',
  issues: 'write',
  metadata: 'read',
  secrets: 'write',
  // GitHub lists environment secrets under Environments as well as Secrets.
  environments: 'write',
  dependabot_secrets: 'write',
  organization_secrets: 'write',
  organization_dependabot_secrets: 'write',
  administration: 'write',
} as const;

let validator: ReturnType<typeof openApiValidator> | undefined;

export async function startDistBed(
  opts: { keys?: typeof STANDARD; repos?: readonly string[]; pipeline?: string } = {},
): Promise<DistBed> {
  let clock = T0;
  validator ??= openApiValidator();
  const emu = await startEmulator({ validator, now: () => clock });
  const token = emu.addToken({ kind: 'app', login: 'rekey', permissions: TOKEN_PERMISSIONS });
  const tmp = mkdtempSync(join(tmpdir(), 'rekey-distribute-'));
  const out = join(tmp, 'out');
  const logs: string[] = [];
  const masked = new Set<string>();
  const bodies: string[] = [];
  const byFingerprint = new Map<string, GeneratedKey>();
  const pending = new Map<string, Uint8Array | null>();
  const tree = new Map<string, Uint8Array>([
    ['.sops.yaml', enc(SOPS_YAML)],
    ['policies/standard.yaml', enc(POLICY)],
    [
      'policies/pipeline.yaml',
      enc(opts.pipeline ?? 'default-branch: main\nretry-budget: 3\nlease-ttl: 30m\n'),
    ],
  ]);
  const generate = async (key: KeyDocument) => {
    const g = await generateKey(key.type, key.options);
    canary.register(g.secret, key.type);
    byFingerprint.set(g.fingerprint, g);
    return g;
  };
  const apply = (c: PreparedChange) => {
    for (const f of c.files) {
      if (f.content === null) tree.delete(f.path);
      else tree.set(f.path, f.content);
      pending.set(f.path, f.content);
    }
  };
  const key = (id: string) =>
    loadDocument(keyFile(id), tree.get(keyFile(id))!, keyDocument).doc!.value;
  const recording: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string') bodies.push(init.body);
    return fetch(input, init);
  };
  const client = (t: string = token) =>
    createGitHubClient({
      token: t,
      apiUrl: emu.apiUrl,
      serverUrl: emu.serverUrl,
      fetch: recording,
      throttle: { enabled: false },
      retry: { baseDelayMs: 1 },
      log: {
        debug: (m) => void logs.push(`debug ${m}`),
        info: (m) => void logs.push(`info ${m}`),
        warn: (m) => void logs.push(`warn ${m}`),
        error: (m) => void logs.push(`error ${m}`),
      },
    });
  const stateRef = createStateRefAdapter(client(), { owner: 'acme', repo: 'keys' });
  let runs = 0;
  let head = '';
  const work = join(tmp, 'clone');
  let cloned = false;

  for (const spec of opts.keys ?? STANDARD)
    apply(
      await prepareNewKey(
        tree,
        { ...spec, policy: 'standard', owner: '@acme/team', description: `test key ${spec.id}` },
        { now: T0, sopsConfig },
        { codec, generate },
      ),
    );
  pending.clear();
  await emu.addRepo({ fullName: REPO, files: Object.fromEntries(tree) });
  for (const r of opts.repos ?? ['acme/api', 'acme/web', 'acme/deploy'])
    await emu.addRepo({
      fullName: r,
      ...(r === 'acme/api' ? { environments: ['production'] } : {}),
    });
  head = (await emu.repo(REPO).git.readRef('refs/heads/main'))!;

  const self: DistBed = {
    emu,
    out,
    tree,
    logs,
    masked,
    bodies,
    stateRef,
    now: () => clock,
    at: (d) => void (clock = d),
    advance: (ms) => void (clock = new Date(clock.getTime() + ms)),
    async addKey(spec) {
      apply(
        await prepareNewKey(
          tree,
          { ...spec, policy: 'standard', owner: '@acme/team', description: `test key ${spec.id}` },
          { now: clock, sopsConfig },
          { codec, generate },
        ),
      );
    },
    async rotate(id) {
      apply(
        await prepareRotation(
          tree,
          id,
          { now: clock, sopsConfig, prepublish: false },
          { codec, generate },
        ),
      );
    },
    async emergency(id, compromised) {
      apply(
        await prepareEmergency(
          tree,
          id,
          { now: clock, sopsConfig, reason: 'leaked in a log', compromised },
          { codec, generate },
        ),
      );
    },
    revoke(id, versions) {
      apply(prepareRevocation(tree, id, versions));
    },
    write(path, content) {
      const bytes = content === null ? null : enc(content);
      if (bytes === null) tree.delete(path);
      else tree.set(path, bytes);
      pending.set(path, bytes);
    },
    async commit(message = 'rekey: change') {
      head = await emu.commitFiles(REPO, 'main', Object.fromEntries(pending), `${message}\n`);
      pending.clear();
      return head;
    },
    head: () => head,
    key,
    material(id, version) {
      const fp = key(id).versions.find((v) => v.version === version)!.fingerprint;
      const g = byFingerprint.get(fp);
      if (g === undefined) throw new Error(`no material for ${id} v${version}`);
      return g;
    },
    ports(over = {}) {
      const c = client(
        over.permissions
          ? emu.addToken({ kind: 'app', login: 'rekey', permissions: over.permissions })
          : token,
      );
      const gh = createGitHubPorts(c, { owner: 'acme', repo: 'keys' });
      const writes: string[] = [];
      const base = createTargetPorts(c, out);
      const counted: TargetPorts = {
        secrets: {
          ...base.secrets,
          putSecret: async (s, n, v, o) => (
            writes.push(`put ${n}`),
            base.secrets.putSecret(s, n, v, o)
          ),
          deleteSecret: async (s, n) => (
            writes.push(`delete ${n}`),
            base.secrets.deleteSecret(s, n)
          ),
        },
        deployKeys: {
          ...base.deployKeys,
          addDeployKey: async (r, k) => (
            writes.push(`add ${k.title}`),
            base.deployKeys.addDeployKey(r, k)
          ),
          deleteDeployKey: async (r, id) => (
            writes.push(`delete key ${id}`),
            base.deployKeys.deleteDeployKey(r, id)
          ),
        },
        files: {
          ...base.files,
          writeFile: async (p, v) => (writes.push(`write ${p}`), base.files.writeFile(p, v)),
          deleteFile: async (p) => (writes.push(`delete ${p}`), base.files.deleteFile(p)),
        },
      };
      return {
        git: gh.git,
        statuses: gh.statuses,
        issues: gh.issues,
        state: gh.state,
        targets: over.targets ? over.targets(counted) : counted,
        sops: over.sops ?? codec,
        writes,
      };
    },
    input(over = {}) {
      const run = `https://github.example/acme/keys/actions/runs/${++runs}`;
      return {
        commit: head,
        tree: new Map(tree),
        defaultBranch: 'main',
        holder: run,
        runUrl: run,
        now: () => clock,
        mask: (v) => void masked.add(v),
        log: { info: (m) => void logs.push(`info ${m}`), warn: (m) => void logs.push(`warn ${m}`) },
        ...over,
      };
    },
    async checkout() {
      const url = new URL(`${emu.serverUrl}/${REPO}.git`);
      url.username = 'x-access-token';
      url.password = token;
      if (!cloned) await gitAsync(tmp, 'clone', '-q', url.toString(), work);
      else {
        await gitAsync(work, 'fetch', '-q', 'origin', 'main');
        await gitAsync(work, 'checkout', '-q', '--detach', 'FETCH_HEAD');
      }
      cloned = true;
      return checkoutOf(REPO, work);
    },
    async gate(id, version, state) {
      const c = await self.checkout();
      const { snapshot } = loadSnapshot(c.tree);
      const evidence = await readDistributionEvidence({
        firstParent: c.firstParent,
        since: activeSince(snapshot, c.history, [id]),
        statuses: self.ports().statuses,
        max: DEFAULT_MAX_STATUS_CALLS,
      });
      const gate = revocationGate(
        gateEvidence({
          base: snapshot,
          history: c.history,
          firstParent: evidence.records,
          now: clock,
        }),
      );
      return gate(id, version, { state });
    },
    issues: () => [...emu.repo(REPO).issues.values()].filter((i) => !i.isPull),
    async close() {
      await emu.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  return self;
}
