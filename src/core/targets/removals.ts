/**
 * Orphaned material: what rekey wrote (its receipts prove it) on targets that no key's desired
 * state claims any more. A target removed from key.yaml, a key folder removed, a secret name
 * changed: the desired state only covers what key.yaml lists now, so without this the old
 * target would keep its last value forever, compromised versions included. Pure.
 *
 * - **Claims** are computed from key.yaml alone (no material), for every key of the commit,
 *   halted or failing ones included: a target any key lists now is never removed here (its
 *   own plan decides what it holds).
 * - A **secret** is removed only when GitHub still reports the `updated_at` its receipt
 *   recorded: rekey's write is the last one. One rewritten since is someone else's now: it is
 *   refused (reported, never deleted) and stays a failure until a person deletes it or a key
 *   claims it again. A secret already gone is removed already.
 * - A **deploy key** is removed when its title is rekey's for that key (`<title> (rekey <key>
 *   v<N>)`, deploy keys cannot be edited) on a repository where that key has no deploy-key
 *   target any more. The receipts say which repositories to look at; every deploy key there
 *   titled as that key's is removed, with or without a receipt of its own.
 *
 * Every removal carries the one receipt it settles: the caller drops it once the removal is
 * done (or found done), and keeps it otherwise, so a crash or a failure is retried next run.
 */
import type { KeyDocument, KeyState } from '../formats/key.ts';
import {
  scopeId,
  type ObservedDeployKey,
  type ObservedSecret,
  type SecretScope,
} from '../ports/targets.ts';
import { managedDeployKeyVersion, secretScopeOf } from './desired.ts';
import { targetKind } from './registry.ts';
import {
  isSecretReceipt,
  type DeployKeyReceipt,
  type Receipt,
  type SecretReceipt,
} from './plan.ts';

type ClaimingKey = Pick<KeyDocument, 'id' | 'targets'>;

/** Kinds whose removal is receipt-based and explained above; the others explain their own. */
const BUILT_IN = new Set<string>(['github-secret', 'github-deploy-key', 'file']);

/** What the keys' targets claim: secrets by scope and name, deploy keys by repository and key. */
export interface Claims {
  readonly secrets: ReadonlySet<string>;
  readonly deployKeys: ReadonlySet<string>;
}

// GitHub compares owners, repositories, environments and secret names ignoring case.
const secretClaim = (scope: string, name: string) => `${scope.toLowerCase()} ${name.toUpperCase()}`;
const deployClaim = (repository: string, key: string) => `${repository.toLowerCase()} ${key}`;

export function claimsOf(keys: Iterable<ClaimingKey>): Claims {
  const secrets = new Set<string>();
  const deployKeys = new Set<string>();
  for (const k of keys)
    for (const t of k.targets) {
      if (t.kind === 'github-secret') {
        const scope = scopeId(secretScopeOf(t));
        for (const name of [t.name, ...(t.previous === undefined ? [] : [t.previous])])
          secrets.add(secretClaim(scope, name));
      } else if (t.kind === 'github-deploy-key') deployKeys.add(deployClaim(t.repository, k.id));
    }
  return { secrets, deployKeys };
}

export const claimsSecret = (c: Claims, r: SecretReceipt) =>
  c.secrets.has(secretClaim(r.scope, r.name));
export const claimsDeployKeys = (c: Claims, repository: string, key: string) =>
  c.deployKeys.has(deployClaim(repository, key));

/** The scope a receipt's scope id names (scopeId's inverse), or null when it names none. */
export function parseScopeId(id: string): SecretScope | null {
  const m = /^(actions|dependabot):(repo|env|org):(.+)$/.exec(id);
  if (m === null) return null;
  const app = m[1] as 'actions' | 'dependabot';
  const rest = m[3]!;
  if (m[2] === 'org')
    return /^[^/:]+$/.test(rest) ? { kind: 'organization', app, organization: rest } : null;
  if (m[2] === 'repo')
    return /^[^/:]+\/[^/:]+$/.test(rest) ? { kind: 'repository', app, repository: rest } : null;
  const at = rest.indexOf(':');
  const repository = rest.slice(0, at);
  const environment = rest.slice(at + 1);
  if (app !== 'actions' || at < 0 || !/^[^/:]+\/[^/:]+$/.test(repository) || environment === '')
    return null;
  return { kind: 'environment', app, repository, environment };
}

/** Receipts of material no key claims, grouped as they are observed. */
export interface Orphans {
  readonly secrets: readonly SecretReceipt[];
  /** Deploy-key receipts, by `repository key`. */
  readonly deployKeys: ReadonlyMap<
    string,
    { readonly repository: string; readonly key: string; readonly receipts: DeployKeyReceipt[] }
  >;
}

