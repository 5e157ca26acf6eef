/**
 * The difference between what targets should hold (desired.ts) and what can be observed of
 * them, as typed steps. Pure.
 *
 * Secrets cannot be read back, so rekey cannot compare values. A secret is current only when
 * rekey can PROVE its last write: a receipt from an earlier apply names the same scope, name
 * and fingerprint, and GitHub still reports the `updated_at` that was read right after that
 * write (anyone writing the secret since changes it). Everything else is written: a missing
 * receipt costs one redundant write, never a stale secret. Deploy keys and files are fully
 * observable and compared by key material and bytes.
 */
import type { KeyDocument } from '../formats/key.ts';
import {
  type ObservedDeployKey,
  type ObservedSecret,
  type OrgAccess,
  type SecretScope,
  scopeId,
} from '../ports/targets.ts';
import {
  type DesiredState,
  managedDeployKeyVersion,
  type TargetProblem,
  sshKeyMaterial,
} from './desired.ts';
import type { FileFormat } from './render.ts';
import type { SecretValue } from './secret-value.ts';

/**
 * Proof of a write rekey made: kept by the caller between runs (receipts.json on the state
 * ref). `kind`, `key` and `version` are absent in receipts stored before rekey recorded them:
 * such a receipt is a secret's, of an unknown key and version.
 */
export interface SecretReceipt {
  readonly kind?: 'github-secret';
  readonly scope: string;
  readonly name: string;
  readonly fingerprint: string;
  /** `updated_at` GitHub reported right after the write. */
  readonly updatedAt: string;
  /** The key and version written (absent in old receipts). */
  readonly key?: string;
  readonly version?: number;
}

/** A deploy key rekey added (or found, titled as its own) for `key` on `repository`. */
export interface DeployKeyReceipt {
  readonly kind: 'github-deploy-key';
  readonly repository: string;
  readonly key: string;
  readonly version: number;
  /** GitHub's id of the deploy key and its title, `<title> (rekey <key> v<N>)`. */
  readonly id: number;
  readonly title: string;
}

export type Receipt = SecretReceipt | DeployKeyReceipt;

export const isSecretReceipt = (r: Receipt): r is SecretReceipt => r.kind !== 'github-deploy-key';

/** What was observed of the targets (observe.ts fills it through the ports). */
export interface Observation {
  /** scopeId -> the scope's secrets. */
  readonly secrets: ReadonlyMap<string, readonly ObservedSecret[]>;
  /** `${scopeId} ${NAME}` -> `owner/name`s, for organization secrets with visibility selected. */
  readonly selected: ReadonlyMap<string, readonly string[]>;
  /** lower-case `owner/name` -> its deploy keys. */
  readonly deployKeys: ReadonlyMap<string, readonly ObservedDeployKey[]>;
  /** path -> bytes, or null when absent. */
  readonly files: ReadonlyMap<string, SecretValue | null>;
}

interface Base {
  /** Index of the target in key.yaml's `targets`. */
  readonly target: number;
  /** Why the step is needed, for people. */
  readonly reason: string;
}

export type TargetStep =
  | (Base & {
      readonly kind: 'put-secret';
      readonly scope: SecretScope;
      readonly name: string;
      readonly slot: 'name' | 'previous';
      readonly version: number;
      readonly fingerprint: string;
      readonly org?: OrgAccess;
      readonly value: SecretValue;
    })
  | (Base & {
      readonly kind: 'delete-secret';
      readonly scope: SecretScope;
      readonly name: string;
      readonly slot: 'name' | 'previous';
    })
  | (Base & {
      readonly kind: 'add-deploy-key';
      readonly repository: string;
      readonly title: string;
      readonly key: string;
      readonly readOnly: boolean;
      readonly version: number;
      readonly fingerprint: string;
    })
  | (Base & {
      readonly kind: 'delete-deploy-key';
      readonly repository: string;
      readonly id: number;
      readonly title: string;
    })
  | (Base & {
      readonly kind: 'write-file';
      readonly path: string;
      readonly format: FileFormat;
      readonly versions: readonly number[];
      readonly content: SecretValue;
    })
  | (Base & { readonly kind: 'delete-file'; readonly path: string });

export interface TargetPlan {
  readonly key: string;
  readonly steps: readonly TargetStep[];
  readonly problems: readonly TargetProblem[];
  /** How many slots, keys and files were already as desired. */
  readonly current: number;
}

export const selectedKey = (scope: SecretScope, name: string) =>
  `${scopeId(scope)} ${name.toUpperCase()}`;

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a.map((s) => s.toLowerCase()));
  const y = new Set(b.map((s) => s.toLowerCase()));
  return x.size === y.size && [...x].every((s) => y.has(s));
};

/** Why a secret holding `fingerprint` must be written, or null when its last write is proven. */
function secretWriteReason(
  scope: SecretScope,
  name: string,
  fingerprint: string,
  org: OrgAccess | undefined,
  seen: ObservedSecret | undefined,
  receipts: readonly Receipt[],
  selected: ReadonlyMap<string, readonly string[]>,
): string | null {
  if (seen === undefined) return 'absent';
  const id = scopeId(scope);
  const receipt = receipts.find(
    (r): r is SecretReceipt =>
      isSecretReceipt(r) && r.scope === id && r.name.toUpperCase() === name.toUpperCase(),
  );
  if (receipt === undefined) return 'no record of a rekey write';
  if (receipt.fingerprint !== fingerprint) return `holds ${receipt.fingerprint}`;
  if (Date.parse(receipt.updatedAt) !== Date.parse(seen.updatedAt))
    return 'written by someone else since rekey wrote it';
  if (org !== undefined && scope.kind === 'organization') {
    if ((seen.visibility ?? 'private') !== org.visibility)
      return `visibility is ${seen.visibility}`;
    if (org.visibility === 'selected') {
      const now = selected.get(selectedKey(scope, name));
      if (now === undefined || !sameSet(now, org.selectedRepositories ?? []))
        return 'selected repositories differ';
    }
  }
  return null;
}

