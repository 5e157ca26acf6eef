/**
 * Computing a manifest change, apart from applying it (release-please's split between
 * building a PR and opening it). Each function reads the default branch's files and returns
 * the exact files a rotation, promotion, revocation or emergency writes, with the commit
 * message; the rotate flow commits them through the GitHub API, the demo and the CLI through
 * local git. Nothing here writes anything.
 *
 * New material is generated in memory and leaves this module only encrypted.
 */
import { InvalidInputError } from '../core/diagnostics.ts';
import {
  keyDocument,
  keyFile,
  loadDocument,
  materialFile,
  type KeyDocument,
  type KeyState,
  type VersionEntry,
} from '../core/formats/index.ts';
import { rotate, setVersionState } from '../core/manifest-edit.ts';
import type { FileChange } from '../core/ports/github.ts';
import type { SopsCodec } from '../core/ports/sops.ts';
import type { FileTree } from '../core/snapshot.ts';
import { findCreationRule, type SopsConfig } from '../core/sops-config.ts';
import { generateKey, materialPlaintext, type GeneratedKey } from '../crypto/keys/index.ts';

export type ChangeAction = 'rotate' | 'promote' | 'revoke' | 'emergency';

/** A file the change writes (`content`) or deletes (`content: null`): what a commit carries. */
export type { FileChange };

export interface PreparedChange {
  readonly keyId: string;
  readonly action: ChangeAction;
  /** The version the change is about: the new one, the promoted one, the destroyed one. */
  readonly version: number;
  /** Fingerprint of that version, for the PR body and logs (never the material). */
  readonly fingerprint: string;
  /** What happens to every version whose state changes, for the reviewer. */
  readonly moves: readonly { version: number; from: KeyState | undefined; to: KeyState }[];
  readonly files: readonly FileChange[];
  /** `rekey: rotate <key-id> to v<N>` and the trailers of DESIGN's GitHub conventions. */
  readonly message: string;
}

export interface ChangePorts {
  readonly codec: SopsCodec;
  /** Injected in tests; generateKey in production. */
  readonly generate?: (key: KeyDocument) => Promise<GeneratedKey>;
}

interface KeyContext {
  readonly text: string;
  readonly key: KeyDocument;
}

const encoder = new TextEncoder();

function readKey(tree: FileTree, keyId: string): KeyContext {
  const path = keyFile(keyId);
  const bytes = tree.get(path);
  if (bytes === undefined) throw new RangeError(`no key ${keyId}: ${path} does not exist`);
  const loaded = loadDocument(path, bytes, keyDocument);
  if (!loaded.doc) throw new InvalidInputError(loaded.diagnostics);
  return { text: new TextDecoder().decode(bytes), key: loaded.doc.value };
}

