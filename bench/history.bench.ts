// History index benchmark: a generated repository with 10,000 first-parent manifest commits
// (500 keys, each rotated and revoked in turn; one in five changes lands through a merge
// commit whose second parent is a side-branch commit), built with `git fast-import` in
// os.tmpdir() and removed afterwards. Prints the wall time of buildHistoryIndex, where it
// goes (log, parse, cat-file, fold) and its ratio to plain `git log --first-parent --raw`
// over the same repository. Run: node bench/history.bench.ts [commits] [--keep]
import { figure } from './figures.ts';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBlobs } from '../src/adapters/git/cat-file.ts';
import {
  buildHistoryIndex,
  historyLogArgs,
  indexLogArgs,
  parseHistoryLog,
} from '../src/adapters/git/history.ts';
import { HistoryIndexBuilder } from '../src/core/history/model.ts';
import { parseKeyFilePath } from '../src/core/formats/key-id.ts';

const KEEP = process.argv.includes('--keep'); // leave the repository for inspection
const COMMITS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
// 500 keys at 10k commits; beyond, one key per 20 commits, so a key keeps about ten versions
// (a key.yaml of a few KiB) however long the history: 100k commits are 5,000 keys.
const KEYS = Math.max(500, Math.round(COMMITS / 20));
const MERGE_EVERY = 5;
const env = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

