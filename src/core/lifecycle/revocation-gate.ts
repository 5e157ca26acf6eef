/**
 * The revocation gate of DESIGN.md "Flows: revoke", as a pure function of its evidence:
 * version V of a key may be destroyed when
 *   1. its successor (the key's active version on the base branch) has been active on the
 *      default branch's first-parent history since commit C,
 *   2. a commit at or after C carries the commit status `rekey/distribution` = success, and
 *   3. that status is older than the policy's `grace` (a compromised version needs no grace),
 *   4. when the policy says `require-probes: true`: the key declares at least one probe.
 *      Distribution fails such a key whenever a probe does not confirm its active version
 *      (docs/targets.md "Probes"), so a success in 2 is also every probe confirming the
 *      successor; without a probe there would be nothing to confirm, and the gate stays shut.
 * Principle 3: never destroy a version before its successor is proven distributed.
 *
 * The evidence (history, statuses) comes from git and GitHub; the caller gathers it and this
 * module only decides, so verify and revoke decide the same way. Any missing evidence closes
 * the gate, with a reason a reviewer can act on.
 */
import { describeMs, durationMs } from '../duration.ts';
import type { KeyDocument, KeyState, PolicyDocument } from '../formats/index.ts';
import type { HistoryIndex } from '../history/model.ts';
import type { Located } from '../snapshot.ts';
import type { Diagnostic, SourceLocation } from '../diagnostics.ts';
import type { GateVerdict, RevocationGate, TransitionOptions } from './change.ts';
import { violation } from './rules.ts';

/** One first-parent commit of the default branch and its `rekey/distribution` status. */
export interface DistributionRecord {
  readonly sha: string;
  /** Absent: the commit has no `rekey/distribution` status. */
  readonly status?: {
    readonly state: 'success' | 'failure' | 'error' | 'pending';
    /** When GitHub recorded the status, ISO 8601 UTC. */
    readonly at: string;
  };
}

export interface GateEvidence {
  /** The key's active version on the base branch (the successor), if any. */
  readonly activeVersion: (keyId: string) => number | undefined;
  /** The first-parent commit where `version` became active (C), if history knows it. */
  readonly activeSince: (keyId: string, version: number) => string | undefined;
  /** First-parent commits of the default branch, oldest first, with their statuses. */
  readonly firstParent: readonly DistributionRecord[];
  /** The key's policy `grace` in milliseconds, if the policy is known. */
  readonly graceMs: (keyId: string) => number | undefined;
  /**
   * Whether the key's policy says `require-probes: true`, and how many probes its targets
   * declare. Absent: no policy requires probes.
   */
  readonly probes?: (keyId: string) => { readonly required: boolean; readonly declared: number };
  readonly now: Date;
}

export function revocationGate(e: GateEvidence): RevocationGate {
  const position = new Map(e.firstParent.map((c, i) => [c.sha, i] as const));
  return (keyId, version, { state }) => decide(e, position, keyId, version, state);
}

function decide(
  e: GateEvidence,
  position: ReadonlyMap<string, number>,
  keyId: string,
  version: number,
  state: Extract<KeyState, 'deactivated' | 'compromised'>,
): GateVerdict {
  const closed = (reason: string): GateVerdict => ({ open: false, reason });
  const successor = e.activeVersion(keyId);
  if (successor === undefined)
    return closed(`key ${keyId} has no active version, so nothing has replaced v${version}`);
  const since = e.activeSince(keyId, successor);
  if (since === undefined)
    return closed(`first-parent history does not show when v${successor} became active`);
  const from = position.get(since);
  if (from === undefined)
    return closed(
      `commit ${short(since)}, where v${successor} became active, is not on first-parent history`,
    );
  const proof = e.firstParent.slice(from).find((c) => c.status?.state === 'success');
  if (proof === undefined)
    return closed(
      `no rekey/distribution success at or after ${short(since)}, where v${successor} became active: v${successor} is not proven on every target`,
    );
  const probes = e.probes?.(keyId);
  if (probes?.required === true && probes.declared === 0)
    return closed(
      `key ${keyId}'s policy says require-probes: true, but none of its targets declares a probe, so nothing can confirm v${successor} is in use`,
    );
  const grace = state === 'compromised' ? 0 : e.graceMs(keyId);
  if (grace === undefined) return closed(`the grace period of key ${keyId}'s policy is unknown`);
  const age = e.now.getTime() - Date.parse(proof.status!.at);
  if (age < grace)
    return closed(
      `v${successor} was proven distributed at ${short(proof.sha)} ${describeMs(Math.max(0, age))} ago; the grace period is ${describeMs(grace)}`,
    );
  return {
    open: true,
    reason:
      `v${successor} proven distributed at ${short(proof.sha)} ${describeMs(age)} ago` +
      (probes?.required === true
        ? ` and confirmed in use by ${probes.declared} probe${probes.declared === 1 ? '' : 's'}`
        : '') +
      (state === 'compromised'
        ? ' (compromised: no grace)'
        : `, grace ${describeMs(grace)} passed`),
  };
}

const short = (sha: string): string => sha.slice(0, 12);

/** An HTTPS probe in key.yaml, or a kind whose distribution tests the version itself. */
const hasProbe = (t: KeyDocument['targets'][number]): boolean =>
  t.probe !== undefined || (t.kind as string) === 'postgres-role';

/** What {@link gateEvidence} reads of the base branch (a `ManifestSnapshot` satisfies it). */
export interface GateSnapshot {
  readonly keys: ReadonlyMap<string, Located<KeyDocument>>;
  readonly policies: ReadonlyMap<string, Located<PolicyDocument>>;
}

/** Evidence from the base branch, the first-parent history index and the statuses on it. */
export function gateEvidence(input: {
  readonly base: GateSnapshot;
  readonly history: HistoryIndex;
  readonly firstParent: readonly DistributionRecord[];
  readonly now: Date;
}): GateEvidence {
  const { base, history } = input;
  return {
    activeVersion: (keyId) =>
      base.keys.get(keyId)?.value.versions.find((v) => v.state === 'active')?.version,
    activeSince: (keyId, version) =>
      history.keys.get(keyId)?.versions.get(version)?.entered.active?.sha,
    firstParent: input.firstParent,
    graceMs: (keyId) => {
      const policy = base.policies.get(base.keys.get(keyId)?.value.policy ?? '');
      return policy === undefined ? undefined : durationMs(policy.value.grace);
    },
    probes: (keyId) => {
      const key = base.keys.get(keyId)?.value;
      const policy = base.policies.get(key?.policy ?? '');
      return {
        required: policy?.value['require-probes'] === true,
        declared: (key?.targets ?? []).filter(hasProbe).length,
      };
    },
    now: input.now,
  };
}

/** Applies the gate (or its absence, which refuses) to one version a change destroys. */
export function checkGate(
  id: string,
  n: number,
  state: 'deactivated' | 'compromised',
  at: SourceLocation,
  opts: TransitionOptions,
): Diagnostic[] {
  if (opts.gate === undefined)
    return [
      violation(
        'lifecycle/revocation-gate-unchecked',
        `v${n} goes from ${state} to destroyed, but the revocation gate could not be checked (no distribution evidence was available), so destroying it is refused`,
        at,
      ),
    ];
  const verdict = opts.gate(id, n, { state });
  return verdict.open
    ? []
    : [
        violation(
          'lifecycle/revocation-gate-closed',
          `v${n} cannot be destroyed yet: ${verdict.reason}`,
          at,
        ),
      ];
}
