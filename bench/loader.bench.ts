// YAML loader benchmark. Part 1, the candidates on the same bytes (the generated 10,000
// key.yaml files, bench/manifest-gen.ts): the `yaml` package (parse, CST Parser, Lexer),
// js-yaml (load with the core schema, parseEvents), JSON.parse of the same data as the
// floor of floors, and the two safe loaders built on them: the previous one on the `yaml`
// package and the deciding one on js-yaml's events. Part 2, hostile files (deep nesting, a
// huge scalar, many keys, alias bombs, the billion laughs, duplicate keys at depth): wall
// CPU time and the heap each costs, against bounds. Figures, not tests: nothing here fails.
// Run: node --expose-gc bench/loader.bench.ts [keys]
import { cpus, loadavg } from 'node:os';
import { CORE_SCHEMA, load, parseEvents } from 'js-yaml';
import { Lexer, parse, Parser } from 'yaml';
import { parseYaml } from '../src/core/yaml/index.ts';
import { parseWithYamlPackage } from '../src/core/yaml/yaml-package.ts';
import { figure } from './figures.ts';
import { generate } from './manifest-gen.ts';

const KEYS = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const enc = new TextEncoder();
const dec = new TextDecoder();

const { tree, bytes } = generate(KEYS);
const files = [...tree];
const texts = files.map(([, b]) => dec.decode(b));
const json = texts.map((t) => JSON.stringify(load(t, { schema: CORE_SCHEMA })));
console.log(`${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB of YAML`);

/** Best CPU milliseconds of `rounds` runs (the machine is shared; CPU time is steadier). */
function cpu(f: () => void, rounds = 3): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    gc();
    const c = process.cpuUsage();
    f();
    const u = process.cpuUsage(c);
    best = Math.min(best, (u.user + u.system) / 1000);
  }
  return best;
}

const candidates: [string, () => void, number?][] = [
  ['JSON.parse (same data as JSON)', () => json.forEach((j) => JSON.parse(j))],
  ['js-yaml parseEvents', () => texts.forEach((t) => parseEvents(t, {}))],
  ['js-yaml load, CORE_SCHEMA', () => texts.forEach((t) => load(t, { schema: CORE_SCHEMA }))],
  ['safe loader (deciding: js-yaml events)', () => files.forEach(([p, b]) => parseYaml(p, b))],
  ['yaml Lexer', () => texts.forEach((t) => [...new Lexer().lex(t)]), 1],
  ['yaml CST Parser', () => texts.forEach((t) => [...new Parser().parse(t)]), 1],
  ['yaml.parse', () => texts.forEach((t) => parse(t)), 1],
  [
    'previous safe loader (yaml package)',
    () => files.forEach(([p, b]) => parseWithYamlPackage(p, b)),
    1,
  ],
];
const results = new Map<string, number>();
for (const [name, f, rounds] of candidates) {
  const ms = cpu(f, rounds);
  results.set(name, ms);
  console.log(`${name.padEnd(42)} ${ms.toFixed(0).padStart(6)} ms CPU`);
}
const floor = results.get('js-yaml parseEvents')!;
const safe = results.get('safe loader (deciding: js-yaml events)')!;
const previous = results.get('previous safe loader (yaml package)')!;
console.log(
  `safe loader: ${(safe / floor).toFixed(2)}x its parser, ${(previous / safe).toFixed(1)}x faster than the previous loader`,
);
figure({
  name: `loader: safe loader, ${KEYS} key.yaml (CPU)`,
  value: safe,
  unit: 'ms',
  target: { op: '<', value: 1000 },
});
figure({
  name: 'loader: speed-up over the previous loader',
  value: previous / safe,
  unit: 'x',
  note: 'target: an order of magnitude (>= 10x)',
});
figure({
  name: 'loader: ratio to the deciding parser alone',
  value: safe / floor,
  unit: 'x',
  target: { op: '<=', value: 2 },
});

// Part 2: hostile files, each at most the 1 MiB cap, against bounds of 1,000 ms CPU and
// 128 MiB of heap each (the events of a megabyte of tiny values take tens of MiB). (The
// previous loader is not run on them: on some it takes minutes and gigabytes.)
const CAP = 1024 * 1024;
/** `unit` repeated to fill the cap after `head`; `vary` makes each repetition distinct. */
const fill = (unit: (i: number) => string, head = '', tail = '') => {
  let out = head;
  const end = CAP - tail.length;
  for (let i = 0; ; i++) {
    const u = unit(i);
    if (out.length + u.length > end) return out + tail;
    out += u;
  }
};
const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (let i = 1; i < 40; i++)
  laughs.push(`${'a'.repeat(i + 1)}: &${'a'.repeat(i + 1)} [${`*${'a'.repeat(i)},`.repeat(9)}]`);
const deepHead = Array.from({ length: 30 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('');
const hostile: [string, string][] = [
  ['deep flow nesting (1 MiB of [)', '['.repeat(CAP)],
  [
    'deep block nesting (1,000 levels)',
    Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:\n`).join(''),
  ],
  ['one huge quoted scalar', `a: "${'x'.repeat(CAP - 10)}"\n`],
  ['one huge plain scalar', `a: ${'x'.repeat(CAP - 10)}\n`],
  ['many keys in one map', fill((i) => `k${i}: 1\n`)],
  ['many values in a flow list', fill(() => '1,', '[', ']')],
  ['alias bomb (one anchor, many aliases)', fill(() => '- *a\n', 'x: &a [1]\ny:\n')],
  ['billion laughs (40 levels)', laughs.join('\n') + '\n'],
  ['duplicate keys at depth 30', fill(() => `${'  '.repeat(30)}d: 1\n`, deepHead)],
  ['100,000 findings (- yes)', fill(() => '- yes\n')],
  ['a syntax error at the end', fill((i) => `a${i}: 1\n`, '', ':\n  ]')],
];
let worstMs = 0;
let worstMiB = 0;
for (const [name, text] of hostile) {
  const b = enc.encode(text);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const c = process.cpuUsage();
  const r = parseYaml('hostile.yaml', b);
  const u = process.cpuUsage(c);
  const ms = (u.user + u.system) / 1000;
  const mib = Math.max(0, process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  worstMs = Math.max(worstMs, ms);
  worstMiB = Math.max(worstMiB, mib);
  const rules = [...new Set(r.diagnostics.map((d) => d.rule))].join(', ') || 'accepted';
  console.log(
    `${name.padEnd(38)} ${(b.length / 1024).toFixed(0).padStart(5)} KiB ${ms.toFixed(0).padStart(5)} ms CPU ` +
      `+${mib.toFixed(1).padStart(5)} MiB heap  ` +
      `${r.diagnostics.length} finding(s): ${rules}`,
  );
}
figure({
  name: 'loader: slowest hostile file (CPU)',
  value: worstMs,
  unit: 'ms',
  target: { op: '<', value: 1000 },
});
figure({
  name: 'loader: most heap for a hostile file',
  value: worstMiB,
  unit: 'MiB',
  target: { op: '<', value: 128 },
});
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
