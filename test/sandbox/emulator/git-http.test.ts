import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitVia, harness, type Harness, REPO } from './harness.ts';

const run = promisify(execFile);
const env = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};
let h: Harness;
let scratch: string;
let token: string;
beforeAll(async () => {
  h = await harness();
  token = h.emu.addToken({ kind: 'app', permissions: { contents: 'read' } });
  scratch = await mkdtemp(path.join(tmpdir(), 'rekey-emu-clone-'));
});
afterAll(async () => {
  await h.emu.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('git over HTTP', () => {
  it('clones a private repository with a token and sees the commits made through the API', async () => {
    const { sha } = await commitVia(
      h.app,
      'main',
      { 'keys/a.yaml': 'v: 2\n' },
      'rekey: rotate a to v2',
    );
    await h.app.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
      owner: 'acme',
      repo: 'infra',
      ref: 'heads/main',
      sha,
    });
    const remote = `${h.emu.serverUrl.replace('http://', `http://x-access-token:${token}@`)}/${REPO}.git`;
    const dir = path.join(scratch, 'clone');
    await run('git', ['clone', '-q', remote, dir], { env });
    const log = await run('git', ['-C', dir, 'log', '--format=%H %s'], { env });
    expect(log.stdout.trim().split('\n')).toEqual([
      `${sha} rekey: rotate a to v2`,
      expect.stringMatching(/ Initial commit$/),
    ]);
    expect(h.emu.calls('GET /repos/{owner}/{repo}/git/ref/{ref}')).toBe(1);
  });

  it('refuses a clone without a token, and any push', async () => {
    const anonymous = `${h.emu.serverUrl}/${REPO}.git`;
    await expect(
      run('git', ['clone', '-q', anonymous, path.join(scratch, 'anon')], { env }),
    ).rejects.toThrow();
    const remote = `${h.emu.serverUrl.replace('http://', `http://x-access-token:${token}@`)}/${REPO}.git`;
    const dir = path.join(scratch, 'clone');
    await run(
      'git',
      [
        '-C',
        dir,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.com',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'direct',
      ],
      { env },
    );
    await expect(
      run('git', ['-C', dir, 'push', '-q', remote, 'HEAD:main'], { env }),
    ).rejects.toThrow();
  });
});
