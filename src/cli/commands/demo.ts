import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runDemo } from '../../sandbox/demo/scenario.ts';
import { EXIT, parse, type CliCommand } from '../args.ts';

const help = `Usage: rekey demo [--out DIR]

Runs the whole life of the template's example keys on a sandbox GitHub, told step by step:
a GitHub emulator on 127.0.0.1 serving a temporary key repository, the demo age identity
(demo/age-identity.txt) and a virtual clock. The scheduled rotate workflow opens rotation
PRs (the real rotate command, through the real GitHub adapters, with an App token), verify
checks them, a second person approves and merges, the distribution job writes the targets
(and the demo opens what landed and compares fingerprints), time passes, revocation PRs
remove the old versions, an emergency replaces a compromised key, and the audit report is
written. Only fingerprints are printed, never a secret.

Everything temporary is removed at the end, also on failure or Ctrl-C; only the report
remains.

Options:
  --out DIR   where the audit report is written (default: a new folder under the system's
              temporary directory); its path is printed at the end

Exit: 0 the demo ran as expected, 1 a step did not, 2 usage error.
`;

/** The package root: where package.json, .sops.yaml and the example keys are. */
export function packageRoot(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'keys-manifest'))) return dir;
    if (dirname(dir) === dir)
      throw new Error('cannot find the rekey package root (package.json and keys-manifest/)');
  }
}

export const demo: CliCommand = {
  name: 'demo',
  summary: 'run the whole pipeline on a sandbox GitHub (no account, nothing to set up)',
  help,
  async run(argv, io) {
    const { values } = parse('demo', argv, { out: { type: 'string' } });
    const root = packageRoot();
    // DEMO ONLY: this identity is published in the repository (see demo/age-identity.txt).
    const identities = readFileSync(join(root, 'demo/age-identity.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
    // Ctrl-C: stop before the next step and remove the sandbox (a second Ctrl-C kills).
    const abort = new AbortController();
    const interrupted = () => {
      io.stderr('rekey demo: interrupted; removing the sandbox\n');
      abort.abort(new Error('interrupted'));
    };
    process.once('SIGINT', interrupted);
    try {
      const result = await runDemo({
        templateDir: root,
        identities,
        ...(values.out === undefined ? {} : { outDir: resolve(io.cwd, values.out) }),
        say: (line) => io.stdout(`${line}\n`),
        signal: abort.signal,
      });
      return result.ok ? EXIT.ok : EXIT.findings;
    } finally {
      process.off('SIGINT', interrupted);
    }
  },
};
