import { haltedKeys } from '../../commands/distribute/failures.ts';
import { renderRotateSummary, rotate } from '../../commands/rotate.ts';
import { formatDiagnostic } from '../../core/diagnostics.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { EXIT, parse, UsageError, type CliCommand } from '../args.ts';
import { cliProgress } from '../output.ts';
import { cliPullRun, printKeyOutcomes, type ClientOverrides } from '../github.ts';
import { repoDir } from '../repo.ts';

const help = `Usage: rekey rotate [--dry-run] [--key KEY-ID --reason TEXT [--compromised]]
                   [--allow-github-token] [--dir DIR] [--repo OWNER/NAME]

What the rotate action does, from a local clone (--dir, default the working directory) of the
default branch with full history: opens or updates a rekey/rotate/<key-id> pull request for
every key that is due (keys halted by distribution are skipped), or with --key and --reason an
emergency rotation of that key on rekey/emergency/<key-id> (--compromised marks the current
version compromised). New material is encrypted to the .sops.yaml recipients; no identity is
needed. --dry-run prints the plan and makes no request that writes.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (a GitHub App installation token:
events caused by a workflow's GITHUB_TOKEN start no workflows, so a recognised GITHUB_TOKEN is
refused unless --allow-github-token). The repository is --repo, else the origin remote;
GITHUB_API_URL / GITHUB_SERVER_URL for GHES.

Exit: 0 done (or nothing due), 1 the manifest is invalid, 2 usage or configuration error.
`;

/** The command, with client settings tests override (the throttle); `rotateCommand` uses none. */
export function rotateCommandWith(client: ClientOverrides = {}): CliCommand {
  return {
    name: 'rotate',
    summary: 'open rotation pull requests for due keys, or an emergency one (as the rotate action)',
    help,
    async run(argv, rawIo) {
      const { values } = parse('rotate', argv, {
        'dry-run': { type: 'boolean', default: false },
        key: { type: 'string' },
        reason: { type: 'string' },
        compromised: { type: 'boolean', default: false },
        'allow-github-token': { type: 'boolean', default: false },
        dir: { type: 'string' },
        repo: { type: 'string' },
      });
      if (values.key === undefined && (values.reason !== undefined || values.compromised))
        throw new UsageError('rekey rotate: --reason and --compromised go with --key');
      if (values.key !== undefined && !values.reason)
        throw new UsageError('rekey rotate: an emergency rotation (--key) needs --reason');
      const { io, ports, checkout } = await cliPullRun(rawIo, 'rotate', {
        dir: repoDir(rawIo, values.dir),
        repo: values.repo,
        allowGithubToken: values['allow-github-token'],
        dryRun: values['dry-run'],
        client,
      });
      const { sha, tree, history, firstParent } = checkout;
      const result = await rotate(
        {
          tree,
          sha,
          history,
          firstParent,
          now: rawIo.now(),
          dryRun: values['dry-run'],
          halted: () => haltedKeys(ports.issues),
          progress: cliProgress({ now: () => rawIo.now(), stderr: (t) => io.stderr(t) }),
          ...(values.key
            ? {
                emergency: {
                  key: values.key,
                  reason: values.reason ?? '',
                  compromised: values.compromised,
                },
              }
            : {}),
        },
        { ...ports, codec: new BuiltinSopsCodec({ identities: [] }) },
      );
      io.stdout(`${renderRotateSummary('rekey rotate', result)}\n`);
      if (result.kind === 'invalid') {
        for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        return EXIT.findings;
      }
      // A dry run's plan is in the summary, as the action's job summary shows it.
      // A PR opened without any reviewer: exit 1, the error on stderr (the PR stays open).
      if (result.kind !== 'dry-run' && printKeyOutcomes(io, result.keys) !== 'ok')
        return EXIT.findings;
      return EXIT.ok;
    },
  };
}

export const rotateCommand = rotateCommandWith();
