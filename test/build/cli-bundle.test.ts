// The CLI bundle as scripts/build.ts makes it: split, so that the read-only commands load a
// small part of it. Built into a temporary folder (never dist/) and run with node.
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOptions } from '../../scripts/build-options.ts';

const root = resolve(import.meta.dirname, '../..');
let out: string;
let meta: Metafile;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'rekey-cli-bundle-'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  const r = await build({ ...cliOptions(out, root), metafile: true, legalComments: 'none' });
  meta = r.metafile;
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The inputs of an output and of every chunk it imports statically (loaded with it). */
function staticInputs(output: string): Set<string> {
  const seen = new Set<string>();
  const todo = [output];
  const inputs = new Set<string>();
  while (todo.length > 0) {
    const o = todo.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    for (const i of Object.keys(meta.outputs[o]!.inputs)) inputs.add(i);
    for (const i of meta.outputs[o]!.imports)
      if (i.kind === 'import-statement' && meta.outputs[i.path]) todo.push(i.path);
  }
  return inputs;
}

function outputOf(entry: string): string {
  const o = Object.entries(meta.outputs).find(([, v]) => v.entryPoint === entry);
  if (o) return o[0];
  // A chunk that a dynamic import() starts from names its source module in entryPoint too.
  throw new Error(`no output for ${entry}`);
}

const HEAVY = [
  /node_modules\/@aws-sdk\//,
  /node_modules\/pg\//,
  /node_modules\/@octokit\//,
  /node_modules\/libsodium/,
  /node_modules\/age-encryption\//,
  /src\/sandbox\//,
];

describe('the split CLI bundle', () => {
  it('runs: --version and --help from dist-like output', () => {
    const node = process.execPath;
    expect(execFileSync(node, [join(out, 'cli.js'), '--version'], { encoding: 'utf8' })).toBe(
      '0.1.0\n',
    );
    const help = execFileSync(node, [join(out, 'cli.js'), 'validate', '--help'], {
      encoding: 'utf8',
    });
    expect(help).toMatch(/^Usage: rekey validate/);
  });

  it('loads no command module before a command runs', () => {
    const inputs = staticInputs(outputOf('src/cli/bin.ts'));
    expect([...inputs].filter((i) => i.startsWith('src/cli/commands/'))).toEqual([
      'src/cli/commands/index.ts',
    ]);
  });

  it.each(['validate', 'plan', 'verify'])(
    '`rekey %s` loads no cloud SDK, database driver, GitHub client, crypto library or sandbox',
    (name) => {
      const inputs = [...staticInputs(outputOf(`src/cli/commands/${name}.ts`))];
      expect(inputs).toContain(`src/cli/commands/${name}.ts`);
      expect(inputs.filter((i) => HEAVY.some((h) => h.test(i)))).toEqual([]);
    },
  );

  it('a heavy command still has its dependencies (the check above can fail)', () => {
    const inputs = [...staticInputs(outputOf('src/cli/commands/distribute.ts'))];
    expect(inputs.some((i) => /node_modules\/@octokit\//.test(i))).toBe(true);
  });
});
