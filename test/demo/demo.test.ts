import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSopsConfig } from '../../src/cli/sops.ts';
import type { SopsCodec } from '../../src/core/ports/sops.ts';
import { parseMaterialPlaintext } from '../../src/crypto/keys/index.ts';
import { BuiltinSopsCodec } from '../../src/crypto/sops/index.ts';
import { runDemo } from '../../src/sandbox/demo/scenario.ts';
import { canary } from '../support/canary.ts';
import { root } from '../cli/harness.ts';

/** The demo's codec, wrapped so every secret it ever decrypts is registered with the canary. */
function watchedCodec(): SopsCodec {
  const identity = readFileSync(join(root, 'demo/age-identity.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
  const inner = new BuiltinSopsCodec({ identities: identity });
  return {
    encrypt: (path, plaintext, options) => {
      canary.register(parseMaterialPlaintext(new TextDecoder().decode(plaintext), path).secret);
      return inner.encrypt(path, plaintext, options);
    },
    decrypt: async (path, encrypted, options) => {
      const out = await inner.decrypt(path, encrypted, options);
      canary.register(parseMaterialPlaintext(new TextDecoder().decode(out), path).secret);
      return out;
    },
    inspect: (path, encrypted) => inner.inspect(path, encrypted),
  };
}

describe('the sandbox demo', () => {
  it('runs the whole life of the example keys and prints no secret', async () => {
    const lines: string[] = [];
    const result = await runDemo({
      templateDir: root,
      codec: watchedCodec(),
      sopsConfig: loadSopsConfig,
      say: (l) => lines.push(l),
    });
    const out = lines.join('\n');
    expect(result.ok).toBe(true);
    expect(out).toContain('verify: rotation, 0 violations');
    expect(out).toContain('verify: promotion, 0 violations');
    expect(out).toContain('verify: revocation, 0 violations');
    expect(out).toContain('verify: emergency, 0 violations');
    expect(out).toMatch(/\[lifecycle\/multiple-active\]/);
    expect(out).toMatch(/gate payments\/webhook-signing v2: closed, .* the grace period is 7 d/);
    expect(out).toMatch(/gate infra\/deploy-ssh v4: open, .*compromised: no grace/);
    expect(out).toMatch(/main: 3 keys, 10 versions, 0 problems/);
    canary.assertAbsent(out, 'demo output');
  }, 60_000);
});
