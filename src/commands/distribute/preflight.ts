/**
 * Preflight (DESIGN "Flows: distribute", Principle 3): everything that can be checked before
 * the first write, for every key at once, so that a run either writes with every check passed
 * or writes nothing.
 *
 * Per key: every live version (pre-activation, active, deactivated, compromised) is decrypted
 * with its `.sops.yaml` creation-rule check (recipients, crypt rule, MAC mode) and the MAC
 * verified (the codec fails closed); each decrypted secret is masked before it is parsed
 * further; the material must name this key and version and its fingerprint must equal
 * key.yaml's (verifyMaterial also proves the public part belongs to the secret). Then the
 * desired state is computed (a target that cannot be rendered fails here) and every target is
 * observed: each secret scope's list, each repository's deploy keys, each file, once per run
 * however many keys share it, and the public key of each secret scope the run will write to,
 * once (with `receipts`, a scope whose secrets the receipts prove current is not asked for
 * its key: a run with nothing to do costs its lists only). Those reads need the permissions
 * the writes need (at read level): a token without them fails here, not mid-way.
 * Two keys claiming the same secret or file fail too.
 *
 * Problems are per key and secret-free: SOPS errors name the file, material errors the field,
 * GitHub errors the route.
 */
import { materialFile, type KeyDocument } from '../../core/formats/index.ts';
import type { SopsCodec } from '../../core/ports/sops.ts';
import { scopeId, type SecretScope, type TargetPorts } from '../../core/ports/targets.ts';
import type { ManifestSnapshot, FileTree } from '../../core/snapshot.ts';
import { findCreationRule, type SopsConfig } from '../../core/sops-config.ts';
import {
  desiredState,
  isSecretReceipt,
  observeTargets,
  planTargets,
  SecretValue,
  targetKind,
  type Receipt,
  type DesiredState,
  type LiveVersion,
  type Observation,
} from '../../core/targets/index.ts';
import { parseMaterialPlaintext, verifyMaterial } from '../../crypto/keys/index.ts';
import { maskSecret } from './mask.ts';
import { forEachBounded } from './pool.ts';

export interface PreparedKey {
  readonly id: string;
  readonly key: KeyDocument;
  readonly desired: DesiredState;
  readonly observed: Observation;
  /** The key has a compromised version: it is applied first. */
  readonly compromised: boolean;
}

export interface PreflightResult {
  /** Keys that passed, in the order given. */
  readonly keys: readonly PreparedKey[];
  /** key id -> what failed (empty when every key passed). */
  readonly problems: ReadonlyMap<string, readonly string[]>;
  /** Distinct secret scopes whose public key was fetched. */
  readonly publicKeys: number;
}

export interface PreflightInput {
  readonly snapshot: ManifestSnapshot;
  readonly tree: FileTree;
  readonly sopsConfig: SopsConfig;
  readonly keys: readonly string[];
  readonly concurrency: number;
  /**
   * The receipts the run will plan with: only the scopes a plan writes to have their public
   * key fetched. Absent: every scope's is.
   */
  readonly receipts?: readonly Receipt[];
  readonly mask: (value: string) => void;
}

const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decrypts, checks and masks every live version of one key. */
async function decryptKey(
  id: string,
  key: KeyDocument,
  input: PreflightInput,
  sops: SopsCodec,
  problems: string[],
): Promise<LiveVersion[]> {
  const live: LiveVersion[] = [];
  for (const v of key.versions) {
    if (v.state === 'destroyed') continue;
    const path = materialFile(id, v.version);
    const bytes = input.tree.get(path);
    if (bytes === undefined) {
      problems.push(`${path}: missing; v${v.version} is ${v.state}`);
      continue;
    }
    const rule = findCreationRule(input.sopsConfig, path);
    if (rule === undefined) {
      problems.push(`${path}: no .sops.yaml creation rule matches this path`);
      continue;
    }
    let plaintext: string;
    try {
      plaintext = decoder.decode(await sops.decrypt(path, bytes, { rule }));
    } catch (e) {
      problems.push(message(e));
      continue;
    }
    let material;
    try {
      material = parseMaterialPlaintext(plaintext, path);
    } catch (e) {
      problems.push(message(e));
      continue;
    }
    maskSecret(material.secret, input.mask);
    if (material.id !== id || material.version !== v.version) {
      problems.push(
        `${path}: the material says ${material.id} v${material.version}, its place says ${id} v${v.version}`,
      );
      continue;
    }
    const check = await verifyMaterial(key.type, material, key.options);
    if (!check.ok) {
      problems.push(`${path}: ${check.problem}: ${check.message}`);
      continue;
    }
    if (check.fingerprint !== v.fingerprint) {
      problems.push(
        `${path}: fingerprint ${check.fingerprint} differs from key.yaml's ${v.fingerprint} for v${v.version}`,
      );
      continue;
    }
    live.push({
      version: v.version,
      secret: SecretValue.of(material.secret),
      public: material.public,
    });
  }
  return live;
}

