// The loopback emulator with two repositories of one organization (acme/api with a
// `production` environment, acme/web), an App token allowed to manage secrets and deploy keys,
// and a function building a fresh set of target ports (one per "run").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGitHubClient } from '../../../src/adapters/github/client.ts';
import { createTargetPorts } from '../../../src/adapters/targets/index.ts';
import type { TargetPorts } from '../../../src/core/ports/targets.ts';
import { type Emulator, startEmulator } from '../../../src/sandbox/emulator/index.ts';
import { openApiValidator } from '../../support/openapi.ts';

export interface TargetBed {
  emu: Emulator;
  out: string;
  logs: string[];
  /** New ports (a new run: empty public-key cache). */
  ports(): TargetPorts;
  close(): Promise<void>;
}

export async function startTargetBed(): Promise<TargetBed> {
  const emu = await startEmulator({ validator: openApiValidator() });
  await emu.addRepo({ fullName: 'acme/api', environments: ['production'] });
  await emu.addRepo({ fullName: 'acme/web' });
  const token = emu.addToken({
    kind: 'app',
    login: 'rekey',
    permissions: {
      secrets: 'write',
      // GitHub lists environment secrets under Environments as well as Secrets.
      environments: 'write',
      dependabot_secrets: 'write',
      organization_secrets: 'write',
      organization_dependabot_secrets: 'write',
      administration: 'write',
      metadata: 'read',
    },
  });
  const out = await mkdtemp(join(tmpdir(), 'rekey-targets-'));
  const logs: string[] = [];
  const line = (level: string) => (m: string) => void logs.push(`${level} ${m}`);
  return {
    emu,
    out,
    logs,
    ports: () =>
      createTargetPorts(
        createGitHubClient({
          token,
          apiUrl: emu.apiUrl,
          serverUrl: emu.serverUrl,
          fetch: globalThis.fetch,
          throttle: { enabled: false },
          retry: { baseDelayMs: 5 },
          log: {
            debug: line('debug'),
            info: line('info'),
            warn: line('warn'),
            error: line('error'),
          },
        }),
        out,
      ),
    close: async () => {
      await emu.close();
      await rm(out, { recursive: true, force: true });
    },
  };
}