const STATES = ['active', 'deactivated', 'destroyed'] as const;
function keyYaml(id: string, versions: { n: number; state: string; created: string }[]): string {
  return (
    `id: ${id}\ndescription: Signs outbound webhooks for ${id}\nowner: "@acme/payments"\npolicy: standard\n` +
    `type: random\noptions: { bytes: 32, encoding: base64 }\ntargets:\n` +
    `  - kind: github-secret\n    repository: acme/${id.replace(/\//g, '-')}\n    environment: production\n` +
    `    name: WEBHOOK_SIGNING_KEY\n    previous: WEBHOOK_SIGNING_KEY_PREVIOUS\nversions:\n` +
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
  `sops:\n  age:\n    - recipient: age1${'q'.repeat(58)}\n      enc: |\n        -----BEGIN AGE ENCRYPTED FILE-----\n        ${'Z'.repeat(64)}\n        -----END AGE ENCRYPTED FILE-----\n` +
  `  lastmodified: "2026-01-01T00:00:00Z"\n  mac: ENC[AES256_GCM,data:${'D'.repeat(86)},iv:${'E'.repeat(22)},tag:${'F'.repeat(22)},type:str]\n  encrypted_regex: ^secret$\n  version: 3.13.0\n`;

async function generate(dir: string): Promise<{ bytes: number; sideCommits: number }> {
  const fi = spawn('git', ['fast-import', '--quiet', '--done'], {
    cwd: dir,
    env,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const done = new Promise<void>((res, rej) =>
    fi.once('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import ${c}`)))),
  );
  let bytes = 0;
  const chunks: string[] = [];
  const out = (s: string) => {
    chunks.push(s);
    bytes += Buffer.byteLength(s);
  };
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const keys = Array.from({ length: KEYS }, (_, i) => ({
    id: `team-${i % 25}/service-${i}`,
    versions: [] as { n: number; state: string; created: string }[],
  }));
  let mark = 0;
  let mainMark = 0;
  let sideCommits = 0;
  const t0 = Date.UTC(2020, 0, 1) / 1000;
  for (let c = 0; c < COMMITS; c++) {
    const k = keys[c % KEYS]!;
    const when = t0 + c * 3600;
    const created = new Date(when * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const files: string[] = [];
    const active = k.versions.find((v) => v.state === 'active');
    const deactivated = k.versions.find((v) => v.state === 'deactivated');
    if (deactivated && c % 2 === 1) {
      deactivated.state = STATES[2];
      files.push(`D keys-manifest/${k.id}/v${deactivated.n}.sops.yaml\n`);
    } else {
      const n = k.versions.length + 1;
      if (active) active.state = STATES[1];
      k.versions.unshift({ n, state: STATES[0], created });
      files.push(
        `M 100644 inline keys-manifest/${k.id}/v${n}.sops.yaml\n${data(material(k.id, n))}`,
      );
    }
    files.push(
      `M 100644 inline keys-manifest/${k.id}/key.yaml\n${data(keyYaml(k.id, k.versions))}`,
    );
    const who = (t: number) => `committer Rekey Bot <bot@example.com> ${t} +0000\n`;
    if (c % MERGE_EVERY === 0 && mainMark > 0) {
      // The change is made on a side branch, then merged with --no-ff.
      out(
        `commit refs/heads/side\nmark :${++mark}\n${who(when - 60)}${data(`rekey: change ${k.id}`)}from :${mainMark}\n${files.join('')}`,
      );
      const side = mark;
      sideCommits++;
      out(
        `commit refs/heads/main\nmark :${++mark}\n${who(when)}${data(`Merge pull request #${c}`)}from :${mainMark}\nmerge :${side}\n${files.join('')}`,
      );
    } else {
      out(
        `commit refs/heads/main\nmark :${++mark}\n${who(when)}${data(`rekey: change ${k.id}`)}${mainMark ? `from :${mainMark}\n` : ''}${files.join('')}`,
      );
    }
    mainMark = mark;
    // Respect the pipe: at 100k commits an unpaced stream overruns it (ENOBUFS).
    if (chunks.length > 500 && !fi.stdin.write(chunks.splice(0).join('')))
      await once(fi.stdin, 'drain');
  }
  out('done\n');
  fi.stdin.end(chunks.join(''));
  await done;
  return { bytes, sideCommits };
}

function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  return f().then((r) => [r, performance.now() - t]);
}
function gitOut(dir: string, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const p = spawn('git', args, { cwd: dir, env });
    let n = 0;
    p.stdout.on('data', (c: Buffer) => (n += c.length));
    p.once('close', (code) => (code === 0 ? res(n) : rej(new Error(`git ${args[0]} ${code}`))));
  });
}
const ms = (x: number) => `${x.toFixed(0)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'rekey-bench-history-'));
try {
  spawnSync('git', ['init', '-q', '--bare', '-b', 'main', dir], { env });
  const [gen, genMs] = await time(() => generate(dir));
  console.log(
    `generated ${COMMITS} first-parent manifest commits (${gen.sideCommits} of them merges of a side commit), ${KEYS} keys, ${(gen.bytes / 2 ** 20).toFixed(1)} MiB fast-import stream in ${ms(genMs)}`,
  );

  // Warm the page cache once so neither side of the ratio pays for cold reads.
  await gitOut(dir, ['log', '--first-parent', '--raw', '--no-abbrev', 'main']);
  const runs = 3;
  const best = async (f: () => Promise<unknown>) => {
    let b = Infinity;
    for (let i = 0; i < runs; i++) b = Math.min(b, (await time(f))[1]);
    return b;
  };
  const plainLog = await best(() => gitOut(dir, ['log', '--first-parent', '--raw', 'main']));
  const sameLog = await best(() => gitOut(dir, indexLogArgs('main')));
  // The walk the index took before: the same log limited by a `**/key.yaml` glob pathspec.
  const globLog = await best(() => gitOut(dir, historyLogArgs('main')));
  let index: Awaited<ReturnType<typeof buildHistoryIndex>> | undefined;
  const indexMs = await best(async () => (index = await buildHistoryIndex(dir, 'main', { env })));

  // Where the time goes: the same steps buildHistoryIndex takes, one at a time.
  const logText = await new Promise<string>((res) => {
    const p = spawn('git', indexLogArgs('main'), { cwd: dir, env });
    const out: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.once('close', () => res(Buffer.concat(out).toString('utf8')));
  });
  const [parsed, parseMs] = await time(async () =>
    parseHistoryLog(logText)
      .reverse()
      .map((c) => ({ ...c, changes: c.changes.filter((x) => parseKeyFilePath(x.path)) })),
  );
  const oids = parsed.flatMap((c) =>
    c.changes.filter((x) => x.status !== 'D').map((x) => x.newOid),
  );
  const [blobs, catMs] = await time(() => readBlobs(dir, oids, { env }));
  const [, foldMs] = await time(async () => {
    const b = new HistoryIndexBuilder();
    for (const c of parsed)
      b.add({
        commit: { sha: c.sha, time: c.time, author: c.author },
        changes: c.changes.map((x) => ({
          keyId: parseKeyFilePath(x.path)!,
          file: x.path,
          kind: 'written' as const,
          content: blobs.get(x.newOid)!,
        })),
      });
    return b.finish();
  });

  const versions = [...index!.keys.values()].reduce((n, k) => n + k.versions.size, 0);
  console.log(
    `index: ${index!.commits} commits, ${index!.keys.size} keys, ${versions} versions, ${index!.problems.length} problems`,
  );
  console.log(
    `buildHistoryIndex          ${ms(indexMs)} (best of ${runs}); ${((indexMs / COMMITS) * 1000).toFixed(1)} µs per commit; target < 3000 ms`,
  );
  console.log(
    `git log --first-parent --raw (whole tree)      ${ms(plainLog)}  ratio ${(indexMs / plainLog).toFixed(2)}`,
  );
  figure({
    name: `history: buildHistoryIndex, ${COMMITS} commits`,
    value: indexMs,
    unit: 'ms',
    target: { op: '<', value: 3000 },
  });
  console.log(
    `git log with the index's own arguments         ${ms(sameLog)}  ratio ${(indexMs / sameLog).toFixed(2)}`,
  );
  console.log(
    `git log with the ** glob the index used before  ${ms(globLog)}  (the prefix: ${ms(sameLog)})`,
  );
  console.log(
    `breakdown: log ${ms(sameLog)}, parse ${ms(parseMs)}, cat-file ${blobs.size} blobs ${ms(catMs)}, fold ${ms(foldMs)}`,
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores (figures are wall time: a busy machine inflates them)`,
  );
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  if (KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