/** UTC to the second, the format key.yaml records. */
export function utcSeconds(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function message(
  subject: string,
  trailers: Record<string, string | undefined>,
  body?: string,
): string {
  const lines = Object.entries(trailers)
    .filter((e): e is [string, string] => e[1] !== undefined)
    // Trailer values are one line each: a newline in a reason must not forge another trailer.
    .map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ').trim()}`);
  return `${subject}\n\n${body ? `${body}\n\n` : ''}${lines.join('\n')}\n`;
}

async function newMaterial(
  ctx: KeyContext,
  version: number,
  sopsConfig: SopsConfig,
  now: Date,
  ports: ChangePorts,
): Promise<{ file: FileChange; fingerprint: string }> {
  const { key } = ctx;
  const path = materialFile(key.id, version);
  const rule = findCreationRule(sopsConfig, path);
  if (!rule) throw new RangeError(`.sops.yaml has no creation rule for ${path}`);
  const generated = await (ports.generate ?? ((k) => generateKey(k.type, k.options)))(key);
  const plaintext = materialPlaintext({
    id: key.id,
    version,
    secret: generated.secret,
    public: generated.public,
  });
  const encrypted = await ports.codec.encrypt(path, encoder.encode(plaintext), { rule, now });
  return { file: { path, content: encrypted }, fingerprint: generated.fingerprint };
}

const active = (key: KeyDocument) => key.versions.find((v) => v.state === 'active');
const nextVersion = (key: KeyDocument) => Math.max(0, ...key.versions.map((v) => v.version)) + 1;

/**
 * A rotation: version max+1 arrives `active` and the previous active becomes `deactivated`;
 * with `prepublish` it arrives `pre-activation` and the active version stays.
 */
export async function prepareRotation(
  tree: FileTree,
  keyId: string,
  opts: { now: Date; sopsConfig: SopsConfig; prepublish: boolean; run?: string },
  ports: ChangePorts,
): Promise<PreparedChange> {
  const ctx = readKey(tree, keyId);
  const version = nextVersion(ctx.key);
  const state: KeyState = opts.prepublish ? 'pre-activation' : 'active';
  const material = await newMaterial(ctx, version, opts.sopsConfig, opts.now, ports);
  const entry: VersionEntry = {
    version,
    state,
    created: utcSeconds(opts.now),
    fingerprint: material.fingerprint,
  };
  const current = active(ctx.key);
  const demoted = state === 'active' ? current?.version : undefined;
  return {
    keyId,
    action: 'rotate',
    version,
    fingerprint: material.fingerprint,
    moves: [
      { version, from: undefined, to: state },
      ...(demoted !== undefined
        ? [{ version: demoted, from: 'active' as const, to: 'deactivated' as const }]
        : []),
    ],
    files: [
      { path: keyFile(keyId), content: encoder.encode(rotate(ctx.text, entry, demoted)) },
      material.file,
    ],
    message: message(`rekey: rotate ${keyId} to v${version}`, {
      'Rekey-Key': keyId,
      'Rekey-Action': 'rotate',
      'Rekey-Version': String(version),
      'Rekey-Fingerprint': material.fingerprint,
      'Rekey-Run': opts.run,
    }),
  };
}

/** Promotion: the `pre-activation` version becomes `active`, the active one `deactivated`. */
export function preparePromotion(
  tree: FileTree,
  keyId: string,
  opts: { run?: string } = {},
): PreparedChange {
  const ctx = readKey(tree, keyId);
  const pending = ctx.key.versions.find((v) => v.state === 'pre-activation');
  if (!pending) throw new RangeError(`${keyId} has no pre-activation version to promote`);
  const current = active(ctx.key);
  let text = setVersionState(ctx.text, pending.version, 'active');
  if (current) text = setVersionState(text, current.version, 'deactivated');
  return {
    keyId,
    action: 'promote',
    version: pending.version,
    fingerprint: pending.fingerprint,
    moves: [
      { version: pending.version, from: 'pre-activation', to: 'active' },
      ...(current
        ? [{ version: current.version, from: 'active' as const, to: 'deactivated' as const }]
        : []),
    ],
    files: [{ path: keyFile(keyId), content: encoder.encode(text) }],
    message: message(`rekey: promote ${keyId} v${pending.version} to active`, {
      'Rekey-Key': keyId,
      'Rekey-Action': 'promote',
      'Rekey-Version': String(pending.version),
      'Rekey-Fingerprint': pending.fingerprint,
      'Rekey-Run': opts.run,
    }),
  };
}

/**
 * Revocation: `deactivated` or `compromised` versions become `destroyed` and their material
 * files are deleted; one change per key, however many of its versions the gate lets go.
 */
export function prepareRevocation(
  tree: FileTree,
  keyId: string,
  versions: number | readonly number[],
  opts: { run?: string } = {},
): PreparedChange {
  const ctx = readKey(tree, keyId);
  const list = [...new Set(typeof versions === 'number' ? [versions] : versions)].sort(
    (a, b) => b - a,
  );
  if (list.length === 0) throw new RangeError(`no version of ${keyId} to revoke`);
  let text = ctx.text;
  const moves: PreparedChange['moves'][number][] = [];
  for (const version of list) {
    const entry = ctx.key.versions.find((v) => v.version === version);
    if (!entry) throw new RangeError(`${keyId} has no v${version}`);
    if (entry.state !== 'deactivated' && entry.state !== 'compromised')
      throw new RangeError(
        `${keyId} v${version} is ${entry.state}; only deactivated or compromised versions are destroyed`,
      );
    text = setVersionState(text, version, 'destroyed');
    moves.push({ version, from: entry.state, to: 'destroyed' });
  }
  const first = ctx.key.versions.find((v) => v.version === list[0])!;
  const names = list.map((v) => `v${v}`).join(', ');
  return {
    keyId,
    action: 'revoke',
    version: first.version,
    fingerprint: first.fingerprint,
    moves,
    files: [
      { path: keyFile(keyId), content: encoder.encode(text) },
      ...list.map((v) => ({ path: materialFile(keyId, v), content: null })),
    ],
    message: message(`rekey: revoke ${keyId} ${names}`, {
      'Rekey-Key': keyId,
      'Rekey-Action': 'revoke',
      'Rekey-Version': list.join(', '),
      'Rekey-Run': opts.run,
    }),
  };
}

/**
 * An emergency: a new `active` version at once (no prepublish), and the current active one
 * marked `compromised` when it is (it then leaves every target immediately after merge and
 * needs no grace before destruction), else `deactivated` as in a rotation.
 */
export async function prepareEmergency(
  tree: FileTree,
  keyId: string,
  opts: { now: Date; sopsConfig: SopsConfig; reason: string; compromised: boolean; run?: string },
  ports: ChangePorts,
): Promise<PreparedChange> {
  const reason = opts.reason.trim();
  if (reason.length === 0) throw new RangeError('an emergency rotation needs a reason');
  const ctx = readKey(tree, keyId);
  const version = nextVersion(ctx.key);
  const material = await newMaterial(ctx, version, opts.sopsConfig, opts.now, ports);
  const current = active(ctx.key);
  const demotedTo: KeyState = opts.compromised ? 'compromised' : 'deactivated';
  let text = current ? setVersionState(ctx.text, current.version, demotedTo) : ctx.text;
  text = rotate(
    text,
    { version, state: 'active', created: utcSeconds(opts.now), fingerprint: material.fingerprint },
    undefined,
  );
  return {
    keyId,
    action: 'emergency',
    version,
    fingerprint: material.fingerprint,
    moves: [
      { version, from: undefined, to: 'active' },
      ...(current ? [{ version: current.version, from: 'active' as const, to: demotedTo }] : []),
    ],
    files: [{ path: keyFile(keyId), content: encoder.encode(text) }, material.file],
    message: message(
      `rekey: emergency rotation of ${keyId} to v${version}`,
      {
        'Rekey-Key': keyId,
        'Rekey-Action': 'emergency',
        'Rekey-Version': String(version),
        'Rekey-Fingerprint': material.fingerprint,
        'Rekey-Reason': reason,
        'Rekey-Run': opts.run,
      },
      opts.compromised && current ? `v${current.version} is marked compromised.` : undefined,
    ),
  };
}
