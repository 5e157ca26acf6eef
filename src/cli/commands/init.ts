import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import YAML from 'yaml';
import { ACTION_OPERATIONS } from '../../actions/runtime-operations.ts';
import { readWorkingTree } from '../../adapters/files/working-tree.ts';
import { rewrapFiles } from '../../commands/rewrap.ts';
import { DEMO_RECIPIENT } from '../../core/doctor/demo-recipient.ts';
import { checkCodeowners } from '../../core/doctor/local.ts';
import { parseSopsConfig } from '../../core/sops-config.ts';
import type { FileTree } from '../../core/snapshot.ts';
import { BuiltinSopsCodec } from '../../crypto/sops/index.ts';
import { grantsFor } from '../../sandbox/emulator/permissions.ts';
import { EXIT, parse, UsageError, type CliCommand } from '../args.ts';
import { repoDir } from '../repo.ts';

const help = `Usage: rekey init --owners @ORG/TEAM[,...] --app SLUG
                  (--identity-out FILE | --print-identity) [--keep-examples]
                  [--app-url URL] [--dir DIR]

Turns a fresh copy of the rekey template into your repository:
  - generates the distribution job's age identity: written once to FILE (mode 0600; an
    existing FILE is refused), or printed once on stdout (--print-identity: paste it into
    the SOPS_AGE_KEY secret of the distribution environment; nothing else goes to stdout);
  - .sops.yaml for its recipient (replacing the published demo recipient);
  - .github/CODEOWNERS giving --owners every path rekey doctor requires;
  - policies/pipeline.yaml: pull-authors and status-creators set to SLUG[bot];
  - rekey-app-manifest.json: a GitHub App manifest (the "create an App from a manifest"
    flow) with exactly the permissions rekey's workflows need;
  - the template's example keys removed, or (--keep-examples) re-wrapped for the new
    recipient with the published demo identity (their material is public: rotate them).

What it wrote is recorded in .rekey-init.json. A second run with the same flags changes
nothing and says so; a file it did not write (or that was edited since) is never
overwritten: the run is refused and nothing is written.

Exit: 0 done or nothing to do, 2 usage error or a file it will not overwrite.
`;

const RECORD = '.rekey-init.json';
const SOPS = '.sops.yaml';
const CODEOWNERS = '.github/CODEOWNERS';
const PIPELINE = 'policies/pipeline.yaml';
const MANIFEST = 'rekey-app-manifest.json';
const HEADER = '# Written by `rekey init` (recorded in .rekey-init.json).\n';
const IDENTITY_HEADER = '# rekey distribution identity, written by rekey init;';

interface InitRecord {
  readonly 'rekey-init': 1;
  readonly recipient: string;
  readonly app: string;
  readonly files: Record<string, string>;
}

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const enc = new TextEncoder();
const dec = new TextDecoder();

/** The App's permissions: every operation any rekey action's tokens make (the shared table). */
export function appPermissions(): Record<string, string> {
  const ops: string[] = [];
  for (const entry of Object.values(ACTION_OPERATIONS)) {
    ops.push(...entry.token);
    if ('targets' in entry) for (const t of Object.values(entry.targets)) ops.push(...t);
  }
  // Team reviewers need the organization's members: read; the policies name teams.
  const grants = grantsFor(ops, (c) => c.when.startsWith('team_reviewers'));
  return Object.fromEntries(Object.entries(grants).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function appManifest(slug: string, url: string): Record<string, unknown> {
  return {
    name: slug,
    url,
    // rekey reacts to workflow events, not webhooks: no hook is delivered.
    hook_attributes: { url, active: false },
    public: false,
    default_permissions: appPermissions(),
    default_events: [],
  };
}

function sopsYaml(recipient: string): string {
  return `${HEADER}# Who can decrypt keys-manifest/: the distribution job's age identity. Change it with
# docs/runbooks/rotate-age-identity.md (a reviewed .sops.yaml change, then a re-wrap).
creation_rules:
  - path_regex: ^keys-manifest/.+/v[0-9]+\\.sops\\.yaml$
    encrypted_regex: ^secret$
    age: ${recipient}
`;
}

/** Patterns covering what doctor requires owners for; checked with doctor's own check. */
const OWNED = [
  '/keys-manifest/',
  '/.sops.yaml',
  '/policies/',
  '/.github/',
  '/actions/',
  '/dist/',
  '/src/',
  '/package.json',
  '/package-lock.json',
];

function codeowners(owners: readonly string[]): string {
  return `${HEADER}# Key material, who may read it, and the code that runs with it need these owners' review.\n${OWNED.map((p) => `${p} ${owners.join(' ')}`).join('\n')}\n`;
}

function pipelineYaml(current: string | undefined, login: string): string {
  const doc = YAML.parseDocument(current ?? 'default-branch: main\n');
  doc.set('pull-authors', [login]);
  doc.set('status-creators', [login]);
  const text = doc.toString({ flowCollectionPadding: false });
  return text.startsWith(HEADER) ? text : `${HEADER}${text}`;
}

/** Key ids whose every material file is wrapped for the demo recipient: the template's examples. */
function exampleKeys(tree: FileTree): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const p of tree.keys()) {
    const m = /^keys-manifest\/(.+)\/[^/]+$/.exec(p);
    if (m) byKey.set(m[1]!, [...(byKey.get(m[1]!) ?? []), p]);
  }
  const out = new Map<string, string[]>();
  for (const [id, files] of byKey) {
    const materials = files.filter((f) => f.endsWith('.sops.yaml'));
    if (materials.every((f) => dec.decode(tree.get(f)).includes(DEMO_RECIPIENT)))
      out.set(id, files.sort());
  }
  return out;
}

