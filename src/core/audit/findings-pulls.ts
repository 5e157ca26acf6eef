/**
 * Findings from the pull request that merged each manifest commit (GitHub evidence): approvals
 * missing, by the author or by a bot, and changes that landed without a pull request.
 */
import type { AuditPolicy, Finding, PullEvidence } from './model.ts';
import type { FindingInput } from './findings.ts';
import { findingCommit } from './timeline.ts';

/** Approvals and direct pushes, from the PR that merged each manifest commit. */
export function pullFindings({ history, policies, link, github }: FindingInput): Finding[] {
  if (!github) return [];
  const out: Finding[] = [];
  for (const c of history.commits) {
    if (!github.pulls.has(c.commit.sha)) continue; // not asked: reported in notChecked
    const pull = github.pulls.get(c.commit.sha) ?? null;
    const commits = [findingCommit(c.commit, link)];
    const keys = c.keys.length > 0 ? c.keys : [...new Set(c.materials.map((m) => m.keyId))];
    // The repository's first commit created the branch: there was nothing to protect yet.
    if (pull === null && c.parents.length === 0) continue;
    if (pull === null) {
      out.push({
        rule: 'audit/direct-push',
        severity: 'high',
        ...(keys.length === 1 ? { key: keys[0]! } : {}),
        commits,
        message: `${c.commit.sha.slice(0, 12)} (${c.commit.author}) changed ${[...keys, ...(c.policies ?? []), ...(c.sopsConfig ? ['.sops.yaml'] : [])].join(', ') || 'the manifest'} on the default branch without a merged pull request.`,
      });
      continue;
    }
    const ref = { number: pull.number, url: pull.url };
    const at = `PR #${pull.number}`;
    for (const a of pull.approvals) {
      if (a.login === pull.author)
        out.push({
          rule: 'audit/approval-by-author',
          severity: 'high',
          ...(keys.length === 1 ? { key: keys[0]! } : {}),
          commits,
          pull: ref,
          message: `${at} was approved by its own author, ${a.login}; that approval does not count.`,
        });
      else if (a.bot)
        out.push({
          rule: 'audit/approval-by-bot',
          severity: 'high',
          ...(keys.length === 1 ? { key: keys[0]! } : {}),
          commits,
          pull: ref,
          message: `${at} was approved by the bot ${a.login}; a bot's approval does not count.`,
        });
    }
    const required = requiredApprovals(pull, keys, policies);
    const counted = pull.approvals.filter((a) => !a.bot && a.login !== pull.author).length;
    if (counted < required)
      out.push({
        rule: 'audit/approval-missing',
        severity: 'high',
        ...(keys.length === 1 ? { key: keys[0]! } : {}),
        commits,
        pull: ref,
        message:
          `${at} (by ${pull.author}, merged by ${pull.mergedBy ?? 'unknown'}) had ${counted} of ${required} required approval${required === 1 ? '' : 's'} from people other than the author at the merged head` +
          (pull.staleApprovals.length > 0
            ? `; approvals at an older head by ${pull.staleApprovals.join(', ')} were not counted.`
            : '.'),
      });
  }
  return out;
}

function requiredApprovals(
  pull: PullEvidence,
  keys: readonly string[],
  policies: ReadonlyMap<string, AuditPolicy>,
): number {
  const emergency = pull.labels.includes('rekey:emergency');
  let required = 1;
  for (const k of keys) {
    const p = policies.get(k);
    if (!p) continue;
    required = Math.max(
      required,
      emergency && p.emergencyApprovals !== undefined ? p.emergencyApprovals : p.approvals,
    );
  }
  return required;
}
