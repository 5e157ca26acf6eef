// Runs every bench/*.bench.ts in its own Node process, one after another, so each reports
// its own peak memory and none disturbs another's timing. Benchmarks print figures and
// ratios; none of them is a pass/fail test. `npm run bench -- history` runs the ones whose
// name contains "history". The run ends with one table of every suite's headline figures,
// each against its target (bench/figures.ts).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIGURE_PREFIX, formatFigure, renderFigures, type Figure } from './figures.ts';

const dir = import.meta.dirname;
const filter = process.argv[2] ?? '';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();

console.log(
  `rekey benchmarks on node ${process.version}, ${cpus().length} cores, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB: ${files.length} suite(s)\n`,
);

/** One suite: its lines shown as they come, its figures kept for the table. */
async function runSuite(file: string, figures: Figure[]): Promise<number | string> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', join(dir, file), ...process.argv.slice(3)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
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
console.log('== summary');
console.log(renderFigures(figures));
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores: wall figures grow on a busy machine`,
);
process.exit(failed === 0 ? 0 : 1);
