// One audit (or one history index) of a repository, in a process of its own, so that its peak
// RSS is its own and not the generator's or the benchmark's: bench/audit.bench.ts runs it.
// Prints one JSON line: { ms, cpuSelf, cpuGit, rssMiB, renderRssMiB?, allFormatsRssMiB?, bytes?,
// commits, keys, versions, findings? }.
// Run: node bench/audit-child.ts <repo-dir> <now-iso> audit|history
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildHistoryIndex } from '../src/adapters/git/history.ts';
import { localAuditPorts, writeAuditFiles } from '../src/cli/commands/audit.ts';
import { audit } from '../src/commands/audit.ts';
import { summaryMarkdown } from '../src/core/audit/index.ts';

const [dir, nowIso, what = 'audit'] = process.argv.slice(2);
if (!dir || !nowIso) throw new Error('usage: audit-child.ts <repo-dir> <now-iso> audit|history');
const env = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const rss = () => process.resourceUsage().maxRSS / 1024;
/** CPU seconds of this process, and of its exited children (git) from /proc/self/stat. */
const cpuSelf = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const cpuGit = () => {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return Number.NaN;
  }
};

const t0 = performance.now();
if (what === 'history') {
  const index = await buildHistoryIndex(dir, 'main', { env });
  const ms = performance.now() - t0;
  const versions = [...index.keys.values()].reduce((n, k) => n + k.versions.size, 0);
  console.log(
    JSON.stringify({
      ms,
      cpuSelf: cpuSelf(),
      cpuGit: cpuGit(),
      rssMiB: rss(),
      commits: index.commits,
      keys: index.keys.size,
      versions,
    }),
  );
} else {
  const report = await audit({ ref: 'main', now: new Date(nowIso) }, localAuditPorts(dir));
  const ms = performance.now() - t0;
  const cpu = { cpuSelf: cpuSelf(), cpuGit: cpuGit() };
  const rssMiB = rss();
  // The job summary as the action makes it, then the four files as `rekey audit` and the
  // action write them by default (writeAuditFiles): the peak of a whole run.
  summaryMarkdown(report, 'rekey-audit');
  const mdRssMiB = rss();
  const out = mkdtempSync(join(tmpdir(), 'rekey-bench-audit-out-'));
  const sizes: Record<string, number> = {};
  try {
    for (const path of await writeAuditFiles(report, out))
      sizes[basename(path).replace('audit.', '')] = statSync(path).size;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      ms,
      ...cpu,
      rssMiB,
      renderRssMiB: mdRssMiB,
      allFormatsRssMiB: rss(),
      bytes: sizes,
      commits: report.manifestCommits,
      keys: report.keys.length,
      versions: report.keys.reduce((n, k) => n + k.versions.length, 0),
      findings: report.findings.length,
    }),
  );
}
