/**
 * Reads what can be observed of a key's targets through the ports, target by target in
 * key.yaml's order, each kind through its own `observe` (./kinds). Reads are shared within the
 * observation: each secret scope's list once (plus the selected repositories of targeted
 * organization secrets with visibility `selected`), each repository's deploy keys once, each
 * file once.
 */
import type { TargetPorts } from '../ports/targets.ts';
import type { DesiredState } from './desired.ts';
import type { Observation, ObservationBuilder } from './kind.ts';
import { targetKind } from './registry.ts';

export async function observeTargets(
  desired: DesiredState,
  ports: TargetPorts,
): Promise<Observation> {
  const into: ObservationBuilder = {
    secrets: new Map(),
    selected: new Map(),
    deployKeys: new Map(),
    files: new Map(),
    kinds: {},
  };
  for (const d of desired.targets) await targetKind(d.kind).observe(d, ports, into);
  return into;
}