/**
 * Target ports whose reads are shared: the first read of a scope, repository or file is the
 * only one (errors included), so N keys on one repository cost one list, and an unreadable
 * target fails every key that uses it.
 */
function sharedReads(ports: TargetPorts): TargetPorts {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(k: string, read: () => Promise<T>): Promise<T> => {
    let p = memo.get(k);
    if (p === undefined) {
      p = read();
      // A rejected read is reported by every key that awaits it; keep Node from calling it unhandled.
      p.catch(() => undefined);
      memo.set(k, p);
    }
    return p as Promise<T>;
  };
  const { secrets, deployKeys, files } = ports;
  return {
    secrets: {
      publicKey: (s) => once(`pk ${scopeId(s)}`, () => secrets.publicKey(s)),
      listSecrets: (s) => once(`ls ${scopeId(s)}`, () => secrets.listSecrets(s)),
      selectedRepositories: (s, n) =>
        once(`sel ${scopeId(s)} ${n.toUpperCase()}`, () => secrets.selectedRepositories(s, n)),
      putSecret: secrets.putSecret.bind(secrets),
      deleteSecret: secrets.deleteSecret.bind(secrets),
    },
    deployKeys: {
      listDeployKeys: (r) => once(`dk ${r.toLowerCase()}`, () => deployKeys.listDeployKeys(r)),
      addDeployKey: deployKeys.addDeployKey.bind(deployKeys),
      deleteDeployKey: deployKeys.deleteDeployKey.bind(deployKeys),
    },
    files: {
      readFile: (p) => once(`file ${p}`, () => files.readFile(p)),
      writeFile: files.writeFile.bind(files),
      deleteFile: files.deleteFile.bind(files),
    },
    // Other kinds share reads within their own adapters.
    ...(ports.kinds === undefined ? {} : { kinds: ports.kinds }),
  };
}

/**
 * The secret scopes of `desired` whose list nothing depends on: no slot there is to be
 * emptied, and no receipt there names a slot with the fingerprint it wants (so no slot can be
 * proven current: each is written whatever the list says). Without receipts, none (the caller
 * plans without them and wants every list).
 */
export function unlistedScopes(
  desired: DesiredState,
  receipts: readonly Receipt[] | undefined,
): Set<string> {
  const out = new Set<string>();
  if (receipts === undefined) return out;
  const proving = new Set<string>();
  for (const r of receipts)
    if (isSecretReceipt(r)) proving.add(`${r.scope} ${r.name.toUpperCase()} ${r.fingerprint}`);
  const needed = new Set<string>();
  for (const d of desired.targets) {
    if (d.kind !== 'github-secret') continue;
    const id = scopeId(d.scope);
    out.add(id);
    for (const s of d.slots)
      if (s.want === null || proving.has(`${id} ${s.name.toUpperCase()} ${s.want.fingerprint}`))
        needed.add(id);
  }
  for (const id of needed) out.delete(id);
  return out;
}

/**
 * observeTargets, without the lists of the scopes nothing depends on (unlistedScopes): those
 * are left out of the observation (the plan writes every slot there; receipts.ts keeps the
 * receipts of a scope it did not see) rather than passed off as empty.
 */
