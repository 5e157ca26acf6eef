/**
 * `rekey doctor`: checks a repository's setup against DESIGN.md. The local checks read the
 * checkout (workflows, CODEOWNERS, `.sops.yaml`); with a token, the remote checks read the
 * default branch's rulesets and protection and the scheduled workflows' state and runs. A
 * check that cannot run (no token, a permission the token lacks) is listed as skipped with
 * the reason, never silently passed. Read-only: doctor writes nothing anywhere.
 */
import { checkLocal } from '../core/doctor/local.ts';
import { finding, type DoctorFinding } from '../core/doctor/findings.ts';
import { checkProtection, checkSchedules, DEFAULT_VERIFY_CHECK } from '../core/doctor/remote.ts';
import { checkReviewers, reviewerRefs } from '../core/doctor/reviewers.ts';
import { doctorReport, type DoctorReport, type SkippedCheck } from '../core/doctor/report.ts';
import { isGitHubError } from '../core/ports/github.ts';
import type {
  ClassicProtection,
  RepoSettingsPort,
  WorkflowRunInfo,
} from '../core/ports/repo-settings.ts';
import type { ReviewerLookupPort } from '../core/ports/reviewers.ts';
import type { FileTree } from '../core/snapshot.ts';

export const LOCAL_CHECKS = [
  'workflows',
  'concurrency',
  'workflow-tokens',
  'codeowners',
  'sops-recipients',
];
export const REMOTE_CHECKS = [
  'token-kind',
  'branch-protection',
  'scheduled-workflows',
  'reviewers',
];

/** Runs read per scheduled workflow: enough to find the last scheduled one among dispatches. */
const RUNS_PER_WORKFLOW = 20;

export interface DoctorInput {
  /** The checkout's files: `.github/`, CODEOWNERS locations, `.sops.yaml`, keys-manifest/. */
  readonly tree: FileTree;
  readonly now: Date;
  /** The required check's name (default `rekey verify`). */
  readonly verifyCheck?: string;
  /**
   * The kind of token the remote checks use (classifyToken), or why there is none. Without a
   * token only the local checks run.
   */
  readonly token: { readonly kind: string } | { readonly missing: string };
}

export interface DoctorPorts {
  readonly settings: RepoSettingsPort;
  /** Owners and reviewers; without it the `reviewers` check is listed as skipped. */
  readonly reviewers?: ReviewerLookupPort;
}

const reason = (e: unknown): string =>
  isGitHubError(e)
    ? `${e.status} ${e.code}${e.acceptedPermissions ? `; the token needs ${e.acceptedPermissions}` : ''}`
    : e instanceof Error
      ? e.message
      : String(e);

export async function doctor(input: DoctorInput, ports?: DoctorPorts): Promise<DoctorReport> {
  const local = checkLocal(input.tree);
  const findings: DoctorFinding[] = [...local.findings];
  const checked = [...LOCAL_CHECKS];
  const skipped: SkippedCheck[] = [];

  if ('missing' in input.token || !ports) {
    const why = 'missing' in input.token ? input.token.missing : 'no GitHub access was given';
    for (const check of REMOTE_CHECKS) skipped.push({ check, reason: why });
    return doctorReport(findings, checked, skipped);
  }

  checked.push('token-kind');
  if (input.token.kind === 'personal-access-token')
    findings.push(
      finding(
        'doctor/token-classic-pat',
        'doctor runs with a classic personal access token',
        'the token doctor was given',
      ),
    );

  const { settings } = ports;
  let branch: string | undefined;
  try {
    branch = await settings.defaultBranch();
  } catch (e) {
    skipped.push({
      check: 'branch-protection',
      reason: `the repository could not be read: ${reason(e)}`,
    });
  }
  if (branch !== undefined) {
    try {
      const rules = await settings.branchRules(branch);
      let classic: ClassicProtection | null | { unreadable: string };
      try {
        classic = await settings.branchProtection(branch);
      } catch (e) {
        if (!isGitHubError(e, 'forbidden') && !isGitHubError(e, 'unauthorized')) throw e;
        classic = { unreadable: reason(e) };
      }
      findings.push(
        ...checkProtection({
          branch,
          classic,
          rules,
          verifyCheck: input.verifyCheck ?? DEFAULT_VERIFY_CHECK,
          ...(local.verifyOnMergeGroup === undefined
            ? {}
            : { verifyOnMergeGroup: local.verifyOnMergeGroup }),
        }),
      );
      checked.push('branch-protection');
    } catch (e) {
      skipped.push({ check: 'branch-protection', reason: reason(e) });
    }
  }

  if (local.scheduled.length === 0) {
    checked.push('scheduled-workflows');
  } else {
    try {
      const remote = await settings.listWorkflows();
      const runs = new Map<number, readonly WorkflowRunInfo[]>();
      for (const wf of local.scheduled) {
        const r = remote.find((w) => w.path === wf.file);
        if (r && r.state === 'active')
          runs.set(
            r.id,
            await settings.recentRuns(r.path.slice(r.path.lastIndexOf('/') + 1), RUNS_PER_WORKFLOW),
          );
      }
      findings.push(...checkSchedules({ local: local.scheduled, remote, runs, now: input.now }));
      checked.push('scheduled-workflows');
    } catch (e) {
      skipped.push({ check: 'scheduled-workflows', reason: reason(e) });
    }
  }

  if (!ports.reviewers)
    skipped.push({ check: 'reviewers', reason: 'no reviewer lookup was given' });
  else {
    const reviewers = await checkReviewers(reviewerRefs(input.tree), ports.reviewers, reason);
    findings.push(...reviewers.findings);
    if (reviewers.skipped.length === 0) checked.push('reviewers');
    else skipped.push({ check: 'reviewers', reason: reviewers.skipped.join('; ') });
  }
  return doctorReport(findings, checked, skipped);
}
