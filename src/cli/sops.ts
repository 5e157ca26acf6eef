// The SOPS side of the CLI: the repository's .sops.yaml and the codec to use (the `sops`
// binary when present, else the built-in age codec), with identities read from the
// environment the way sops reads them.
import { diagnostic, InvalidInputError } from '../core/diagnostics.ts';
import { SOPS_CONFIG_FILE } from '../core/formats/index.ts';
import type { FileTree } from '../core/snapshot.ts';
import { parseSopsConfig, type SopsConfig } from '../core/sops-config.ts';
import { parseYaml } from '../core/yaml/index.ts';
import type { SopsCodec } from '../core/ports/sops.ts';
import { BuiltinSopsCodec } from '../crypto/sops/index.ts';
import { loadAgeIdentities } from '../adapters/sops-identities.ts';
import { findSopsBinary, SopsCli } from '../adapters/sops-cli.ts';
import { homedir } from 'node:os';
import type { CliIo } from './args.ts';

/** The parsed `.sops.yaml` of `tree`; InvalidInputError (every finding) when absent or invalid. */
export function loadSopsConfig(tree: FileTree): SopsConfig {
  const bytes = tree.get(SOPS_CONFIG_FILE);
  if (bytes === undefined)
    throw new InvalidInputError([
      diagnostic(
        'sops-config/missing',
        'no .sops.yaml: rekey encrypts material to the recipients its creation rules name',
        {
          file: SOPS_CONFIG_FILE,
          line: 0,
          column: 0,
        },
      ),
    ]);
  const parsed = parseYaml(SOPS_CONFIG_FILE, bytes);
  if (parsed.diagnostics.length > 0) throw new InvalidInputError(parsed.diagnostics);
  const { config, diagnostics } = parseSopsConfig({
    file: SOPS_CONFIG_FILE,
    value: parsed.value,
    locate: parsed.locate,
  });
  if (!config) throw new InvalidInputError(diagnostics);
  return config;
}

/**
 * The codec for this run: the `sops` binary when `SOPS_BINARY` names one or `sops` is on PATH
 * (then KMS, PGP and every other sops master key work, and sops reads its own identities),
 * else the built-in age codec. Encrypting needs only the public recipients of `.sops.yaml`,
 * so the built-in codec reads identities only when `decrypt` is asked for (the rotation job
 * holds none). `identities` is -1 when sops itself finds them.
 */
export async function sopsCodec(
  io: CliIo,
  dir: string,
  opts: { decrypt?: boolean } = {},
): Promise<{ codec: SopsCodec; identities: number }> {
  const binary = findSopsBinary(io.env);
  if (binary !== undefined)
    return { codec: new SopsCli({ binary, cwd: dir, env: io.env }), identities: -1 };
  const identities = opts.decrypt
    ? (await loadAgeIdentities({ env: io.env, homedir: io.env['HOME'] || homedir() })).identities
    : [];
  return { codec: new BuiltinSopsCodec({ identities }), identities: identities.length };
}
