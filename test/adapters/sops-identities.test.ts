import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgeIdentityError,
  loadAgeIdentities,
  parseAgeIdentities,
  userConfigDir,
} from '../../src/adapters/sops-identities.ts';
import { newIdentity } from '../crypto/sops/helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'rekey-sops-ids-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let k1: string;
let k2: string;
let k3: string;
beforeAll(async () => {
  [k1, k2, k3] = (await Promise.all([newIdentity(), newIdentity(), newIdentity()])).map(
    (i) => i.identity,
  ) as [string, string, string];
});

function home(name: string, keysTxt?: string): string {
  const h = path.join(root, name);
  mkdirSync(path.join(h, '.config', 'sops', 'age'), { recursive: true });
  if (keysTxt !== undefined)
    writeFileSync(path.join(h, '.config', 'sops', 'age', 'keys.txt'), keysTxt, { mode: 0o600 });
  return h;
}

describe('loadAgeIdentities (like sops: every source, in order)', () => {
  it('reads SOPS_AGE_KEY (several per line), SOPS_AGE_KEY_FILE and the default keys file', async () => {
    const file = path.join(root, 'extra.txt');
    writeFileSync(file, `# created: today\n# public key: age1…\n${k2}\n\n`);
    const h = home('all', `${k3}\n`);
    const r = await loadAgeIdentities({
      env: { SOPS_AGE_KEY: `${k1}  \n`, SOPS_AGE_KEY_FILE: file },
      homedir: h,
      platform: 'linux',
    });
    expect(r.identities).toEqual([k1, k2, k3]);
    expect(r.sources).toEqual([
      'SOPS_AGE_KEY',
      file,
      path.join(h, '.config', 'sops', 'age', 'keys.txt'),
    ]);
  });

  it('honours XDG_CONFIG_HOME and tolerates a missing default file', async () => {
    const xdg = path.join(root, 'xdg');
    mkdirSync(path.join(xdg, 'sops', 'age'), { recursive: true });
    writeFileSync(path.join(xdg, 'sops', 'age', 'keys.txt'), `${k1}\n`);
    const r = await loadAgeIdentities({
      env: { XDG_CONFIG_HOME: xdg },
      homedir: home('none'),
      platform: 'linux',
    });
    expect(r.identities).toEqual([k1]);
    const empty = await loadAgeIdentities({ env: {}, homedir: home('none2'), platform: 'linux' });
    expect(empty.identities).toEqual([]);
  });

  it('an unreadable SOPS_AGE_KEY_FILE is an error, as in sops', async () => {
    await expect(
      loadAgeIdentities({
        env: { SOPS_AGE_KEY_FILE: path.join(root, 'nope') },
        homedir: home('x'),
        platform: 'linux',
      }),
    ).rejects.toBeInstanceOf(AgeIdentityError);
  });

  it('reports sources it does not support', async () => {
    const r = await loadAgeIdentities({
      env: { SOPS_AGE_KEY_CMD: 'pass show age' },
      homedir: home('y'),
      platform: 'linux',
    });
    expect(r.ignored).toEqual(['SOPS_AGE_KEY_CMD']);
  });
});

describe('parseAgeIdentities', () => {
  it('refuses junk and plugins, naming the line but never the text', () => {
    const junk = 'AGE-SECRET-KEY-1THISISNOTAKEYbutitlookssecret';
    const err = (() => {
      try {
        parseAgeIdentities(`# ok\n${junk}\n`, 'keys.txt', false);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(AgeIdentityError);
    expect(err?.message).toContain('line 2');
    expect(err?.message).not.toContain('THISISNOTAKEY');
    expect(() => parseAgeIdentities('AGE-PLUGIN-YUBIKEY-1XYZ\n', 'k', false)).toThrow(/plugin/);
  });
});

describe('userConfigDir = Go os.UserConfigDir (+ sops macOS XDG rule)', () => {
  it.each([
    ['linux', {}, '/home/u/.config'],
    ['linux', { XDG_CONFIG_HOME: '/x' }, '/x'],
    ['darwin', {}, '/home/u/Library/Application Support'],
    ['darwin', { XDG_CONFIG_HOME: '/x' }, '/x'],
    ['win32', { AppData: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u\\AppData\\Roaming'],
  ] as const)('%s %o', (platform, env, dir) => {
    expect(userConfigDir(env, '/home/u', platform)).toBe(dir);
  });
});
