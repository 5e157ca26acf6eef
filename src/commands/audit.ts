/**
 * The audit use case (DESIGN "Flows: audit"): one pass over first-parent history rebuilds each
 * version's timeline; with GitHub ports it adds, per manifest commit, the pull request that
 * merged it, its author, who merged it and its approvals, and for each destroyed version the
 * distribution proof of its successor. Findings and timelines come back as a typed report;
 * the renderers turn it into Markdown, JSON, CSV and HTML.
 *
 * GitHub calls are bounded by `maxCalls` (default {@link DEFAULT_AUDIT_MAX_CALLS}): statuses
 * first (about one call per destroyed version), then pull requests newest commit first, 2-3
 * calls each (commits/{sha}/pulls, pulls/{n} for who merged it, reviews). Commits the budget
 * does not reach are listed as not checked, never guessed.
 */
import type { Progress } from '../core/progress.ts';
import { durationMs } from '../core/duration.ts';
import {
  buildAuditReport,
  destructionSubject,
  destructions,
  renderAuditCsv,
  renderAuditHtml,
  renderAuditJson,
  renderAuditMarkdown,
  writeAuditCsv,
  writeAuditHtml,
  writeAuditJson,
  writeAuditMarkdown,
  type Approval,
  type AuditHistory,
  type AuditPolicy,
  type AuditReport,
  type DistributionProof,
  type Emit,
  type GitHubEvidence,
  type PullEvidence,
} from '../core/audit/index.ts';
import { parseKeyFilePath } from '../core/formats/key-id.ts';
import { pipelineDocument, policyDocument, type PolicyDocument } from '../core/formats/policy.ts';
import { parseYaml } from '../core/yaml/index.ts';
import type { AuditPullsPort, PullReview, StatusPort } from '../core/ports/github.ts';
import type { FileTree } from '../core/snapshot.ts';
import { readDistributionEvidence } from './distribution-evidence.ts';

export { renderAuditCsv, renderAuditHtml, renderAuditJson, renderAuditMarkdown, type AuditReport };

export const AUDIT_FORMATS = ['md', 'json', 'csv', 'html'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];
export const AUDIT_FILE_NAMES: Record<AuditFormat, string> = {
  md: 'audit.md',
  json: 'audit.json',
  csv: 'audit.csv',
  html: 'audit.html',
};

/** GitHub calls at most, per audit. */
export const DEFAULT_AUDIT_MAX_CALLS = 300;
/** How long past its grace a deactivated version may stay before it is a finding. */
export const DEFAULT_GRACE_TOLERANCE = '7d';

export interface AuditPorts {
  /** The one-pass history of `ref` (buildAuditHistory). */
  history(ref: string): Promise<AuditHistory>;
  /**
   * The files at `ref` that give each key's policy (`policies/*.yaml` and key.yaml). Optional:
   * buildAuditHistory carries them (`files`); files given here take precedence.
   */
  tree?(ref: string): Promise<FileTree>;
  /** GitHub, when there is a token; absent: the checks that need it are listed as not made. */
  readonly github?: {
    readonly pulls: AuditPullsPort;
    readonly statuses: Pick<StatusPort, 'listStatuses'>;
    /** First-parent commits of `ref`, oldest first (where distribution statuses live). */
    firstParent(ref: string): Promise<string[]>;
  };
}

export interface AuditInput {
  /** The audited ref (the default branch, or HEAD of its checkout). */
  readonly ref: string;
  /** The commit `ref` resolved to, for the report. */
  readonly head?: string;
  readonly now: Date;
  readonly since?: Date;
  /** `owner/name`, for commit links. */
  readonly repository?: string;
  readonly serverUrl?: string;
  /** The default branch's name: the base a pull request must have merged into. */
  readonly defaultBranch?: string;
  readonly maxCalls?: number;
  /** A duration such as `7d`; default {@link DEFAULT_GRACE_TOLERANCE}. */
  readonly graceTolerance?: string;
  /** Why there are no GitHub ports, for the report (default: no token). */
  readonly withoutGitHub?: string;
  /** Progress lines while GitHub is read per manifest commit (core/progress.ts). */
  readonly progress?: Progress;
}

