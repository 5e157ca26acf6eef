import { createPublicKey } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { JwkError, publicJwk } from '../../../src/core/targets/jwk.ts';
import {
  defaultEntryName,
  kubernetesName,
  renderEnv,
  renderFile,
  renderJson,
  renderJwks,
  renderKubernetesSecret,
  TargetRenderError,
} from '../../../src/core/targets/render.ts';
import { SecretValue } from '../../../src/core/targets/secret-value.ts';
import { generateKey } from '../../../src/crypto/keys/index.ts';

describe('renderEnv', () => {
  it.each([
    ['A', 'abc123', 'A=abc123\n'],
    ['A', 'ab+/c=', 'A=ab+/c=\n'],
    ['A', 'x y', "A='x y'\n"],
    ['A', 'a$b`c"d\\e', "A='a$b`c\"d\\e'\n"],
    ['A', 'line1\nline2', "A='line1\nline2'\n"],
    ['A', '', 'A=\n'],
  ])('%s=%j', (name, value, expected) => {
    expect(renderEnv(name, value)).toBe(expected);
  });

  it.each([
    ['1A', 'x'],
    ['A-B', 'x'],
    ['A', "it's"],
  ])('refuses %s / a value it cannot quote', (name, value) => {
    expect(() => renderEnv(name, value)).toThrow(TargetRenderError);
  });

  it('never quotes the value in its error', () => {
    try {
      renderEnv('A', "s3cr3t'value");
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain('s3cr3t');
    }
  });
});

describe('renderJson / renderKubernetesSecret / names', () => {
  it('json is one property, pretty, newline-terminated, escaped', () => {
    expect(renderJson('k', 'a"b\n')).toBe('{\n  "k": "a\\"b\\n"\n}\n');
    expect(JSON.parse(renderJson('k', 'a"b\n'))).toEqual({ k: 'a"b\n' });
  });

  it('kubernetes-secret carries base64 data under the data key', () => {
    const text = renderKubernetesSecret('payments/webhook-signing', 'token', 'v\nal');
    expect(text).toBe(
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: payments.webhook-signing',
        '  annotations:',
        '    rekey.dev/key: "payments/webhook-signing"',
        'type: Opaque',
        'data:',
        `  token: ${Buffer.from('v\nal').toString('base64')}`,
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['a/b', 'a.b'],
    ['payments/webhook-signing', 'payments.webhook-signing'],
  ])('kubernetesName(%s) = %s', (id, name) => expect(kubernetesName(id)).toBe(name));
  it('refuses names Kubernetes would not accept', () => {
    expect(() => kubernetesName('a-/b')).toThrow(TargetRenderError);
    expect(() => renderKubernetesSecret('a', 'bad key', 'v')).toThrow(TargetRenderError);
  });
  it('default entry names', () => {
    expect(defaultEntryName('payments/webhook-signing')).toBe('PAYMENTS_WEBHOOK_SIGNING');
  });
});

describe('renderFile', () => {
  const key = { id: 'a/b', type: 'random' as const };
  const active = SecretValue.of('c2VjcmV0');
  it.each([
    ['raw', 'c2VjcmV0'],
    ['env', 'A_B=c2VjcmV0\n'],
    ['json', '{\n  "A_B": "c2VjcmV0"\n}\n'],
  ] as const)('%s', (format, expected) => {
    expect(renderFile({ key, format, active, publish: [] })?.text()).toBe(expected);
  });
  it('a target name overrides the default', () => {
    expect(renderFile({ key, format: 'env', name: 'TOKEN', active, publish: [] })?.text()).toBe(
      'TOKEN=c2VjcmV0\n',
    );
  });
  it('no active version: no file (null), except jwks', () => {
    for (const format of ['raw', 'env', 'json', 'kubernetes-secret'] as const)
      expect(renderFile({ key, format, publish: [] })).toBeNull();
    expect(
      renderFile({ key: { id: 'a', type: 'ed25519' }, format: 'jwks', publish: [] })?.text(),
    ).toBe('{\n  "keys": []\n}\n');
  });
  it('jwks refuses key types without a JWK form', () => {
    expect(() => renderJwks('random', [])).toThrow(TargetRenderError);
    expect(() => renderJwks('ssh-ed25519', [])).toThrow(TargetRenderError);
  });
});

describe('jwks', () => {
  it.each(['ed25519', 'ecdsa-p256', 'rsa-3072'] as const)(
    '%s: the same public members as node:crypto, kid = fingerprint, nothing private',
    async (type) => {
      const [a, b] = await Promise.all([generateKey(type), generateKey(type)]);
      const text = renderJwks(type, [
        { version: 1, fingerprint: a.fingerprint, public: a.public! },
        { version: 2, fingerprint: b.fingerprint, public: b.public! },
      ]);
      const { keys } = JSON.parse(text) as { keys: Record<string, string>[] };
      expect(keys.map((k) => k['kid'])).toEqual([b.fingerprint, a.fingerprint]); // newest first
      for (const [k, g] of [
        [keys[0]!, b],
        [keys[1]!, a],
      ] as const) {
        const node = createPublicKey(g.public!).export({ format: 'jwk' }) as Record<string, string>;
        for (const m of ['kty', 'crv', 'x', 'y', 'n', 'e']) expect(k[m]).toBe(node[m]);
        for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(m);
        expect(k['use']).toBe('sig');
      }
      // The private key is nowhere in the document.
      expect(text).not.toContain('PRIVATE');
      const d = (await import('node:crypto').then((c) => c.createPrivateKey(a.secret))).export({
        format: 'jwk',
      }).d!;
      expect(text).not.toContain(d);
    },
    60_000,
  );

  it('refuses a PEM of another algorithm', async () => {
    const k = await generateKey('ed25519');
    expect(() => publicJwk('ecdsa-p256', k.public!, 'x')).toThrow(JwkError);
    expect(() => publicJwk('ed25519', 'not a pem', 'x')).toThrow(JwkError);
  });
});

describe('SecretValue', () => {
  it('prints as [redacted] everywhere', () => {
    const v = SecretValue.of('hunter2hunter2');
    const holder = { v };
    expect(JSON.stringify(holder)).toBe('{"v":"[redacted]"}');
    expect(inspect(holder)).not.toContain('hunter2');
    expect(`${v}`).toBe('[redacted]');
    expect(String(v)).toBe('[redacted]');
    expect(v.text()).toBe('hunter2hunter2');
  });
  it('compares bytes', () => {
    expect(SecretValue.of('a').equals(SecretValue.of('a'))).toBe(true);
    expect(SecretValue.of('a').equals(SecretValue.of('b'))).toBe(false);
    expect(SecretValue.of('a').equals(SecretValue.of('ab'))).toBe(false);
  });
});
