/**
 * The demo's GitHub: the emulator on 127.0.0.1 on a virtual clock, the key repository
 * (`acme/keys`, a bare git repository the emulator serves) seeded with the template's
 * `.sops.yaml`, policies and example keys, the repositories the example keys are distributed
 * to, and the identities that act on them:
 *
 * - `rekey[bot]`, an App installation token that opens PRs and writes statuses (what the
 *   rotate, revoke and verify workflows hold); it cannot decrypt anything;
 * - a second App token for the distribution job (secrets, deploy keys, statuses, issues);
 * - a read-only App token for the audit;
 * - two people, `alice` and `bob`, who review and merge.
 *
 * Everything lives under one temporary folder, removed by `close()`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { readCheckout, type CheckoutState } from '../../adapters/git/commits.ts';
import { readTreeAtRef } from '../../adapters/git/tree.ts';
import {
  createGitHubClient,
  createGitHubPorts,
  type GitHubClient,
} from '../../adapters/github/index.ts';
import type { GitHubPorts } from '../../adapters/github/index.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { startEmulator, type Emulator } from '../emulator/index.ts';

export const KEYS_REPO = 'acme/keys';
/** The repositories the template's example keys name as targets, and their environments. */
export const TARGET_REPOS: readonly { fullName: string; environments?: string[] }[] = [
  { fullName: 'acme/identity-service' },
  { fullName: 'acme/payments-api', environments: ['production'] },
  { fullName: 'acme/infra-config' },
];
/** People who review and merge: never the PR's author, never a bot. */
export const PEOPLE = ['alice', 'bob'] as const;
export type Person = (typeof PEOPLE)[number];

/** The files of the template the sandbox repository starts from. */
const TEMPLATE = ['.sops.yaml', 'policies', 'keys-manifest'];

const run = promisify(execFile);

export interface Sandbox {
  readonly emu: Emulator;
  /** The temporary folder holding the clone and the file targets' output. */
  readonly dir: string;
  /** Where `file` targets are written (the distribution job's output folder). */
  readonly outputDir: string;
  /** The virtual clock: the emulator stamps commits, reviews and statuses with it. */
  now(): Date;
  setClock(at: Date): void;
  /** Ports for the rotate/revoke/verify workflows (App token: contents, PRs, statuses). */
  readonly rekey: GitHubPorts;
  /** The distribution job's client and ports (App token that may write secrets, deploy keys). */
  /** The distribution job: the keys repository's client and ports, and the targets client. */
  readonly distributor: { client: GitHubClient; ports: GitHubPorts; targets: GitHubClient };
  /** The audit's read-only client (contents, pull requests, statuses: read). */
  readonly auditor: GitHubClient;
  /** A person's client (user token). */
  person(login: Person): GitHubClient;
  /** Fetches the default branch into the clone and reads it as a workflow's checkout would. */
  checkout(): Promise<CheckoutState>;
  /** Fetches a branch and reads its files at its head. */
  readBranch(branch: string): Promise<{ sha: string; tree: FileTree }>;
  /** The clone's path (a full-history checkout, for history and first-parent reads). */
  readonly clone: string;
  close(): Promise<void>;
}

async function templateFiles(templateDir: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  const walk = async (path: string): Promise<void> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
    if (entries === null) {
      out[relative(templateDir, path).split('\\').join('/')] = await readFile(path);
      return;
    }
    for (const e of entries) await walk(join(path, e.name));
  };
  for (const p of TEMPLATE) await walk(join(templateDir, p));
  return out;
}

/**
 * What a keys repository set up as DESIGN "GitHub conventions" asks has on the emulator: the
 * branch rules (one approval by someone other than the author, and the verify check) and the
 * rotation App's installation token for it, which is returned. The demo and the chaos
 * campaign both start from it.
 */