async function readOptional(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The template's own .sops.yaml: it names the demo recipient and nothing else. */
function isTemplateSops(text: string): boolean {
  const parsed = parseSopsConfig(SOPS, YAML.parse(text) as unknown);
  const ages = parsed.config?.creationRules.flatMap((r) => r.keyGroups.flatMap((g) => g.age));
  return ages !== undefined && ages.length > 0 && ages.every((a) => a === DEMO_RECIPIENT);
}

/** The template's pipeline.yaml: pull-authors and status-creators unset (or already ours). */
function unpinned(text: string, login: string): boolean {
  const v = YAML.parse(text) as Record<string, unknown> | null;
  const ok = (x: unknown) => x === undefined || JSON.stringify(x) === JSON.stringify([login]);
  return ok(v?.['pull-authors']) && ok(v?.['status-creators']);
}

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'turn a fresh copy of the template into your repository (identity, .sops.yaml, App)',
  help,
  async run(argv, io) {
    const { values } = parse('init', argv, {
      owners: { type: 'string' },
      app: { type: 'string' },
      'identity-out': { type: 'string' },
      'print-identity': { type: 'boolean', default: false },
      'keep-examples': { type: 'boolean', default: false },
      'app-url': { type: 'string' },
      dir: { type: 'string' },
    });
    const owners = (values.owners ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    if (
      owners.length === 0 ||
      owners.some((o) => !/^(@[\w.-]+(\/[\w.-]+)?|[^@\s]+@[^@\s]+)$/.test(o))
    )
      throw new UsageError(
        `rekey init: --owners takes @org/team, @user or e-mail handles, comma-separated\n\n${help}`,
      );
    const slug = values.app ?? '';
    if (!/^[a-z0-9][a-z0-9-]{0,33}$/.test(slug))
      throw new UsageError(
        `rekey init: --app takes the GitHub App's slug (lowercase letters, digits, -)\n\n${help}`,
      );
    if (values['print-identity'] === (values['identity-out'] !== undefined))
      throw new UsageError(
        `rekey init: give exactly one of --identity-out FILE and --print-identity\n\n${help}`,
      );
    const dir = repoDir(io, values.dir);
    const at = (p: string) => resolve(dir, p);
    // With the identity on stdout, everything else goes to stderr.
    const say = (line: string) =>
      values['print-identity'] ? io.stderr(`${line}\n`) : io.stdout(`${line}\n`);

    const recordBytes = await readOptional(at(RECORD));
    let record: InitRecord | undefined;
    try {
      record = recordBytes ? (JSON.parse(dec.decode(recordBytes)) as InitRecord) : undefined;
    } catch {
      throw new UsageError(`rekey init: ${RECORD} is not valid JSON; restore it from git`);
    }
    if (record && record.app !== slug)
      throw new UsageError(
        `rekey init: this repository was set up for --app ${record.app}; edit its files by hand to change that`,
      );

    // The identity: once. A second run reuses the recipient it recorded.
    let identity: string | undefined;
    let recipient = record?.recipient;
    const identityOut = values['identity-out']
      ? resolve(io.cwd, values['identity-out'])
      : undefined;
    let adopted = false;
    if (recipient === undefined) {
      const existing = identityOut ? await readOptional(identityOut) : undefined;
      const text = existing === undefined ? undefined : dec.decode(existing);
      const ours = text?.startsWith(IDENTITY_HEADER) === true;
      if (text !== undefined && !ours)
        throw new UsageError(
          `rekey init: ${values['identity-out']} exists; refusing to overwrite an identity`,
        );
      // A run that stopped after writing the identity: adopt it, so a re-run converges.
      identity = ours
        ? text!.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))
        : await generateIdentity();
      if (identity === undefined)
        throw new UsageError(`rekey init: ${values['identity-out']} holds no age identity`);
      adopted = ours;
      recipient = await identityToRecipient(identity);
    }

    const tree = await readWorkingTree(dir);
    const login = `${slug}[bot]`;
    const want = new Map<string, string>([
      [SOPS, sopsYaml(recipient)],
      [CODEOWNERS, codeowners(owners)],
      [
        PIPELINE,
        pipelineYaml(tree.get(PIPELINE) ? dec.decode(tree.get(PIPELINE)) : undefined, login),
      ],
      [
        MANIFEST,
        `${JSON.stringify(appManifest(slug, values['app-url'] ?? 'https://github.com'), null, 2)}\n`,
      ],
    ]);
    // Proven with doctor's own rule: the new CODEOWNERS leaves no required path ownerless.
    const withOwners = new Map(tree).set(CODEOWNERS, enc.encode(want.get(CODEOWNERS)!));
    const gaps = checkCodeowners(withOwners);
    if (gaps.length > 0)
      throw new Error(`rekey init: the CODEOWNERS it would write leaves ${gaps[0]!.message}`);

    // Example keys: removed, or re-wrapped with the published demo identity (first run only).
    const removals: string[] = [];
    const removedKeys: string[] = [];
    if (!record) {
      const examples = exampleKeys(tree);
      if (!values['keep-examples'])
        for (const [id, files] of examples) {
          removals.push(...files);
          removedKeys.push(id);
        }
      else {
        const demo = dec.decode(
          (await readOptional(at('demo/age-identity.txt'))) ?? new Uint8Array(),
        );
        const ids = demo.split('\n').filter((l) => l.startsWith('AGE-SECRET-KEY-'));
        const config = parseSopsConfig(SOPS, YAML.parse(want.get(SOPS)!) as unknown).config!;
        const paths = [...examples.values()].flat().filter((p) => p.endsWith('.sops.yaml'));
        const out = await rewrapFiles(
          paths,
          tree,
          config,
          new BuiltinSopsCodec({ identities: ids }),
        );
        if (out.problems.size > 0)
          throw new UsageError(
            `rekey init --keep-examples: ${[...out.problems.values()].join('; ')}`,
          );
        for (const f of out.rewrapped) want.set(f.path, dec.decode(f.bytes));
      }
    }

    // Never overwrite what init did not write (or what was edited since).
    const writes: string[] = [];
    const refused: string[] = [];
    for (const [path, text] of want) {
      const current = await readOptional(at(path));
      if (current !== undefined && dec.decode(current) === text) continue;
      const ours = current !== undefined && record?.files[path] === sha(current);
      const template =
        current !== undefined &&
        !record &&
        ((path === SOPS && isTemplateSops(dec.decode(current))) ||
          (path === PIPELINE && unpinned(dec.decode(current), login)) ||
          path.startsWith('keys-manifest/'));
      if (current === undefined || ours || template) writes.push(path);
      else refused.push(path);
    }
    if (refused.length > 0) {
      io.stderr(
        `rekey init: refusing to overwrite ${refused.join(', ')}: rekey init did not write ${refused.length === 1 ? 'it' : 'them'} (or ${refused.length === 1 ? 'it was' : 'they were'} edited since); nothing was written\n`,
      );
      return EXIT.usage;
    }
    if (writes.length === 0 && removals.length === 0) {
      say(
        `rekey init: nothing to do; this repository is set up for ${login} (recipient ${recipient})`,
      );
      return EXIT.ok;
    }

    if (identity !== undefined && identityOut && !adopted)
      await writeFile(identityOut, `${IDENTITY_HEADER} public key: ${recipient}\n${identity}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
    for (const path of writes) await atomicWrite(at(path), want.get(path)!);
    for (const path of removals) await rm(at(path), { force: true });
    for (const id of removedKeys) await removeEmptyFolders(dir, `keys-manifest/${id}`);
    const files: Record<string, string> = { ...(record?.files ?? {}) };
    for (const path of want.keys()) files[path] = sha(want.get(path)!);
    const next: InitRecord = { 'rekey-init': 1, recipient, app: slug, files };
    await atomicWrite(at(RECORD), `${JSON.stringify(next, null, 2)}\n`);

    if (identity !== undefined && values['print-identity']) io.stdout(`${identity}\n`);
    for (const p of writes) say(`wrote ${p}`);
    if (removedKeys.length > 0)
      say(`removed the template's example keys: ${removedKeys.sort().join(', ')}`);
    say(`age recipient: ${recipient}`);
    if (identity !== undefined)
      say(
        identityOut
          ? `the identity is in ${values['identity-out']} (mode 0600): store it as the SOPS_AGE_KEY secret of the distribution environment, then delete the file`
          : 'the identity is on stdout, shown this once: store it as the SOPS_AGE_KEY secret of the distribution environment',
      );
    say(
      `next: create the App from ${MANIFEST} (GitHub's "create an App from a manifest" flow), install it, commit, run rekey doctor`,
    );
    return EXIT.ok;
  },
};

/** Removes `folder` and its parents up to keys-manifest/ while they are empty. */
async function removeEmptyFolders(dir: string, folder: string): Promise<void> {
  for (let f = folder; f.includes('/'); f = f.slice(0, f.lastIndexOf('/'))) {
    const path = resolve(dir, f);
    if ((await readdir(path).catch(() => [])).length > 0) return;
    await rmdir(path).catch(() => undefined);
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.rekey-tmp`, text, { flag: 'w' });
  await rename(`${path}.rekey-tmp`, path);
}
