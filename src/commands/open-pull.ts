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
 *
 * Reviewers (docs/actions.md "Reviewers"): GitHub's request is all-or-nothing, so one handle it
 * refuses would drop every other. The key's owner and the policy's reviewers are asked in one
 * call; on a refusal, users and teams apart, then each handle alone (at most 3 + n calls for n
 * handles). The PR's author (the token's own login, from the PR GitHub returned) is never
 * asked. When nobody could be asked, the PR body says so and the result carries an error.
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
    'listOpenRekeyPulls' | 'createPull' | 'updatePull' | 'addLabels' | 'requestReviewers'
  >;
  readonly statuses: Pick<StatusPort, 'listStatuses'>;
}

export interface OpenPullPorts {
  readonly git: Pick<GitDataPort, 'commitFiles' | 'getCommitMessage'>;
  readonly pulls: Pick<PullsPort, 'createPull' | 'updatePull' | 'addLabels' | 'requestReviewers'>;
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
  /** Who was asked to review, who GitHub refused, and the author left out. */
  readonly reviewers: ReviewerOutcome;
  /** Things that did not work after the PR was opened (a reviewer GitHub refused). */
  readonly warnings: readonly string[];
  /**
   * What leaves the PR without a reviewer: the run must fail visibly (an error annotation in
   * the action, a non-zero exit in the CLI), though the PR stays open.
   */
  readonly errors: readonly string[];
}

export interface ReviewerOutcome {
  /** Handles as written (`@alice`, `@acme/security`) GitHub took. */
  readonly requested: readonly string[];
  /** Handles GitHub refused, each with its answer. */
  readonly refused: readonly { readonly handle: string; readonly message: string }[];
  /** A handle that is the PR's author: never asked, GitHub refuses it. */
  readonly author?: string;
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
  const handles = [
    key.owner,
    ...(change.action === 'emergency' && policy.emergency
      ? policy.emergency.reviewers
      : policy.reviewers),
  ];
  const reviewers = await requestReviewers(pull.number, handles, pull.author, ports.pulls);
  const warnings = reviewers.refused.map(
    (r) => `reviewer ${r.handle} not requested on #${pull.number}: ${r.message}`,
  );
  const errors: string[] = [];
  if (reviewers.requested.length === 0)
    errors.push(
      `no reviewer could be requested on #${pull.number} (${[
        ...reviewers.refused.map((r) => `${r.handle} refused`),
        ...(reviewers.author ? [`${reviewers.author} is the author`] : []),
      ].join(', ')}); ask one by hand (docs/actions.md "Reviewers")`,
    );
  const body = withReviewerNote(pull.body, reviewers);
  if (body !== pull.body) await ports.pulls.updatePull(pull.number, { body });
  const opened: Opened = {
    keyId: change.keyId,
    action: change.action,
    branch,
    version: change.version,
    fingerprint,
    pull: { number: pull.number, url: pull.url },
    reviewers,
    warnings,
    errors,
  };
  if (!adopting) return { ...opened, outcome: 'created' };
  return { ...opened, outcome: pull.result === 'created' ? 'adopted' : 'unchanged' };
}

interface Handle {
  /** As written in key.yaml or the policy. */
  readonly handle: string;
  readonly kind: 'user' | 'team';
  /** A user's login or a team's slug. */
  readonly name: string;
}

/**
 * Asks GitHub for every handle it will take: all in one call; on `unprocessable`, users and
 * teams apart, then each alone, so the refused ones are known by name. Other errors propagate.
 */
export async function requestReviewers(
  number: number,
  handles: readonly string[],
  author: string,
  pulls: Pick<PullsPort, 'requestReviewers'>,
): Promise<ReviewerOutcome> {
  const seen = new Set<string>();
  const wanted: Handle[] = [];
  let authorHandle: string | undefined;
  for (const handle of handles) {
    const r = reviewerRequest([handle]);
    const entry: Handle | undefined = r.users[0]
      ? { handle, kind: 'user', name: r.users[0] }
      : r.teams[0]
        ? { handle, kind: 'team', name: r.teams[0] }
        : undefined;
    if (!entry) continue;
    const id = `${entry.kind}:${entry.name.toLowerCase()}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (entry.kind === 'user' && author !== '' && entry.name.toLowerCase() === author.toLowerCase())
      authorHandle = handle;
    else wanted.push(entry);
  }
  const requested: string[] = [];
  const refused: { handle: string; message: string }[] = [];
  const attempt = async (group: readonly Handle[]): Promise<void> => {
    try {
      await pulls.requestReviewers(number, {
        users: group.filter((h) => h.kind === 'user').map((h) => h.name),
        teams: group.filter((h) => h.kind === 'team').map((h) => h.name),
      });
      requested.push(...group.map((h) => h.handle));
    } catch (e) {
      if (!isGitHubError(e, 'unprocessable')) throw e;
      const users = group.filter((h) => h.kind === 'user');
      const teams = group.filter((h) => h.kind === 'team');
      if (users.length > 0 && teams.length > 0) {
        await attempt(users);
        await attempt(teams);
      } else if (group.length > 1) for (const h of group) await attempt([h]);
      else refused.push({ handle: group[0]!.handle, message: e.message });
    }
  };
  if (wanted.length > 0) await attempt(wanted);
  return { requested, refused, ...(authorHandle ? { author: authorHandle } : {}) };
}

/** Where the note about missing reviewers starts in a PR body; everything after it is ours. */
export const REVIEWER_NOTE = '<!-- rekey:no-reviewer -->';

/**
 * The PR body with the note "no reviewer could be requested" when nobody was, without it
 * otherwise: the same outcome gives the same body, so a second run writes nothing.
 */
export function withReviewerNote(body: string, outcome: ReviewerOutcome): string {
  const at = body.indexOf(REVIEWER_NOTE);
  const base = (at < 0 ? body : body.slice(0, at)).trimEnd();
  if (outcome.requested.length > 0) return at < 0 ? body : `${base}\n`;
  const why = [
    ...outcome.refused.map(
      (r) => `- \`${r.handle.replace(/`/g, '')}\`: GitHub refused the request`,
    ),
    ...(outcome.author
      ? [`- \`${outcome.author.replace(/`/g, '')}\`: the author of this pull request`]
      : []),
  ];
  return [
    base,
    '',
    REVIEWER_NOTE,
    '> [!WARNING]',
    '> **No reviewer could be requested.** Ask the key owner or a policy reviewer by hand.',
    '> A team needs the organization permission `members: read` on the token and access to this',
    '> repository; a user needs access to it (docs/actions.md "Reviewers").',
    '',
    ...(why.length > 0 ? why : ['- the key owner and the policy name no one else']),
    '',
  ].join('\n');
}

/** The errors of every opened PR (`errors` above), for the entrypoints to fail the run on. */
export function reviewerErrors(results: readonly object[]): string[] {
  return results.flatMap((r) =>
    'errors' in r && Array.isArray(r.errors) ? (r.errors as string[]) : [],
  );
}
