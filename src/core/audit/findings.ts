/**
 * The audit's findings, each a rule id, the key and version, the commits (with links) and a
 * plain sentence. Pure: history, policies, GitHub's evidence (when there is a token) and the
 * time are passed in. A history made by rekey's own flows yields none.
 *
 * Times are committer times on first-parent history of the default branch (DESIGN principle
 * 7): when a change landed, not when someone typed it.
 */
import { describeMs, durationMs } from '../duration.ts';
import type { CommitRef } from '../history/model.ts';
import { provenanceFindings } from './findings-provenance.ts';
import { pullFindings } from './findings-pulls.ts';
import { recipientFindings } from './findings-recipients.ts';
import {
  destructionSubject,
  type AuditHistory,
  type AuditPolicy,
  type Finding,
  type GitHubEvidence,
} from './model.ts';
import {
  activePeriod,
  commitPositions,
  destructions,
  findingCommit,
  type CommitLinker,
} from './timeline.ts';

export interface FindingInput {
  readonly history: AuditHistory;
  /** key id -> its policy, from the audited ref's tree. */
  readonly policies: ReadonlyMap<string, AuditPolicy>;
  readonly now: Date;
  /** Findings whose commits all precede this are left out. */
  readonly since?: Date;
  readonly link: CommitLinker;
  readonly github?: GitHubEvidence;
  /**
   * How long past its grace a deactivated version may stay before `grace-exceeded`: the
   * revocation needs a scheduled run, a review and a merge after the grace ends.
   */
  readonly graceToleranceMs: number;
  /** pipeline.yaml `pull-authors` at the audited ref; unset: provenance is not judged. */
  readonly pullAuthors?: readonly string[];
}

const ms = (c: CommitRef) => Date.parse(c.time);

export function auditFindings(input: FindingInput): Finding[] {
  const out: Finding[] = [
    ...lifetimeFindings(input),
    ...destructionFindings(input),
    ...recipientFindings(input),
    ...pullFindings(input),
    ...provenanceFindings(input),
    ...problemFindings(input),
  ];
  const cutoff = input.since?.getTime();
  const kept =
    cutoff === undefined
      ? out
      : out.filter(
          (f) =>
            f.ongoing === true ||
            f.commits.some((c) => Date.parse(c.time) >= cutoff) ||
            f.commits.length === 0,
        );
  return kept.sort(
    (a, b) =>
      (a.commits[0]?.time ?? '').localeCompare(b.commits[0]?.time ?? '') ||
      a.rule.localeCompare(b.rule) ||
      (a.key ?? '').localeCompare(b.key ?? ''),
  );
}

/** Cryptoperiod and grace: how long each version stayed active, and deactivated. */
function lifetimeFindings({ history, policies, now, link, graceToleranceMs }: FindingInput) {
  const out: Finding[] = [];
  const pos = commitPositions(history);
  for (const [keyId, key] of history.index.keys) {
    const policy = policies.get(keyId);
    if (!policy) continue;
    const cryptoperiod = durationMs(policy.cryptoperiod);
    const grace = durationMs(policy.grace);
    for (const [version, v] of key.versions) {
      const period = activePeriod(v.entered, pos);
      if (period) {
        const end = period.until ? ms(period.until) : now.getTime();
        const over = end - ms(period.from) - cryptoperiod;
        if (over > 0 && !(key.removed && !period.until))
          out.push({
            rule: 'audit/cryptoperiod-exceeded',
            severity: 'high',
            key: keyId,
            version,
            commits: [period.from, ...(period.until ? [period.until] : [])].map((c) =>
              findingCommit(c, link),
            ),
            ...(period.until ? {} : { ongoing: true }),
            message: period.until
              ? `v${version} of ${keyId} was active from ${period.from.time} to ${period.until.time}, ${describeMs(over)} longer than its ${policy.cryptoperiod} cryptoperiod (policy ${policy.name}).`
              : `v${version} of ${keyId} has been active since ${period.from.time}, ${describeMs(over)} longer than its ${policy.cryptoperiod} cryptoperiod (policy ${policy.name}); rotate it.`,
          });
      }
      // A compromised version has no grace: it leaves every target at once and is destroyed
      // by the next revocation; past the tolerance, that has not happened.
      const compromised = v.entered.compromised;
      if (compromised && (v.state === 'compromised' || v.entered.destroyed)) {
        const until = v.entered.destroyed;
        const over = (until ? ms(until) : now.getTime()) - ms(compromised) - graceToleranceMs;
        if (over > 0 && !(key.removed && !until))
          out.push({
            rule: 'audit/grace-exceeded',
            severity: 'high',
            key: keyId,
            version,
            commits: [compromised, ...(until ? [until] : [])].map((c) => findingCommit(c, link)),
            ...(until ? {} : { ongoing: true }),
            message: until
              ? `v${version} of ${keyId} was compromised at ${compromised.time} and destroyed only at ${until.time}; a compromised version has no grace (tolerance ${describeMs(graceToleranceMs)}, exceeded by ${describeMs(over)}).`
              : `v${version} of ${keyId} has been compromised since ${compromised.time} and is not destroyed; a compromised version has no grace (tolerance ${describeMs(graceToleranceMs)}, exceeded by ${describeMs(over)}); revoke it.`,
          });
      }
      const deactivated = v.entered.deactivated;
      if (deactivated && (v.state === 'deactivated' || v.entered.destroyed)) {
        const until = v.entered.destroyed;
        const end = until ? ms(until) : now.getTime();
        const over = end - ms(deactivated) - grace;
        if (over > graceToleranceMs && !(key.removed && !until))
          out.push({
            rule: 'audit/grace-exceeded',
            severity: 'medium',
            key: keyId,
            version,
            commits: [deactivated, ...(until ? [until] : [])].map((c) => findingCommit(c, link)),
            ...(until ? {} : { ongoing: true }),
            message: until
              ? `v${version} of ${keyId} stayed deactivated from ${deactivated.time} until it was destroyed at ${until.time}, ${describeMs(over)} past its ${policy.grace} grace (tolerance ${describeMs(graceToleranceMs)}).`
              : `v${version} of ${keyId} has been deactivated since ${deactivated.time}, ${describeMs(over)} past its ${policy.grace} grace (tolerance ${describeMs(graceToleranceMs)}); revoke it.`,
          });
      }
    }
  }
  return out;
}