export function findOrphans(receipts: readonly Receipt[], claims: Claims): Orphans {
  const secrets: SecretReceipt[] = [];
  const deployKeys = new Map<
    string,
    { repository: string; key: string; receipts: DeployKeyReceipt[] }
  >();
  for (const r of receipts) {
    if (isSecretReceipt(r)) {
      if (!claimsSecret(claims, r)) secrets.push(r);
      continue;
    }
    if (claimsDeployKeys(claims, r.repository, r.key)) continue;
    const k = deployClaim(r.repository, r.key);
    const group = deployKeys.get(k) ?? { repository: r.repository, key: r.key, receipts: [] };
    group.receipts.push(r);
    deployKeys.set(k, group);
  }
  return { secrets, deployKeys };
}

/** What could be read of the orphans' targets: a list, or why it could not be read. */
export interface OrphanObservation {
  /** scope id -> its secrets. */
  readonly secrets: ReadonlyMap<string, readonly ObservedSecret[] | Unobserved>;
  /** lower-case `owner/name` -> its deploy keys. */
  readonly deployKeys: ReadonlyMap<string, readonly ObservedDeployKey[] | Unobserved>;
}

/**
 * A target that could not be listed. `unreachable`: GitHub answers 404 (the repository,
 * environment or organization is gone, or the token can no longer see it: GitHub does not
 * say which); anything else is an `error`.
 */
export type Unobserved = { readonly error: string } | { readonly unreachable: string };

const unobserved = (u: Unobserved) =>
  'error' in u
    ? { action: 'unreadable' as const, reason: u.error }
    : { action: 'unreachable' as const, reason: u.unreachable };

/**
 * One removal. `action`: `delete` (rekey's own, to delete), `gone` (already absent),
 * `refuse` (a secret written by someone else since rekey wrote it), `unreadable` (the target
 * could not be listed), `unreachable` (GitHub answers 404 for it: nothing rekey can reach is
 * left). `receipt` is the one receipt the removal settles.
 */
export type Removal = {
  /** The key that wrote it (null: an old receipt that did not record it). */
  readonly key: string | null;
  readonly version: number | null;
  readonly action: 'delete' | 'gone' | 'refuse' | 'unreadable' | 'unreachable';
  readonly reason: string;
  readonly receipt: Receipt;
} & (
  | {
      readonly kind: 'github-secret';
      readonly scope: SecretScope;
      readonly name: string;
      readonly fingerprint: string;
    }
  | {
      readonly kind: 'github-deploy-key';
      readonly repository: string;
      readonly id: number;
      readonly title: string;
    }
);

/** The key, version and state a receipt points at (an old one: by its fingerprint). */
export type VersionLookup = (
  key: string | null,
  version: number | null,
  fingerprint?: string,
) => { key: string | null; version: number | null; state?: KeyState };

const versionLookup =
  (keys: readonly Pick<KeyDocument, 'id' | 'versions'>[]): VersionLookup =>
  (key, version, fingerprint) => {
    for (const k of keys)
      for (const v of k.versions)
        if (
          (key !== null && version !== null && k.id === key && v.version === version) ||
          (key === null && fingerprint !== undefined && v.fingerprint === fingerprint)
        )
          return { key: k.id, version: v.version, state: v.state };
    return { key, version };
  };

const stateNote = (state: KeyState | undefined) =>
  state === 'compromised' || state === 'destroyed' ? ` (that version is ${state})` : '';

/** The fields of a deploy-key removal that its receipt decides. */
const deployKeyOf = (r: DeployKeyReceipt, repository: string) => ({
  kind: 'github-deploy-key' as const,
  key: r.key,
  version: r.version,
  repository,
  id: r.id,
  title: r.title,
  receipt: r,
});

/**
 * The removals for `orphans`, given what was observed of their targets. `keys` (the commit's
 * keys) name the version states for people, and the key of an old receipt by its fingerprint.
 */
