import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/sandbox/emulator/index.ts';

describe('emulator lifecycle', () => {
  it('runs without a validator, listens on 127.0.0.1 only, and removes its repositories on close', async () => {
    const emu = await startEmulator({ now: () => new Date('2026-11-20T09:00:00Z') });
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const repo = await emu.addRepo({ fullName: 'acme/infra' });
    const token = emu.addToken({ kind: 'app', permissions: { contents: 'read' } });
    expect(token).toMatch(/^ghs_/);
    const res = await fetch(`${emu.apiUrl}/repos/acme/infra/git/matching-refs/heads`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const head = await repo.git.readRef('refs/heads/main');
    expect((await repo.git.readCommit(head ?? '')).author.date).toBe('2026-11-20T09:00:00Z');
    expect(emu.actionsEnv('acme/infra')).toEqual({
      GITHUB_API_URL: `${emu.url}/api/v3`,
      GITHUB_SERVER_URL: emu.url,
      GITHUB_REPOSITORY: 'acme/infra',
      GITHUB_REPOSITORY_OWNER: 'acme',
    });
    expect(existsSync(repo.git.dir)).toBe(true);
    await emu.close();
    expect(existsSync(repo.git.dir)).toBe(false);
    await expect(fetch(emu.apiUrl)).rejects.toThrow();
  });

  it('refuses duplicate repositories and malformed names', async () => {
    const emu = await startEmulator();
    try {
      await emu.addRepo({ fullName: 'acme/infra' });
      await expect(emu.addRepo({ fullName: 'ACME/infra' })).rejects.toThrow(/exists/);
      await expect(emu.addRepo({ fullName: 'infra' })).rejects.toThrow(/owner\/name/);
      expect(() => emu.repo('acme/nope')).toThrow(/no repository/);
    } finally {
      await emu.close();
    }
  });
});