export function planTargets(
  key: Pick<KeyDocument, 'id' | 'versions'>,
  desired: DesiredState,
  observed: Observation,
  receipts: readonly Receipt[] = [],
): TargetPlan {
  const steps: TargetStep[] = [];
  const problems: TargetProblem[] = [...desired.problems];
  let current = 0;
  const stateOf = (version: number) => key.versions.find((v) => v.version === version)?.state;

  for (const d of desired.targets) {
    const target = d.target;
    switch (d.kind) {
      case 'github-secret': {
        const seenAll = observed.secrets.get(scopeId(d.scope)) ?? [];
        const seen = (name: string) =>
          seenAll.find((s) => s.name.toUpperCase() === name.toUpperCase());
        // previous first: when `name` changes, the old value is already in `previous`.
        for (const slot of [
          ...d.slots.filter((x) => x.slot === 'previous'),
          ...d.slots.filter((x) => x.slot === 'name'),
        ]) {
          const s = seen(slot.name);
          if (slot.want === null) {
            if (s === undefined) current++;
            else
              steps.push({
                kind: 'delete-secret',
                target,
                scope: d.scope,
                name: slot.name,
                slot: slot.slot,
                reason:
                  slot.slot === 'name' ? 'the key has no active version' : 'no version is in grace',
              });
            continue;
          }
          const { version, fingerprint, value } = slot.want;
          const why = secretWriteReason(
            d.scope,
            slot.name,
            fingerprint,
            d.org,
            s,
            receipts,
            observed.selected,
          );
          if (why === null) current++;
          else
            steps.push({
              kind: 'put-secret',
              target,
              scope: d.scope,
              name: slot.name,
              slot: slot.slot,
              version,
              fingerprint,
              ...(d.org === undefined ? {} : { org: d.org }),
              value,
              reason: why,
            });
        }
        break;
      }
      case 'github-deploy-key': {
        const seen = observed.deployKeys.get(d.repository.toLowerCase()) ?? [];
        const wanted = new Map(d.keys.map((k) => [k.key, k]));
        const keep = new Set<string>();
        for (const o of seen) {
          const material = sshKeyMaterial(o.key);
          const version = managedDeployKeyVersion(o.title, key.id);
          if (version === null) {
            // Not rekey's: never deleted. It may still carry a wanted key (counts as present)
            // or a compromised one (reported: a person has to remove it).
            if (material !== null && wanted.has(material)) keep.add(material);
            const bad = d.compromised.find((c) => c.key === material);
            if (bad !== undefined)
              problems.push({
                target,
                message: `deploy key ${o.id} ("${o.title}") on ${d.repository} carries compromised v${bad.version}; rekey did not add it and will not delete it: remove it by hand`,
              });
            continue;
          }
          const want = material === null ? undefined : wanted.get(material);
          if (want !== undefined && o.readOnly === d.readOnly && !keep.has(want.key)) {
            keep.add(want.key);
            current++;
            continue;
          }
          const state = stateOf(version);
          steps.push({
            kind: 'delete-deploy-key',
            target,
            repository: d.repository,
            id: o.id,
            title: o.title,
            reason:
              want !== undefined
                ? keep.has(want.key)
                  ? 'duplicate'
                  : `read-only should be ${d.readOnly}`
                : state === undefined
                  ? `v${version} is not in key.yaml`
                  : d.keys.some((k) => k.version === version)
                    ? `not v${version}'s key material`
                    : `v${version} is ${state}`,
          });
        }
        for (const k of d.keys)
          if (!keep.has(k.key))
            steps.push({
              kind: 'add-deploy-key',
              target,
              repository: d.repository,
              title: k.title,
              key: k.key,
              readOnly: d.readOnly,
              version: k.version,
              fingerprint: k.fingerprint,
              reason: 'absent',
            });
        break;
      }
      case 'file': {
        const now = observed.files.get(d.path) ?? null;
        if (d.content === null) {
          if (now === null) current++;
          else
            steps.push({
              kind: 'delete-file',
              target,
              path: d.path,
              reason: 'the key has no active version',
            });
        } else if (now !== null && now.equals(d.content)) current++;
        else
          steps.push({
            kind: 'write-file',
            target,
            path: d.path,
            format: d.format,
            versions: d.versions,
            content: d.content,
            reason: now === null ? 'absent' : 'content differs',
          });
        break;
      }
    }
  }
  return { key: key.id, steps, problems, current };
}

/** One line per step for logs and the job summary; never a value. */
export function describeStep(s: TargetStep): string {
  switch (s.kind) {
    case 'put-secret':
      return `put secret ${s.name} (${scopeId(s.scope)}) <- v${s.version} ${s.fingerprint}: ${s.reason}`;
    case 'delete-secret':
      return `delete secret ${s.name} (${scopeId(s.scope)}): ${s.reason}`;
    case 'add-deploy-key':
      return `add deploy key "${s.title}" to ${s.repository} (${s.fingerprint}${s.readOnly ? ', read-only' : ', read-write'})`;
    case 'delete-deploy-key':
      return `delete deploy key ${s.id} "${s.title}" from ${s.repository}: ${s.reason}`;
    case 'write-file':
      return `write ${s.path} (${[s.format, ...s.versions.map((v) => `v${v}`)].join(', ')}): ${s.reason}`;
    case 'delete-file':
      return `delete ${s.path}: ${s.reason}`;
  }
}
