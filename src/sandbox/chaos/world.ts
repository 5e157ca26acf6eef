/**
 * The chaos campaign's world: the emulator on 127.0.0.1 on a virtual clock, the keys
 * repository (`acme/keys`, K random keys, each written to one secret and its `previous` in
 * `acme/api`), the identities of the workflows and of two people, and a full-history clone
 * the scheduled runs plan from (as actions/checkout with fetch-depth 0 gives them).
 *
 * Every run gets its own clients, whose fetch goes through the run's `RunWire` (wire.ts):
 * that is where a run dies, times out or lets the world move under it. Everything the
 * emulator receives and every log line is handed to `observe` for the canary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readCheckout, type CheckoutState } from '../../adapters/git/commits.ts';
import { readTreeAtRef } from '../../adapters/git/tree.ts';
import {
  createGitHubClient,
  createGitHubPorts,
  type GitHubClient,
  type GitHubLog,
  type GitHubPorts,
} from '../../adapters/github/index.ts';
import type { PreparedChange } from '../../commands/changes.ts';
import { prepareNewKey } from '../../commands/new-key.ts';
import type { KeyDocument } from '../../core/formats/index.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { parseSopsConfig } from '../../core/sops-config.ts';
import { parseYaml } from '../../core/yaml/index.ts';
import { generateKey, type GeneratedKey } from '../../crypto/keys/index.ts';
import { generateAge } from '../../crypto/keys/age.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { keysRepositoryConventions } from '../demo/sandbox.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';

export const KEYS_REPO = 'acme/keys';
export const TARGET_REPO = 'acme/api';
export const PEOPLE = ['alice', 'bob'] as const;
export const DISTRIBUTOR = 'rekey-distribution';
/** Short periods so that a lifecycle takes days of virtual time, not months. */
export const POLICY = {
  cryptoperiodDays: 3,
  rotateBeforeDays: 1,
  graceDays: 1,
};
export const LEASE_TTL_MS = 30 * 60_000;
export const RETRY_BUDGET = 2;
const POLICY_YAML = `name: fast\ncryptoperiod: ${POLICY.cryptoperiodDays}d\nrotate-before: ${POLICY.rotateBeforeDays}d\ngrace: ${POLICY.graceDays}d\napprovals: 1\nreviewers: ['@acme/security']\nemergency: { reviewers: ['@acme/oncall'], approvals: 1 }\n`;
const PIPELINE_YAML = `default-branch: main\nmax-open-prs: 20\nretry-budget: ${RETRY_BUDGET}\nlease-ttl: 30m\n`;

const enc = (s: string) => new TextEncoder().encode(s);
const run = promisify(execFile);

/** What the canary needs: record every secret, find any form of one in a text. */
export interface SecretCanary {
  register(secret: string, label?: string): void;
  findLeaks(text: string, where: string): readonly { where: string; form: string }[];
}

/** Where a run's requests go: it may throw (death, timeout) or do something first. */
export type Wire = (input: Parameters<typeof fetch>[0], init?: RequestInit) => Promise<Response>;

export interface RunClients {
  /** The rotate/revoke/verify workflows' ports (App `rekey`). */
  readonly rekey: GitHubPorts;
  /** The distribution job: keys repository client and ports, and the targets client. */
  readonly dist: { client: GitHubClient; ports: GitHubPorts; targets: GitHubClient };
  /** A person's client (user token). */
  readonly person: GitHubClient;
}

export interface World {
  readonly emu: Emulator;
  readonly keyIds: readonly string[];
  now(): Date;
  setClock(at: Date): void;
  /** A new workflow run's URL: every run has its own, as on GitHub (failure counts depend on it). */
  runUrl(): string;
  /** Clients for one run whose every request passes through `wire`. */
  clients(wire: Wire, log: GitHubLog): RunClients;
  /** Fetches main into the clone and reads it as a workflow's checkout does. */
  checkout(): Promise<CheckoutState>;
  readBranch(branch: string): Promise<{ sha: string; tree: FileTree }>;
  /** The clone (history, first-parent reads). */
  readonly clone: string;
  /** Decrypts with the distribution identity (the invariants' view of the material). */
  readonly codec: BuiltinSopsCodec;
  /** Encrypt-only codec of the rotate job. */
  readonly encryptOnly: BuiltinSopsCodec;
  /** The key generator, registering every secret with the canary before it goes anywhere. */
  generate(key: KeyDocument): Promise<GeneratedKey>;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly keys: number;
  readonly start: Date;
  readonly canary: SecretCanary;
  /** Every REST body the emulator received. */
  readonly received: (path: string, body: Buffer) => void;
}

