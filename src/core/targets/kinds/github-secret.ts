/**
 * `github-secret`: `name` <- the active version; `previous` <- the newest deactivated version
 * (absent when there is none). Pre-activation, compromised and destroyed versions never.
 *
 * Secrets cannot be read back, so rekey cannot compare values. A secret is current only when
 * rekey can PROVE its last write: a receipt from an earlier apply names the same scope, name
 * and fingerprint, and GitHub still reports the `updated_at` that was read right after that
 * write (anyone writing the secret since changes it). Everything else is written: a missing
 * receipt costs one redundant write, never a stale secret.
 */
import type { Target } from '../../formats/key.ts';
import {
  type ObservedSecret,
  type OrgAccess,
  type SecretScope,
  scopeId,
} from '../../ports/targets.ts';
import type { DesiredBase, SlotValue, StepBase, TargetKind } from '../kind.ts';
import { isSecretReceipt, type Receipt, type SecretReceipt } from '../receipt.ts';
import type { SecretValue } from '../secret-value.ts';

export interface DesiredSecretSlot {
  readonly slot: 'name' | 'previous';
  readonly name: string;
  /** null: the secret must not exist. */
  readonly want: SlotValue | null;
}

export interface DesiredSecretTarget extends DesiredBase {
  readonly kind: 'github-secret';
  readonly scope: SecretScope;
  readonly org?: OrgAccess;
  readonly slots: readonly DesiredSecretSlot[];
}

export type SecretStep =
  | (StepBase & {
      readonly kind: 'put-secret';
      readonly scope: SecretScope;
      readonly name: string;
      readonly slot: 'name' | 'previous';
      readonly version: number;
      readonly fingerprint: string;
      readonly org?: OrgAccess;
      readonly value: SecretValue;
    })
  | (StepBase & {
      readonly kind: 'delete-secret';
      readonly scope: SecretScope;
      readonly name: string;
      readonly slot: 'name' | 'previous';
    });

declare module '../kind.ts' {
  interface KindTypes {
    'github-secret': {
      desired: DesiredSecretTarget;
      step: SecretStep;
      observed: never;
      port: never;
    };
  }
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
  listed: boolean,
  receipts: readonly Receipt[],
  selected: ReadonlyMap<string, readonly string[]>,
): string | null {
  if (seen === undefined && listed) return 'absent';
  const id = scopeId(scope);
  const receipt = receipts.find(
    (r): r is SecretReceipt =>
      isSecretReceipt(r) && r.scope === id && r.name.toUpperCase() === name.toUpperCase(),
  );
  if (receipt === undefined) return 'no record of a rekey write';
  if (receipt.fingerprint !== fingerprint) return `holds ${receipt.fingerprint}`;
  // Not listed (nothing else depended on the list): nothing proves the write. Never current.
  if (seen === undefined) return 'not listed';
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

const findSecret = (list: readonly ObservedSecret[], name: string) =>
  list.find((s) => s.name.toUpperCase() === name.toUpperCase());

export const githubSecretKind: TargetKind<'github-secret'> = {
  kind: 'github-secret',
  steps: ['put-secret', 'delete-secret'],

  where: (t) =>
    `${scopeId(secretScopeOf(t))} ${[t.name, ...(t.previous ? [t.previous] : [])].join(', ')}`,

  desired(t, i, ctx) {
    const slots: DesiredSecretSlot[] = [];
    const active = ctx.byState('active')[0];
    const current = ctx.slotValue(i, active);
    if (current !== undefined) slots.push({ slot: 'name', name: t.name, want: current });
    if (t.previous !== undefined) {
      const prev = ctx.slotValue(i, ctx.byState('deactivated')[0]);
      if (prev !== undefined) slots.push({ slot: 'previous', name: t.previous, want: prev });
    }
    return {
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
    };
  },

  async observe(d, ports, into) {
    const id = scopeId(d.scope);
    let list = into.secrets.get(id);
    if (list === undefined) {
      list = await ports.secrets.listSecrets(d.scope);
      into.secrets.set(id, list);
    }
    if (d.org?.visibility === 'selected')
      for (const slot of d.slots) {
        const seen = findSecret(list, slot.name);
        const k = selectedKey(d.scope, slot.name);
        if (seen?.visibility === 'selected' && !into.selected.has(k))
          into.selected.set(k, await ports.secrets.selectedRepositories(d.scope, slot.name));
      }
  },

  plan(d, observed, { receipts }) {
    const steps: SecretStep[] = [];
    let current = 0;
    // A scope the caller did not list (no receipt there could prove a slot current, no slot
    // to delete: distribute's preflight skips such lists) is planned from the receipts alone.
    const listed = observed.secrets.get(scopeId(d.scope));
    const seenAll = listed ?? [];
    // previous first: when `name` changes, the old value is already in `previous`.
    for (const slot of [
      ...d.slots.filter((x) => x.slot === 'previous'),
      ...d.slots.filter((x) => x.slot === 'name'),
    ]) {
      const s = findSecret(seenAll, slot.name);
      if (slot.want === null) {
        if (s === undefined && listed !== undefined) current++;
        else
          steps.push({
            kind: 'delete-secret',
            target: d.target,
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
        listed !== undefined,
        receipts,
        observed.selected,
      );
      if (why === null) current++;
      else
        steps.push({
          kind: 'put-secret',
          target: d.target,
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
    return { steps, current, problems: [] };
  },

  async apply(step, ports, { key }) {
    if (step.kind === 'delete-secret')
      return { detail: await ports.secrets.deleteSecret(step.scope, step.name) };
    const r = await ports.secrets.putSecret(step.scope, step.name, step.value, step.org);
    return {
      detail: r.result,
      receipt: {
        kind: 'github-secret',
        scope: scopeId(step.scope),
        name: step.name,
        fingerprint: step.fingerprint,
        updatedAt: r.updatedAt,
        key,
        version: step.version,
      },
    };
  },

  describe: (s) =>
    s.kind === 'put-secret'
      ? `put secret ${s.name} (${scopeId(s.scope)}) <- v${s.version} ${s.fingerprint}: ${s.reason}`
      : `delete secret ${s.name} (${scopeId(s.scope)}): ${s.reason}`,

  desiredLines: (d) =>
    d.slots.map((s) =>
      s.want === null
        ? `nothing -> ${s.name}`
        : `v${s.want.version} ${s.want.fingerprint} -> ${s.name}`,
    ),

  observedLines(d, o) {
    const list = o.secrets.get(scopeId(d.scope));
    return d.slots.map((s) => {
      if (list === undefined) return `${s.name} not listed (no receipt to check there)`;
      const seen = findSecret(list, s.name);
      return seen === undefined
        ? `${s.name} absent`
        : `${s.name} updated ${seen.updatedAt}${seen.visibility ? ` (${seen.visibility})` : ''}`;
    });
  },

  claims: (d) => d.slots.map((s) => `secret ${s.name.toUpperCase()} (${scopeId(d.scope)})`),
};
