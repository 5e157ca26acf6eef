/**
 * Opening the pull request for a PreparedChange: one path for rotate, promote, emergency and
 * revoke. One commit on top of the default branch's head, the branch
 * `rekey/<action>/<key-id>` created atomically, then the PR, its labels and its reviewers.
 *
 * Convergence (DESIGN principle 1): when the branch exists already, another run owns the
 * change. We never write a second branch or version: we read that branch's commit message,
 * and when its trailers describe the same change (key, action, versions) we open the PR for
 * that branch (a lost or crashed owner), or find the PR the owner opened. A branch carrying a
 * different change (a stale branch left behind) is reported, not touched.
 *
 * REST calls for a new PR: commitFiles 3 + createPull 1 + addLabels 1 + requestReviewers 1.
 */
import type { KeyDocument, PolicyDocument } from '../core/formats/index.ts';
import {
  isGitHubError,
  reviewerRequest,
  type BranchHead,
  type GitDataPort,
  type PullsPort,
  type StatusPort,
} from '../core/ports/github.ts';
import { renderPull } from '../core/pull-body.ts';
import type { ChangeAction, PreparedChange } from './changes.ts';

/** What a scheduled run that opens rekey PRs (rotate, revoke) needs of GitHub. */
export interface PullFlowPorts {
  readonly git: Pick<GitDataPort, 'getBranchHead' | 'commitFiles' | 'getCommitMessage'>;
  readonly pulls: Pick<
    PullsPort,
    'listOpenRekeyPulls' | 'createPull' | 'addLabels' | 'requestReviewers'
  >;
  readonly statuses: Pick<StatusPort, 'listStatuses'>;
}

export interface OpenPullPorts {
  readonly git: Pick<GitDataPort, 'commitFiles' | 'getCommitMessage'>;
  readonly pulls: Pick<PullsPort, 'createPull' | 'addLabels' | 'requestReviewers'>;
}

export interface OpenPullInput {
  readonly change: PreparedChange;
  readonly key: KeyDocument;
  readonly policy: PolicyDocument;
  /** The default branch's head: the commit the change is built on. */
  readonly base: BranchHead;
  readonly defaultBranch: string;
  /** The planner's (or the operator's) reason, for the PR body. */
  readonly reason: string;
  /** Emergency: the operator's reason. */
  readonly incident?: string;
  /** Revocation: the gate's verdicts. */
  readonly evidence?: readonly string[];
}

export interface PullRef {
  readonly number: number;
  readonly url: string;
}

interface Opened {
  readonly keyId: string;
  readonly action: ChangeAction;
  readonly branch: string;
  readonly version: number;
  readonly fingerprint: string;
  readonly pull: PullRef;
  /** Things that did not work after the PR was opened (a reviewer GitHub refused). */
  readonly warnings: readonly string[];
}

/**
 * `created`: this run made the branch (and opened or found its PR). `adopted`: the branch
 * was there (another run's), and this run opened its missing PR. `unchanged`: branch and PR
 * were both there. `skipped`: the branch holds a different change, nothing was written.
 */
export type OpenPullResult =
  | (Opened & { readonly outcome: 'created' })
  | (Opened & { readonly outcome: 'adopted' })
  | (Opened & { readonly outcome: 'unchanged' })
  | {
      readonly outcome: 'skipped';
      readonly keyId: string;
      readonly action: ChangeAction;
      readonly branch: string;
      readonly reason: string;
    };

export function branchFor(action: ChangeAction, keyId: string): string {
  return `rekey/${action}/${keyId}`;
}

/** The `Rekey-*` trailers of a commit message (the last paragraph's `Key: value` lines). */
export function rekeyTrailers(message: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const line of message.split('\n')) {
    const m = /^(Rekey-[A-Za-z]+): (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

const SAME = ['Rekey-Key', 'Rekey-Action', 'Rekey-Version'] as const;

export async function openChangePull(
  input: OpenPullInput,
  ports: OpenPullPorts,
): Promise<OpenPullResult> {
  const { change, key, policy } = input;
  const branch = branchFor(change.action, change.keyId);
  const committed = await ports.git.commitFiles({
    base: input.base,
    changes: change.files,
    message: change.message,
    branch: { name: branch, mode: 'create' },
  });

  let fingerprint = change.fingerprint;
  let adopting = false;
  if (committed.ref === 'exists') {
    const existing = committed.existing!;
    const message = await ports.git.getCommitMessage(existing);
    const theirs = rekeyTrailers(message ?? '');
    const ours = rekeyTrailers(change.message);
    const differs = SAME.filter((t) => theirs.get(t) !== ours.get(t));
    if (message === null || differs.length > 0 || !theirs.get('Rekey-Fingerprint'))
      return {
        outcome: 'skipped',
        keyId: change.keyId,
        action: change.action,
        branch,
        reason:
          `branch ${branch} exists at ${existing.slice(0, 12)} and does not carry this change ` +
          `(${message === null ? 'its commit is missing' : `its ${differs.join(', ') || 'Rekey-Fingerprint'} trailer differs`}); ` +
          'a stale branch: close its PR or delete the branch, and the next run opens a fresh one',
      };
    fingerprint = theirs.get('Rekey-Fingerprint')!;
    adopting = true;
  }

  const fingerprints = new Map<number, string>(key.versions.map((v) => [v.version, v.fingerprint]));
  fingerprints.set(change.version, fingerprint);
  const content = renderPull({
    action: change.action,
    key,
    policy,
    version: change.version,
    moves: change.moves,
    fingerprints,
    reason: input.reason,
    ...(input.incident !== undefined ? { incident: input.incident } : {}),
    ...(input.evidence !== undefined ? { evidence: input.evidence } : {}),
  });
  const pull = await ports.pulls.createPull({
    head: branch,
    base: input.defaultBranch,
    title: content.title,
    body: content.body,
  });
  await ports.pulls.addLabels(pull.number, content.labels);
  const warnings: string[] = [];
  const reviewers =
    change.action === 'emergency' && policy.emergency
      ? policy.emergency.reviewers
      : policy.reviewers;
  try {
    await ports.pulls.requestReviewers(pull.number, reviewerRequest([key.owner, ...reviewers]));
  } catch (e) {
    // The PR is open and labelled; a reviewer GitHub will not take (not a collaborator, the
    // author) must not undo that. Said in the result, fixed by a person.
    if (!isGitHubError(e, 'unprocessable')) throw e;
    warnings.push(`reviewers not requested on #${pull.number}: ${e.message}`);
  }
  const opened: Opened = {
    keyId: change.keyId,
    action: change.action,
    branch,
    version: change.version,
    fingerprint,
    pull: { number: pull.number, url: pull.url },
    warnings,
  };
  if (!adopting) return { ...opened, outcome: 'created' };
  return { ...opened, outcome: pull.result === 'created' ? 'adopted' : 'unchanged' };
}
