// Runs every bench/*.bench.ts in its own Node process, one after another, so each reports
// its own peak memory and none disturbs another's timing. Benchmarks print figures and
// ratios; none of them is a pass/fail test. `npm run bench -- history` runs the ones whose
// name contains "history"; the arguments after it go to every suite that runs.
// `npm run bench -- --quick` (REKEY_BENCH_QUICK=1 for the suites) skips the slowest parts:
// the 100k-commit audit, the spaced and second-concurrency distribution runs. The run ends
// with one table of every suite's headline figures, each against its target and met or
// MISSED (bench/figures.ts).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIGURE_PREFIX, formatFigure, renderFigures, type Figure } from './figures.ts';

const dir = import.meta.dirname;
// `--quick` reaches the suites as REKEY_BENCH_QUICK=1 (a suite's own arguments stay its own);
// a first argument that is not a flag names the suites, the rest goes to each of them.
const args = process.argv.slice(2).filter((a) => a !== '--quick');
const quick = args.length < process.argv.length - 2;
const filter = args[0] !== undefined && !args[0].startsWith('-') ? args[0] : '';
const passed = filter === '' ? args : args.slice(1);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();

console.log(
  `rekey benchmarks on node ${process.version}, ${cpus().length} cores, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB: ${files.length} suite(s)\n`,
);

/** One suite: its lines shown as they come, its figures kept for the table. */
async function runSuite(file: string, figures: Figure[]): Promise<number | string> {
  const child = spawn(process.execPath, ['--expose-gc', join(dir, file), ...passed], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: quick ? { ...process.env, REKEY_BENCH_QUICK: '1' } : process.env,
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (l) => {
    if (l.startsWith(FIGURE_PREFIX)) {
      const f = JSON.parse(l.slice(FIGURE_PREFIX.length)) as Figure;
      figures.push(f);
      console.log(`  * ${f.name}: ${formatFigure(f.value, f.unit)}`);
    } else console.log(l);
  });
  return new Promise((done) =>
    child.on('close', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
}

const figures: Figure[] = [];
const started = performance.now();
let failed = 0;
for (const file of files) {
  console.log(`== ${file}`);
  const status = await runSuite(file, figures);
  if (status !== 0) {
    failed += 1;
    console.log(`!! ${file} exited with ${status}`);
  }
  console.log('');
}
console.log(
  `== summary (${files.length} suite(s) in ${((performance.now() - started) / 60_000).toFixed(1)} min)`,
);
console.log(renderFigures(figures));
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores: wall figures grow on a busy machine`,
);
process.exit(failed === 0 ? 0 : 1);