const POLICY_LINE = /^policy:[ \t]*(["']?)([a-z0-9][a-z0-9-]{0,62})\1[ \t]*(?:#.*)?$/m;

/** The `policy:` of a key.yaml: a top-level line scan, the YAML parser when that finds none. */
function policyName(bytes: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(bytes);
  const m = POLICY_LINE.exec(text);
  if (m) return m[2];
  const parsed = parseYaml('key.yaml', bytes).value as { policy?: unknown } | null | undefined;
  return typeof parsed?.policy === 'string' ? parsed.policy : undefined;
}

/** A pipeline.yaml login list at the audited ref, when the file loads and sets it. */
function loginsAt(
  tree: FileTree,
  field: 'status-creators' | 'pull-authors',
): readonly string[] | undefined {
  const bytes = tree.get('policies/pipeline.yaml');
  if (bytes === undefined) return undefined;
  const doc = pipelineDocument.safeParse(parseYaml('policies/pipeline.yaml', bytes).value);
  return doc.success ? doc.data[field] : undefined;
}
const statusCreatorsAt = (tree: FileTree) => loginsAt(tree, 'status-creators');

/**
 * Each key's policy as the audited ref's tree has it. Only key.yaml files and policies are
 * read; checking the manifest is verify's job, and a file that does not load only leaves its
 * key without a policy (the report says so).
 */
export function policiesAt(tree: FileTree): Map<string, AuditPolicy> {
  const policies = new Map<string, PolicyDocument>();
  for (const [path, bytes] of tree) {
    const m = /^policies\/([^/]+)\.yaml$/.exec(path);
    if (!m) continue;
    const doc = policyDocument.safeParse(parseYaml(path, bytes).value);
    if (doc.success && doc.data.name === m[1]) policies.set(doc.data.name, doc.data);
  }
  const out = new Map<string, AuditPolicy>();
  for (const [path, bytes] of tree) {
    const id = parseKeyFilePath(path);
    const name = id === undefined ? undefined : policyName(bytes);
    const p = name === undefined ? undefined : policies.get(name);
    if (id === undefined || !p) continue;
    out.set(id, {
      name: p.name,
      cryptoperiod: p.cryptoperiod,
      grace: p.grace,
      approvals: p.approvals,
      ...(p.emergency ? { emergencyApprovals: p.emergency.approvals } : {}),
    });
  }
  return out;
}

const isBot = (login: string, type: string) => type === 'Bot' || login.endsWith('[bot]');

/**
 * Approvals that count: per reviewer, the latest review that is not a comment; it counts when
 * it is APPROVED at the head that was merged. An approval at an older head is stale.
 */
export function approvalsAtHead(
  reviews: readonly PullReview[],
  headSha: string,
): { approvals: Approval[]; stale: string[] } {
  const latest = new Map<string, PullReview>();
  for (const r of reviews) {
    if (r.state === 'COMMENTED' || r.state === 'PENDING' || r.login === '') continue;
    latest.set(r.login.toLowerCase(), r);
  }
  const approvals: Approval[] = [];
  const stale: string[] = [];
  for (const r of latest.values()) {
    if (r.state !== 'APPROVED') continue;
    if (r.commitId === headSha)
      approvals.push({ login: r.login, bot: isBot(r.login, r.userType), at: r.submittedAt ?? '' });
    else stale.push(r.login);
  }
  return { approvals, stale };
}

async function gitHubEvidence(
  input: AuditInput,
  history: AuditHistory,
  gh: NonNullable<AuditPorts['github']>,
  /** pipeline.yaml `status-creators` at the audited ref: only their statuses prove anything. */
  statusCreators: readonly string[] | undefined,
): Promise<GitHubEvidence> {
  const budget = input.maxCalls ?? DEFAULT_AUDIT_MAX_CALLS;
  const base = input.defaultBranch ?? 'main';
  const counter = { calls: 0 };
  const notes: string[] = [];
  const cutoff = input.since?.getTime();

  // Distribution: for each destroyed version, a success at or after its successor's activation.
  const distribution = new Map<string, DistributionProof>();
  const inPeriod = destructions(history).filter(
    (d) => cutoff === undefined || Date.parse(d.destroyed.time) >= cutoff,
  );
  const before = inPeriod.filter((d) => d.beforeHistory);
  for (const d of before)
    distribution.set(destructionSubject(d.keyId, d.version), {
      result: 'unchecked',
      reason: 'destroyed before history begins',
    });
  if (before.length > 0)
    notes.push(
      `distribution before destruction of ${before.map((d) => `${d.keyId} v${d.version}`).join(', ')}: already destroyed when history first shows ${before.length === 1 ? 'it' : 'them'}`,
    );
  const wanted = inPeriod.filter((d) => !d.beforeHistory);
  const since = new Map<string, string>();
  for (const d of wanted)
    if (d.successor) since.set(destructionSubject(d.keyId, d.version), d.successor.activeSince.sha);
  if (since.size > 0) {
    const firstParent = await gh.firstParent(input.ref);
    const position = new Map(firstParent.map((s, i) => [s, i] as const));
    // A proof counts only before the destroying commit: statuses after the last destruction
    // are never read, so one unproven version cannot spend the budget on the rest of history.
    const last = Math.max(...wanted.map((d) => position.get(d.destroyed.sha) ?? -1));
    const evidence = await readDistributionEvidence({
      firstParent: firstParent.slice(0, Math.max(0, last)),
      since,
      statuses: gh.statuses,
      max: Math.max(0, budget - counter.calls),
      counter,
      ...(statusCreators ? { trusted: statusCreators } : {}),
    });
    const at = new Map(evidence.records.flatMap((r) => (r.status ? [[r.sha, r.status.at]] : [])));
    let unchecked = 0;
    for (const d of wanted) {
      const subject = destructionSubject(d.keyId, d.version);
      const proof = evidence.provenAt.get(subject);
      const before =
        proof !== undefined &&
        (position.get(proof) ?? Infinity) < (position.get(d.destroyed.sha) ?? -Infinity);
      if (before) distribution.set(subject, { result: 'proven', sha: proof, at: at.get(proof)! });
      else if (proof === undefined && evidence.bounded && since.has(subject)) {
        distribution.set(subject, { result: 'unchecked', reason: 'call budget spent' });
        unchecked++;
      } else distribution.set(subject, { result: 'unproven' });
    }
    if (unchecked > 0)
      notes.push(
        `distribution before destruction of ${unchecked} version(s): the call budget (${budget}) was spent first`,
      );
  } else
    for (const d of wanted)
      distribution.set(destructionSubject(d.keyId, d.version), { result: 'unproven' });

  // Pull requests, newest manifest commit first, while the budget lasts (3 calls at most each).
  const pulls = new Map<string, PullEvidence | null>();
  const commits = history.commits
    .filter((c) => cutoff === undefined || Date.parse(c.commit.time) >= cutoff)
    .reverse();
  let skipped = 0;
  const progress = input.progress?.start('audit', commits.length, 'manifest commits');
  for (const [n, c] of commits.entries()) {
    progress?.at(n);
    if (budget - counter.calls < 3) {
      skipped++;
      continue;
    }
    const found = await gh.pulls.mergedPullForCommit(c.commit.sha, base);
    counter.calls += found.calls;
    if (!found.pull) {
      pulls.set(c.commit.sha, null);
      continue;
    }
    const p = found.pull;
    const r = await gh.pulls.listReviews(p.number);
    counter.calls += r.calls;
    const { approvals, stale } = approvalsAtHead(r.reviews, p.headSha);
    pulls.set(c.commit.sha, {
      number: p.number,
      url: p.url,
      title: p.title,
      author: p.author,
      authorBot: isBot(p.author, p.authorType),
      mergedBy: p.mergedBy,
      mergedAt: p.mergedAt,
      headSha: p.headSha,
      labels: p.labels,
      approvals,
      staleApprovals: stale,
    });
  }
  progress?.at(commits.length);
  progress?.end();
  if (skipped > 0)
    notes.push(
      `approvals and direct pushes of the ${skipped} oldest manifest commit(s): the call budget (${budget}) was spent first; narrow with --since or raise it`,
    );
  return { pulls, distribution, calls: counter.calls, budget, notes };
}

/** Runs the audit: history (one pass), the policies at `ref`, GitHub when given; returns the report. */
export async function audit(input: AuditInput, ports: AuditPorts): Promise<AuditReport> {
  const [history, files] = await Promise.all([
    ports.history(input.ref),
    ports.tree ? ports.tree(input.ref) : new Map<string, Uint8Array>(),
  ]);
  const tree = new Map([...(history.files ?? []), ...files]);
  const pullAuthors = loginsAt(tree, 'pull-authors');
  const github = ports.github
    ? await gitHubEvidence(input, history, ports.github, statusCreatorsAt(tree))
    : undefined;
  return buildAuditReport({
    history,
    policies: policiesAt(tree),
    now: input.now,
    ref: input.ref,
    graceToleranceMs: durationMs(input.graceTolerance ?? DEFAULT_GRACE_TOLERANCE),
    ...(input.head ? { head: input.head } : {}),
    ...(input.since ? { since: input.since } : {}),
    ...(input.repository ? { repository: input.repository } : {}),
    ...(input.serverUrl ? { serverUrl: input.serverUrl } : {}),
    ...(github ? { github } : {}),
    ...(input.withoutGitHub ? { withoutGitHub: input.withoutGitHub } : {}),
    ...(pullAuthors ? { pullAuthors } : {}),
  });
}

/** One format of the report, written piece by piece to `emit` (a file as it is written). */
export function writeAudit(report: AuditReport, format: AuditFormat, emit: Emit): void {
  switch (format) {
    case 'md':
      return writeAuditMarkdown(report, emit);
    case 'json':
      return writeAuditJson(report, emit);
    case 'csv':
      return writeAuditCsv(report, emit);
    case 'html':
      return writeAuditHtml(report, emit);
  }
}

/** One format of the report, as text. */
export function renderAudit(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case 'md':
      return renderAuditMarkdown(report);
    case 'json':
      return renderAuditJson(report);
    case 'csv':
      return renderAuditCsv(report);
    case 'html':
      return renderAuditHtml(report);
  }
}
