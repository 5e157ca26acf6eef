// Shared set-up for the rotate and revoke command tests: the GitHub emulator (OpenAPI
// validated) on a settable clock, manifests made with the real key generator and SOPS codec,
// a real git clone of each emulator repository (the "checkout"), and GitHub ports whose fetch
// records every request body so the canary can scan what left the process.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildHistoryIndex } from '../../src/adapters/git/history.ts';
import { readTreeAtRef } from '../../src/adapters/git/tree.ts';
import { createGitHubClient } from '../../src/adapters/github/client.ts';
import { createGitHubPorts, type GitHubPorts } from '../../src/adapters/github/index.ts';
import type { PreparedChange } from '../../src/commands/changes.ts';
import { prepareNewKey } from '../../src/commands/new-key.ts';
import type { KeyDocument } from '../../src/core/formats/index.ts';
import type { HistoryIndex } from '../../src/core/history/model.ts';
import type { FileTree } from '../../src/core/snapshot.ts';
import { parseSopsConfig } from '../../src/core/sops-config.ts';
import { parseYaml } from '../../src/core/yaml/index.ts';
import { generateKey, type GeneratedKey } from '../../src/crypto/keys/index.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { type Emulator, startEmulator } from '../../src/sandbox/emulator/index.ts';
import { canary } from '../support/canary.ts';
import { openApiValidator } from '../support/openapi.ts';

export const root = resolve(import.meta.dirname, '../..');
const identityText = readFileSync(resolve(root, 'demo/age-identity.txt'), 'utf8');
export const identity = identityText.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
const recipient = /public key: (age1\S+)/.exec(identityText)![1]!;
const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export const SOPS_YAML = `creation_rules:\n  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$\n    encrypted_regex: ^secret$\n    age: ${recipient}\n`;
export const POLICY = `name: standard\ncryptoperiod: 90d\nrotate-before: 14d\ngrace: 7d\napprovals: 1\nreviewers: ['@acme/security']\nemergency: { reviewers: ['@acme/oncall'], approvals: 1 }\n`;
export const PIPELINE = 'default-branch: main\nmax-open-prs: 10\n';
/** When the test manifests are committed; keys are due 76 days later. */
export const T0 = new Date('2026-06-01T08:00:00Z');
export const days = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

export const sopsConfig = (() => {
  const parsed = parseYaml('.sops.yaml', enc(SOPS_YAML));
  return parseSopsConfig({ file: '.sops.yaml', value: parsed.value, locate: parsed.locate })
    .config!;
})();

/** Encrypts to the demo recipient; holds the identity only so tests can decrypt what was written. */
export const codec = new BuiltinSopsCodec({ identities: [identity] });

/** The key generator, registering every secret with the canary. */
export async function generate(key: KeyDocument): Promise<GeneratedKey> {
  const g = await generateKey(key.type, key.options);
  canary.register(g.secret, key.type);
  return g;
}

function apply(tree: Map<string, Uint8Array>, change: PreparedChange): void {
  for (const f of change.files)
    if (f.content === null) tree.delete(f.path);
    else tree.set(f.path, f.content);
}

/** A manifest with `ids` random keys, each at v1 active, as files for `addRepo`. */
export async function manifest(
  ids: readonly string[],
  policy: string = POLICY,
): Promise<Record<string, string>> {
  const tree = new Map<string, Uint8Array>([
    ['.sops.yaml', enc(SOPS_YAML)],
    ['policies/standard.yaml', enc(policy)],
    ['policies/pipeline.yaml', enc(PIPELINE)],
  ]);
  for (const id of ids) {
    const change = await prepareNewKey(
      tree,
      {
        id,
        type: 'random',
        policy: 'standard',
        owner: '@acme/team',
        description: `test key ${id}`,
        options: { bytes: 32, encoding: 'base64' },
        // One secret per key: two keys writing one secret is `target/shared`.
        targets: [
          { kind: 'github-secret', repository: 'acme/api', app: 'actions', name: secretOf(id) },
        ],
      },
      { now: T0, sopsConfig },
      { codec, generate },
    );
    apply(tree, change);
  }
  return Object.fromEntries([...tree].map(([p, b]) => [p, dec(b)]));
}

