/**
 * `github-deploy-key`: the active and the deactivated versions' public keys. A deploy key
 * grants access the moment it is added, so a pre-activation version is not added early;
 * compromised and destroyed ones must be gone. Keys rekey adds are titled
 * `<title> (rekey <key-id> v<N>)`; only those are ever deleted. Fully observable: compared
 * by key material.
 */
import type { DesiredBase, StepBase, TargetKind } from '../kind.ts';

export interface DesiredDeployKey {
  readonly version: number;
  readonly fingerprint: string;
  readonly title: string;
  /** `type base64`, comment dropped (as GitHub stores it). */
  readonly key: string;
}

export interface DesiredDeployKeyTarget extends DesiredBase {
  readonly kind: 'github-deploy-key';
  readonly repository: string;
  readonly readOnly: boolean;
  readonly keys: readonly DesiredDeployKey[];
  /** Public keys of compromised versions: flagged when found on a key rekey did not add. */
  readonly compromised: readonly { readonly version: number; readonly key: string }[];
}

export type DeployKeyStep =
  | (StepBase & {
      readonly kind: 'add-deploy-key';
      readonly repository: string;
      readonly title: string;
      readonly key: string;
      readonly readOnly: boolean;
      readonly version: number;
      readonly fingerprint: string;
    })
  | (StepBase & {
      readonly kind: 'delete-deploy-key';
      readonly repository: string;
      readonly id: number;
      readonly title: string;
    });

declare module '../kind.ts' {
  interface KindTypes {
    'github-deploy-key': {
      desired: DesiredDeployKeyTarget;
      step: DeployKeyStep;
      observed: never;
      port: never;
    };
  }
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

export const githubDeployKeyKind: TargetKind<'github-deploy-key'> = {
  kind: 'github-deploy-key',
  steps: ['add-deploy-key', 'delete-deploy-key'],

  where: (t) => `deploy keys of ${t.repository}`,

  desired(t, i, ctx) {
    if (ctx.key.type !== 'ssh-ed25519') {
      ctx.problem(i, `deploy keys need an ssh-ed25519 key, not ${ctx.key.type}`);
      return null;
    }
    const keys: DesiredDeployKey[] = [];
    for (const v of ctx.byState('active', 'deactivated')) {
      const line = ctx.publicOf(i, v.version);
      const k = line === undefined ? null : sshKeyMaterial(line);
      if (line !== undefined && k === null)
        ctx.problem(i, `v${v.version}'s public part is not an OpenSSH key`);
      if (k !== null)
        keys.push({
          version: v.version,
          fingerprint: v.fingerprint,
          title: deployKeyTitle(t.title, ctx.key.id, v.version),
          key: k,
        });
    }
    const compromised = ctx.byState('compromised').flatMap((v) => {
      const k = sshKeyMaterial(ctx.material(v.version)?.public ?? '');
      return k === null ? [] : [{ version: v.version, key: k }];
    });
    return {
      kind: 'github-deploy-key',
      target: i,
      repository: t.repository,
      readOnly: t['read-only'],
      keys,
      compromised,
    };
  },

  async observe(d, ports, into) {
    const repo = d.repository.toLowerCase();
    if (!into.deployKeys.has(repo))
      into.deployKeys.set(repo, await ports.deployKeys.listDeployKeys(d.repository));
  },

  plan(d, observed, { key }) {
    const steps: DeployKeyStep[] = [];
    const problems: { target: number; message: string }[] = [];
    let current = 0;
    const target = d.target;
    const stateOf = (version: number) => key.versions.find((v) => v.version === version)?.state;
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
    return { steps, current, problems };
  },

  async apply(step, ports, { key }) {
    if (step.kind === 'delete-deploy-key')
      return { detail: await ports.deployKeys.deleteDeployKey(step.repository, step.id) };
    const added = await ports.deployKeys.addDeployKey(step.repository, {
      title: step.title,
      key: step.key,
      readOnly: step.readOnly,
    });
    return {
      detail: 'created',
      receipt: {
        kind: 'github-deploy-key',
        repository: step.repository.toLowerCase(),
        key,
        version: step.version,
        id: added.id,
        title: added.title,
      },
    };
  },

  describe: (s) =>
    s.kind === 'add-deploy-key'
      ? `add deploy key "${s.title}" to ${s.repository} (${s.fingerprint}${s.readOnly ? ', read-only' : ', read-write'})`
      : `delete deploy key ${s.id} "${s.title}" from ${s.repository}: ${s.reason}`,

  desiredLines: (d) => d.keys.map((k) => `v${k.version} ${k.fingerprint} -> "${k.title}"`),

  observedLines(d, o, keyId) {
    const keys = o.deployKeys.get(d.repository.toLowerCase()) ?? [];
    const mine = keys.filter((k) => managedDeployKeyVersion(k.title, keyId) !== null);
    return [
      `${keys.length} deploy key(s), ${mine.length} of this key's: ${mine.map((k) => `"${k.title}"`).join(', ') || 'none'}`,
    ];
  },
};
