/** The campaign's report, as `npm run chaos` prints it (Markdown, secret-free). */
import type { CampaignReport } from './campaign.ts';

export function renderReport(r: CampaignReport, command: string): string {
  const lines: string[] = [];
  const classes = Object.entries(r.faults).filter(([, n]) => n > 0).length;
  const total = Object.values(r.faults).reduce((a, b) => a + b, 0);
  lines.push(`# rekey chaos campaign, seed ${r.seed}`, '');
  lines.push(`command: \`${command}\``, '');
  lines.push(
    `${r.lifecycles} lifecycles in ${r.worlds} worlds (${r.steps} steps, ${r.runs} runs), ${total} faults of ${classes} classes, ${r.violations.length} invariant violations; ${r.wallSeconds.toFixed(0)} s wall clock.`,
    '',
  );
  lines.push('| fault class | injected |', '| --- | ---: |');
  for (const [k, n] of Object.entries(r.faults)) lines.push(`| ${k} | ${n} |`);
  lines.push('', '| run: outcome | runs |', '| --- | ---: |');
  for (const [k, n] of Object.entries(r.outcomes).sort()) lines.push(`| ${k} | ${n} |`);
  lines.push(
    '',
    `writes per converged key version: ${r.writesPerConverged.toFixed(1)} API writes, ${r.secretWritesPerConverged.toFixed(2)} secret writes`,
    `slowest convergence after a fault: ${r.slowestConvergenceHours.toFixed(1)} h of virtual time`,
  );
  if (r.violations.length > 0) {
    lines.push('', '## violations', '');
    for (const v of r.violations)
      lines.push(
        `- ${v.invariant}: ${v.detail} (seed ${v.seed}, world ${v.world}, step "${v.step}"); replay: \`${v.replay}\``,
      );
  }
  return lines.join('\n');
}
