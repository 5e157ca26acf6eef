// The admin URL of a postgres-role target: TLS with verification unless a loopback plaintext
// opt-in; every refusal names the variable and never its value (the URL holds a password).
import { describe, expect, it } from 'vitest';
import { parseAdminUrl } from '../../../src/adapters/targets/postgres.ts';
import { scramSha256Verifier } from '../../../src/adapters/targets/postgres-scram.ts';
import { canary } from '../../support/canary.ts';

const PW = 'Adm1n-p4ss-w0rd-n0t-t0-l3ak';
canary.register(PW, 'admin password');
const N = 'REKEY_PG_MAIN';
const parse = (url: string | undefined, allowPlaintextLoopback = false) =>
  parseAdminUrl(N, url, { allowPlaintextLoopback });

describe('admin URL', () => {
  it('defaults to verify-full TLS', () => {
    const s = parse(`postgresql://rekey:${PW}@db.example.com:6432/app`);
    expect(s.config).toMatchObject({
      host: 'db.example.com',
      port: 6432,
      user: 'rekey',
      database: 'app',
      ssl: { rejectUnauthorized: true },
    });
    expect(s.where).toBe('postgres db.example.com:6432/app');
  });

  it.each([
    [undefined, 'not set in the distribution environment'],
    ['', 'not set in the distribution environment'],
    [`mysql://rekey:${PW}@db/app`, 'not a postgresql:// URL'],
    [`rekey:${PW}@db/app`, 'not a postgresql:// URL'],
    [
      `postgresql://rekey:${PW}@db/app?sslmode=require`,
      'sslmode=require does not verify the server',
    ],
    [`postgresql://rekey:${PW}@db/app?sslmode=prefer`, 'sslmode=prefer does not verify the server'],
    [`postgresql://rekey:${PW}@db/app?sslmode=verify-ca`, 'sslmode=verify-ca does not verify'],
    [
      `postgresql://rekey:${PW}@db.example.com/app?sslmode=disable`,
      'refused for a host that is not loopback',
    ],
    [
      `postgresql://rekey:${PW}@127.0.0.1/app?sslmode=disable`,
      'needs the plaintext-loopback opt-in',
    ],
    [`postgresql://rekey:${PW}@db/app?password=${PW}`, 'unsupported parameter password'],
    [`postgresql://:${PW}@db/app`, 'no user'],
  ])('refuses a URL: %#', (url, why) => {
    let message = '';
    try {
      parse(url);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(N);
    expect(message).toContain(why);
    canary.assertAbsent(message, 'error message');
  });

  it('plaintext only to loopback or a socket, and only with the opt-in', () => {
    expect(parse(`postgresql://rekey:${PW}@127.0.0.1:5/app?sslmode=disable`, true).config.ssl).toBe(
      false,
    );
    expect(
      parse(`postgresql://rekey:${PW}@localhost/app?host=/run/pg&sslmode=disable`, true).config,
    ).toMatchObject({
      host: '/run/pg',
      ssl: false,
    });
  });
});

describe('SCRAM-SHA-256 verifier', () => {
  it("has PostgreSQL's form and carries no form of the password", () => {
    const pw = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==';
    canary.register(pw, 'role password');
    const salt = Buffer.alloc(16, 7);
    const v = scramSha256Verifier(Buffer.from(pw), salt);
    expect(v).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/,
    );
    expect(v.split('$')[1]).toBe(`4096:${salt.toString('base64')}`);
    expect(scramSha256Verifier(Buffer.from(pw), salt)).toBe(v); // deterministic for one salt
    expect(scramSha256Verifier(Buffer.from(pw))).not.toBe(scramSha256Verifier(Buffer.from(pw)));
    canary.assertAbsent(v, 'verifier');
  });
});
