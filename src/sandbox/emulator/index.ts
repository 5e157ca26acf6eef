// startEmulator: a GitHub REST emulator on 127.0.0.1 backed by real bare git repositories.
// See docs/emulator.md for what it serves and what it does not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TokenSpec, Tokens } from './auth.ts';
import { type FaultHook, type FaultRequest, type FaultSpec, Faults } from './faults.ts';
import { GitStore } from './git-store.ts';
import {
  API_PREFIX,
  listen,
  type LoggedRequest,
  type Problem,
  type RequestValidator,
} from './server.ts';
import { scopeKey, type SecretScope, sodiumReady } from './secret-boxes.ts';
import {
  type BranchProtection,
  type BranchRule,
  EmulatorState,
  type RepoRole,
  RepoState,
  type User,
} from './state.ts';

export type {
  FaultHook,
  FaultRequest,
  FaultSpec,
  LoggedRequest,
  Problem,
  RequestValidator,
  SecretScope,
  TokenSpec,
  BranchRule,
  BranchProtection,
  RepoRole,
};
export type { Identity } from './auth.ts';
export type { ValidatedRequest } from './server.ts';

export interface EmulatorOptions {
  /** Validates every request (and response) against GitHub's OpenAPI description; tests only. */
  validator?: RequestValidator;
  /** The clock for timestamps the emulator writes (created_at, merge commits). */
  now?: () => Date;
  /** Sees the raw body of every REST request received (a chaos campaign's secret canary). */
  onReceived?: (path: string, body: Buffer) => void;
}

export interface RepoSpec {
  /** `owner/name` */
  fullName: string;
  defaultBranch?: string;
  /** Files of the initial commit; omitted: a README. `{}` leaves the repository empty. */
  files?: Readonly<Record<string, string | Uint8Array>>;
  environments?: readonly string[];
  private?: boolean;
  /** Settings > Actions > "Allow GitHub Actions to create and approve pull requests" (off by default). */
  actionsCanCreatePullRequests?: boolean;
  /** Settings > General > "Automatically delete head branches" (off by default). */
  deleteBranchOnMerge?: boolean;
}