export async function openWorld(opts: WorldOptions): Promise<World> {
  let clock = opts.start;
  const dir = await mkdtemp(join(tmpdir(), 'rekey-chaos-'));
  const identity = await generateAge();
  opts.canary.register(identity.secret, 'age identity');
  const sopsYaml = `creation_rules:\n  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$\n    encrypted_regex: ^secret$\n    age: ${identity.public}\n`;
  const parsed = parseYaml('.sops.yaml', enc(sopsYaml));
  const sopsConfig = parseSopsConfig({
    file: '.sops.yaml',
    value: parsed.value,
    locate: parsed.locate,
  }).config!;
  const codec = new BuiltinSopsCodec({ identities: [identity.secret] });
  const encryptOnly = new BuiltinSopsCodec({ identities: [] });
  const generate = async (key: KeyDocument): Promise<GeneratedKey> => {
    const g = await generateKey(key.type, key.options);
    opts.canary.register(g.secret, key.type);
    return g;
  };

  const keyIds = Array.from(
    { length: opts.keys },
    (_, i) => `svc/key-${String.fromCharCode(97 + i)}`,
  );
  const tree = new Map<string, Uint8Array>([
    ['.sops.yaml', enc(sopsYaml)],
    ['policies/fast.yaml', enc(POLICY_YAML)],
    ['policies/pipeline.yaml', enc(PIPELINE_YAML)],
  ]);
  for (const id of keyIds) {
    const change = await prepareNewKey(
      tree,
      {
        id,
        type: 'random',
        policy: 'fast',
        owner: '@acme/team',
        description: `chaos key ${id}`,
        options: { bytes: 32, encoding: 'base64' },
        targets: [
          {
            kind: 'github-secret',
            repository: TARGET_REPO,
            app: 'actions',
            name: secretName(id),
            previous: `${secretName(id)}_PREVIOUS`,
          },
        ],
      },
      { now: opts.start, sopsConfig },
      { codec, generate },
    );
    applyChange(tree, change);
  }

  let emu: Emulator | undefined;
  try {
    emu = await startEmulator({ now: () => clock, onReceived: opts.received });
    await emu.addRepo({
      fullName: KEYS_REPO,
      files: Object.fromEntries(tree),
      deleteBranchOnMerge: true,
    });
    await emu.addRepo({ fullName: TARGET_REPO });
    for (const p of PEOPLE) emu.addUser(p);
    const rekeyToken = keysRepositoryConventions(emu, KEYS_REPO);
    const distToken = emu.addToken({
      kind: 'app',
      login: DISTRIBUTOR,
      repositories: [KEYS_REPO],
      permissions: { contents: 'write', issues: 'write', statuses: 'write' },
    });
    const targetsToken = emu.addToken({
      kind: 'app',
      login: DISTRIBUTOR,
      repositories: [TARGET_REPO],
      permissions: { secrets: 'write', environments: 'write', administration: 'write' },
    });
    const personToken = emu.addToken({ kind: 'user', login: PEOPLE[0], permissions: 'all' });
    const e = emu;
    const client = (token: string, wire: Wire, log: GitHubLog) =>
      createGitHubClient({
        token,
        apiUrl: e.apiUrl,
        serverUrl: e.serverUrl,
        fetch: wire as typeof fetch,
        log,
        // The production settings, except that waits cost no wall-clock time: the clock is virtual.
        throttle: {
          enabled: true,
          writeSpacingMs: 0,
          notificationSpacingMs: 0,
          msPerRetryAfterSecond: 0,
        },
        retry: { baseDelayMs: 0 },
      });
    const [owner, repo] = KEYS_REPO.split('/') as [string, string];

    const clone = join(dir, 'checkout');
    const url = new URL(`${emu.serverUrl}/${KEYS_REPO}.git`);
    url.username = 'x-access-token';
    url.password = rekeyToken;
    const git = async (...args: string[]) =>
      (
        await run('git', args, {
          cwd: dir,
          env: {
            PATH: process.env['PATH'],
            HOME: dir,
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_TERMINAL_PROMPT: '0',
          },
        })
      ).stdout.trim();
    await git('clone', '-q', '--no-checkout', url.toString(), clone);
    let last: CheckoutState | undefined;
    let queue: Promise<unknown> = Promise.resolve();
    let runs = 0;

    return {
      emu,
      keyIds,
      clone,
      codec,
      encryptOnly,
      generate,
      now: () => clock,
      setClock: (at) => void (clock = at),
      runUrl: () => `https://github.example/acme/keys/actions/runs/${++runs}`,
      clients(wire, log) {
        const dist = client(distToken, wire, log);
        return {
          rekey: createGitHubPorts(client(rekeyToken, wire, log), { owner, repo }),
          dist: {
            client: dist,
            ports: createGitHubPorts(dist, { owner, repo }),
            targets: client(targetsToken, wire, log),
          },
          person: client(personToken, wire, log),
        };
      },
      checkout() {
        // One at a time (racing runs share the clone); read again only when main moved.
        const next = queue.then(async () => {
          const sha = await e.repo(KEYS_REPO).git.readRef('refs/heads/main');
          if (last?.sha === sha) return last;
          await git(
            '-C',
            clone,
            'fetch',
            '-q',
            'origin',
            '+refs/heads/main:refs/remotes/origin/main',
          );
          await git('-C', clone, 'checkout', '-q', '--detach', 'refs/remotes/origin/main');
          last = await readCheckout(clone);
          return last;
        });
        queue = next.catch(() => undefined);
        return next;
      },
      async readBranch(branch) {
        // Named refs, not FETCH_HEAD: racing runs fetch into the same clone.
        const local = `refs/chaos/${branch}`;
        await git('-C', clone, 'fetch', '-q', 'origin', `+refs/heads/${branch}:${local}`);
        const sha = await git('-C', clone, 'rev-parse', local);
        return { sha, tree: await readTreeAtRef(clone, sha) };
      },
      async close() {
        try {
          await e.close();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export const secretName = (id: string): string =>
  `KEY_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

function applyChange(tree: Map<string, Uint8Array>, change: PreparedChange): void {
  for (const f of change.files)
    if (f.content === null) tree.delete(f.path);
    else tree.set(f.path, f.content);
}
