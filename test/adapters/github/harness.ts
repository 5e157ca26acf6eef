// Shared set-up for the GitHub adapter tests: the loopback emulator (with OpenAPI validation),
// one repository, an App installation token, and a client with throttling off and retries fast.
import { type Emulator, startEmulator } from '../../../src/sandbox/emulator/index.ts';
import {
  createGitHubClient,
  type GitHubClient,
  type GitHubClientOptions,
} from '../../../src/adapters/github/client.ts';
import { openApiValidator } from '../../support/openapi.ts';

export const REPO = 'acme/infra';
export const AT = { owner: 'acme', repo: 'infra' } as const;

export interface Bed {
  emu: Emulator;
  token: string;
  client(extra?: Partial<GitHubClientOptions>): GitHubClient;
  logs: string[];
}

export async function startBed(files?: Record<string, string>): Promise<Bed> {
  const emu = await startEmulator({ validator: openApiValidator() });
  await emu.addRepo({
    fullName: REPO,
    files: files ?? { 'README.md': '# infra\n', 'keys/a.yaml': 'v: 1\n' },
  });
  const token = emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      statuses: 'write',
      // Organization permission GitHub needs to request a team's review.
      members: 'read',
    },
  });
  const logs: string[] = [];
  const line = (level: string) => (m: string) => void logs.push(`${level} ${m}`);
  return {
    emu,
    token,
    logs,
    client: (extra = {}) =>
      createGitHubClient({
        token,
        apiUrl: emu.apiUrl,
        serverUrl: emu.serverUrl,
        fetch: globalThis.fetch,
        throttle: { enabled: false },
        retry: { baseDelayMs: 5 },
        log: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
        ...extra,
      }),
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
