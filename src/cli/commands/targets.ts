import { keyFilesInHistory } from '../../adapters/git/key-files.ts';
import {
  repositoriesOfKeyFile,
  tokenRepositories,
  TokenScopeError,
} from '../../core/token-scope.ts';
import { EXIT, parse, UsageError, type CliCommand } from '../args.ts';
import { readTree, repoDir } from '../repo.ts';

const help = `Usage: rekey targets --repositories --repository OWNER/NAME [--ref REF] [--dir DIR]
       rekey targets [--ref REF] [--dir DIR]

Lists the repositories distribution writes to: every repository a github-secret or
github-deploy-key target names in keys-manifest/*/key.yaml at REF (default HEAD), and in every
version of those files on REF's first-parent history (a target taken out of key.yaml is
still cleaned up by distribution). Read from git only; nothing is decrypted.

--repositories prints the names, comma-separated, for the \`repositories:\` input of
actions/create-github-app-token: the distribute workflow mints its targets token with it, so
the token reaches the targets and nothing else. --repository is the keys repository: its owner
is the token's owner (a target of another owner is an error), and its name is printed alone
when no target names a repository (an empty list would mean every repository of the owner).

Exit: 0 listed, 2 usage error, a target of another owner, or an unreadable REF.
`;

export const targetsCommand: CliCommand = {
  name: 'targets',
  summary: 'list the repositories distribution writes to (for the targets token)',
  help,
  async run(argv, io) {
    const { values } = parse('targets', argv, {
      repositories: { type: 'boolean', default: false },
      repository: { type: 'string' },
      ref: { type: 'string' },
      dir: { type: 'string' },
    });
    const dir = repoDir(io, values.dir);
    const ref = values.ref ?? 'HEAD';
    const tree = await readTree(dir, ref);
    const files = [
      ...[...tree.keys()]
        .filter((p) => /^keys-manifest\/.+\/key\.yaml$/.test(p))
        .map((path) => ({ path, bytes: tree.get(path)! })),
      ...(await keyFilesInHistory(dir, ref)),
    ];
    const found = new Map<string, Set<string>>();
    for (const f of files)
      for (const repo of repositoriesOfKeyFile(f.path, f.bytes)) {
        const key = repo.toLowerCase();
        const entry = found.get(key) ?? new Set<string>();
        entry.add(repo);
        found.set(key, entry);
      }
    const repos = [...found.values()].map((s) => [...s].sort()[0]!);
    if (!values.repositories) {
      io.stdout(
        repos
          .sort()
          .map((r) => `${r}\n`)
          .join(''),
      );
      return EXIT.ok;
    }
    if (!values.repository || !/^[^/\s]+\/[^/\s]+$/.test(values.repository))
      throw new UsageError(
        'rekey targets --repositories needs --repository OWNER/NAME, the keys repository (in a workflow: "$GITHUB_REPOSITORY")',
      );
    try {
      io.stdout(`${tokenRepositories(repos, values.repository).join(',')}\n`);
    } catch (e) {
      if (!(e instanceof TokenScopeError)) throw e;
      io.stderr(`rekey targets: ${e.message}\n`);
      return EXIT.usage;
    }
    return EXIT.ok;
  },
};
