import { readFile, rename, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describeRewrap, rewrapFiles } from '../../commands/rewrap.ts';
import { verifySopsFile } from '../../commands/sops-verify.ts';
import { isIntegrityFailure } from '../../core/ports/sops.ts';
import { keyDocument, keyFile, loadDocument, parseMaterialPath } from '../../core/formats/index.ts';
import { findCreationRule } from '../../core/sops-config.ts';
import { EXIT, parse, UsageError, type CliCommand, type CliIo } from '../args.ts';
import { jsonReport } from '../output.ts';
import { readTree, repoDir } from '../repo.ts';
import { loadSopsConfig, sopsCodec } from '../sops.ts';
import { loadAgeIdentities } from '../../adapters/sops-identities.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { loadSnapshot } from '../../core/load-snapshot.ts';
import { homedir } from 'node:os';

const help = `Usage: rekey sops decrypt FILE
       rekey sops encrypt FILE|- [--path PATH] [--output OUT]
       rekey sops verify FILE [--base REF] [--json]
       rekey sops rewrap [PATH...] [--dry-run]
       (each takes --dir DIR, the repository root that holds .sops.yaml)

decrypt  Decrypts FILE to stdout and verifies its MAC, failing closed, like \`sops -d\`.
encrypt  Encrypts FILE (or stdin, \`-\`) with the .sops.yaml creation rule for PATH (default
         FILE's path relative to the repository) to stdout or OUT, like \`sops -e\`.
verify   Checks FILE's recipients, crypt rule and MAC mode against the .sops.yaml rule at REF
         (default: the working tree). With an age identity it also decrypts and verifies the
         MAC, and for rekey material that the fingerprint equals key.yaml's.
rewrap   Re-wraps the data key of each material file under PATH (default: every live one)
         for the recipients .sops.yaml names now, in place, like \`sops updatekeys\`: the
         encrypted values, MAC and lastmodified stay byte-identical, only the age stanzas
         change (verify accepts that as a \`rewrap\` change). Needs an identity that opens
         the files as they are. --dry-run lists what would change (exit 1 if anything would).

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
    if (verb === 'rewrap') return rewrapCommand(rest, io);
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
      throw new UsageError(
        `rekey sops: expected decrypt, encrypt, verify or rewrap (and a FILE)\n\n${help}`,
      );
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

/**
 * `rekey sops rewrap`: every live material file (or those under the PATHs given) re-wrapped
 * for its creation rule, written in place (a temporary file renamed over it, so a crash
 * leaves the old or the new file, never half of one). Always the built-in codec: it keeps
 * values, MAC and lastmodified byte-identical, which verify checks.
 */
async function rewrapCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    'sops rewrap',
    argv,
    { dir: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    1000,
  );
  const dir = repoDir(io, values.dir);
  const tree = await readTree(dir, undefined);
  const config = loadSopsConfig(tree);
  const prefixes = positionals.map((p) => repoPath(dir, io, p).replace(/\/$/, ''));
  const live = [...loadSnapshot(tree).snapshot.keys.values()].flatMap((k) =>
    k.value.versions
      .filter((v) => v.state !== 'destroyed')
      .map((v) => `keys-manifest/${k.value.id}/v${v.version}.sops.yaml`),
  );
  const under = (p: string) =>
    prefixes.length === 0 || prefixes.some((x) => x === '' || p === x || p.startsWith(`${x}/`));
  const paths = live.filter(under);
  for (const x of prefixes)
    if (!paths.some((p) => p === x || x === '' || p.startsWith(`${x}/`)))
      throw new UsageError(`rekey sops rewrap: ${x} holds no live material file`);
  const { identities } = await loadAgeIdentities({
    env: io.env,
    homedir: io.env['HOME'] || homedir(),
  });
  const codec = new BuiltinSopsCodec({ identities });
  const out = await rewrapFiles(paths, tree, config, codec);
  for (const f of out.rewrapped) {
    io.stdout(
      `${values['dry-run'] ? 'would re-wrap' : 're-wrapped'} ${f.path} (${describeRewrap(f)})\n`,
    );
    if (values['dry-run']) continue;
    const target = resolve(dir, f.path);
    await writeFile(`${target}.rekey-tmp`, f.bytes, { flag: 'w' });
    await rename(`${target}.rekey-tmp`, target);
  }
  for (const [, why] of out.problems) io.stderr(`rekey sops rewrap: ${why}\n`);
  io.stdout(
    `${out.rewrapped.length} file${out.rewrapped.length === 1 ? '' : 's'} ${values['dry-run'] ? 'to re-wrap' : 're-wrapped'}, ${out.unchanged.length} already wrapped for .sops.yaml, ${out.problems.size} failed\n`,
  );
  if (out.problems.size > 0) return EXIT.findings;
  return values['dry-run'] && out.rewrapped.length > 0 ? EXIT.findings : EXIT.ok;
}
