/**
 * The job summary of a distribution run: the outcome, one table row per key and target (what
 * was done, which version went to which slot, fingerprints), then problems and the failure
 * issues. Built from the result and its evidence document only, so it holds what they hold:
 * names, versions, fingerprints, never a value.
 */
import { DISTRIBUTION_CONTEXT } from '../distribution-evidence.ts';
import type { DistributeResult } from './types.ts';

/** One table cell: no line breaks, no table or HTML syntax, no code spans, links or emphasis. */
const cell = (s: string): string =>
  s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[|\\`*[\]]/g, (c) => `\\${c}`);

const HEADLINE: Record<DistributeResult['outcome'], string> = {
  converged: 'Every key converged.',
  failed: 'Some keys were not distributed; see the problems and issues below.',
  superseded: 'Superseded: the default branch moved past this commit. Nothing was written.',
  busy: 'Another run holds the distribution lease. Nothing was written.',
  'preflight-failed': 'Preflight failed. Nothing was written to any target.',
  invalid: 'The manifest is invalid. Nothing was written.',
  'dry-run': 'Dry run: the plan below was not applied.',
};

export function renderDistributeSummary(result: DistributeResult): string {
  const ev = result.evidence;
  const out = [
    '## rekey distribute',
    '',
    `${HEADLINE[result.outcome]} Commit \`${result.commit.slice(0, 12)}\`${result.status ? `, status ${DISTRIBUTION_CONTEXT} = **${result.status}**` : ''}.`,
    '',
  ];
  if (result.keys.length > 0) {
    out.push(
      '| key | target | outcome | what changed | version -> slot |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const key of ev.keys) {
      if (key.targets.length === 0)
        out.push(`| ${cell(key.key)} | (no targets) | ${key.outcome} | | |`);
      for (const t of key.targets) {
        const changed =
          t.steps.length === 0
            ? t.outcome === 'unchanged'
              ? 'nothing to do'
              : ''
            : t.steps
                .map((s) =>
                  cell(
                    `${s.outcome === 'failed' ? 'FAILED ' : s.outcome === 'planned' ? 'would ' : ''}${s.step}`,
                  ),
                )
                .join('<br>');
        // Which probes confirmed (or refuted) which version: versions and fingerprints only.
        const probed = (t.probes ?? []).map((p) =>
          cell(`probe ${p.outcome} v${p.version}${p.detail ? ` (${p.detail})` : ''}`),
        );
        const outcome =
          key.outcome === 'halted' || key.outcome === 'skipped' || key.outcome === 'held'
            ? `${t.outcome} (key ${key.outcome})`
            : t.outcome;
        out.push(
          `| ${cell(key.key)} | ${cell(t.where)} | ${outcome} | ${[changed, ...probed].filter((x) => x !== '').join('<br>')} | ${t.desired.map(cell).join('<br>')} |`,
        );
      }
    }
    out.push('');
  }
  if (ev.removals.length > 0) {
    out.push(
      '### Material no key claims any more',
      '',
      'Removed from the targets where rekey wrote it (its receipts prove it), or kept and reported.',
      '',
      '| key | where | outcome | what |',
      '| --- | --- | --- | --- |',
    );
    for (const r of ev.removals)
      out.push(
        `| ${cell(r.key ?? '(unknown: an old receipt)')} | ${cell(r.where)} | ${r.outcome} | ${cell(`${r.outcome === 'planned' ? 'would ' : ''}${r.step}${r.error ? `: ${r.error}` : ''}`)} |`,
      );
    out.push('');
  }
  if (result.tampering)
    out.push(
      "### The state ref was not rekey's",
      '',
      `${cell(result.tampering)} See docs/distribute-state.md, "Who wrote the state".`,
      '',
    );
  const held = result.keys.filter((k) => k.outcome === 'held');
  if (held.length > 0)
    out.push(
      '### Held for a re-wrap',
      '',
      `.sops.yaml names other recipients than the material of these keys is wrapped for, so nothing was written to their targets. ${result.rewrap ? `Review and merge the re-wrap pull request #${result.rewrap.number} (${result.rewrap.outcome} by this run): ${result.rewrap.url}` : 'A distribution run opens the rekey/rewrap pull request; or run `rekey sops rewrap` from a clone.'}`,
      '',
      ...held.map((k) => `- ${cell(k.key)}`),
      '',
    );
  const problems = [
    ...result.problems,
    ...ev.keys.flatMap((k) =>
      k.targets.flatMap((t) => t.errors.map((e) => `${k.key}: ${t.where}: ${e}`)),
    ),
  ];
  const unique = [...new Set(problems)];
  if (unique.length > 0) out.push('### Problems', '', ...unique.map((p) => `- ${cell(p)}`), '');
  const issues = result.keys.filter((k) => k.issue !== undefined);
  if (issues.length > 0)
    out.push(
      '### Failure issues',
      '',
      ...issues.map((k) => `- ${cell(k.key)} (${k.outcome}): ${k.issue}`),
      '',
    );
  if (ev.receipts !== null) out.push(`Receipts stored with the lease: ${ev.receipts}.`, '');
  return `${out.join('\n')}\n`;
}
