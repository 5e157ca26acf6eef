// Runs every bench/*.bench.ts in its own Node process, one after another, so each reports
// its own peak memory and none disturbs another's timing. Benchmarks print figures and
// ratios; none of them is a pass/fail test. `npm run bench -- history` runs the ones whose
// name contains "history".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const dir = import.meta.dirname;
const filter = process.argv[2] ?? '';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();

console.log(
  `rekey benchmarks on node ${process.version}, ${cpus().length} cores, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB: ${files.length} suite(s)\n`,
);
let failed = 0;
for (const file of files) {
  console.log(`== ${file}`);
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', join(dir, file), ...process.argv.slice(3)],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) {
    failed += 1;
    console.log(`!! ${file} exited with ${run.status ?? run.signal}`);
  }
  console.log('');
}
process.exit(failed === 0 ? 0 : 1);
