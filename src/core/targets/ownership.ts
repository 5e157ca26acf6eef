/**
 * One target has one owner (DESIGN principle 8). Across the whole manifest, no two targets may
 * write the same GitHub secret, deploy key or file, and no two keys may write secrets of one
 * name that a single job reads at once, where GitHub's precedence (environment > repository >
 * organization) would hand the job the other key's value.
 *
 * Found here, on every snapshot (validate, plan, verify's head check and distribution all run
 * it through checkManifestInvariants), a conflict is refused before merge instead of failing
 * every distribution's preflight, or silently winning at GitHub.
 *
 * Names compare as GitHub compares them: owners, repositories, environments and secret names
 * case-insensitively (canonicalName). Pure; no I/O.
 */
import { diagnostic, type Diagnostic, type SourceLocation } from '../diagnostics.ts';
import { canonicalName } from '../formats/github-names.ts';
import type { KeyDocument, Target } from '../formats/key.ts';
import type { Located } from '../snapshot.ts';

export const TARGET_RULES = {
  'target/shared':
    'Two targets write the same secret (scope and name, `previous` included), deploy key (one public key, in any repository), file or PostgreSQL role.',
  'target/shadowed':
    'Two keys write secrets of one name that one job reads: environment before repository before organization.',
} as const satisfies Record<string, string>;

export type TargetRuleId = keyof typeof TARGET_RULES;

type SecretTarget = Extract<Target, { kind: 'github-secret' }>;

/** Where a claim was made: the key, its file and the field that names the thing. */
interface Claim {
  readonly keyId: string;
  readonly at: SourceLocation;
  /** How the thing is named in a message: `Actions secret X of acme/api`. */
  readonly what: string;
}

interface SecretSlot extends Claim {
  readonly slot: 'name' | 'previous';
  readonly app: SecretTarget['app'];
  readonly name: string;
  /** Lower-cased; `environment` only for environment secrets. */
  readonly organization?: string;
  readonly repository?: string;
  readonly environment?: string;
  /** Organization secrets: the repositories that can read it, or `all` of the organization. */
  readonly visibleTo?: 'all' | ReadonlySet<string>;
}

export function checkTargetOwnership(keys: Iterable<Located<KeyDocument>>): Diagnostic[] {
  const slots: SecretSlot[] = [];
  const deployKeys = new Map<string, Claim[]>(); // key id -> its deploy-key targets
  const publicKeys: PublicKeyClaim[] = [];
  const files: (Claim & { readonly path: string })[] = [];
  const roles: (Claim & { readonly role: string })[] = [];
  for (const doc of keys) {
    const keyId = doc.value.id;
    doc.value.targets.forEach((t, i) => {
      const at = (field: string) => doc.locate(['targets', i, field]);
      switch (t.kind) {
        case 'github-secret':
          slots.push(secretSlot(keyId, t, 'name', at('name')));
          if (t.previous !== undefined)
            slots.push(secretSlot(keyId, t, 'previous', at('previous')));
          return;
        case 'github-deploy-key': {
          const list = deployKeys.get(keyId) ?? [];
          list.push({ keyId, at: at('repository'), what: `deploy key in ${t.repository}` });
          deployKeys.set(keyId, list);
          for (const v of doc.value.versions)
            if (DEPLOYED.has(v.state))
              publicKeys.push({
                keyId,
                at: at('repository'),
                what: `the deploy key in ${t.repository}`,
                fingerprint: v.fingerprint,
              });
          return;
        }
        case 'file':
          files.push({ keyId, at: at('path'), what: `file ${t.path}`, path: t.path.toLowerCase() });
          return;
        case 'postgres-role':
          // One password per role: the server is named by the connection's variable.
          for (const role of t.roles)
            roles.push({
              keyId,
              at: at('roles'),
              what: `PostgreSQL role ${role} (${t.connection})`,
              role: `${t.connection} ${role}`,
            });
          return;
      }
    });
  }
  return [
    ...sharedSecrets(slots),
    ...sharedDeployKeys(deployKeys),
    ...sharedPublicKeys(publicKeys),
    ...sharedFiles(files),
    ...groupBy(roles, (r) => r.role).flatMap((g) =>
      shared(g, 'a role has one password: remove one of the targets or use another role'),
    ),
    ...shadowed(slots),
  ];
}

