/**
 * How the demo tells what happened: short lines a newcomer can follow, built only from
 * secret-free results (fingerprints, versions, commit ids, reasons).
 */
import type { CheckoutState } from '../../adapters/git/commits.ts';
import type { DistributeResult } from '../../commands/distribute/index.ts';
import type { KeyResult } from '../../commands/rotate.ts';
import type { KeyDocument } from '../../core/formats/index.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import type { TargetCheck } from './targets-check.ts';

export function keysOf(c: CheckoutState): Map<string, KeyDocument> {
  const snap = loadSnapshot(c.tree).snapshot;
  return new Map([...snap.keys].map(([id, k]) => [id, k.value]));
}

/** A new PR, in one line. */
export function describeOpened(k: Extract<KeyResult, { outcome: 'created' }>): string {
  const what =
    k.action === 'revoke'
      ? 'revocation'
      : k.action === 'promote'
        ? `promotion of v${k.version}`
        : `${k.action === 'emergency' ? 'emergency rotation' : 'rotation'} to v${k.version}, fingerprint ${k.fingerprint}`;
  return `${k.keyId}: opened PR #${k.pull.number} on ${k.branch} (${what})`;
}

/** What the distribution job did: its outcome, then each step it took on a target. */
export function describeDistribution(r: DistributeResult): string[] {
  const out = [
    `distribution job on ${r.commit.slice(0, 12)}: ${r.outcome}; status rekey/distribution = ${r.status ?? 'not written'}`,
  ];
  for (const p of r.problems) out.push(`  ${p}`);
  for (const k of r.keys)
    for (const t of k.targets) {
      if (t.outcome === 'unchanged') continue;
      for (const s of t.steps) out.push(`  ${s}`);
      for (const e of t.errors) out.push(`  FAILED ${t.where}: ${e}`);
    }
  if (out.length === 1) out.push('  every target already held what main says: nothing to write');
  return out;
}

/** The read-back: a count, then the targets of the `focus` keys (all when undefined) and any mismatch. */
export function describeChecks(
  checks: readonly TargetCheck[],
  keys: ReadonlyMap<string, KeyDocument>,
  focus: readonly string[] | undefined,
): string[] {
  const good = checks.filter((c) => c.ok).length;
  const out = [
    `read back (secrets opened with the emulator's private key and fingerprinted): ${good} of ${checks.length} targets hold exactly what key.yaml says`,
  ];
  for (const c of checks) {
    if (c.ok && focus !== undefined && !focus.includes(c.keyId)) continue;
    const key = keys.get(c.keyId);
    const found = c.found.map((fp) => {
      const v = key?.versions.find((x) => x.fingerprint === fp)?.version;
      return `${fp}${v === undefined ? '' : ` (v${v})`}`;
    });
    out.push(
      `  ${c.ok ? 'ok' : 'MISMATCH'}  ${c.where}: ${found.join(', ') || 'empty'}${c.ok ? '' : `; key.yaml wants ${c.want.map((w) => `v${w.version}`).join(', ') || 'nothing'}`}`,
    );
  }
  return out;
}

/** Every key's versions with the dates of their states (from first-parent history). */
export function describeKeys(c: CheckoutState): string[] {
  const out: string[] = [];
  for (const [id, key] of keysOf(c)) {
    out.push(`${id} (${key.type}, policy ${key.policy})`);
    for (const v of key.versions) {
      const entered = c.history.keys.get(id)?.versions.get(v.version)?.entered ?? {};
      const trail = Object.entries(entered)
        .map(([state, ref]) => `${state} ${ref!.time.slice(0, 10)}`)
        .join(' -> ');
      out.push(`  v${v.version} ${v.state.padEnd(14)} ${trail}`);
    }
  }
  return out;
}
