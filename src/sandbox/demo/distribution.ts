/**
 * The demo's distribution job: what `.github/workflows/distribute.yml` does after a push to
 * main, here with the distribution job's two App tokens (the keys repository's: lease, status,
 * issues; the targets token: secrets, deploy keys),
 * the demo age identity and the sandbox's output folder for `file` targets: the `distribute`
 * command through the real GitHub, state-ref and target adapters.
 *
 * `mask` gets every decrypted value, as the action hands them to `core.setSecret`; the
 * scenario refuses any output line that contains one (see scenario.ts).
 */
import { createStateRefAdapter } from '../../adapters/github/refs.ts';
import { createTargetPorts } from '../../adapters/targets/index.ts';
import { distribute, type DistributeResult } from '../../commands/distribute/index.ts';
import type { Rewrapper } from '../../commands/rewrap.ts';
import type { SopsCodec } from '../../core/ports/sops.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { KEYS_REPO, type Sandbox } from './sandbox.ts';

export async function runDistribution(
  sb: Sandbox,
  commit: { sha: string; tree: FileTree },
  codec: SopsCodec,
  mask: (value: string) => void,
  runUrl: string,
  /** The codec that re-wraps material for the rekey/rewrap PR (the same identity). */
  rewrapper?: Rewrapper,
): Promise<DistributeResult> {
  const [owner, repo] = KEYS_REPO.split('/') as [string, string];
  const { client, ports } = sb.distributor;
  return distribute(
    {
      commit: commit.sha,
      tree: commit.tree,
      defaultBranch: 'main',
      holder: `${runUrl} (distribution job)`,
      now: () => sb.now(),
      runUrl,
      mask,
    },
    {
      git: ports.git,
      statuses: ports.statuses,
      issues: ports.issues,
      state: createStateRefAdapter(client, { owner, repo }),
      targets: createTargetPorts(sb.distributor.targets, sb.outputDir),
      sops: codec,
      ...(rewrapper ? { rewrap: { git: ports.git, pulls: ports.pulls, codec: rewrapper } } : {}),
    },
  );
}
