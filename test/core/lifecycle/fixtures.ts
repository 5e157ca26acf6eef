/**
 * Manifest trees written as the YAML a reviewer sees, built in memory. Material files are
 * shaped exactly like sops output (ENC[...] values, an age stanza, lastmodified, mac); their
 * ciphertext is deterministic filler, since verify compares and never decrypts.
 */
import { createHash } from 'node:crypto';
import type { KeyState } from '../../../src/core/formats/index.ts';
import type { FileTree } from '../../../src/core/snapshot.ts';

export const NOW = new Date('2026-11-22T04:00:00Z');
/** The demo recipient of the repository's .sops.yaml. */
export const RECIPIENT = 'age1w99ncydejtgjg26pxg76xr3660u6zvlhxknsywau24pt7nklf3pqupwy02';
export const OTHER_RECIPIENT = 'age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29';
export const KEY = 'payments/webhook-signing';
export const KEY_FILE = `keys-manifest/${KEY}/key.yaml`;
export const mat = (n: number, id = KEY) => `keys-manifest/${id}/v${n}.sops.yaml`;

export const SOPS_YAML = `creation_rules:
  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$
    encrypted_regex: ^secret$
    age: ${RECIPIENT}
`;

export const STANDARD = `name: standard
cryptoperiod: 90d
rotate-before: 14d
grace: 7d
approvals: 1
`;

export const STRICT = `name: strict
cryptoperiod: 30d
rotate-before: 7d
grace: 3d
prepublish: 2d
approvals: 2
`;

export interface V {
  version: number;
  state: KeyState;
  created?: string;
  fingerprint?: string;
}

/** v<n> was created n*3 days after 2026-01-01 (all before NOW for n <= 100). */
export function created(n: number): string {
  return new Date(Date.UTC(2026, 0, 1, 9) + n * 3 * 86_400_000).toISOString().slice(0, 19) + 'Z';
}

export function kcv(n: number, salt = ''): string {
  return 'kcv:' + hex(`kcv ${salt}${n}`).slice(0, 16);
}

/**
 * key.yaml of a random key. Line numbers are fixed so tests can assert them: version entry i
 * (0-based, newest first) is on line {@link versionLine}(i).
 */
export function keyYaml(
  versions: readonly V[],
  o: { id?: string; policy?: string; type?: string } = {},
): string {
  const id = o.id ?? KEY;
  const type = o.type ?? 'random';
  const fingerprint = (n: number) =>
    type === 'random' ? kcv(n) : `sha256:${hex(`spki ${id} ${n}`)}`;
  const lines = [
    `id: ${id}`,
    'description: Signs outbound payment webhooks',
    "owner: '@acme/payments'",
    `policy: ${o.policy ?? 'standard'}`,
    `type: ${type}`,
    type === 'random' ? 'options: { bytes: 32, encoding: base64 }' : '# no options',
    'targets:',
    '  - kind: github-secret',
    '    repository: acme/payments-api',
    // One secret per key: two keys writing one secret is `target/shared`.
    `    name: ${id === KEY ? 'WEBHOOK_SIGNING_KEY' : id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
    versions.length === 0 ? 'versions: []' : 'versions:',
    ...versions.map(
      (v) =>
        `  - { version: ${v.version}, state: ${v.state}, created: ${v.created ?? created(v.version)}, fingerprint: '${v.fingerprint ?? fingerprint(v.version)}' }`,
    ),
  ];
  return lines.join('\n') + '\n';
}
export const TYPE_LINE = 5;
export const versionLine = (i: number): number => 12 + i;
export const VERSIONS_LINE = 11;

export interface MaterialOptions {
  id?: string;
  version?: number;
  secret?: string;
  public?: string;
  recipients?: readonly string[];
  mac?: string;
  lastmodified?: string;
  /** Salt for the age stanza: a different value is a re-wrap of the same data key. */
  wrap?: string;
}

/** A material file as sops 3.13 writes it; fields in this order, so lines are fixed. */
export function materialYaml(id: string, n: number, o: MaterialOptions = {}): string {
  const recipients = o.recipients ?? [RECIPIENT];
  const lines = [
    `id: ${o.id ?? id}`,
    `version: ${o.version ?? n}`,
    `secret: ${o.secret ?? enc(`secret ${id} ${n}`)}`,
    ...(o.public === undefined ? [] : [`public: ${JSON.stringify(o.public)}`]),
    'sops:',
    '    age:',
    ...recipients.flatMap((r) => [
      `        - recipient: ${r}`,
      '          enc: |',
      '            -----BEGIN AGE ENCRYPTED FILE-----',
      `            ${Buffer.from(hex(`stanza ${o.wrap ?? ''}${id} ${n} ${r}`), 'hex').toString('base64')}`,
      '            -----END AGE ENCRYPTED FILE-----',
    ]),
    `    lastmodified: "${o.lastmodified ?? created(n)}"`,
    `    mac: ${o.mac ?? enc(`mac ${id} ${n}`)}`,
    '    encrypted_regex: ^secret$',
    '    version: 3.13.2',
  ];
  return lines.join('\n') + '\n';
}
export const SECRET_LINE = 3;

/** A well-formed sops ciphertext string, deterministic in `seed`. */
export function enc(seed: string): string {
  const b = (s: string, n: number) =>
    Buffer.from(hex(s).repeat(2), 'hex').subarray(0, n).toString('base64');
  return `ENC[AES256_GCM,data:${b(`d${seed}`, 44)},iv:${b(`i${seed}`, 32)},tag:${b(`t${seed}`, 16)},type:str]`;
}

function hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export type Files = Map<string, string>;

/** A repository with .sops.yaml, two policies, and one key with material for its live versions. */
export function repo(versions: readonly V[], o: { policy?: string; type?: string } = {}): Files {
  const files: Files = new Map([
    ['.sops.yaml', SOPS_YAML],
    ['policies/standard.yaml', STANDARD],
    ['policies/strict.yaml', STRICT],
    ['README.md', '# example\n'],
  ]);
  setKey(files, KEY, versions, o);
  return files;
}

/** Writes key.yaml and exactly the material files of live versions (removing the others). */
export function setKey(
  files: Files,
  id: string,
  versions: readonly V[],
  o: { policy?: string; type?: string } = {},
): Files {
  files.set(`keys-manifest/${id}/key.yaml`, keyYaml(versions, { id, ...o }));
  for (const v of versions) {
    if (v.state === 'destroyed') files.delete(mat(v.version, id));
    else if (!files.has(mat(v.version, id)))
      files.set(
        mat(v.version, id),
        materialYaml(
          id,
          v.version,
          o.type === 'ed25519' ? { public: ed25519Pem(id, v.version) } : {},
        ),
      );
  }
  return files;
}

export function tree(files: Files | Record<string, string>): FileTree {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  return new Map(entries.map(([p, t]) => [p, new TextEncoder().encode(t)]));
}

/** An Ed25519 SubjectPublicKeyInfo PEM (the fixed DER prefix, then 32 deterministic bytes). */
export function ed25519Pem(id: string, n: number): string {
  const raw = Buffer.from(hex(`ed25519 ${id} ${n}`), 'hex');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
}
