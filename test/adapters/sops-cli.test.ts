/**
 * The sops CLI adapter's plumbing, against a stand-in executable (a shell script) because no
 * sops binary is installed here: which arguments it passes, that plaintext goes through
 * stdin and never argv, how exit codes become typed errors, that stderr is redacted.
 * It proves nothing about sops compatibility; test/adapters/sops-contract.test.ts does that
 * where sops is installed.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSopsBinary, redact, SopsCli } from '../../src/adapters/sops-cli.ts';
import {
  MacMismatchError,
  MacMissingError,
  NoMatchingIdentityError,
  RecipientsMismatchError,
  SopsCliError,
  ValueAuthenticationError,
} from '../../src/core/ports/sops.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import {
  bytes,
  materialRule,
  newIdentity,
  NOW,
  text,
  type TestIdentity,
} from '../crypto/sops/helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'rekey-sops-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fake = path.join(dir, 'sops');
const argsFile = path.join(dir, 'args');
const stdinFile = path.join(dir, 'stdin-bytes');

// Records its arguments, counts stdin bytes (without keeping them), then acts per FAKE_MODE.
writeFileSync(
  fake,
  `#!/bin/sh
printf '%s\\n' "$@" > "${argsFile}"
wc -c > "${stdinFile}"
case "$FAKE_MODE" in
  output) cat "$FAKE_OUTPUT"; exit 0 ;;
  nomac) echo "MAC mismatch. File has no MAC, computed ${'AB'.repeat(64)}" >&2; exit 51 ;;
  mismatch) echo "MAC mismatch. File has ${'CD'.repeat(64)}, computed ${'EF'.repeat(64)}" >&2; exit 51 ;;
  badmac) echo "Cannot decrypt MAC: cipher: message authentication failed" >&2; exit 51 ;;
  tree) echo "Error decrypting tree: Could not decrypt value" >&2; exit 25 ;;
  nokey) echo "Failed to get the data key required to decrypt the SOPS file." >&2; exit 128 ;;
  *) echo "some failure ${'0123456789abcdef'.repeat(4)}" >&2; exit 3 ;;
esac
`,
);
chmodSync(fake, 0o755);

let alice: TestIdentity;
let encrypted: Uint8Array;
beforeAll(async () => {
  alice = await newIdentity();
  encrypted = await new BuiltinSopsCodec({ identities: [] }).encrypt(
    'k/v1.yaml',
    bytes('id: a\nsecret: PLAINTEXT-MARKER\n'),
    {
      rule: materialRule([alice.recipient]),
      now: NOW,
    },
  );
  writeFileSync(path.join(dir, 'out.yaml'), encrypted);
});

const cli = (mode: string) =>
  new SopsCli({
    binary: fake,
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', FAKE_MODE: mode, FAKE_OUTPUT: path.join(dir, 'out.yaml') },
  });

describe('SopsCli (against a stand-in executable)', () => {
  it('passes plaintext on stdin only, with --filename-override and the types', async () => {
    const plain = 'id: a\nsecret: PLAINTEXT-MARKER\n';
    const out = await cli('output').encrypt('k/v1.yaml', bytes(plain), {
      rule: materialRule([alice.recipient]),
      now: NOW,
    });
    expect(text(out)).toBe(text(encrypted));
    const args = readFileSync(argsFile, 'utf8').trim().split('\n');
    expect(args).toEqual([
      'encrypt',
      '--filename-override',
      'k/v1.yaml',
      '--input-type',
      'yaml',
      '--output-type',
      'yaml',
    ]);
    expect(args.join(' ')).not.toContain('PLAINTEXT-MARKER');
    expect(Number(readFileSync(stdinFile, 'utf8').trim())).toBe(Buffer.byteLength(plain));
  });

  it('refuses sops output whose recipients are not the rule’s', async () => {
    const other = await newIdentity();
    await expect(
      cli('output').encrypt('k/v1.yaml', bytes('x: 1\n'), {
        rule: materialRule([other.recipient]),
        now: NOW,
      }),
    ).rejects.toBeInstanceOf(RecipientsMismatchError);
  });

  it('checks the rule before running sops on decrypt', async () => {
    const other = await newIdentity();
    await expect(
      cli('output').decrypt('k/v1.yaml', encrypted, { rule: materialRule([other.recipient]) }),
    ).rejects.toBeInstanceOf(RecipientsMismatchError);
  });

  it.each([
    ['nomac', MacMissingError],
    ['mismatch', MacMismatchError],
    ['badmac', MacMismatchError],
    ['tree', ValueAuthenticationError],
    ['nokey', NoMatchingIdentityError],
    ['other', SopsCliError],
  ] as const)('exit status for %s becomes %o', async (mode, cls) => {
    const err = await cli(mode)
      .decrypt('k/v1.yaml', encrypted)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect((err as Error).message).not.toMatch(/[0-9a-fA-F]{32}/);
  });

  it('reports recipients when no identity matches', async () => {
    const err = (await cli('nokey')
      .decrypt('k/v1.yaml', encrypted)
      .catch((e: unknown) => e)) as NoMatchingIdentityError;
    expect(err.recipients).toEqual([alice.recipient]);
  });

  it('redacts long hex and base64 runs from stderr', () => {
    expect(redact(`MAC ${'ab'.repeat(40)} and ${'QUJD'.repeat(12)} end`)).toBe(
      'MAC [redacted] and [redacted] end',
    );
  });
});

describe('findSopsBinary', () => {
  it('prefers SOPS_BINARY, else searches PATH', () => {
    expect(findSopsBinary({ SOPS_BINARY: '/opt/sops' }, () => false)).toBe('/opt/sops');
    expect(findSopsBinary({ PATH: `/nope${path.delimiter}${dir}` })).toBe(fake);
    expect(findSopsBinary({ PATH: '/nope' }, () => false)).toBeUndefined();
  });
});
