/**
 * The SOPS port backed by the `sops` binary (>= 3.9), for everything the built-in codec does
 * not do: PGP, KMS, Vault, INI, plugins. Plaintext moves through pipes only: it is written to
 * sops's stdin and read from its stdout (`sops encrypt|decrypt --filename-override <path>
 * --input-type <t> --output-type <t>` with no file argument reads stdin), never to a file.
 *
 * sops chooses the creation rule itself, from `.sops.yaml` found from `cwd` (or `configPath`)
 * for `--filename-override`, exactly as it would for a user; rekey then reads the output's
 * metadata and refuses it when its recipients are not the rule's. `now` and `previous` are
 * not passed: sops stamps lastmodified with its own clock and writes fresh ciphertext.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type {
  SopsCodec,
  SopsDecryptOptions,
  SopsEncryptOptions,
  SopsFileInfo,
} from '../core/ports/sops.ts';
import {
  MacMismatchError,
  MacMissingError,
  NoMatchingIdentityError,
  RecipientsMismatchError,
  SopsCliError,
  ValueAuthenticationError,
} from '../core/ports/sops.ts';
import {
  BuiltinSopsCodec,
  checkFileAgainstRule,
  loadEncrypted,
  storeFor,
} from '../crypto/sops/index.ts';
import type { Env } from './sops-identities.ts';

export interface SopsCliOptions {
  /** Path of the sops executable (see findSopsBinary). */
  readonly binary: string;
  /** Working directory: the repository root, where sops looks for `.sops.yaml`. */
  readonly cwd: string;
  /** Environment for sops: PATH, HOME, SOPS_AGE_KEY(_FILE), GNUPGHOME, cloud credentials. */
  readonly env: Env;
  /** An explicit `.sops.yaml` (sops `--config`). */
  readonly configPath?: string;
  readonly timeoutMs?: number;
}

/** `SOPS_BINARY` if set, else the first executable `sops` on PATH; undefined when none. */
export function findSopsBinary(
  env: Env,
  isExecutable: (p: string) => boolean = executable,
): string | undefined {
  const explicit = env['SOPS_BINARY'];
  if (explicit) return explicit;
  const names = process.platform === 'win32' ? ['sops.exe', 'sops'] : ['sops'];
  for (const dir of (env['PATH'] ?? '').split(path.delimiter).filter(Boolean))
    for (const n of names) if (isExecutable(path.join(dir, n))) return path.join(dir, n);
  return undefined;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Hex and base64 runs long enough to be a MAC, key or ciphertext are cut from sops's stderr. */
export function redact(stderr: string): string {
  return stderr
    .replace(/[0-9A-Fa-f]{32,}/g, '[redacted]')
    .replace(/[A-Za-z0-9+/=]{40,}/g, '[redacted]')
    .trim()
    .slice(0, 2000);
}

const SOPS_TYPES: Record<string, string> = {
  yaml: 'yaml',
  json: 'json',
  dotenv: 'dotenv',
  binary: 'binary',
};

export class SopsCli implements SopsCodec {
  readonly #o: SopsCliOptions;
  /** Metadata is read by rekey's own parser: it needs no key and behaves the same for both. */
  readonly #reader = new BuiltinSopsCodec({ identities: [] });

  constructor(options: SopsCliOptions) {
    this.#o = options;
  }

  async encrypt(
    file: string,
    plaintext: Uint8Array,
    options: SopsEncryptOptions,
  ): Promise<Uint8Array> {
    const r = await this.#run(['encrypt', ...this.#typeArgs(file)], plaintext);
    if (r.code !== 0) throw this.#error(file, r);
    // sops chose the rule itself: refuse output whose recipients are not the rule's.
    const info = await this.inspect(file, r.stdout);
    const expected = options.rule.keyGroups.map((g) => [...g.age, ...g.pgp].sort());
    const actual = info.ageRecipients.map((g, i) =>
      [...g, ...(info.pgpFingerprints[i] ?? [])].sort(),
    );
    if (JSON.stringify(expected) !== JSON.stringify(actual))
      throw new RecipientsMismatchError(file, expected, actual);
    return r.stdout;
  }

  async decrypt(
    file: string,
    encrypted: Uint8Array,
    options?: SopsDecryptOptions,
  ): Promise<Uint8Array> {
    // The rule check needs no key; it fails closed (a format rekey cannot read is refused).
    if (options?.rule) checkFileAgainstRule(file, encrypted, options.rule);
    const r = await this.#run(['decrypt', ...this.#typeArgs(file)], encrypted);
    if (r.code !== 0) throw this.#error(file, r, encrypted);
    return r.stdout;
  }

  inspect(file: string, encrypted: Uint8Array): Promise<SopsFileInfo> {
    return this.#reader.inspect(file, encrypted);
  }

  #typeArgs(file: string): string[] {
    const type = SOPS_TYPES[storeFor(file).name];
    const args = ['--filename-override', file];
    return type ? [...args, '--input-type', type, '--output-type', type] : args;
  }

  #error(file: string, r: RunResult, encrypted?: Uint8Array): Error {
    const msg = redact(r.stderr);
    // sops distinguishes these only by exit code and message (cmd/sops/codes, common.go);
    // reading its message text is confined to this boundary.
    switch (r.code) {
      case 51:
        if (/no MAC/i.test(r.stderr)) return new MacMissingError(file);
        return new MacMismatchError(
          file,
          /Cannot decrypt MAC/i.test(r.stderr) ? 'unauthenticated' : 'differs',
        );
      case 52:
        return new MacMissingError(file);
      case 25:
        return new ValueAuthenticationError(file, '(reported by sops)');
      case 128: {
        let recipients: string[] = [];
        try {
          if (encrypted)
            recipients = loadEncrypted(file, encrypted).meta.groups.flatMap((g) =>
              g.age.map((a) => a.recipient),
            );
        } catch {
          recipients = [];
        }
        return new NoMatchingIdentityError(file, recipients);
      }
      default:
        return new SopsCliError(file, r.code, `sops exited with ${r.code ?? 'a signal'}: ${msg}`);
    }
  }

  #run(args: string[], input: Uint8Array): Promise<RunResult> {
    const global = this.#o.configPath ? ['--config', this.#o.configPath] : [];
    return new Promise((resolve, reject) => {
      const child = spawn(this.#o.binary, [...global, ...args], {
        cwd: this.#o.cwd,
        env: { ...this.#o.env } as NodeJS.ProcessEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: this.#o.timeoutMs ?? 120_000,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) =>
        reject(new SopsCliError('sops', null, `cannot run ${this.#o.binary}: ${e.message}`)),
      );
      child.on('close', (code) =>
        resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
      );
      child.stdin.on('error', () => undefined); // sops may exit before reading all input
      child.stdin.end(Buffer.from(input));
    });
  }
}
