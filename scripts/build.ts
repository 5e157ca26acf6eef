// Bundles each entrypoint into dist/ with esbuild. dist/ is committed because GitHub runs
// actions straight from the repository; `--check` rebuilds into a temporary folder and fails
// when the committed bundles differ (CI runs it).
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * dist/<name>.js <- source: the CLI, and every action entrypoint `src/actions/<name>.ts`
 * (shared modules there are named `runtime*.ts` and are not entrypoints).
 */
export const entrypoints: Record<string, string> = { cli: 'src/cli/bin.ts' };
for (const f of existsSync('src/actions') ? readdirSync('src/actions').sort() : [])
  if (f.endsWith('.ts') && !f.startsWith('runtime'))
    entrypoints[f.slice(0, -3)] = `src/actions/${f}`;

async function bundle(outdir: string): Promise<void> {
  await build({
    entryPoints: entrypoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);",
    },
    legalComments: 'linked',
    sourcemap: false,
    minify: false,
    logLevel: 'warning',
  });
}

const check = process.argv.includes('--check');
if (!check) {
  rmSync('dist', { recursive: true, force: true });
  await bundle('dist');
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'rekey-dist-'));
  try {
    await bundle(tmp);
    const want = readdirSync(tmp).sort();
    const have = existsSync('dist') ? readdirSync('dist').sort() : [];
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
