/**
 * The demo's distribution job: what `.github/workflows/distribute.yml` does after a push to
 * main, run here with the distribution job's App token and the demo age identity.
 *
 * PENDING: the `distribute` command (src/commands/distribute/index.ts) has not landed yet.
 * Until it does, this step says so and writes nothing: no target is touched and no
 * `rekey/distribution` status is recorded, so the promotion and revocation gates, which need
 * that evidence, stay closed. Nothing here pretends to distribute.
 */
import type { SopsCodec } from '../../core/ports/sops.ts';
import type { FileTree } from '../../core/snapshot.ts';
import type { DistributionReport } from './narrate.ts';
import type { Sandbox } from './sandbox.ts';

export type DistributionAttempt =
  | { readonly available: false; readonly why: string }
  | { readonly available: true; readonly result: DistributionReport };

export const DISTRIBUTE_UNAVAILABLE =
  'the distribute command (src/commands/distribute/index.ts) is not available yet';

export async function runDistribution(
  _sb: Sandbox,
  _commit: { sha: string; tree: FileTree },
  _codec: SopsCodec,
  _mask: (value: string) => void,
  _runUrl: string,
): Promise<DistributionAttempt> {
  return { available: false, why: DISTRIBUTE_UNAVAILABLE };
}
