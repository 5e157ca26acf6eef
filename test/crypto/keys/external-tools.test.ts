/**
 * Cross-checks against tools we did not write: OpenSSL for SubjectPublicKeyInfo fingerprints
 * and HMAC, OpenSSH's ssh-keygen for the hand-written openssh-key-v1 encoder and for
 * `SHA256:` fingerprints. Each direction is checked: our output read by the tool, and the
 * tool's output read by us. Private keys reach the tools on stdin, or (ssh-keygen, which
 * only reads files) in a 0600 file in a private temporary directory removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyType } from '../../../src/core/formats/key.ts';
import {
  fingerprintOf,
  generateKey,
  KCV_MESSAGE,
  verifyMaterial,
} from '../../../src/crypto/keys/index.ts';
import { canary } from '../../support/canary.ts';

function onPath(cmd: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}
const hasOpenssl = onPath('openssl') && onPath('sha256sum');
const hasSshKeygen = onPath('ssh-keygen');
if (!hasOpenssl)
  console.warn('SKIP: openssl or sha256sum not on PATH; OpenSSL cross-checks skipped');
if (!hasSshKeygen) console.warn('SKIP: ssh-keygen not on PATH; OpenSSH cross-checks skipped');

const run = (cmd: string, args: string[], input?: string | Buffer): Buffer =>
  execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
const sha256sum = (data: Buffer) => run('sha256sum', [], data).toString().split(' ')[0];

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rekey-keys-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes a key file only this user can read, runs `use`, removes the file. */
function withKeyFile<T>(name: string, content: string, use: (path: string) => T): T {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  try {
    return use(path);
  } finally {
    rmSync(path, { force: true });
  }
}

describe.skipIf(!hasOpenssl)('OpenSSL agrees with our sha256: fingerprints', () => {
  it.each(['ed25519', 'ecdsa-p256', 'rsa-3072'] as const)(
    '%s: openssl pkey -pubout -outform DER | sha256sum',
    async (type: KeyType) => {
      const k = await generateKey(type);
      canary.register(k.secret, type);
      const fromSecret = sha256sum(
        run('openssl', ['pkey', '-pubout', '-outform', 'DER'], k.secret),
      );
      const fromPublic = sha256sum(
        run('openssl', ['pkey', '-pubin', '-pubout', '-outform', 'DER'], k.public),
      );
      expect(k.fingerprint).toBe(`sha256:${fromSecret}`);
      expect(fromPublic).toBe(fromSecret);
    },
  );

  it('rsa-3072 really has a 3072-bit modulus', async () => {
    const k = await generateKey('rsa-3072');
    canary.register(k.secret);
    expect(run('openssl', ['pkey', '-pubin', '-text_pub', '-noout'], k.public).toString()).toMatch(
      /Public-Key: \(3072 bit\)[\s\S]*Exponent: 65537 \(0x10001\)/,
    );
  });

  it.each([
    ['ed25519', ['-algorithm', 'ed25519']],
    ['ecdsa-p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
  ] as const)('reads %s keys made by openssl genpkey', async (type, args) => {
    const secret = run('openssl', ['genpkey', ...args]).toString();
    canary.register(secret);
    const pub = run('openssl', ['pkey', '-pubout'], secret).toString();
    const expected = sha256sum(run('openssl', ['pkey', '-pubout', '-outform', 'DER'], secret));
    expect(await verifyMaterial(type, { secret, public: pub })).toEqual({
      ok: true,
      fingerprint: `sha256:${expected}`,
    });
  });

  it('the kcv is HMAC-SHA256 as openssl mac computes it', async () => {
    const k = await generateKey('random', { bytes: 32, encoding: 'base64' });
    const hexkey = Buffer.from(k.secret, 'base64').toString('hex');
    const mac = run(
      'openssl',
      ['mac', '-digest', 'SHA256', '-macopt', `hexkey:${hexkey}`, 'HMAC'],
      KCV_MESSAGE,
    )
      .toString()
      .trim()
      .toLowerCase();
    expect(k.fingerprint).toBe(`kcv:${mac.slice(0, 16)}`);
  });
});

describe.skipIf(!hasSshKeygen)('ssh-keygen agrees with our OpenSSH encoding', () => {
  it('ssh-keygen -l on our public line prints our fingerprint', async () => {
    const k = await generateKey('ssh-ed25519', undefined, { comment: 'rekey@test' });
    canary.register(k.secret);
    // Named apart from the private key files below: given a private key path, ssh-keygen -l
    // prefers "<path>.pub" when it exists.
    const out = withKeyFile('line.pub', `${k.public}\n`, (path) =>
      run('ssh-keygen', ['-l', '-f', path]).toString().trim(),
    );
    expect(out).toBe(`256 ${k.fingerprint} rekey@test (ED25519)`);
  });

  it('ssh-keygen -y on our private key reproduces our public line (proves the encoder)', async () => {
    for (const comment of ['rekey', 'a', 'deploy key for acme/api', 'x'.repeat(37)]) {
      // Different comment lengths exercise every padding length of the private section.
      const k = await generateKey('ssh-ed25519', undefined, { comment });
      canary.register(k.secret);
      const derived = withKeyFile('id', k.secret, (path) =>
        run('ssh-keygen', ['-y', '-f', path]).toString().trim(),
      );
      expect(derived).toBe(k.public);
    }
  });

  it('ssh-keygen -l on our private key prints our fingerprint', async () => {
    const k = await generateKey('ssh-ed25519');
    canary.register(k.secret);
    const out = withKeyFile('id', k.secret, (path) => run('ssh-keygen', ['-l', '-f', path]));
    expect(out.toString()).toContain(` ${k.fingerprint} `);
  });

  it('reads a key made by ssh-keygen and fingerprints it as ssh-keygen does', async () => {
    const path = join(dir, 'theirs');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'made by ssh-keygen', '-f', path]);
    try {
      const secret = readFileSync(path, 'utf8');
      const pub = readFileSync(`${path}.pub`, 'utf8').trim();
      canary.register(secret);
      const expected = run('ssh-keygen', ['-l', '-f', `${path}.pub`])
        .toString()
        .split(' ')[1];
      expect(await verifyMaterial('ssh-ed25519', { secret, public: pub })).toEqual({
        ok: true,
        fingerprint: expected,
      });
      expect(await fingerprintOf('ssh-ed25519', { secret })).toBe(expected);
    } finally {
      rmSync(path, { force: true });
      rmSync(`${path}.pub`, { force: true });
    }
  });
});
