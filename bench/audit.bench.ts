// Audit benchmark: generated repositories of 10,000 and 100,000 first-parent manifest commits
// (keys rotated and revoked in turn, material files written and deleted, one change in five
// merged from a side branch), built with `git fast-import` in os.tmpdir() and removed
// afterwards. For each: the wall time of the whole audit without a token (one git log, one
// cat-file, the tree at HEAD, findings, the report) in a process of its own
// (bench/audit-child.ts), so that its peak RSS is the audit's alone; its ratio to plain
// `git log --first-parent --raw` over the same repository; at 10k also the history pass and
// each format's rendering in this process. The floor is the audit's own walk as a person types
// it (`git log --first-parent --raw --no-abbrev --no-renames main -- <manifest paths>`), printed
// with its CPU; the whole-tree log the ratio used before is printed beside it. CPU seconds (node
// and its git children) are printed beside wall time. Targets (issue #13): ratio <= 2.0 at 10k;
// 100k commits < 10 s and < 1 GiB.
// Run: node bench/audit.bench.ts [commits...] [--quick] [--keep]
//      (--quick: 10k only; default 10k and 100k)
import { figure } from './figures.ts';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuditHistory } from '../src/adapters/git/history.ts';
import { localAuditPorts } from '../src/cli/commands/audit.ts';
import { audit, AUDIT_FORMATS, renderAudit } from '../src/commands/audit.ts';

const KEEP = process.argv.includes('--keep');
const QUICK = process.argv.includes('--quick') || process.env.REKEY_BENCH_QUICK === '1';
const SIZES = process.argv
  .slice(2)
  .filter((a) => /^\d+$/.test(a))
  .map(Number);
if (SIZES.length === 0) SIZES.push(...(QUICK ? [10_000] : [10_000, 100_000]));
// 500 keys at 10k commits; beyond, one key per 20 commits, so a key keeps about ten versions
// (a key.yaml of a few KiB) however long the history: 100k commits are 5,000 keys.
const keysFor = (commits: number) => Math.max(500, Math.round(commits / 20));
const MERGE_EVERY = 5;
const env = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

const POLICY = 'name: standard\ncryptoperiod: 90d\nrotate-before: 14d\ngrace: 30d\napprovals: 1\n';
const SOPS = `creation_rules:\n  - path_regex: ^keys-manifest/\n    encrypted_regex: ^secret$\n    age: age1${'q'.repeat(58)}\n`;

function keyYaml(id: string, versions: { n: number; state: string; created: string }[]): string {
  return (
    `id: ${id}\ndescription: Signs outbound webhooks for ${id}\nowner: "@acme/payments"\npolicy: standard\n` +
    `type: random\noptions: { bytes: 32, encoding: base64 }\nversions:\n` +
    versions
      .map(
        (v) =>
          `  - { version: ${v.n}, state: ${v.state}, created: ${v.created}, fingerprint: "kcv:${v.n.toString(16).padStart(16, '0')}" }\n`,
      )
      .join('')
  );
}
const material = (id: string, n: number) =>
  `id: ${id}\nversion: ${n}\nsecret: ENC[AES256_GCM,data:${'A'.repeat(44)},iv:${'B'.repeat(22)},tag:${'C'.repeat(22)},type:str]\n` +
  `sops:\n  age:\n    - recipient: age1${'q'.repeat(58)}\n      enc: |\n        -----BEGIN AGE ENCRYPTED FILE-----\n        ${'Z'.repeat(64)}\n        -----END AGE ENCRYPTED FILE-----\n`;

