/**
 * Our encrypt output, checked by implementations we did not write:
 * - sops-decoder (koblas/sops-decoder-node): its exported `decryptScalar` for every value and
 *   its full `decrypt(tree)` with the MAC check, its AWS KMS client stubbed to hand over the
 *   data key (the only master key it knows) — reference §11;
 * - Debian `age` (`age -d`) on our armored data-key stanza, when installed (skips otherwise).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { armor, Decrypter } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { decrypt as sdDecrypt, decryptScalar } from 'sops-decoder';
import { BuiltinSopsCodec } from '../../../src/crypto/sops/index.ts';
import { bytes, newIdentity, NOW, ruleFrom, text, type TestIdentity } from './helpers.ts';

const PLAIN = {
  name: 'John',
  age: 25.4,
  count: 7,
  admin: true,
  nested: { password: 'c4r1b0u', empty: '' },
  list: ['one', 'two', false],
  note_unencrypted: 'clear',
};
const JSON_TEXT = JSON.stringify(PLAIN, null, '\t') + '\n';

let alice: TestIdentity;
let dataKey: Uint8Array;
let encrypted: Record<string, unknown> & {
  sops: Record<string, unknown> & { age: { enc: string }[] };
};
beforeAll(async () => {
  alice = await newIdentity();
  const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
  const rule = ruleFrom(`creation_rules:\n  - age: ${alice.recipient}\n`);
  encrypted = JSON.parse(text(await codec.encrypt('x.json', bytes(JSON_TEXT), { rule, now: NOW })));
  const d = new Decrypter();
  d.addIdentity(alice.identity);
  dataKey = await d.decrypt(armor.decode(encrypted.sops.age[0]?.enc ?? ''));
});

describe('sops-decoder reads what we write', () => {
  it('decryptScalar opens every value with AAD = key path', () => {
    expect(decryptScalar(encrypted['name'] as string, dataKey, 'name:')).toBe('John');
    expect(decryptScalar(encrypted['age'] as string, dataKey, 'age:')).toBe(25.4);
    expect(decryptScalar(encrypted['count'] as string, dataKey, 'count:')).toBe(7);
    expect(decryptScalar(encrypted['admin'] as string, dataKey, 'admin:')).toBe(true);
    const nested = encrypted['nested'] as Record<string, string>;
    expect(decryptScalar(nested['password'] as string, dataKey, 'nested:password:')).toBe(
      'c4r1b0u',
    );
    const list = encrypted['list'] as string[];
    expect(list.map((v) => decryptScalar(v, dataKey, 'list:'))).toEqual(['one', 'two', false]);
    expect(() => decryptScalar(encrypted['name'] as string, dataKey, 'age:')).toThrow();
  });

  it('its decrypt() verifies our MAC, and rejects a tampered clear value', async () => {
    const send = vi
      .spyOn(KMSClient.prototype, 'send')
      .mockImplementation(async () => ({ Plaintext: dataKey }));
    try {
      const withKms = (tree: Record<string, unknown>) => ({
        ...tree,
        sops: {
          ...encrypted.sops,
          kms: [
            { arn: 'arn:aws:kms:us-east-1:000000000000:key/test', enc: 'AA==', created_at: '' },
          ],
        },
      });
      expect(await sdDecrypt(withKms(encrypted) as never)).toEqual(PLAIN);
      await expect(
        sdDecrypt(withKms({ ...encrypted, note_unencrypted: 'changed' }) as never),
      ).rejects.toThrow(/Hash mismatch/);
      expect(send).toHaveBeenCalled();
    } finally {
      send.mockRestore();
    }
  });
});

const ageBinary = spawnSync('age', ['--version']).status === 0;
if (!ageBinary) console.warn('skipping the Debian age cross-check: no `age` binary on PATH');

describe.skipIf(!ageBinary)('Debian age decrypts our armored data-key stanza', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rekey-sops-age-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('age -d returns the 32-byte data key, for every recipient and a YAML file', async () => {
    const bob = await newIdentity();
    const codec = new BuiltinSopsCodec({ identities: [alice.identity] });
    const rule = ruleFrom(`creation_rules:\n  - age: ${alice.recipient},${bob.recipient}\n`);
    const meta = YAML.parse(
      text(await codec.encrypt('k.yaml', bytes('k: v\n'), { rule, now: NOW })),
    ).sops;
    const keys: string[] = [];
    for (const [i, id] of [alice, bob].entries()) {
      writeFileSync(path.join(dir, `id${i}`), `${id.identity}\n`, { mode: 0o600 });
      writeFileSync(path.join(dir, `stanza${i}`), meta.age[i].enc);
      const out = execFileSync('age', [
        '-d',
        '-i',
        path.join(dir, `id${i}`),
        path.join(dir, `stanza${i}`),
      ]);
      expect(out).toHaveLength(32);
      keys.push(out.toString('hex'));
    }
    expect(keys[0]).toBe(keys[1]);
    // The key age recovered is the one the values are encrypted with.
    const mac = meta.mac as string;
    expect(() =>
      decryptScalar(mac, Buffer.from(keys[0] as string, 'hex'), meta.lastmodified),
    ).not.toThrow();
  });

  it('with key groups, age -d returns a 33-byte Shamir share ending with its x-coordinate', async () => {
    const bob = await newIdentity();
    const rule = ruleFrom(
      `creation_rules:\n  - key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n`,
    );
    const codec = new BuiltinSopsCodec({ identities: [] });
    const meta = YAML.parse(
      text(await codec.encrypt('g.yaml', bytes('k: v\n'), { rule, now: NOW })),
    ).sops;
    for (const [i, id] of [alice, bob].entries()) {
      writeFileSync(path.join(dir, `gid${i}`), `${id.identity}\n`, { mode: 0o600 });
      writeFileSync(path.join(dir, `gstanza${i}`), meta.key_groups[i].age[0].enc);
      const share = execFileSync('age', [
        '-d',
        '-i',
        path.join(dir, `gid${i}`),
        path.join(dir, `gstanza${i}`),
      ]);
      expect(share).toHaveLength(33);
      expect(share[32]).toBe(i + 1);
    }
  });
});
