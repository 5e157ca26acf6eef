import { keyFilesInHistory } from '../../adapters/git/key-files.ts';
import { parseKeyFilePath } from '../../core/formats/key-id.ts';
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
is the token's owner (a current target of another owner is an error; one only past versions
name is left out with a warning), and its name is printed alone when no target names a
repository (an empty list would mean every repository of the owner).

Exit: 0 listed, 2 usage error, a current target of another owner, or an unreadable REF.
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
    // Material files name no target: they are not read (as for `rekey plan`).
    const tree = await readTree(dir, ref, { material: false });
    const current = [...tree.keys()]
      .filter((p) => parseKeyFilePath(p) !== undefined)
      .map((path) => ({ path, bytes: tree.get(path)! }));
    const collect = (
      files: readonly { path: string; bytes: Uint8Array }[],
      found = new Map<string, Set<string>>(),
    ) => {
      for (const f of files)
        for (const repo of repositoriesOfKeyFile(f.path, f.bytes)) {
          const key = repo.toLowerCase();
          const entry = found.get(key) ?? new Set<string>();
          entry.add(repo);
          found.set(key, entry);
        }
      return found;
    };
    const found = collect(current);
    const now = new Set(found.keys()); // what the current targets name
    // The history holds the current files too (the commits that wrote them): each version
    // already read above is not parsed again.
    const at = new Map(current.map((f) => [f.path, f.bytes]));
    const isCurrent = (f: { path: string; bytes: Uint8Array }) => {
      const c = at.get(f.path);
      return c !== undefined && Buffer.from(c.buffer, c.byteOffset, c.byteLength).equals(f.bytes);
    };
    collect(
      (await keyFilesInHistory(dir, ref)).filter((f) => !isCurrent(f)),
      found,
    );
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
    // A repository of another owner that only the history names (a target taken out, or a
    // keys repository that moved) cannot be in this token. Left out with a warning, so that a
    // past target never halts distribution; a current one stays an error.
    const owner = values.repository.split('/')[0]!.toLowerCase();
    const foreignPast = repos.filter(
      (r) => r.split('/')[0]!.toLowerCase() !== owner && !now.has(r.toLowerCase()),
    );
    if (foreignPast.length > 0)
      io.stderr(
        `warning: ${foreignPast.sort().join(', ')} ${foreignPast.length === 1 ? 'is' : 'are'} named only by past versions of key.yaml and not owned by ${values.repository.split('/')[0]}: left out of the token, so what rekey wrote there is not cleaned up from here (docs/distribute-state.md)\n`,
      );
    const reachable = repos.filter((r) => !foreignPast.includes(r));
    try {
      io.stdout(`${tokenRepositories(reachable, values.repository).join(',')}\n`);
    } catch (e) {
      if (!(e instanceof TokenScopeError)) throw e;
      io.stderr(`rekey targets: ${e.message}\n`);
      return EXIT.usage;
    }
    return EXIT.ok;
  },
};
