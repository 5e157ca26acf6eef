// Shared set-up for the emulator tests: an emulator that validates every request against
// GitHub's OpenAPI description, and Octokit clients driven the way rekey drives them.
import { Octokit } from '@octokit/core';
import { type Emulator, startEmulator } from '../../../src/sandbox/emulator/index.ts';
import { openApiValidator } from '../../support/openapi.ts';

export const REPO = 'acme/infra';

export interface Harness {
  emu: Emulator;
  /** A GitHub App installation token with the permissions rekey's rotation job uses. */
  app: Octokit;
  /** A person who can review and approve. */
  alice: Octokit;
}

export function client(emu: Emulator, token: string): Octokit {
  return new Octokit({ auth: token, baseUrl: emu.apiUrl, request: { fetch: globalThis.fetch } });
}

export async function harness(files?: Record<string, string>): Promise<Harness> {
  const emu = await startEmulator({ validator: openApiValidator() });
  await emu.addRepo({
    fullName: REPO,
    files: files ?? { 'README.md': '# infra\n', 'keys/a.yaml': 'v: 1\n' },
    environments: ['production'],
  });
  const appToken = emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      statuses: 'write',
      secrets: 'write',
      environments: 'write',
      administration: 'write',
      actions: 'read',
      members: 'read',
      dependabot_secrets: 'write',
      organization_secrets: 'write',
      organization_dependabot_secrets: 'write',
    },
  });
  const aliceToken = emu.addToken({ kind: 'user', login: 'alice', permissions: 'all' });
  return { emu, app: client(emu, appToken), alice: client(emu, aliceToken) };
}

/** The status of a failed Octokit request (RequestError), or 0 for a network failure. */
export async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    return typeof (e as { status?: unknown }).status === 'number'
      ? (e as { status: number }).status
      : 0;
  }
  throw new Error('expected the request to fail');
}

/** Commits a change through the Git Data API on top of `branch`; returns the new commit sha. */
export async function commitVia(
  octokit: Octokit,
  branch: string,
  files: Record<string, string | null>,
  message: string,
): Promise<{ sha: string; parent: string }> {
  const [owner = '', repo = ''] = REPO.split('/');
  const ref = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
    owner,
    repo,
    ref: `heads/${branch}`,
  });
  const parent = ref.data.object.sha;
  const base = await octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
    owner,
    repo,
    commit_sha: parent,
  });
  const tree = await octokit.request('POST /repos/{owner}/{repo}/git/trees', {
    owner,
    repo,
    base_tree: base.data.tree.sha,
    tree: Object.entries(files).map(([path, content]) =>
      content === null
        ? { path, mode: '100644' as const, type: 'blob' as const, sha: null }
        : { path, mode: '100644' as const, type: 'blob' as const, content },
    ),
  });
  const commit = await octokit.request('POST /repos/{owner}/{repo}/git/commits', {
    owner,
    repo,
    message,
    tree: tree.data.sha,
    parents: [parent],
  });
  return { sha: commit.data.sha, parent };
}
