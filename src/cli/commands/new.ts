import { KEY_TYPES, type KeyType, type Target } from '../../core/formats/index.ts';
import { prepareNewKey } from '../../commands/new-key.ts';
import { applyToWorkdir } from '../../adapters/workdir.ts';
import { EXIT, parse, parseNow, UsageError, type CliCommand } from '../args.ts';
import { jsonReport } from '../output.ts';
import { readTree, repoDir } from '../repo.ts';
import { loadSopsConfig, sopsCodec } from '../sops.ts';

const help = `Usage: rekey new KEY-ID --type TYPE --policy NAME --owner @TEAM --description TEXT
                 [--bytes N] [--encoding base64|base64url|hex] [--target SPEC]... [--dir DIR] [--json]

Onboards a key: writes keys-manifest/KEY-ID/key.yaml and an encrypted v1.sops.yaml, encrypted
to the recipients .sops.yaml names for that path. Prints only the fingerprint; the material
exists in clear only in memory. Review and commit both files (a pull request, like any change).

TYPE: ${KEY_TYPES.join(', ')}. Random keys take --bytes (>= 16, default 32) and --encoding.
SPEC: comma-separated fields of one target, for example
  --target kind=github-secret,repository=acme/api,name=WEBHOOK_KEY,previous=WEBHOOK_KEY_PREVIOUS
  --target kind=github-deploy-key,repository=acme/infra,title=deploy
  --target kind=file,path=out/jwks.json,format=jwks

Exit: 0 created, 2 usage or configuration error (nothing written).
`;

/** `a=b,c=d` -> { a: 'b', c: 'd' }, with `read-only` as a boolean. */
export function parseTargetSpec(spec: string): Target {
  const out: Record<string, unknown> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--target: expected field=value, got ${JSON.stringify(part)}`);
    const [k, v] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (k in out) throw new UsageError(`--target: ${k} given twice`);
    out[k] = k === 'read-only' ? v === 'true' : v;
  }
  return out as Target;
}

export const newKey: CliCommand = {
  name: 'new',
  summary: 'onboard a key: key.yaml and an encrypted v1, printing only the fingerprint',
  help,
  async run(argv, io) {
    const { values, positionals } = parse(
      'new',
      argv,
      {
        type: { type: 'string' },
        policy: { type: 'string' },
        owner: { type: 'string' },
        description: { type: 'string' },
        bytes: { type: 'string' },
        encoding: { type: 'string' },
        target: { type: 'string', multiple: true },
        dir: { type: 'string' },
        json: { type: 'boolean', default: false },
        now: { type: 'string' },
      },
      1,
    );
    const id = positionals[0];
    const missing = (['type', 'policy', 'owner', 'description'] as const).filter(
      (k) => values[k] === undefined,
    );
    if (id === undefined || missing.length > 0)
      throw new UsageError(
        `rekey new: ${id === undefined ? 'KEY-ID' : missing.map((m) => `--${m}`).join(', ')} required\n\n${help}`,
      );
    if (!(KEY_TYPES as readonly string[]).includes(values.type!))
      throw new UsageError(`rekey new: --type must be one of ${KEY_TYPES.join(', ')}`);
    const type = values.type as KeyType;
    if (type !== 'random' && (values.bytes !== undefined || values.encoding !== undefined))
      throw new UsageError('rekey new: --bytes and --encoding apply to random keys only');
    const options =
      type === 'random'
        ? {
            bytes: Number(values.bytes ?? 32),
            encoding: (values.encoding ?? 'base64') as 'base64' | 'base64url' | 'hex',
          }
        : undefined;
    const dir = repoDir(io, values.dir);
    const tree = await readTree(dir, undefined);
    const now = parseNow(values.now, io);
    const change = await prepareNewKey(
      tree,
      {
        id,
        type,
        policy: values.policy!,
        owner: values.owner!,
        description: values.description!,
        options,
        targets: (values.target ?? []).map(parseTargetSpec),
      },
      { now, sopsConfig: loadSopsConfig(tree) },
      { codec: (await sopsCodec(io, dir)).codec },
    );
    await applyToWorkdir(dir, change.files, { createOnly: true });
    if (values.json)
      io.stdout(
        jsonReport('new', {
          key: id,
          version: 1,
          fingerprint: change.fingerprint,
          files: change.files.map((f) => f.path),
        }),
      );
    else
      io.stdout(
        `created ${change.files.map((f) => f.path).join(' and ')}\nv1 fingerprint ${change.fingerprint}\n` +
          `next: review and commit both files through a pull request.\n`,
      );
    return EXIT.ok;
  },
};