/** The secret each bed key writes: `API_TOKEN_<ID>`. */
export const secretOf = (id: string): string =>
  `API_TOKEN_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** git that talks to the emulator: asynchronous, since the emulator serves from this process. */
export async function gitAsync(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout.trim();
}

export interface Checkout {
  readonly fullName: string;
  readonly work: string;
  readonly sha: string;
  readonly tree: FileTree;
  readonly history: HistoryIndex;
  readonly firstParent: readonly string[];
}

export interface Bed {
  readonly emu: Emulator;
  readonly token: string;
  readonly tmp: string;
  /** Sets the emulator's clock (commit and status times). */
  at(d: Date): void;
  /** A new repository with `files`, committed at the clock's time, and a clone of it. */
  repo(name: string, files: Record<string, string>): Promise<Checkout>;
  /** Fetches the repository again into its clone and reads the default branch. */
  refresh(c: Checkout): Promise<Checkout>;
  /** Ports for one repository; every request body lands in `bodies`. */
  ports(fullName: string, token?: string): GitHubPorts;
  readonly bodies: string[];
  close(): Promise<void>;
}

export async function checkoutOf(fullName: string, work: string): Promise<Checkout> {
  const sha = git(work, 'rev-parse', 'HEAD');
  const [tree, history] = await Promise.all([
    readTreeAtRef(work, sha),
    buildHistoryIndex(work, sha),
  ]);
  const firstParent = git(work, 'rev-list', '--first-parent', '--reverse', sha)
    .split('\n')
    .filter((l) => l !== '');
  return { fullName, work, sha, tree, history, firstParent };
}

export async function startBed(): Promise<Bed> {
  let clock = T0;
  const emu = await startEmulator({ validator: openApiValidator(), now: () => clock });
  const token = emu.addToken({
    kind: 'app',
    login: 'rekey',
    // members: read lets the App name the policies' teams as reviewers (docs/actions.md).
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      statuses: 'write',
      members: 'read',
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), 'rekey-rotate-'));
  const bodies: string[] = [];
  const recording: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string') bodies.push(init.body);
    return fetch(input, init);
  };
  const cloneUrl = (fullName: string) => {
    const url = new URL(`${emu.serverUrl}/${fullName}.git`);
    url.username = 'x-access-token';
    url.password = token;
    return url.toString();
  };
  return {
    emu,
    token,
    tmp,
    bodies,
    at: (d) => void (clock = d),
    async repo(name, files) {
      const fullName = `acme/${name}`;
      await emu.addRepo({ fullName, files });
      const work = join(tmp, name);
      await gitAsync(tmp, 'clone', '-q', cloneUrl(fullName), work);
      return checkoutOf(fullName, work);
    },
    async refresh(c) {
      await gitAsync(c.work, 'fetch', '-q', 'origin', 'main');
      git(c.work, 'checkout', '-q', '--detach', 'FETCH_HEAD');
      return checkoutOf(c.fullName, c.work);
    },
    ports(fullName, t = token) {
      const [owner, repo] = fullName.split('/') as [string, string];
      const client = createGitHubClient({
        token: t,
        apiUrl: emu.apiUrl,
        serverUrl: emu.serverUrl,
        fetch: recording,
        throttle: { enabled: false },
        retry: { baseDelayMs: 5 },
      });
      return createGitHubPorts(client, { owner, repo });
    },
    async close() {
      await emu.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Requests the emulator logged for one repository (by path), as `METHOD /route`. */
export function callsFor(emu: Emulator, fullName: string): string[] {
  return emu.requestLog
    .filter((r) => r.path.includes(`/repos/${fullName}/`) || r.path.endsWith(`/repos/${fullName}`))
    .map((r) => r.operation ?? `${r.method} ${r.path}`);
}
