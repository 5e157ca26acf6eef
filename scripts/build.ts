// Bundles each entrypoint into dist/ with esbuild. dist/ is committed because GitHub runs
// actions straight from the repository; `--check` rebuilds into a temporary folder and fails
// when the committed bundles differ (CI runs it). Each action is one file, as GitHub runs it
// (`node dist/<name>.js`); the CLI is split into dist/cli.js and its chunks in dist/chunks/
// (scripts/build-options.ts).
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOptions, common } from './build-options.ts';

/**
 * dist/<name>.js <- source: the CLI, and every action entrypoint `src/actions/<name>.ts`
 * (shared modules there are named `runtime*.ts` and are not entrypoints).
 */
export const entrypoints: Record<string, string> = { cli: 'src/cli/bin.ts' };
for (const f of existsSync('src/actions') ? readdirSync('src/actions').sort() : [])
  if (f.endsWith('.ts') && !f.startsWith('runtime'))
    entrypoints[f.slice(0, -3)] = `src/actions/${f}`;

async function bundle(outdir: string): Promise<void> {
  const { cli, ...actions } = entrypoints;
  await build({ ...common, entryPoints: actions, outdir, legalComments: 'linked' });
  if (cli !== undefined)
    await build({ ...cliOptions(outdir), entryPoints: { cli }, legalComments: 'linked' });
}

/** Every file under `dir`, as paths relative to it, sorted. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

const check = process.argv.includes('--check');
if (!check) {
  rmSync('dist', { recursive: true, force: true });
  await bundle('dist');
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'rekey-dist-'));
  try {
    await bundle(tmp);
    const want = files(tmp);
    const have = files('dist');
    const stale = [...new Set([...want, ...have])].filter(
      (f) =>
        !want.includes(f) ||
        !have.includes(f) ||
        !readFileSync(join(tmp, f)).equals(readFileSync(join('dist', f))),
    );
    if (stale.length > 0) {
      console.error(
        `dist/ is stale (${stale.join(', ')}). Run \`npm run build\` and commit dist/.`,
      );
      process.exit(1);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
