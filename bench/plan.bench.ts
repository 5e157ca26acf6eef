// Planner benchmark: a manifest of 10,000 keys (50,000 versions) generated in memory as a
// FileTree (key.yaml files and policies; material files are OMITTED: the planner never
// reads them, and generating valid SOPS files would measure the generator), with an
// in-memory first-parent history index. Measures loadSnapshot + plan: wall time, peak
// memory, and the ratio to the deciding parser (js-yaml's parseEvents) on the same bytes
// alone (the floor: any loader must at least parse). Also splits the loader's cost into the
// safe YAML loader, the key.yaml schema's fast path (src/core/formats/key-fast.ts) and, for
// comparison, the zod schema it stands in for on valid files.
// Run: node bench/plan.bench.ts [keys]
import { figure } from './figures.ts';
import { cpus, loadavg } from 'node:os';
import { parseEvents } from 'js-yaml';
import { keyDocument } from '../src/core/formats/index.ts';
import { fastKeyDocument } from '../src/core/formats/key-fast.ts';
import { generate, NOW, VERSIONS } from './manifest-gen.ts';
import { loadSnapshot } from '../src/core/load-snapshot.ts';
import { plan } from '../src/core/plan/plan.ts';
import { parseYaml } from '../src/core/yaml/index.ts';

const KEYS = Number(process.argv[2] ?? 10_000);

/** Wall and CPU (user + system) milliseconds: the machine may be shared, CPU time is the steadier figure. */
function timed<T>(f: () => T): [T, number, number] {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(c);
  return [r, wall, (cpu.user + cpu.system) / 1000];
}
const ms = (x: number) => `${x.toFixed(0)} ms`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const [{ tree, history, bytes }, genMs] = timed(() => generate(KEYS));
console.log(
  `generated ${KEYS} keys, ${KEYS * VERSIONS} versions, ${tree.size} files, ${(bytes / 2 ** 20).toFixed(1)} MiB ` +
    `(material files omitted) in ${ms(genMs)}`,
);

// Run 1 is what a CLI invocation or an Action pays (cold JIT); runs 2-5 show the steady state
// (five runs, not three: on a shared machine the best of four steady runs is the steadier).
const runs: { load: [number, number]; plan: [number, number]; rss: number }[] = [];
let result: ReturnType<typeof plan> | undefined;
for (let r = 0; r < 5; r++) {
  gc();
  const [loaded, loadWall, loadCpu] = timed(() => loadSnapshot(tree));
  if (r === 0 && loaded.diagnostics.length > 0)
    console.log(
      `!! ${loaded.diagnostics.length} diagnostics, first: ${JSON.stringify(loaded.diagnostics[0])}`,
    );
  const [p, planWall, planCpu] = timed(() =>
    plan({ snapshot: loaded.snapshot, history, openPulls: [], halted: [], now: NOW }),
  );
  result = p;
  runs.push({
    load: [loadWall, loadCpu],
    plan: [planWall, planCpu],
    rss: process.resourceUsage().maxRSS,
  });
}

// The floor: the deciding parser (js-yaml's parseEvents) on the same bytes, nothing else.
const decoder = new TextDecoder();
const floors: [number, number][] = [];
for (let r = 0; r < 5; r++) {
  gc();
  const [, w, c] = timed(() => {
    for (const b of tree.values()) parseEvents(decoder.decode(b), {});
  });
  floors.push([w, c]);
}
const floorCpu = Math.min(...floors.map((f) => f[1]));
// Where the loader's time goes: the safe YAML loader alone, then the key schema alone (its
// fast path, which the loader uses, and zod, which judges whatever the fast path defers).
gc();
const [values, , safeCpu] = timed(() => [...tree].map(([p, b]) => parseYaml(p, b).value));
const keyValues = [...tree.keys()].flatMap((p, i) => (p.endsWith('/key.yaml') ? [values[i]] : []));
let deferred = 0;
const [, , fastCpu] = timed(() => {
  for (const v of keyValues) if (fastKeyDocument(v) === undefined) deferred++;
});
const [, , schemaCpu] = timed(() => {
  for (const v of keyValues) keyDocument.safeParse(v);
});

const kinds = new Map<string, number>();
for (const s of result!.steps) {
  const k = s.kind === 'skip' ? `skip:${s.cause}` : s.kind;
  kinds.set(k, (kinds.get(k) ?? 0) + 1);
}
console.log(
  `plan: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}; ${result!.overdue.length} overdue`,
);
for (const [i, r] of runs.entries())
  console.log(
    `run ${i + 1}: loadSnapshot ${ms(r.load[0])} + plan ${ms(r.plan[0])} = ${ms(r.load[0] + r.plan[0])} wall; ` +
      `CPU ${ms(r.load[1])} + ${ms(r.plan[1])}; ratio to the parser floor (CPU) ` +
      `${((r.load[1] + r.plan[1]) / floorCpu).toFixed(2)}; peak RSS so far ${(r.rss / 1024).toFixed(0)} MiB`,
  );
console.log(
  `parseEvents floor: ${floors.map(([w, c]) => `${ms(w)} wall/${ms(c)} CPU`).join(', ')}`,
);
console.log(
  `loader split (CPU): safe YAML loader ${ms(safeCpu)}, key schema fast path ${ms(fastCpu)} ` +
    `(${deferred} of ${keyValues.length} files deferred to zod); zod alone on the same values ${ms(schemaCpu)}`,
);
console.log(
  `per key, run 1: ${(((runs[0]!.load[0] + runs[0]!.plan[0]) / KEYS) * 1000).toFixed(0)} µs wall`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores (figures are wall time: a busy machine inflates them)`,
);
console.log('targets: < 1500 ms, < 512 MiB, ratio < 2.0');
const first = runs[0]!;
figure({
  name: `plan: load + plan ${KEYS} keys, run 1 (cold)`,
  value: first.load[0] + first.plan[0],
  unit: 'ms',
  target: { op: '<', value: 1500 },
});
figure({
  name: 'plan: CPU ratio to the deciding parser on the same bytes',
  value: Math.min(...runs.map((r) => (r.load[1] + r.plan[1]) / floorCpu)),
  unit: 'x',
  target: { op: '<=', value: 2 },
});
figure({
  name: 'plan: peak RSS',
  value: Math.max(...runs.map((r) => r.rss)) / 1024,
  unit: 'MiB',
  target: { op: '<', value: 512 },
});
