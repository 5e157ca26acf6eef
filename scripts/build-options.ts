// The esbuild options of scripts/build.ts, shared with bench/cli.bench.ts so that the
// benchmark measures the CLI exactly as it is shipped.
import type { BuildOptions } from 'esbuild';

/** Options every bundle shares (ESM for node24). */
export const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // Some CommonJS dependencies call require(); give the ESM bundle (and each chunk) one.
  banner: {
    js: "import { createRequire as __rekeyRequire } from 'node:module'; const require = __rekeyRequire(import.meta.url);",
  },
  sourcemap: false,
  minify: false,
  logLevel: 'warning',
} satisfies BuildOptions;

/**
 * The CLI, split: dist/cli.js holds the dispatcher only, and each subcommand is a chunk
 * (dist/chunks/) that `import()` loads when the command runs, with the modules commands
 * share in chunks of their own. `rekey validate` thus never loads the AWS SDK, pg,
 * Octokit, libsodium, age or the sandbox (see src/cli/commands/index.ts).
 */
export function cliOptions(outdir: string, root = process.cwd()): BuildOptions {
  return {
    ...common,
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli/bin.ts' },
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  };
}
