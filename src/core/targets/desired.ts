/**
 * What each target of a key should hold, from key.yaml and the decrypted live versions. Pure.
 *
 * - github-secret: `name` <- the active version; `previous` <- the newest deactivated version
 *   (absent when there is none). Pre-activation, compromised and destroyed versions never.
 * - github-deploy-key: the active and the deactivated versions' public keys. A deploy key grants
 *   access the moment it is added, so a pre-activation version is not added early; compromised
 *   and destroyed ones must be gone. Keys rekey adds are titled `<title> (rekey <key-id> v<N>)`.
 * - file: the rendered content (render.ts); jwks publishes pre-activation, active and
 *   deactivated public keys (prepublishing is what lets verifiers trust a key before it signs).
 *
 * The version's state is key.yaml's; the decrypted material only supplies the values.
 */
import type { KeyDocument, Target } from '../formats/key.ts';
import type { OrgAccess, SecretScope } from '../ports/targets.ts';
import { JwkError } from './jwk.ts';
import { type FileFormat, renderFile, TargetRenderError } from './render.ts';
import type { SecretValue } from './secret-value.ts';

/** One decrypted live version (`v<N>.sops.yaml`): treat `secret` as secret. */
export interface LiveVersion {
  readonly version: number;
  readonly secret: SecretValue;
  readonly public?: string | undefined;
}

/** A problem with one target (index into key.yaml's `targets`). Never carries a value. */
export interface TargetProblem {
  readonly target: number;
  readonly message: string;
}

export interface SlotValue {
  readonly version: number;
  readonly fingerprint: string;
  readonly value: SecretValue;
}

export interface DesiredSecretSlot {
  readonly slot: 'name' | 'previous';
  readonly name: string;
  /** null: the secret must not exist. */
  readonly want: SlotValue | null;
}

export interface DesiredDeployKey {
  readonly version: number;
  readonly fingerprint: string;
  readonly title: string;
  /** `type base64`, comment dropped (as GitHub stores it). */
  readonly key: string;
}

export type DesiredTarget =
  | {
      readonly kind: 'github-secret';
      readonly target: number;
      readonly scope: SecretScope;
      readonly org?: OrgAccess;
      readonly slots: readonly DesiredSecretSlot[];
    }
  | {
      readonly kind: 'github-deploy-key';
      readonly target: number;
      readonly repository: string;
      readonly readOnly: boolean;
      readonly keys: readonly DesiredDeployKey[];
      /** Public keys of compromised versions: flagged when found on a key rekey did not add. */
      readonly compromised: readonly { readonly version: number; readonly key: string }[];
    }
  | {
      readonly kind: 'file';
      readonly target: number;
      readonly path: string;
      readonly format: FileFormat;
      /** null: the file must not exist (the key has no active version). */
      readonly content: SecretValue | null;
      readonly versions: readonly number[];
    };

export interface DesiredState {
  readonly targets: readonly DesiredTarget[];
  readonly problems: readonly TargetProblem[];
}

type SecretTarget = Extract<Target, { kind: 'github-secret' }>;

export function secretScopeOf(t: SecretTarget): SecretScope {
  if (t.organization !== undefined)
    return { kind: 'organization', app: t.app, organization: t.organization };
  const repository = t.repository ?? '';
  if (t.environment !== undefined)
    return { kind: 'environment', app: 'actions', repository, environment: t.environment };
  return { kind: 'repository', app: t.app, repository };
}

/** The title rekey gives the deploy key of version `version`. */
export function deployKeyTitle(title: string, keyId: string, version: number): string {
  return `${title} (rekey ${keyId} v${version})`;
}