function secretSlot(
  keyId: string,
  t: SecretTarget,
  slot: 'name' | 'previous',
  at: SourceLocation,
): SecretSlot {
  const name = canonicalName(slot === 'name' ? t.name : t.previous!);
  const app = t.app === 'dependabot' ? 'Dependabot' : 'Actions';
  if (t.organization !== undefined) {
    const organization = t.organization.toLowerCase();
    const visibility = t.visibility ?? 'private';
    return {
      keyId,
      at,
      slot,
      app: t.app,
      name,
      organization,
      // `private` reaches the organization's private and internal repositories; rekey cannot
      // tell which those are, so it counts every repository of the organization.
      visibleTo:
        visibility === 'selected'
          ? new Set((t['selected-repositories'] ?? []).map((r) => r.toLowerCase()))
          : 'all',
      what: `${app} organization secret ${name} of ${t.organization}`,
    };
  }
  const repository = (t.repository ?? '').toLowerCase();
  if (t.environment !== undefined)
    return {
      keyId,
      at,
      slot,
      app: t.app,
      name,
      repository,
      environment: t.environment.toLowerCase(),
      what: `${app} secret ${name} of ${t.repository} environment ${t.environment}`,
    };
  return {
    keyId,
    at,
    slot,
    app: t.app,
    name,
    repository,
    what: `${app} secret ${name} of ${t.repository}`,
  };
}

const where = (c: Claim) => (c.at.line > 0 ? `${c.at.file}:${c.at.line}` : c.at.file);

