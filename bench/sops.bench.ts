// SOPS codec benchmark: 1,000 material files like rekey writes them ({id, version, secret,
// public?}, `encrypted_regex: ^secret$`, one age X25519 recipient). Measures decrypt + MAC
// verification and encryption per file, each against its floor: the age unwrap (decrypt) or
// wrap (encrypt) of the 32-byte data key alone, which every sops implementation must pay; for
// decrypt also the lower floor of the same unwrap with the identity imported once, as the
// codec does it.
// Run: npm run bench -- sops [files]
import { figure } from './figures.ts';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { armor, Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import YAML from 'yaml';
import { parseSopsConfig } from '../src/core/sops-config.ts';
import { decryptLoaded, loadEncrypted } from '../src/crypto/sops/codec.ts';
import { ageIdentities } from '../src/crypto/sops/age-stanza.ts';
import { BuiltinSopsCodec } from '../src/crypto/sops/index.ts';

const FILES = Number(process.argv[2] ?? 1000);
const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const config = parseSopsConfig(
  '.sops.yaml',
  YAML.parse(`creation_rules:\n  - encrypted_regex: ^secret$\n    age: ${recipient}\n`),
).config;
const rule = config?.creationRules[0];
if (!rule) throw new Error('bad rule');

const paths = Array.from(
  { length: FILES },
  (_, i) => `keys-manifest/team-${i % 50}/key-${i}/v1.sops.yaml`,
);
const plaintexts = paths.map((p, i) =>
  Buffer.from(
    `id: ${p.slice(13, -13)}\nversion: 1\nsecret: ${randomBytes(32).toString('base64')}\n` +
      (i % 2 ? `public: ${randomBytes(32).toString('base64')}\n` : ''),
  ),
);
const codec = new BuiltinSopsCodec({ identities: [identity] });
const now = new Date('2026-11-22T00:00:00Z');

// Best of five: on a shared machine one round in three is often disturbed; the minimum of
// more rounds is closer to what the code costs (REKEY_SOPS_ROUNDS overrides, e.g. 3 as before).
const ROUNDS = Number(process.env.REKEY_SOPS_ROUNDS ?? 5);
const best: Record<string, number> = {};
const bestCpu: Record<string, number> = {};

/** Runs `f` ROUNDS times (interleaved with the others by the caller) and keeps the fastest. */
async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  best[label] = Math.min(best[label] ?? Infinity, ms);
  bestCpu[label] = Math.min(bestCpu[label] ?? Infinity, (c.user + c.system) / 1000);
  return out;
}

// Warm up JIT and the age library on a few files.
for (let i = 0; i < 20; i++)
  await codec.decrypt(
    paths[0] as string,
    await codec.encrypt(paths[0] as string, plaintexts[0] as Buffer, { rule, now }),
  );

let encrypted: Uint8Array[] = [];
for (let round = 0; round < ROUNDS; round++) {
  encrypted = await timed('encrypt (codec)', async () => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < FILES; i++)
      out.push(await codec.encrypt(paths[i] as string, plaintexts[i] as Buffer, { rule, now }));
    return out;
  });
  await timed('floor: age wrap of the data key', async () => {
    for (let i = 0; i < FILES; i++) {
      const e = new Encrypter();
      e.addRecipient(recipient);
      armor.encode(await e.encrypt(randomBytes(32)));
    }
  });
  await timed('decrypt + verify MAC (codec)', async () => {
    for (let i = 0; i < FILES; i++)
      await codec.decrypt(paths[i] as string, encrypted[i] as Uint8Array);
  });
  const stanzas = encrypted.map(
    (b) => YAML.parse(Buffer.from(b).toString('utf8')).sops.age[0].enc as string,
  );
  const keys: Uint8Array[] = [];
  const d = new Decrypter();
  d.addIdentity(identity);
  await timed('floor: age unwrap of the data key', async () => {
    for (const s of stanzas) keys.push(await d.decrypt(armor.decode(s)));
  });
  // The same unwrap with the identity imported once as a WebCrypto key, as the codec holds it
  // (age-stanza.ts): the lower floor, which the codec's own unwrap costs.
  const imported = (await ageIdentities([identity]))[0]?.decrypter as Decrypter;
  await timed('floor: age unwrap, key imported once', async () => {
    for (const s of stanzas) await imported.decrypt(armor.decode(s));
  });
  await timed('parse + decrypt values + MAC only', async () => {
    for (let i = 0; i < FILES; i++) {
      const { loaded, meta } = loadEncrypted(paths[i] as string, encrypted[i] as Uint8Array);
      decryptLoaded(paths[i] as string, loaded, meta, keys[i] as Uint8Array);
    }
  });
}

const row = (label: string) => {
  const ms = best[label] as number;
  const cpu = bestCpu[label] as number;
  const per = (x: number) => ((x * 1000) / FILES).toFixed(0).padStart(6);
  console.log(
    `${label.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms wall ${per(ms)} µs/file  ${per(cpu)} µs/file CPU`,
  );
};
console.log(`${FILES} material files, best of ${ROUNDS} rounds, one X25519 recipient`);
for (const label of Object.keys(best)) row(label);
const r = (a: string, b: string) =>
  `${((best[a] as number) / (best[b] as number)).toFixed(2)}x wall, ` +
  `${((bestCpu[a] as number) / (bestCpu[b] as number)).toFixed(2)}x CPU`;
const size = encrypted.reduce((a, b) => a + b.length, 0) / FILES;
console.log(`\naverage encrypted file: ${size.toFixed(0)} bytes`);
console.log(
  `encrypt / age wrap floor:   ${r('encrypt (codec)', 'floor: age wrap of the data key')}`,
);
console.log(
  `decrypt / age unwrap floor: ${r('decrypt + verify MAC (codec)', 'floor: age unwrap of the data key')}`,
);
console.log(
  `decrypt / unwrap, key imported once: ${r('decrypt + verify MAC (codec)', 'floor: age unwrap, key imported once')}`,
);
const ratio = (a: string, b: string) => (bestCpu[a] as number) / (bestCpu[b] as number);
figure({
  name: 'sops: encrypt / age wrap floor (CPU)',
  value: ratio('encrypt (codec)', 'floor: age wrap of the data key'),
  unit: 'x',
  target: { op: '<=', value: 1.5 },
});
figure({
  name: 'sops: decrypt + MAC / age unwrap floor (CPU)',
  value: ratio('decrypt + verify MAC (codec)', 'floor: age unwrap of the data key'),
  unit: 'x',
  target: { op: '<=', value: 1.5 },
});
figure({
  name: 'sops: decrypt + MAC / unwrap with the key imported once (CPU)',
  value: ratio('decrypt + verify MAC (codec)', 'floor: age unwrap, key imported once'),
  unit: 'x',
  target: { op: '<=', value: 1.5 },
});
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
console.log(
  `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores (wall times are noisy when it is high)`,
);
