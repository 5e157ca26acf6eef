/**
 * What each target of a key should hold, from key.yaml and the decrypted live versions. Pure.
 * Each kind decides for its own targets (./kinds; the registry dispatches):
 *
 * - github-secret: `name` <- the active version; `previous` <- the newest deactivated version.
 * - github-deploy-key: the active and the deactivated versions' public keys.
 * - file: the rendered content (render.ts); jwks publishes pre-activation, active and
 *   deactivated public keys.
 *
 * The version's state is key.yaml's; the decrypted material only supplies the values.
 */
import type { KeyDocument, KeyState } from '../formats/key.ts';
import type {
  DesiredContext,
  DesiredOf,
  LiveVersion,
  TargetKindName,
  TargetProblem,
} from './kind.ts';
import { targetKind } from './registry.ts';

export type { LiveVersion, SlotValue, TargetProblem } from './kind.ts';
export type { DesiredSecretSlot, DesiredSecretTarget } from './kinds/github-secret.ts';
export type { DesiredDeployKey, DesiredDeployKeyTarget } from './kinds/github-deploy-key.ts';
export type { DesiredFileTarget } from './kinds/file.ts';
export { secretScopeOf } from './kinds/github-secret.ts';
export {
  deployKeyTitle,
  managedDeployKeyVersion,
  sshKeyMaterial,
} from './kinds/github-deploy-key.ts';

/** The desired state of one target, of any registered kind. */
export type DesiredTarget = { [K in TargetKindName]: DesiredOf<K> }[TargetKindName];

export interface DesiredState {
  readonly targets: readonly DesiredTarget[];
  readonly problems: readonly TargetProblem[];
}

export function desiredState(key: KeyDocument, live: readonly LiveVersion[]): DesiredState {
  const problems: TargetProblem[] = [];
  const material = new Map(live.map((v) => [v.version, v]));
  const ctx: DesiredContext = {
    key,
    byState: (...states: KeyState[]) =>
      key.versions.filter((v) => states.includes(v.state)).sort((a, b) => b.version - a.version),
    slotValue(target, v) {
      if (v === undefined) return null;
      const m = material.get(v.version);
      if (m === undefined) {
        problems.push({ target, message: `v${v.version} has no decrypted material` });
        return undefined;
      }
      return { version: v.version, fingerprint: v.fingerprint, value: m.secret };
    },
    publicOf(target, version) {
      const p = material.get(version)?.public;
      if (p === undefined)
        problems.push({ target, message: `v${version} has no public part to distribute` });
      return p;
    },
    material: (version) => material.get(version),
    problem: (target, message) => problems.push({ target, message }),
  };
  const targets: DesiredTarget[] = [];
  key.targets.forEach((t, i) => {
    const d = targetKind(t.kind).desired(t, i, ctx);
    if (d !== null) targets.push(d);
  });
  return { targets, problems };
}