/** Every member of a group of two or more claims on one thing, pointed at the others. */
function shared(group: readonly Claim[], advice: string): Diagnostic[] {
  if (group.length < 2) return [];
  return group.map((c) => {
    const others = group.filter((o) => o !== c);
    const listed = others
      .slice(0, 3)
      .map((o) => `${o.keyId === c.keyId ? 'this key' : `key ${o.keyId}`} (${where(o)})`)
      .join(', ');
    const more = others.length > 3 ? ` and ${others.length - 3} more` : '';
    return diagnostic(
      'target/shared',
      `${c.what} is also written by ${listed}${more}; ${advice}`,
      c.at,
    );
  });
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

function sharedSecrets(slots: readonly SecretSlot[]): Diagnostic[] {
  return groupBy(
    slots,
    (s) =>
      `${s.app}\0${s.organization ?? ''}\0${s.repository ?? ''}\0${s.environment ?? ''}\0${s.name}`,
  ).flatMap((g) =>
    shared(g, 'a secret has one owner: remove one of the targets or give one another name'),
  );
}

/**
 * GitHub accepts one public key as a deploy key once, in one repository, and rekey titles the
 * keys it adds by key id: so two deploy-key targets of one key are one deploy key twice.
 */
function sharedDeployKeys(byKey: ReadonlyMap<string, readonly Claim[]>): Diagnostic[] {
  return [...byKey.values()].flatMap((g) =>
    shared(
      g,
      'GitHub accepts a public key as a deploy key in one repository only; give each repository its own key',
    ),
  );
}

/** A deploy-key target's claim on one version's public key, known by its fingerprint. */
interface PublicKeyClaim extends Claim {
  /** `SHA256:...` of the OpenSSH public key: equal fingerprints, one public key. */
  readonly fingerprint: string;
}

/** States whose public key is a deploy key now or will be (desired.ts adds, or will add, them). */
const DEPLOYED: ReadonlySet<string> = new Set(['pre-activation', 'active', 'deactivated']);

/**
 * Two keys holding one ssh public key (a copied version, an imported key used twice), each with
 * a deploy-key target: GitHub refuses the second with "key is already in use" whatever the
 * repositories. One key's own targets are sharedDeployKeys' already.
 */
function sharedPublicKeys(claims: readonly PublicKeyClaim[]): Diagnostic[] {
  // Per target (key and line): the other keys' targets it shares a public key with, and which.
  const shares = new Map<string, { claim: PublicKeyClaim; with: Map<string, string[]> }>();
  const targetOf = (c: Claim) => `${c.keyId}\0${c.at.file}\0${c.at.line}`;
  for (const g of groupBy(claims, (c) => c.fingerprint))
    for (const c of g)
      for (const o of g) {
        if (o.keyId === c.keyId) continue;
        const entry = shares.get(targetOf(c)) ?? { claim: c, with: new Map<string, string[]>() };
        shares.set(targetOf(c), entry);
        const list = entry.with.get(`key ${o.keyId} (${where(o)})`) ?? [];
        if (!list.includes(c.fingerprint)) list.push(c.fingerprint);
        entry.with.set(`key ${o.keyId} (${where(o)})`, list);
      }
  return [...shares.values()].map(({ claim, with: others }) => {
    const listed = [...others.keys()].slice(0, 3).join(', ');
    const more = others.size > 3 ? ` and ${others.size - 3} more` : '';
    const fingerprints = [...new Set([...others.values()].flat())].join(', ');
    return diagnostic(
      'target/shared',
      `${claim.what} holds the same public key (${fingerprints}) as a deploy key of ${listed}${more}; GitHub accepts a public key as a deploy key once, in any repository ("key is already in use"): generate a new key for one of them`,
      claim.at,
    );
  });
}

function sharedFiles(files: readonly (Claim & { readonly path: string })[]): Diagnostic[] {
  const out = groupBy(files, (f) => f.path).flatMap((g) =>
    shared(g, 'a file has one owner: remove one of the targets or write another path'),
  );
  // A path that is a folder of another path: one of the two writes cannot happen.
  const byPath = new Map(files.map((f) => [f.path, f] as const));
  for (const f of files)
    for (let i = f.path.indexOf('/'); i > 0; i = f.path.indexOf('/', i + 1)) {
      const parent = byPath.get(f.path.slice(0, i));
      if (parent === undefined) continue;
      out.push(
        diagnostic(
          'target/shared',
          `${f.what} is inside ${parent.what}, which ${parent.keyId === f.keyId ? 'this key' : `key ${parent.keyId}`} writes (${where(parent)}); a path is either a file or a folder`,
          f.at,
        ),
        diagnostic(
          'target/shared',
          `${parent.what} is a folder of ${f.what}, which ${f.keyId === parent.keyId ? 'this key' : `key ${f.keyId}`} writes (${where(f)}); a path is either a file or a folder`,
          parent.at,
        ),
      );
    }
  return out;
}

/** The level of a secret slot in GitHub's precedence: environment 0, repository 1, org 2. */
const level = (s: SecretSlot) =>
  s.environment !== undefined ? 0 : s.repository !== undefined ? 1 : 2;

/** True when a job that reads `high` (environment or repository level) could also read `low`. */
function overlaps(high: SecretSlot, low: SecretSlot): boolean {
  if (level(high) >= level(low)) return false;
  const repo = high.repository!;
  if (low.repository !== undefined) return low.repository === repo && low.environment === undefined;
  if (repo.slice(0, repo.indexOf('/')) !== low.organization) return false;
  return low.visibleTo === 'all' || low.visibleTo!.has(repo);
}

function shadowed(slots: readonly SecretSlot[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const g of groupBy(slots, (s) => `${s.app}\0${s.name}`)) {
    if (g.length < 2) continue;
    for (const high of g)
      for (const low of g) {
        // One key writing one value at two levels is harmless; a different key, or this key's
        // other slot (name against previous), hands the job a value it was not meant to get.
        if (high.keyId === low.keyId && high.slot === low.slot) continue;
        if (!overlaps(high, low)) continue;
        const owner = (c: Claim, other: Claim) =>
          c.keyId === other.keyId ? `this key's ${(c as SecretSlot).slot}` : `key ${c.keyId}`;
        out.push(
          diagnostic(
            'target/shadowed',
            `${high.what} shadows the ${low.what} that ${owner(low, high)} writes (${where(low)}); a job that can read both gets this one (GitHub: environment before repository before organization): use another name for one of them`,
            high.at,
          ),
          diagnostic(
            'target/shadowed',
            `${low.what} is shadowed by the ${high.what} that ${owner(high, low)} writes (${where(high)}); a job that can read both gets that one (GitHub: environment before repository before organization): use another name for one of them`,
            low.at,
          ),
        );
      }
  }
  return out;
}
