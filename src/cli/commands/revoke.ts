import { renderRevokeSummary, revoke } from '../../commands/revoke.ts';
import { formatDiagnostic } from '../../core/diagnostics.ts';
import { EXIT, parse, type CliCommand } from '../args.ts';
import { cliPullRun, printKeyOutcomes, type ClientOverrides } from '../github.ts';
import { repoDir } from '../repo.ts';

const help = `Usage: rekey revoke [--dry-run] [--allow-github-token] [--dir DIR] [--repo OWNER/NAME]

What the revoke action does, from a local clone (--dir, default the working directory) of the
default branch with full history: opens or updates a rekey/revoke/<key-id> pull request for
each version the revocation gate lets go (its successor proven distributed by a
rekey/distribution success on the default branch, and the grace period over unless the version
is compromised). --dry-run prints the verdicts and makes no request that writes.

The token comes from REKEY_TOKEN, GITHUB_TOKEN or GH_TOKEN (a GitHub App installation token;
a recognised GITHUB_TOKEN is refused unless --allow-github-token). The repository is --repo,
else the origin remote; GITHUB_API_URL / GITHUB_SERVER_URL for GHES.

Exit: 0 done (or nothing to revoke), 1 the manifest is invalid, 2 usage or configuration error.
`;

/** The command, with client settings tests override (the throttle); `revokeCommand` uses none. */
export function revokeCommandWith(client: ClientOverrides = {}): CliCommand {
  return {
    name: 'revoke',
    summary: 'open revocation pull requests for versions the gate lets go (as the revoke action)',
    help,
    async run(argv, rawIo) {
      const { values } = parse('revoke', argv, {
        'dry-run': { type: 'boolean', default: false },
        'allow-github-token': { type: 'boolean', default: false },
        dir: { type: 'string' },
        repo: { type: 'string' },
      });
      const { io, ports, checkout } = await cliPullRun(rawIo, 'revoke', {
        dir: repoDir(rawIo, values.dir),
        repo: values.repo,
        allowGithubToken: values['allow-github-token'],
        dryRun: values['dry-run'],
        client,
      });
      const { sha, tree, history, firstParent } = checkout;
      const result = await revoke(
        { tree, sha, history, firstParent, now: rawIo.now(), dryRun: values['dry-run'] },
        ports,
      );
      io.stdout(`${renderRevokeSummary(result)}\n`);
      if (result.kind === 'invalid') {
        for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        return EXIT.findings;
      }
      // A PR opened without any reviewer: exit 1, the error on stderr (the PR stays open).
      return printKeyOutcomes(io, result.keys) === 'ok' ? EXIT.ok : EXIT.findings;
    },
  };
}

export const revokeCommand = revokeCommandWith();