async function generate(dir: string, COMMITS: number): Promise<number> {
  const KEYS = keysFor(COMMITS);
  const fi = spawn('git', ['fast-import', '--quiet', '--done'], {
    cwd: dir,
    env,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const done = new Promise<void>((res, rej) =>
    fi.once('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import ${c}`)))),
  );
  const chunks: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const keys = Array.from({ length: KEYS }, (_, i) => ({
    id: `team-${i % 25}/service-${i}`,
    versions: [] as { n: number; state: string; created: string }[],
  }));
  let mark = 0;
  let mainMark = 0;
  const t0 = Date.UTC(2020, 0, 1) / 1000;
  for (let c = 0; c < COMMITS; c++) {
    const k = keys[c % KEYS]!;
    const when = t0 + c * 3600;
    const created = new Date(when * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const files: string[] =
      c === 0
        ? [
            `M 100644 inline policies/standard.yaml\n${data(POLICY)}`,
            `M 100644 inline .sops.yaml\n${data(SOPS)}`,
          ]
        : [];
    const active = k.versions.find((v) => v.state === 'active');
    const deactivated = k.versions.find((v) => v.state === 'deactivated');
    // A visit revokes the key's deactivated version if it has one, else rotates the key.
    if (deactivated) {
      deactivated.state = 'destroyed';
      files.push(`D keys-manifest/${k.id}/v${deactivated.n}.sops.yaml\n`);
    } else {
      const n = k.versions.length + 1;
      if (active) active.state = 'deactivated';
      k.versions.unshift({ n, state: 'active', created });
      files.push(
        `M 100644 inline keys-manifest/${k.id}/v${n}.sops.yaml\n${data(material(k.id, n))}`,
      );
    }
    files.push(
      `M 100644 inline keys-manifest/${k.id}/key.yaml\n${data(keyYaml(k.id, k.versions))}`,
    );
    const who = (t: number) => `committer Rekey Bot <bot@example.com> ${t} +0000\n`;
    if (c % MERGE_EVERY === 0 && mainMark > 0) {
      chunks.push(
        `commit refs/heads/side\nmark :${++mark}\n${who(when - 60)}${data(`rekey: change ${k.id}`)}from :${mainMark}\n${files.join('')}`,
      );
      const side = mark;
      chunks.push(
        `commit refs/heads/main\nmark :${++mark}\n${who(when)}${data(`Merge pull request #${c}`)}from :${mainMark}\nmerge :${side}\n${files.join('')}`,
      );
    } else {
      chunks.push(
        `commit refs/heads/main\nmark :${++mark}\n${who(when)}${data(`rekey: change ${k.id}`)}${mainMark ? `from :${mainMark}\n` : ''}${files.join('')}`,
      );
    }
    mainMark = mark;
    // Respect the pipe: at 100k commits an unpaced stream overruns it (ENOBUFS).
    if (chunks.length > 500 && !fi.stdin.write(chunks.splice(0).join('')))
      await once(fi.stdin, 'drain');
  }
  chunks.push('done\n');
  fi.stdin.end(chunks.join(''));
  await done;
  return COMMITS;
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}
/**
 * CPU seconds (user + system) of this process's children that have exited and been waited for
 * (Linux /proc/self/stat cutime + cstime, in clock ticks of 1/100 s); NaN elsewhere.
 */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}
/** One git command to its end, its stdout counted and dropped: its bytes and its CPU seconds. */
function gitOut(dir: string, args: string[]): Promise<{ bytes: number; cpu: number }> {
  const cpu0 = childCpuSeconds();
  return new Promise((res, rej) => {
    const p = spawn('git', args, { cwd: dir, env });
    let n = 0;
    p.stdout.on('data', (c: Buffer) => (n += c.length));
    p.once('close', (code) =>
      code === 0
        ? res({ bytes: n, cpu: childCpuSeconds() - cpu0 })
        : rej(new Error(`git ${args[0]} ${code}`)),
    );
  });
}
const ms = (x: number) => `${x.toFixed(0)} ms`;
const MANIFEST_PATHS = ['keys-manifest/', '.sops.yaml', 'policies/'];
/**
 * The floor the ratio is taken against: the audit's own history walk (first parent, merges
 * as their first-parent diff, which --first-parent implies, the paths the audit reads, full
 * blob ids, no rename detection), as anyone can type it; its output is counted and dropped.
 */
const FLOOR = [
  'log',
  '--first-parent',
  '--raw',
  '--no-abbrev',
  '--no-renames',
  'main',
  '--',
  ...MANIFEST_PATHS,
];
/** The floor before issue #13's rework: the whole tree's diffs, abbreviated ids. */
const PLAIN = ['log', '--first-parent', '--raw', 'main'];

const CHILD = join(import.meta.dirname, 'audit-child.ts');

interface ChildRun {
  ms: number;
  /** CPU seconds of the audit process and of the git processes it ran. */
  cpuSelf: number;
  cpuGit: number;
  rssMiB: number;
  renderRssMiB?: number;
  allFormatsRssMiB?: number;
  bytes?: Record<string, number>;
  commits: number;
  keys: number;
  versions: number;
  findings?: number;
}

/** One audit (or history index) in a fresh Node process: its wall time and its peak RSS. */
function child(dir: string, now: Date, what: 'audit' | 'history'): Promise<ChildRun> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [CHILD, dir, now.toISOString(), what], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.once('close', (code) =>
      code === 0 ? res(JSON.parse(out) as ChildRun) : rej(new Error(`audit-child ${code}`)),
    );
  });
}