export interface Emulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `url` + /api/v3, the value for GITHUB_API_URL / Octokit `baseUrl` (GHES-style prefix). */
  apiUrl: string;
  /** The value for GITHUB_SERVER_URL (html_url links). */
  serverUrl: string;
  addRepo(spec: RepoSpec): Promise<RepoState>;
  /** GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_REPOSITORY(_OWNER) for a simulated runner. */
  actionsEnv(fullName: string): Record<string, string>;
  repo(fullName: string): RepoState;
  /** A user who can be requested as reviewer or act through a user token. */
  addUser(login: string): User;
  /**
   * Gives `login` a role on a repository (`null`: the user exists with no access). Without
   * one, an added user is a collaborator with write.
   */
  setCollaborator(fullName: string, login: string, role: RepoRole | null): void;
  /** An organization team, and the repositories it reaches with their roles. */
  addTeam(org: string, slug: string, repos?: Readonly<Record<string, RepoRole>>): void;
  /** Registers a token; returns the string to send as `Authorization: Bearer <token>`. */
  addToken(spec: TokenSpec): string;
  revokeToken(token: string): void;
  /** Pushes a commit to a branch as a person would (no API call, not logged). `null` deletes. */
  commitFiles(
    fullName: string,
    branch: string,
    files: Readonly<Record<string, string | Uint8Array | null>>,
    message: string,
    /** Author and committer; default: the repository owner (`<owner>@users.noreply.github.com`). */
    author?: { readonly name: string; readonly email: string },
  ): Promise<string>;
  /**
   * Makes open pull request `number` come from the fork `forkFullName`: its `head.repo` (and
   * head label and user) name the fork from then on. The branch stays in `fullName`'s store.
   */
  fromFork(fullName: string, number: number, forkFullName: string): void;
  setBranchRules(fullName: string, branchPattern: string, rules: BranchRule[]): void;
  setBranchProtection(fullName: string, branch: string, protection: BranchProtection | null): void;
  readonly requestLog: readonly LoggedRequest[];
  /** Number of logged requests, optionally for one operation (`'POST /repos/{owner}/{repo}/pulls'`). */
  calls(operation?: string): number;
  clearLog(): void;
  inject(fault: FaultSpec): void;
  /** A hook choosing a fault for any request no injected fault takes (null removes it). */
  setFaultHook(hook: FaultHook | null): void;
  /** The plaintext of a stored secret, opened with the private key the emulator kept. */
  openSecret(scope: SecretScope, name: string): string;
  /** Secret names stored in a scope. */
  secretNames(scope: SecretScope): string[];
  rotateSecretKey(scope: SecretScope): void;
  readonly problems: readonly Problem[];
  /** Throws when any request failed OpenAPI validation or a handler crashed. */
  assertNoInvalidRequests(): void;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  await sodiumReady;
  const root = await mkdtemp(path.join(tmpdir(), 'rekey-emulator-'));
  const state = new EmulatorState();
  const tokens = new Tokens();
  const faults = new Faults();
  const log: LoggedRequest[] = [];
  const problems: Problem[] = [];
  const now = opts.now ?? (() => new Date());
  const urls = { api: '', server: '' };
  const { server, port } = await listen({
    state,
    tokens,
    faults,
    log,
    problems,
    validator: opts.validator,
    onReceived: opts.onReceived,
    now,
    urls,
  });
  const url = `http://127.0.0.1:${port}`;
  urls.api = `${url}${API_PREFIX}`;
  urls.server = url;

  const repo = (fullName: string): RepoState => {
    const [owner = '', name = ''] = fullName.split('/');
    const r = state.repo(owner, name);
    if (!r) throw new Error(`no repository ${fullName} in the emulator`);
    return r;
  };

  const commitFiles: Emulator['commitFiles'] = async (fullName, branch, files, message, author) => {
    const r = repo(fullName);
    const ref = `refs/heads/${branch}`;
    const parent = await r.git.readRef(ref);
    const parentTree = parent ? (await r.git.readCommit(parent)).tree : null;
    const changes = await Promise.all(
      Object.entries(files).map(async ([p, content]) => ({
        path: p,
        mode: '100644',
        sha:
          content === null
            ? null
            : await r.git.writeBlob(typeof content === 'string' ? Buffer.from(content) : content),
      })),
    );
    const tree = await r.git.writeTree(parentTree, changes);
    const date = now().toISOString();
    const who = {
      ...(author ?? { name: r.owner.login, email: `${r.owner.login}@users.noreply.github.com` }),
      date,
    };
    const sha = await r.git.writeCommit({
      tree,
      parents: parent ? [parent] : [],
      author: who,
      committer: who,
      message,
    });
    if (!(await r.git.updateRef(ref, sha, parent)))
      throw new Error(`${fullName} ${branch} moved during commitFiles`);
    return sha;
  };

  const emulator: Emulator = {
    url,
    apiUrl: urls.api,
    serverUrl: url,
    async addRepo(spec) {
      const [owner = '', name = ''] = spec.fullName.split('/');
      if (!owner || !name) throw new Error(`repository must be owner/name: ${spec.fullName}`);
      if (state.repo(owner, name)) throw new Error(`${spec.fullName} exists`);
      const defaultBranch = spec.defaultBranch ?? 'main';
      const git = await GitStore.create(
        path.join(root, 'repos', owner, `${name}.git`),
        defaultBranch,
      );
      const r = new RepoState({
        id: state.id(),
        owner: state.user(owner, 'Organization'),
        name,
        git,
        defaultBranch,
      });
      r.private = spec.private ?? true;
      r.actionsCanCreatePullRequests = spec.actionsCanCreatePullRequests ?? false;
      r.deleteBranchOnMerge = spec.deleteBranchOnMerge ?? false;
      for (const env of spec.environments ?? []) r.environments.add(env);
      state.repos.set(`${owner}/${name}`.toLowerCase(), r);
      const files = spec.files ?? { 'README.md': `# ${name}\n` };
      if (Object.keys(files).length > 0)
        await commitFiles(spec.fullName, defaultBranch, files, 'Initial commit\n');
      return r;
    },
    actionsEnv(fullName) {
      const r = repo(fullName);
      return {
        GITHUB_API_URL: urls.api,
        GITHUB_SERVER_URL: url,
        GITHUB_REPOSITORY: r.fullName,
        GITHUB_REPOSITORY_OWNER: r.owner.login,
      };
    },
    repo,
    addUser: (login) => state.user(login, 'User'),
    setCollaborator(fullName, login, role) {
      state.user(login, 'User');
      repo(fullName).collaborators.set(login.toLowerCase(), role);
    },
    addTeam(org, slug, repos = {}) {
      const reach = new Map<string, RepoRole>();
      for (const [name, role] of Object.entries(repos)) reach.set(name.toLowerCase(), role);
      state.teams.set(`${org}/${slug}`.toLowerCase(), reach);
    },
    addToken: (spec) => tokens.add(state, spec).token,
    revokeToken: (token) => tokens.revoke(token),
    commitFiles,
    fromFork(fullName, number, forkFullName) {
      const pull = repo(fullName).pulls.get(number);
      if (!pull) throw new Error(`no pull request #${number} in ${fullName}`);
      pull.headRepo = forkFullName;
    },
    setBranchRules(fullName, pattern, rules) {
      repo(fullName).rules.set(pattern, rules);
    },
    setBranchProtection(fullName, branch, protection) {
      const r = repo(fullName);
      if (protection) r.protection.set(branch, protection);
      else r.protection.delete(branch);
    },
    requestLog: log,
    calls: (operation) =>
      log.filter((e) => operation === undefined || e.operation === operation).length,
    clearLog: () => void log.splice(0),
    inject: (fault) => faults.inject(fault),
    setFaultHook: (hook) => faults.setHook(hook),
    openSecret(scope, name) {
      const value = state.secrets.open(scopeKey(scope), name);
      if (value === undefined) throw new Error(`no secret ${name} in ${scopeKey(scope)}`);
      return value;
    },
    secretNames: (scope) => state.secrets.list(scopeKey(scope)).map((s) => s.name),
    rotateSecretKey: (scope) => void state.secrets.rotateKey(scopeKey(scope)),
    problems,
    assertNoInvalidRequests() {
      const bad = problems.filter((x) => x.kind !== 'invalid-response');
      if (bad.length > 0)
        throw new Error(
          `emulator saw ${bad.length} problem(s):\n${bad.map((b) => `${b.kind} ${b.operation}: ${b.errors.join('; ')}`).join('\n')}`,
        );
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
  return emulator;
}
