import { createPrivateKey, createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyType } from '../../src/core/formats/key.ts';
import { bech32Decode } from '../../src/crypto/keys/bech32.ts';
import { generateKey, type GeneratedKey } from '../../src/crypto/keys/index.ts';
import { parseOpenSshPrivateKey } from '../../src/crypto/keys/openssh.ts';
import { Canary, CanaryLeakError } from './canary.ts';

/**
 * The canary must catch every form it claims to (each case below builds the leaked form
 * itself, independently of the canary's own derivation) and must not report public parts.
 */

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const pemBody = (pem: string) => pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
const der = (pem: string) => Buffer.from(pemBody(pem).join(''), 'base64');

/** The error a leak produces, checked for what it must and must not say. */
function leakError(c: Canary, text: string, where: string): CanaryLeakError {
  try {
    c.assertAbsent(text, where);
  } catch (e) {
    expect(e).toBeInstanceOf(CanaryLeakError);
    return e as CanaryLeakError;
  }
  throw new Error(`expected a leak to be reported in ${where}`);
}

/** No 16-character run of `secret` (or of the leaked form) appears in the message. */
function expectNotQuoted(message: string, ...values: string[]) {
  for (const v of values)
    for (let i = 0; i + 16 <= v.length; i += 4)
      expect(message.includes(v.slice(i, i + 16))).toBe(false);
}