export function planRemovals(
  orphans: Orphans,
  observed: OrphanObservation,
  keys: readonly Pick<KeyDocument, 'id' | 'versions'>[] = [],
): Removal[] {
  const lookup = versionLookup(keys);
  const out: Removal[] = [];
  for (const r of orphans.secrets) {
    const who = lookup(r.key ?? null, r.version ?? null, r.fingerprint);
    const scope = parseScopeId(r.scope);
    const base = {
      kind: 'github-secret' as const,
      key: who.key,
      version: who.version,
      name: r.name,
      fingerprint: r.fingerprint,
      receipt: r,
    };
    if (scope === null) {
      out.push({
        ...base,
        scope: { kind: 'organization', app: 'actions', organization: '?' },
        action: 'unreadable',
        reason: `the receipt's scope ${r.scope} names no scope`,
      });
      continue;
    }
    const list = observed.secrets.get(r.scope);
    const wrote = `${r.fingerprint}${who.version === null ? '' : ` (v${who.version})`}`;
    if (list === undefined || !Array.isArray(list)) {
      out.push({
        ...base,
        scope,
        ...unobserved(list === undefined ? { error: 'not observed' } : (list as Unobserved)),
      });
      continue;
    }
    const seen = list.find((s) => s.name.toUpperCase() === r.name.toUpperCase());
    if (seen === undefined) out.push({ ...base, scope, action: 'gone', reason: 'already gone' });
    else if (Date.parse(seen.updatedAt) !== Date.parse(r.updatedAt))
      out.push({
        ...base,
        scope,
        action: 'refuse',
        reason: `written by someone else since rekey wrote ${wrote} (updated ${seen.updatedAt}, rekey's write ${r.updatedAt}); not deleted: delete it by hand, or list it in a key.yaml again`,
      });
    else
      out.push({
        ...base,
        scope,
        action: 'delete',
        reason: `no key lists it any more; rekey wrote ${wrote}${stateNote(who.state)}`,
      });
  }
  for (const g of orphans.deployKeys.values()) {
    const list = observed.deployKeys.get(g.repository.toLowerCase());
    const byId = new Map(g.receipts.map((r) => [r.id, r]));
    if (list === undefined || !Array.isArray(list)) {
      for (const r of g.receipts)
        out.push({
          ...deployKeyOf(r, g.repository),
          ...unobserved(list === undefined ? { error: 'not observed' } : (list as Unobserved)),
        });
      continue;
    }
    const seenIds = new Set<number>();
    for (const o of list) {
      const version = managedDeployKeyVersion(o.title, g.key);
      if (version === null) continue; // not this key's: never touched here
      seenIds.add(o.id);
      const receipt: DeployKeyReceipt = byId.get(o.id) ?? {
        kind: 'github-deploy-key',
        repository: g.repository,
        key: g.key,
        version,
        id: o.id,
        title: o.title,
      };
      const who = lookup(g.key, version);
      out.push({
        kind: 'github-deploy-key',
        key: g.key,
        version,
        repository: g.repository,
        id: o.id,
        title: o.title,
        receipt,
        action: 'delete',
        reason: `${g.key} has no deploy-key target on ${g.repository} any more${stateNote(who.state)}`,
      });
    }
    for (const r of g.receipts)
      if (!seenIds.has(r.id))
        out.push({ ...deployKeyOf(r, g.repository), action: 'gone', reason: 'already gone' });
  }
  return out;
}

/** One line per removal for logs, summaries and the evidence; never a value. */
export function describeRemoval(r: Removal): string {
  const what =
    r.kind === 'github-secret'
      ? `secret ${r.name} (${scopeId(r.scope)})`
      : `deploy key ${r.id} "${r.title}" on ${r.repository}`;
  const verb = {
    delete: 'remove',
    gone: 'removed',
    refuse: 'keep',
    unreadable: 'cannot check',
    unreachable: 'cannot reach',
  }[r.action];
  return `${verb} ${what}: ${r.reason}`;
}

/** Where a removal is, for people (the same shape as a target's `where`). */
export const removalWhere = (r: Removal): string =>
  r.kind === 'github-secret' ? `${scopeId(r.scope)} ${r.name}` : `deploy keys of ${r.repository}`;

/**
 * What merging `head` over `base` leaves for distribution to remove (verify's explanation):
 * the secrets and deploy keys some base key's targets claim that no head key claims. Whether
 * rekey wrote them, and whether anyone rewrote them since, only the distribution's receipts
 * and observation can tell; the lines say so.
 */
export function removalsOnMerge(
  base: readonly ClaimingKey[],
  head: readonly ClaimingKey[],
): string[] {
  const now = claimsOf(head);
  const lines = new Set<string>();
  const headIds = new Set(head.map((k) => k.id));
  for (const k of base) {
    const why = headIds.has(k.id) ? `no longer a target of ${k.id}` : `${k.id} is removed`;
    for (const t of k.targets) {
      if (t.kind === 'github-secret') {
        const scope = scopeId(secretScopeOf(t));
        for (const name of [t.name, ...(t.previous === undefined ? [] : [t.previous])])
          if (!now.secrets.has(secretClaim(scope, name)))
            lines.add(
              `secret ${name} (${scope}): ${why}; distribution deletes it if rekey's write is its last one (one written by someone else since is kept and reported)`,
            );
      } else if (
        t.kind === 'github-deploy-key' &&
        !now.deployKeys.has(deployClaim(t.repository, k.id))
      )
        lines.add(
          `deploy keys of ${t.repository} titled "${t.title} (rekey ${k.id} v<N>)": ${why}; distribution deletes them`,
        );
      else if (
        t.kind === 'file' &&
        !head.some((h) => h.targets.some((x) => x.kind === 'file' && x.path === t.path))
      )
        lines.add(
          `file ${t.path}: ${why}; distribution stops writing it (it does not delete files: see docs/targets.md)`,
        );
      else if (!BUILT_IN.has(t.kind)) {
        const line = targetKind(t.kind).removed?.(t, why, head);
        if (line !== undefined && line !== null) lines.add(line);
      }
    }
  }
  return [...lines];
}