/** The version of a deploy key rekey added for `keyId`, or null for any other key. */
export function managedDeployKeyVersion(title: string, keyId: string): number | null {
  const suffix = ` (rekey ${keyId} v`;
  const at = title.lastIndexOf(suffix);
  if (at < 0) return null;
  const m = /^(\d{1,7})\)$/.exec(title.slice(at + suffix.length));
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** `type base64` of an OpenSSH public key line, or null. */
export function sshKeyMaterial(line: string): string | null {
  const [type, b64] = line.trim().split(/\s+/);
  if (!type || !b64 || !/^[a-z0-9@.-]+$/.test(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    return null;
  return `${type} ${b64}`;
}

export function desiredState(key: KeyDocument, live: readonly LiveVersion[]): DesiredState {
  const problems: TargetProblem[] = [];
  const material = new Map(live.map((v) => [v.version, v]));
  const byState = (...states: string[]) =>
    key.versions.filter((v) => states.includes(v.state)).sort((a, b) => b.version - a.version);
  const active = byState('active')[0];
  const deactivated = byState('deactivated');

  const slotValue = (target: number, v: { version: number; fingerprint: string } | undefined) => {
    if (v === undefined) return null;
    const m = material.get(v.version);
    if (m === undefined) {
      problems.push({ target, message: `v${v.version} has no decrypted material` });
      return undefined;
    }
    return { version: v.version, fingerprint: v.fingerprint, value: m.secret };
  };
  const publicOf = (target: number, version: number): string | undefined => {
    const p = material.get(version)?.public;
    if (p === undefined)
      problems.push({ target, message: `v${version} has no public part to distribute` });
    return p;
  };

  const targets: DesiredTarget[] = [];
  key.targets.forEach((t, i) => {
    switch (t.kind) {
      case 'github-secret': {
        const slots: DesiredSecretSlot[] = [];
        const current = slotValue(i, active);
        if (current !== undefined) slots.push({ slot: 'name', name: t.name, want: current });
        if (t.previous !== undefined) {
          const prev = slotValue(i, deactivated[0]);
          if (prev !== undefined) slots.push({ slot: 'previous', name: t.previous, want: prev });
        }
        targets.push({
          kind: 'github-secret',
          target: i,
          scope: secretScopeOf(t),
          // GitHub needs a visibility on every organization secret write; key.yaml's default
          // is the narrowest one, and it is enforced like an explicit one.
          ...(t.organization === undefined
            ? {}
            : {
                org: {
                  visibility: t.visibility ?? 'private',
                  ...(t['selected-repositories'] === undefined
                    ? {}
                    : { selectedRepositories: t['selected-repositories'] }),
                },
              }),
          slots,
        });
        return;
      }
      case 'github-deploy-key': {
        if (key.type !== 'ssh-ed25519') {
          problems.push({
            target: i,
            message: `deploy keys need an ssh-ed25519 key, not ${key.type}`,
          });
          return;
        }
        const keys: DesiredDeployKey[] = [];
        for (const v of byState('active', 'deactivated')) {
          const line = publicOf(i, v.version);
          const k = line === undefined ? null : sshKeyMaterial(line);
          if (line !== undefined && k === null)
            problems.push({
              target: i,
              message: `v${v.version}'s public part is not an OpenSSH key`,
            });
          if (k !== null)
            keys.push({
              version: v.version,
              fingerprint: v.fingerprint,
              title: deployKeyTitle(t.title, key.id, v.version),
              key: k,
            });
        }
        const compromised = byState('compromised').flatMap((v) => {
          const k = sshKeyMaterial(material.get(v.version)?.public ?? '');
          return k === null ? [] : [{ version: v.version, key: k }];
        });
        targets.push({
          kind: 'github-deploy-key',
          target: i,
          repository: t.repository,
          readOnly: t['read-only'],
          keys,
          compromised,
        });
        return;
      }
      case 'file': {
        const publish =
          t.format === 'jwks'
            ? byState('pre-activation', 'active', 'deactivated').flatMap((v) => {
                const p = publicOf(i, v.version);
                return p === undefined
                  ? []
                  : [{ version: v.version, fingerprint: v.fingerprint, public: p }];
              })
            : [];
        const value = t.format === 'jwks' ? null : slotValue(i, active);
        if (value === undefined) return;
        try {
          const content = renderFile({
            key,
            format: t.format,
            name: t.name,
            active: value?.value,
            publish,
          });
          targets.push({
            kind: 'file',
            target: i,
            path: t.path,
            format: t.format,
            content,
            versions:
              t.format === 'jwks' ? publish.map((p) => p.version) : value ? [value.version] : [],
          });
        } catch (e) {
          if (!(e instanceof TargetRenderError || e instanceof JwkError)) throw e;
          problems.push({ target: i, message: `${t.path}: ${e.message}` });
        }
        return;
      }
    }
  });
  return { targets, problems };
}