describe('canary', () => {
  const keys = new Map<KeyType, GeneratedKey>();
  const random = new Map<string, GeneratedKey>();
  beforeAll(async () => {
    for (const t of ['ed25519', 'ecdsa-p256', 'rsa-3072', 'ssh-ed25519', 'age-x25519'] as const)
      keys.set(t, await generateKey(t));
    for (const encoding of ['base64', 'base64url', 'hex'] as const)
      random.set(encoding, await generateKey('random', { bytes: 32, encoding }));
  });
  const key = (t: KeyType) => keys.get(t)!;

  const cases: { name: string; secret: () => string; leak: () => string }[] = [
    {
      name: 'random: raw text',
      secret: () => random.get('hex')!.secret,
      leak: () => `key=${random.get('hex')!.secret}`,
    },
    {
      name: 'random (hex): upper-case hex',
      secret: () => random.get('hex')!.secret,
      leak: () => random.get('hex')!.secret.toUpperCase(),
    },
    {
      name: 'random (hex): base64 of the decoded bytes',
      secret: () => random.get('hex')!.secret,
      leak: () => b64(Buffer.from(random.get('hex')!.secret, 'hex')),
    },
    {
      name: 'random (base64): hex of the decoded bytes',
      secret: () => random.get('base64')!.secret,
      leak: () => Buffer.from(random.get('base64')!.secret, 'base64').toString('hex'),
    },
    {
      name: 'random (base64): base64url of the decoded bytes',
      secret: () => random.get('base64')!.secret,
      leak: () => Buffer.from(random.get('base64')!.secret, 'base64').toString('base64url'),
    },
    {
      name: 'random (base64url): base64 of the decoded bytes',
      secret: () => random.get('base64url')!.secret,
      leak: () => Buffer.from(random.get('base64url')!.secret, 'base64url').toString('base64'),
    },
    {
      name: 'random: base64 of the text',
      secret: () => random.get('base64')!.secret,
      leak: () => b64(random.get('base64')!.secret),
    },
    ...[0, 1, 2].map((pad) => ({
      name: `random: inside a larger base64 blob (alignment ${pad})`,
      secret: () => random.get('hex')!.secret,
      leak: () => b64(`${'x'.repeat(pad)}{"token":"${random.get('hex')!.secret}"}`),
    })),
    {
      name: 'random: URL-encoded',
      secret: () => random.get('base64')!.secret,
      leak: () => `https://x.test/?k=${encodeURIComponent(random.get('base64')!.secret)}`,
    },
    {
      name: 'PEM: the whole PEM',
      secret: () => key('ed25519').secret,
      leak: () => key('ed25519').secret,
    },
    {
      name: 'PEM: one body line (ecdsa)',
      secret: () => key('ecdsa-p256').secret,
      leak: () => `log: ${pemBody(key('ecdsa-p256').secret)[0]}`,
    },
    {
      name: 'PEM: one body line (rsa, middle)',
      secret: () => key('rsa-3072').secret,
      leak: () => pemBody(key('rsa-3072').secret)[20]!,
    },
    {
      name: 'PEM: JSON-escaped',
      secret: () => key('ecdsa-p256').secret,
      leak: () => JSON.stringify({ key: key('ecdsa-p256').secret }),
    },
    {
      name: 'PEM: DER as one base64 string',
      secret: () => key('rsa-3072').secret,
      leak: () => der(key('rsa-3072').secret).toString('base64'),
    },
    {
      name: 'PEM: DER as hex',
      secret: () => key('ed25519').secret,
      leak: () => der(key('ed25519').secret).toString('hex'),
    },
    {
      name: 'PEM: JWK d (ed25519 seed)',
      secret: () => key('ed25519').secret,
      leak: () => JSON.stringify(createPrivateKey(key('ed25519').secret).export({ format: 'jwk' })),
    },
    {
      name: 'PEM: JWK p (rsa prime)',
      secret: () => key('rsa-3072').secret,
      leak: () => String(createPrivateKey(key('rsa-3072').secret).export({ format: 'jwk' }).p),
    },
    {
      name: 'OpenSSH: one body line',
      secret: () => key('ssh-ed25519').secret,
      leak: () => pemBody(key('ssh-ed25519').secret)[3]!,
    },
    {
      name: 'OpenSSH: the body unwrapped',
      secret: () => key('ssh-ed25519').secret,
      leak: () => pemBody(key('ssh-ed25519').secret).join(''),
    },
    {
      name: 'OpenSSH: the seed as hex',
      secret: () => key('ssh-ed25519').secret,
      leak: () =>
        Buffer.from(parseOpenSshPrivateKey(key('ssh-ed25519').secret).seed).toString('hex'),
    },
    {
      name: 'age: the identity',
      secret: () => key('age-x25519').secret,
      leak: () => key('age-x25519').secret,
    },
    {
      name: 'age: lower case',
      secret: () => key('age-x25519').secret,
      leak: () => key('age-x25519').secret.toLowerCase(),
    },
    {
      name: 'age: the scalar as base64',
      secret: () => key('age-x25519').secret,
      leak: () => b64(bech32Decode(key('age-x25519').secret).bytes),
    },
  ];

  it.each(cases)('catches $name and does not print it', ({ secret, leak }) => {
    const c = new Canary();
    c.register(secret(), 'the key under test');
    const text = `line one\n  ${leak()}\nline three`;
    const e = leakError(c, text, 'captured stdout');
    expect(e.leaks[0]).toMatchObject({ where: 'captured stdout', secret: 1, line: 2 });
    expect(e.message).toContain('captured stdout:2:');
    expect(e.message).toContain('the key under test');
    expectNotQuoted(e.message, secret(), leak());
  });

  it('does not report public parts, in any encoding, or fingerprints', () => {
    const c = new Canary();
    for (const k of [...keys.values(), ...random.values()]) c.register(k.secret);
    const places: Record<string, string> = {};
    for (const [t, k] of keys) {
      places[`${t} public`] = `${k.public}\n${k.fingerprint}`;
      if (t === 'ssh-ed25519' || t === 'age-x25519') continue;
      const pub = createPublicKey(k.secret);
      // A JWKS file target publishes n/e or x/y; the DER may be logged base64 at any offset.
      places[`${t} jwk`] = JSON.stringify(pub.export({ format: 'jwk' }));
      const spki = pub.export({ type: 'spki', format: 'der' });
      for (const pad of [0, 1, 2]) {
        const blob = Buffer.concat([Buffer.alloc(pad), spki]);
        places[`${t} spki ${pad}`] = `${blob.toString('base64')} ${blob.toString('base64url')}`;
      }
    }
    expect(c.findLeaks(Object.values(places).join('\n'), 'all public parts')).toEqual([]);
  });

  it('does not report another key that only shares the format header', async () => {
    const c = new Canary();
    c.register(key('ssh-ed25519').secret);
    c.register(key('ed25519').secret);
    const [ssh, ed] = await Promise.all([generateKey('ssh-ed25519'), generateKey('ed25519')]);
    expect(c.findLeaks(`${ssh.secret}\n${ed.secret}`, 'other keys')).toEqual([]);
  });

  it('scan names every place that leaks and only those', () => {
    const c = new Canary();
    const a = random.get('hex')!.secret;
    c.register(a);
    c.register(key('ed25519').secret);
    let error: unknown;
    try {
      c.scan({
        'job summary': 'all fine',
        'PR body': `oops ${a}`,
        'issue 12': key('ed25519').secret,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CanaryLeakError);
    const leaks = (error as CanaryLeakError).leaks;
    expect(leaks.map((l) => [l.where, l.secret])).toEqual([
      ['PR body', 1],
      ['issue 12', 2],
    ]);
    expect((error as CanaryLeakError).message).not.toContain('job summary');
  });

  it('an empty canary and clean text pass; clear() forgets', () => {
    const c = new Canary();
    expect(() => c.assertAbsent('anything', 'x')).not.toThrow();
    const s = random.get('base64')!.secret;
    c.register(s);
    expect(c.size).toBe(1);
    expect(() => c.assertAbsent(s, 'x')).toThrow(CanaryLeakError);
    c.clear();
    expect(() => c.assertAbsent(s, 'x')).not.toThrow();
  });
});