export function keysRepositoryConventions(emu: Emulator, keysRepo: string): string {
  emu.setBranchRules(keysRepo, 'main', [
    { type: 'pull_request', parameters: { required_approving_review_count: 1 } },
    {
      type: 'required_status_checks',
      parameters: { required_status_checks: [{ context: 'rekey/verify' }] },
    },
  ]);
  return emu.addToken({
    kind: 'app',
    login: 'rekey',
    repositories: [keysRepo],
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      statuses: 'write',
    },
  });
}

export async function openSandbox(opts: { templateDir: string; start: Date }): Promise<Sandbox> {
  let clock = opts.start;
  const dir = await mkdtemp(join(tmpdir(), 'rekey-demo-'));
  let emu: Emulator | undefined;
  try {
    emu = await startEmulator({ now: () => clock });
    await emu.addRepo({
      fullName: KEYS_REPO,
      files: await templateFiles(opts.templateDir),
      // A merged rekey branch must go, or the next PR for the key finds it and stops (stale).
      deleteBranchOnMerge: true,
    });
    for (const r of TARGET_REPOS)
      await emu.addRepo({ fullName: r.fullName, environments: r.environments ?? [] });
    for (const p of PEOPLE) emu.addUser(p);
    const rekeyToken = keysRepositoryConventions(emu, KEYS_REPO);
    // The distribution job's two App tokens, as distribute.yml mints them: the keys
    // repository's (the lease and receipts ref, the status, issues) and the targets token,
    // limited to the target repositories and to what targets need (no contents).
    const distToken = emu.addToken({
      kind: 'app',
      login: 'rekey-distribution',
      repositories: [KEYS_REPO],
      // pull_requests: the rekey/rewrap PR when .sops.yaml names new recipients.
      permissions: {
        contents: 'write',
        issues: 'write',
        statuses: 'write',
        pull_requests: 'write',
      },
    });
    const targetsToken = emu.addToken({
      kind: 'app',
      login: 'rekey-distribution',
      repositories: TARGET_REPOS.map((r) => r.fullName),
      permissions: {
        secrets: 'write',
        // GitHub lists environment secrets under Environments as well as Secrets.
        environments: 'write',
        administration: 'write',
      },
    });
    const client = (token: string) =>
      createGitHubClient({
        token,
        apiUrl: emu!.apiUrl,
        serverUrl: emu!.serverUrl,
        // The emulator answers on loopback and the clock is virtual: GitHub's 1-3 s spacing
        // between writes would only make the demo slow.
        throttle: { enabled: false },
        retry: { enabled: false },
        // Loopback only: no proxy may sit between the demo and its emulator.
        fetch: globalThis.fetch,
      });
    const [owner, repo] = KEYS_REPO.split('/') as [string, string];
    const people = new Map(
      PEOPLE.map((login) => [
        login,
        client(emu!.addToken({ kind: 'user', login, permissions: 'all' })),
      ]),
    );
    const distClient = client(distToken);

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

    const sandbox: Sandbox = {
      emu,
      dir,
      outputDir: join(dir, 'output'),
      clone,
      now: () => clock,
      setClock: (at) => void (clock = at),
      rekey: createGitHubPorts(client(rekeyToken), { owner, repo }),
      distributor: {
        client: distClient,
        ports: createGitHubPorts(distClient, { owner, repo }),
        targets: client(targetsToken),
      },
      auditor: client(
        emu.addToken({
          kind: 'app',
          login: 'rekey-audit',
          repositories: [KEYS_REPO],
          permissions: { contents: 'read', pull_requests: 'read', statuses: 'read' },
        }),
      ),
      person: (login) => people.get(login)!,
      async checkout() {
        await git('-C', clone, 'fetch', '-q', 'origin', 'main');
        await git('-C', clone, 'checkout', '-q', '--detach', 'FETCH_HEAD');
        return readCheckout(clone);
      },
      async readBranch(branch) {
        await git('-C', clone, 'fetch', '-q', 'origin', `refs/heads/${branch}`);
        const sha = await git('-C', clone, 'rev-parse', 'FETCH_HEAD');
        return { sha, tree: await readTreeAtRef(clone, sha) };
      },
      async close() {
        try {
          await emu!.close();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
    return sandbox;
  } catch (e) {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