async function bench(COMMITS: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-bench-audit-'));
  try {
    spawnSync('git', ['init', '-q', '--bare', '-b', 'main', dir], { env });
    const [, genMs] = await time(() => generate(dir, COMMITS));
    console.log(
      `\n${COMMITS} commits: generated ${COMMITS} first-parent manifest commits, ${keysFor(COMMITS)} keys in ${ms(genMs)} (git fast-import)`,
    );
    await gitOut(dir, ['log', '--first-parent', '--raw', '--no-abbrev', 'main']); // warm the cache
    const runs = COMMITS >= 100_000 ? 2 : 3;
    const best = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
      let b: [T, number] | undefined;
      for (let i = 0; i < runs; i++) {
        const r = await time(f);
        if (!b || r[1] < b[1]) b = r;
      }
      return b!;
    };
    const [floorRun, floorLog] = await best(() => gitOut(dir, FLOOR));
    const [plainRun, plainLog] = await best(() => gitOut(dir, PLAIN));
    const now = new Date(Date.UTC(2020, 0, 1) + COMMITS * 3_600_000 + 86_400_000);
    const ports = localAuditPorts(dir);
    const [report, auditMs] = await best(() => audit({ ref: 'main', now }, ports));
    // CPU of one more in-process audit, node and its git children: what a busy machine does
    // not inflate the way it inflates wall time.
    const cpu0 = process.cpuUsage();
    const git0 = childCpuSeconds();
    await audit({ ref: 'main', now }, ports);
    const used = process.cpuUsage(cpu0);
    const cpuNode = (used.user + used.system) / 1e6;
    const cpuGit = childCpuSeconds() - git0;
    const versions = report.keys.reduce((n, k) => n + k.versions.length, 0);
    console.log(
      `report: ${report.manifestCommits} manifest commits, ${report.keys.length} keys, ${versions} versions, ${report.findings.length} findings`,
    );
    console.log(
      `audit (no token)                  ${ms(auditMs)} (best of ${runs}); ${((auditMs / COMMITS) * 1000).toFixed(1)} µs per commit`,
    );
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    console.log(
      `floor: git ${FLOOR.join(' ')}\n` +
        `                                  ${ms(floorLog)} (CPU ${floorRun.cpu.toFixed(2)} s, ${mib(floorRun.bytes)})  ratio ${(auditMs / floorLog).toFixed(2)}`,
    );
    console.log(
      `git ${PLAIN.join(' ')} (the floor before; whole tree) ${ms(plainLog)} (CPU ${plainRun.cpu.toFixed(2)} s, ${mib(plainRun.bytes)})  ratio ${(auditMs / plainLog).toFixed(2)}`,
    );
    console.log(
      `CPU of one audit in this process: ${cpuNode.toFixed(2)} s node + ${cpuGit.toFixed(2)} s git; ` +
        `to the floor's ${floorRun.cpu.toFixed(2)} s: ratio ${((cpuNode + cpuGit) / floorRun.cpu).toFixed(2)} (git alone ${(cpuGit / floorRun.cpu).toFixed(2)})`,
    );
    const [, historyMs] = await best(() => buildAuditHistory(dir, 'main', { env }));
    console.log(
      `of which the history pass (git log + cat-file + fold) ${ms(historyMs)}  ratio ${(historyMs / floorLog).toFixed(2)}; the rest is the policies, findings and report`,
    );
    if (COMMITS <= 10_000) {
      const renders = AUDIT_FORMATS.map((f) => {
        const t = performance.now();
        const text = renderAudit(report, f);
        return `${f} ${ms(performance.now() - t)} (${(Buffer.byteLength(text) / 2 ** 20).toFixed(1)} MiB)`;
      });
      console.log(`render: ${renders.join(', ')}`);
    }
    // Peak memory: one audit and one history index, each in a fresh process (cold: no warm-up).
    const own = await child(dir, now, 'audit');
    const auditRss = own.rssMiB;
    const history = await child(dir, now, 'history');
    const cpu = (r: ChildRun) =>
      `CPU ${r.cpuSelf.toFixed(2)} s node + ${r.cpuGit.toFixed(2)} s git (floor's git: ${floorRun.cpu.toFixed(2)} s)`;
    const files = Object.entries(own.bytes ?? {})
      .map(([f, n]) => `${f} ${(n / 2 ** 20).toFixed(0)} MiB`)
      .join(', ');
    console.log(
      `own process, cold: audit ${ms(own.ms)}, ${cpu(own)}, peak RSS ${own.rssMiB.toFixed(0)} MiB\n` +
        `                   ${own.renderRssMiB?.toFixed(0)} MiB with the job summary made, ${own.allFormatsRssMiB?.toFixed(0)} MiB after writing the four files as the CLI does (${files})\n` +
        `                   history index ${ms(history.ms)}, ${cpu(history)}, peak RSS ${history.rssMiB.toFixed(0)} MiB`,
    );
    const a = { versions };
    const big = COMMITS >= 100_000;
    figure({
      name: `audit: ${COMMITS} manifest commits, wall`,
      value: auditMs / 1000,
      unit: 's',
      target: { op: '<', value: big ? 10 : 5 },
    });
    figure({
      name: `audit: ratio to its git log walk (first parent, manifest paths), ${COMMITS} commits`,
      value: auditMs / floorLog,
      unit: 'x',
      ...(big ? {} : { target: { op: '<=' as const, value: 2 } }),
      note: `git log ${ms(floorLog)}; whole-tree log ${ms(plainLog)}`,
    });
    figure({
      name: `audit: CPU ratio (node + git) to the floor's git, ${COMMITS} commits`,
      value: (cpuNode + cpuGit) / floorRun.cpu,
      unit: 'x',
      note: `${(cpuNode + cpuGit).toFixed(2)} s vs ${floorRun.cpu.toFixed(2)} s; cold own process ${(own.cpuSelf + own.cpuGit).toFixed(2)} s`,
    });
    figure({
      name: `history: index of ${COMMITS} commits in its own process, peak RSS`,
      value: history.rssMiB,
      unit: 'MiB',
      target: { op: '<', value: 1024 },
      note: `${ms(history.ms)} cold`,
    });
    figure({
      name: `audit: peak RSS of the audit process, ${COMMITS} commits`,
      value: auditRss,
      unit: 'MiB',
      target: { op: '<', value: 1024 },
      note: `${a.versions} versions`,
    });
    figure({
      name: `audit: peak RSS of a whole CLI run (all four formats), ${COMMITS} commits`,
      value: own.allFormatsRssMiB ?? Number.NaN,
      unit: 'MiB',
      target: { op: '<', value: 1024 },
      note: `${own.findings} findings in the report`,
    });
  } finally {
    if (KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

for (const n of SIZES) await bench(n);
console.log(
  `\nload average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores (wall time: a busy machine inflates it)`,
);
