/**
 * Loads age identities from the places sops looks (age/keysource.go `loadIdentities`), all of
 * them, in this order:
 *   1. `SOPS_AGE_KEY`: identities separated by any whitespace;
 *   2. `SOPS_AGE_KEY_FILE`: a keys file (an unreadable one is an error, as in sops);
 *   3. `<user config dir>/sops/age/keys.txt`, if it exists: `$XDG_CONFIG_HOME` or
 *      `~/.config` on Linux; on macOS `$XDG_CONFIG_HOME` if set, else
 *      `~/Library/Application Support`; `%AppData%` on Windows (Go's os.UserConfigDir).
 * Key files hold one identity per line; blank lines and `#` lines are ignored.
 *
 * Not supported (sops also has them): `SOPS_AGE_KEY_CMD`, `SOPS_AGE_SSH_PRIVATE_KEY_FILE`,
 * ~/.ssh keys and `AGE-PLUGIN-` identities; they are reported in `ignored` so a caller can
 * say why a file does not open. The environment is a parameter: only entrypoints read it.
 *
 * Errors name the source and line, never the key text.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface AgeIdentityOptions {
  readonly env: Env;
  readonly homedir: string;
  /** Defaults to the running platform; a parameter so tests cover all three. */
  readonly platform?: NodeJS.Platform;
}

export interface LoadedAgeIdentities {
  /** `AGE-SECRET-KEY-1…` / `AGE-SECRET-KEY-PQ-1…` strings: secret, never log them. */
  readonly identities: readonly string[];
  /** Where identities were found (env variable names, file paths), for messages. */
  readonly sources: readonly string[];
  /** Sources sops would use but rekey's built-in codec does not (set, but ignored). */
  readonly ignored: readonly string[];
}

export class AgeIdentityError extends Error {
  override readonly name = 'AgeIdentityError';
  readonly code = 'sops/identity-source';
  readonly source: string;
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.source = source;
  }
}

const IDENTITY = /^AGE-SECRET-KEY-(PQ-)?1[02-9ACDEFGHJKLMNPQRSTUVWXYZ]+$/;

/** Parses identities from key-file text (or SOPS_AGE_KEY, with several per line). */
export function parseAgeIdentities(
  text: string,
  source: string,
  severalPerLine: boolean,
): string[] {
  const out: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) return;
    for (const word of severalPerLine ? line.split(/\s+/).filter(Boolean) : [line.trim()]) {
      if (word.startsWith('AGE-PLUGIN-'))
        throw new AgeIdentityError(
          source,
          `line ${i + 1}: age plugin identities are not supported; use the sops CLI`,
        );
      if (!IDENTITY.test(word))
        throw new AgeIdentityError(
          source,
          `line ${i + 1}: not an age identity (expected AGE-SECRET-KEY-1…)`,
        );
      out.push(word);
    }
  });
  return out;
}

/** Go's os.UserConfigDir, with sops's macOS XDG_CONFIG_HOME exception. */
export function userConfigDir(
  env: Env,
  homedir: string,
  platform: NodeJS.Platform,
): string | undefined {
  const xdg = env['XDG_CONFIG_HOME'];
  if (platform === 'win32') return env['AppData'] || env['APPDATA'] || undefined;
  if (platform === 'darwin') return xdg || path.join(homedir, 'Library', 'Application Support');
  return xdg || (homedir ? path.join(homedir, '.config') : undefined);
}

export async function loadAgeIdentities(options: AgeIdentityOptions): Promise<LoadedAgeIdentities> {
  const { env, homedir } = options;
  const platform = options.platform ?? process.platform;
  const identities: string[] = [];
  const sources: string[] = [];
  const add = (found: string[], source: string) => {
    if (found.length === 0) return;
    identities.push(...found);
    sources.push(source);
  };

  const inline = env['SOPS_AGE_KEY'];
  if (inline !== undefined) add(parseAgeIdentities(inline, 'SOPS_AGE_KEY', true), 'SOPS_AGE_KEY');

  const keyFile = env['SOPS_AGE_KEY_FILE'];
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = await readFile(keyFile, 'utf8');
    } catch (e) {
      throw new AgeIdentityError(
        'SOPS_AGE_KEY_FILE',
        `cannot read ${keyFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    add(parseAgeIdentities(text, keyFile, false), keyFile);
  }

  const dir = userConfigDir(env, homedir, platform);
  if (dir) {
    const file = path.join(dir, 'sops', 'age', 'keys.txt');
    try {
      add(parseAgeIdentities(await readFile(file, 'utf8'), file, false), file);
    } catch (e) {
      if (e instanceof AgeIdentityError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new AgeIdentityError(
          file,
          `cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        );
    }
  }

  const ignored = [
    'SOPS_AGE_KEY_CMD',
    'SOPS_AGE_SSH_PRIVATE_KEY_FILE',
    'SOPS_AGE_SSH_PRIVATE_KEY_CMD',
  ].filter((k) => env[k] !== undefined);
  return { identities, sources, ignored };
}