async function observeUnlisted(
  desired: DesiredState,
  reads: TargetPorts,
  receipts: readonly Receipt[] | undefined,
): Promise<Observation> {
  const skip = unlistedScopes(desired, receipts);
  if (skip.size === 0) return observeTargets(desired, reads);
  const secrets = reads.secrets;
  const observed = await observeTargets(desired, {
    ...reads,
    // sharedReads' ports are plain closures: spreading them keeps them working.
    secrets: {
      ...secrets,
      listSecrets: (s) => (skip.has(scopeId(s)) ? Promise.resolve([]) : secrets.listSecrets(s)),
    },
  });
  return {
    ...observed,
    secrets: new Map([...observed.secrets].filter(([id]) => !skip.has(id))),
  };
}

/** What each desired target claims (a secret name in a scope, a file), to find two owners. */
function claims(desired: DesiredState): string[] {
  return desired.targets.flatMap((d) => targetKind(d.kind).claims?.(d) ?? []);
}

export async function preflight(
  input: PreflightInput,
  ports: { readonly sops: SopsCodec; readonly targets: TargetPorts },
): Promise<PreflightResult> {
  const reads = sharedReads(ports.targets);
  const problems = new Map<string, string[]>();
  const prepared = new Map<string, PreparedKey>();
  const scopes = new Map<string, SecretScope>();

  await forEachBounded(input.keys, input.concurrency, async (id) => {
    const key = input.snapshot.keys.get(id)?.value;
    const mine: string[] = [];
    problems.set(id, mine);
    if (key === undefined) {
      mine.push(`no key.yaml for ${id}`);
      return;
    }
    const live = await decryptKey(id, key, input, ports.sops, mine);
    if (mine.length > 0) return;
    const desired = desiredState(key, live);
    for (const p of desired.problems) mine.push(`target ${p.target}: ${p.message}`);
    if (mine.length > 0) return;
    let observed: Observation;
    try {
      observed = await observeUnlisted(desired, reads, input.receipts);
    } catch (e) {
      mine.push(`observing the targets failed: ${message(e)}`);
      return;
    }
    // Each kind's own checks before any write (e.g. may the admin connection change the role).
    for (const d of desired.targets) {
      const check = targetKind(d.kind).preflight;
      if (check === undefined) continue;
      try {
        for (const p of await check(d, reads, observed)) mine.push(`target ${d.target}: ${p}`);
      } catch (e) {
        mine.push(`target ${d.target}: preflight failed: ${message(e)}`);
      }
    }
    if (mine.length > 0) return;
    const writing =
      input.receipts === undefined
        ? desired.targets.flatMap((d) => (d.kind === 'github-secret' ? [d.scope] : []))
        : planTargets(key, desired, observed, input.receipts).steps.flatMap((s) =>
            s.kind === 'put-secret' ? [s.scope] : [],
          );
    for (const scope of writing) scopes.set(scopeId(scope), scope);
    prepared.set(id, {
      id,
      key,
      desired,
      observed,
      compromised: key.versions.some((v) => v.state === 'compromised'),
    });
  });

  // Each scope's sealing key, once: a scope the token cannot read fails every key writing to it.
  const keyFailures = new Map<string, string>();
  await forEachBounded([...scopes], input.concurrency, async ([id, scope]) => {
    try {
      await reads.secrets.publicKey(scope);
    } catch (e) {
      keyFailures.set(id, `the public key of ${id} could not be fetched: ${message(e)}`);
    }
  });
  const owners = new Map<string, string[]>();
  for (const k of prepared.values()) {
    for (const d of k.desired.targets)
      if (d.kind === 'github-secret') {
        const failed = keyFailures.get(scopeId(d.scope));
        if (failed !== undefined && !problems.get(k.id)!.includes(failed))
          problems.get(k.id)!.push(failed);
      }
    for (const c of new Set(claims(k.desired))) owners.set(c, [...(owners.get(c) ?? []), k.id]);
  }
  for (const [claim, ids] of owners)
    if (ids.length > 1)
      for (const id of ids)
        problems.get(id)!.push(`${claim} is a target of ${ids.length} keys: ${ids.join(', ')}`);

  const failed = new Map([...problems].filter(([, p]) => p.length > 0));
  return {
    keys: input.keys.flatMap((id) => {
      const k = prepared.get(id);
      return k !== undefined && !failed.has(id) ? [k] : [];
    }),
    problems: failed,
    publicKeys: scopes.size,
  };
}
