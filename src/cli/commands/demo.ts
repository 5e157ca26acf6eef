import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { runDemo } from '../../sandbox/demo/scenario.ts';
import { EXIT, parse, type CliCommand } from '../args.ts';
import { loadSopsConfig } from '../sops.ts';

const help = `Usage: rekey demo [--keep]

Runs rekey on an embedded sandbox: the template's example keys are copied into a temporary
git repository and live through a scheduled rotation, verify, merge, a distribution check
(decrypt with the demo identity, MAC, fingerprint), promotion, revocation behind the gate,
and an emergency for an exposed key, on a virtual clock. Prints each step; removes the
sandbox at the end unless --keep.

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
  summary: 'run the pipeline on an embedded sandbox (no account, nothing to set up)',
  help,
  async run(argv, io) {
    const { values } = parse('demo', argv, { keep: { type: 'boolean', default: false } });
    const root = packageRoot();
    // DEMO ONLY: this identity is published in the repository (see demo/age-identity.txt).
    const identity = readFileSync(join(root, 'demo/age-identity.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
    const result = await runDemo({
      templateDir: root,
      codec: new BuiltinSopsCodec({ identities: identity }),
      sopsConfig: loadSopsConfig,
      say: (line) => io.stdout(`${line}\n`),
      keep: values.keep,
    });
    return result.ok ? EXIT.ok : EXIT.findings;
  },
};