/** Destroyed versions: proof of the successor's distribution, grace, and the material file. */
function destructionFindings({ history, policies, link, github }: FindingInput): Finding[] {
  const out: Finding[] = [];
  // Whether each destroyed version's material file was still there after its destroying
  // commit: material files present are tracked commit by commit, checked at those commits.
  const all = destructions(history);
  const bySha = new Map<string, typeof all>();
  for (const d of all) bySha.set(d.destroyed.sha, [...(bySha.get(d.destroyed.sha) ?? []), d]);
  const present = new Set<string>();
  const stayed = new Set<(typeof all)[number]>();
  const deletedAt = new Map<string, CommitRef>();
  for (const c of history.commits) {
    for (const m of c.materials)
      if (m.kind === 'written') present.add(m.file);
      else {
        present.delete(m.file);
        if (!deletedAt.has(m.file)) deletedAt.set(m.file, c.commit);
      }
    for (const d of bySha.get(c.commit.sha) ?? [])
      if (present.has(`keys-manifest/${d.keyId}/v${d.version}.sops.yaml`)) stayed.add(d);
  }
  for (const d of all) {
    const { keyId, version, destroyed } = d;
    const file = `keys-manifest/${keyId}/v${version}.sops.yaml`;
    if (stayed.has(d)) {
      const later = deletedAt.get(file);
      const removedLater = later && ms(later) >= ms(destroyed) && later.sha !== destroyed.sha;
      out.push({
        rule: 'audit/material-not-removed',
        severity: 'high',
        key: keyId,
        version,
        commits: [destroyed, ...(removedLater ? [later] : [])].map((c) => findingCommit(c, link)),
        message: removedLater
          ? `v${version} of ${keyId} was destroyed at ${destroyed.time} but ${file} stayed in the tree until ${later.time}.`
          : `v${version} of ${keyId} was destroyed at ${destroyed.time} but ${file} is still in the tree; delete it.`,
      });
    }
    if (!github) continue;
    const proof = github.distribution.get(destructionSubject(keyId, version));
    if (!proof || proof.result === 'unchecked') continue; // reported in notChecked
    const successor = d.successor;
    if (proof.result === 'unproven' || !successor) {
      out.push({
        rule: 'audit/destroyed-unproven',
        severity: 'high',
        key: keyId,
        version,
        commits: [...(successor ? [successor.activeSince] : []), destroyed].map((c) =>
          findingCommit(c, link),
        ),
        message: successor
          ? `v${version} of ${keyId} was destroyed at ${destroyed.time}, but no rekey/distribution success for v${successor.version} (active since ${successor.activeSince.sha.slice(0, 12)}) came before it.`
          : `v${version} of ${keyId} was destroyed at ${destroyed.time} while no other version was active, so nothing had been proven distributed in its place.`,
      });
      continue;
    }
    const policy = policies.get(keyId);
    if (d.from === 'deactivated' && policy) {
      const age = ms(destroyed) - Date.parse(proof.at);
      const grace = durationMs(policy.grace);
      if (age < grace)
        out.push({
          rule: 'audit/destroyed-within-grace',
          severity: 'medium',
          key: keyId,
          version,
          commits: [
            proof.sha === successor.activeSince.sha
              ? successor.activeSince
              : { sha: proof.sha, time: proof.at, author: '' },
            destroyed,
          ].map((c) => findingCommit(c, link)),
          message: `v${version} of ${keyId} was destroyed ${describeMs(Math.max(0, age))} after v${successor.version} was proven distributed (${proof.at}); its grace is ${policy.grace}.`,
        });
    }
  }
  return out;
}

function problemFindings({ history, link }: FindingInput): Finding[] {
  return history.index.problems.map((p) => {
    const key = /^keys-manifest\/(.+)\/key\.yaml$/.exec(p.file)?.[1];
    return {
      rule: p.rule,
      severity: 'review' as const,
      ...(key ? { key } : {}),
      commits: [findingCommit(p.commit, link)],
      message: `${p.file} at ${p.commit.time}: ${p.message}.`,
    };
  });
}
