/**
 * The audit report: timelines and findings from one pass over history, plus what GitHub
 * added when there was a token, and what could not be checked without one. Pure; time passed in.
 */
import type { AuditHistory, AuditPolicy, AuditReport, GitHubEvidence } from './model.ts';
import { auditFindings } from './findings.ts';
import { destructions, keyReports, type CommitLinker } from './timeline.ts';

export interface AuditReportInput {
  readonly history: AuditHistory;
  readonly policies: ReadonlyMap<string, AuditPolicy>;
  readonly now: Date;
  readonly since?: Date;
  readonly ref: string;
  readonly head?: string;
  /** `owner/name`, when known: commit links need it. */
  readonly repository?: string;
  /** `https://github.com` or a GHES server URL, for links. */
  readonly serverUrl?: string;
  readonly github?: GitHubEvidence;
  /** Why GitHub was not asked, when it was not (no token, no repository). */
  readonly withoutGitHub?: string;
  readonly graceToleranceMs: number;
  /** pipeline.yaml `pull-authors` at the audited ref (audit/material-by-person). */
  readonly pullAuthors?: readonly string[];
}

/** The checks that need GitHub, named for the "not checked" list. */
export const GITHUB_CHECKS = [
  'approvals (audit/approval-missing, audit/approval-by-author, audit/approval-by-bot)',
  'direct pushes (audit/direct-push)',
  'distribution before destruction (audit/destroyed-unproven, audit/destroyed-within-grace)',
] as const;

export function buildAuditReport(input: AuditReportInput): AuditReport {
  const { history, repository, serverUrl } = input;
  const link: CommitLinker = (sha) =>
    repository && serverUrl
      ? `${serverUrl.replace(/\/+$/, '')}/${repository}/commit/${sha}`
      : undefined;
  const findings = auditFindings({
    history,
    policies: input.policies,
    now: input.now,
    link,
    graceToleranceMs: input.graceToleranceMs,
    ...(input.since ? { since: input.since } : {}),
    ...(input.github ? { github: input.github } : {}),
    ...(input.pullAuthors ? { pullAuthors: input.pullAuthors } : {}),
  });
  const notChecked: string[] = [];
  if (input.github) notChecked.push(...input.github.notes);
  else {
    for (const c of GITHUB_CHECKS)
      notChecked.push(`${c}: ${input.withoutGitHub ?? 'no GitHub token was given'}`);
    if (destructions(history).length > 0)
      notChecked.push('so every destroyed version’s successor is unproven (not a finding)');
  }
  const missingPolicy = [...history.index.keys.keys()].filter((k) => !input.policies.has(k));
  if (missingPolicy.length > 0)
    notChecked.push(
      `cryptoperiod and grace of ${missingPolicy.join(', ')}: no readable key.yaml and policy at ${input.ref}`,
    );
  return {
    schema: 'rekey.audit/v1',
    generatedAt: input.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(repository ? { repository } : {}),
    ref: input.ref,
    ...(input.head ? { head: input.head } : {}),
    ...(input.since ? { since: input.since.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    manifestCommits: history.commits.length,
    github: {
      enriched: input.github !== undefined,
      calls: input.github?.calls ?? 0,
      budget: input.github?.budget ?? 0,
      notChecked,
    },
    keys: keyReports(history, input.policies, link, input.github?.pulls ?? new Map(), input.since),
    findings,
  };
}
