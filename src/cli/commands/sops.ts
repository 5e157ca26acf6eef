import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { verifySopsFile } from '../../commands/sops-verify.ts';
import { isIntegrityFailure } from '../../core/ports/sops.ts';
import { keyDocument, keyFile, loadDocument, parseMaterialPath } from '../../core/formats/index.ts';
import { findCreationRule } from '../../core/sops-config.ts';
import { EXIT, parse, UsageError, type CliCommand, type CliIo } from '../args.ts';
import { jsonReport } from '../output.ts';
import { readTree, repoDir } from '../repo.ts';
import { loadSopsConfig, sopsCodec } from '../sops.ts';

const help = `Usage: rekey sops decrypt FILE
       rekey sops encrypt FILE|- [--path PATH] [--output OUT]
       rekey sops verify FILE [--base REF] [--json]
       (each takes --dir DIR, the repository root that holds .sops.yaml)

decrypt  Decrypts FILE to stdout and verifies its MAC, failing closed, like \`sops -d\`.
encrypt  Encrypts FILE (or stdin, \`-\`) with the .sops.yaml creation rule for PATH (default
         FILE's path relative to the repository) to stdout or OUT, like \`sops -e\`.
verify   Checks FILE's recipients, crypt rule and MAC mode against the .sops.yaml rule at REF
         (default: the working tree). With an age identity it also decrypts and verifies the
         MAC, and for rekey material that the fingerprint equals key.yaml's.

Identities come from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or the sops keys file. Plaintext goes
to stdout only; rekey never writes it to disk.

Exit: 0 ok, 1 a check failed (MAC, recipients, fingerprint), 2 usage or configuration error.
`;

async function readInput(io: CliIo, file: string): Promise<Uint8Array> {
  return file === '-' ? io.stdin() : readFile(resolve(io.cwd, file));
}

/** The repository-relative path rules are matched against (sops matches relative to .sops.yaml). */
function repoPath(dir: string, io: CliIo, file: string): string {
  const rel = relative(dir, resolve(io.cwd, file)).split('\\').join('/');
  if (rel.startsWith('..'))
    throw new UsageError(`${file} is outside the repository ${dir}; pass --dir or --path`);
  return rel;
}

export const sops: CliCommand = {
  name: 'sops',
  summary: 'decrypt, encrypt or verify a SOPS file with the built-in codec or the sops binary',
  help,
  async run(argv, io) {
    const [verb, ...rest] = argv;
    const { values, positionals } = parse(
      `sops ${verb ?? ''}`.trim(),
      rest,
      {
        dir: { type: 'string' },
        path: { type: 'string' },
        output: { type: 'string' },
        base: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      1,
    );
    const file = positionals[0];
    if (!['decrypt', 'encrypt', 'verify'].includes(verb ?? '') || file === undefined)
      throw new UsageError(`rekey sops: expected decrypt, encrypt or verify and a FILE\n\n${help}`);
    const dir = repoDir(io, values.dir);
    if (verb === 'decrypt') {
      const { codec } = await sopsCodec(io, dir, { decrypt: true });
      const path = file === '-' ? (values.path ?? 'stdin.yaml') : file;
      let plain: Uint8Array;
      try {
        plain = await codec.decrypt(path, await readInput(io, file));
      } catch (e) {
        // A MAC or authentication failure is a failed check (exit 1), as the help says.
        if (!isIntegrityFailure(e)) throw e;
        io.stderr(`rekey sops decrypt: ${e.message}\n`);
        return EXIT.findings;
      }
      // The bytes as decrypted: a binary-store file need not be UTF-8 (sops -d writes it raw).
      io.stdout(plain);
      return EXIT.ok;
    }
    const tree = await readTree(dir, verb === 'verify' ? values.base : undefined);
    const config = loadSopsConfig(tree);
    const path = values.path ?? (file === '-' ? undefined : repoPath(dir, io, file));
    if (path === undefined)
      throw new UsageError(
        'rekey sops encrypt -: --path PATH is required to choose the rule and format',
      );
    const rule = findCreationRule(config, path);
    if (!rule) throw new UsageError(`.sops.yaml has no creation rule matching ${path}`);
    const bytes = await readInput(io, file);
    if (verb === 'encrypt') {
      const { codec } = await sopsCodec(io, dir);
      const out = await codec.encrypt(path, bytes, {
        rule,
        now: io.now(),
        yamlIndent: config.yamlIndent,
      });
      if (values.output) await writeFile(resolve(io.cwd, values.output), out, { flag: 'w' });
      else io.stdout(new TextDecoder().decode(out));
      return EXIT.ok;
    }
    const { codec, identities } = await sopsCodec(io, dir, { decrypt: true });
    const material = parseMaterialPath(path);
    const keyBytes = material ? tree.get(keyFile(material.id)) : undefined;
    const key =
      material && keyBytes
        ? loadDocument(keyFile(material.id), keyBytes, keyDocument).doc?.value
        : undefined;
    const checks = await verifySopsFile({
      path,
      bytes,
      rule,
      codec,
      decrypt: identities !== 0,
      material: key && material ? { key, version: material.version } : undefined,
    });
    const ok = checks.every((c) => c.ok);
    if (values.json) io.stdout(jsonReport('sops verify', { file: path, ok, checks }));
    else
      for (const c of checks)
        io.stdout(
          `${c.skipped ? 'skip' : c.ok ? 'ok  ' : 'FAIL'} ${c.check.padEnd(11)} ${c.detail}\n`,
        );
    return ok ? EXIT.ok : EXIT.findings;
  },
};
