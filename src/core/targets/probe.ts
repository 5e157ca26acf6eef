/**
 * Probes: whether targets USE a version, not only hold it (docs/targets.md "Adding a target
 * kind"). Each kind with a `probe` hook answers for its own targets (postgres-role: a login
 * with the version's password); kinds without one are skipped. A probe that throws is one
 * `failed` result for the whole target (version 0, no fingerprint), never a confirmation.
 */
import type { TargetPorts } from '../ports/targets.ts';
import type { DesiredState } from './desired.ts';
import type { ProbeResult } from './kind.ts';
import { targetKind } from './registry.ts';

export async function probeTargets(
  desired: DesiredState,
  ports: TargetPorts,
): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (const d of desired.targets) {
    const kind = targetKind(d.kind);
    if (kind.probe === undefined) continue;
    try {
      out.push(...(await kind.probe(d, ports)));
    } catch (e) {
      out.push({
        target: d.target,
        version: 0,
        fingerprint: '',
        probe: `${d.kind} target ${d.target}`,
        outcome: 'failed',
        detail: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error',
      });
    }
  }
  return out;
}
