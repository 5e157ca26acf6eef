/**
 * A tick on the dashboard (an `issues: edited` event) turned into what a dispatch would do:
 * "rotate now" runs rotate's emergency path for that key (not compromised), "resume" resumes
 * a halted key, "retry now" asks for a distribution run; the last two set `distribute`, which
 * the workflow's distribution job (the only one holding the age identity) acts on.
 *
 * Nothing in the event is believed except as a pointer. The event names an issue number and
 * a sender login; the handler then asks the API:
 * 1. the issue itself: it must be rekey's own dashboard, i.e. open, not a pull request,
 *    labelled `rekey:dashboard`, carrying the marker, and created by the dashboard workflow's
 *    `github-actions[bot]` or a login in pipeline.yaml `pull-authors`. Anyone can paste the
 *    marker into an issue of their own; such an issue is ignored, nothing is written to it;
 * 2. the boxes ticked in the body the API returns now (narrowed, never widened, by the event's
 *    `changes.body.from`: only boxes this edit ticked). A second delivery of the same event
 *    finds them unticked and does nothing;
 * 3. the sender's role: `permission` admin or write (maintain reads as write). A reader's or
 *    triager's tick is refused, unticked, and the comment says why;
 * 4. each box's key must exist in the default branch's manifest.
 * Then it unticks the boxes (before acting: a crash after the untick loses a request, which
 * the person sees, rather than acting twice), acts, and comments who asked and what happened.
 * The rotation's reason, and so its PR body and `Rekey-Reason` trailer, says who asked.
 *
 * REST calls: 1 (issue) when the issue is not the dashboard; + 1 (permission) + 1 (body) +
 * 1 (comment) when a box was ticked, plus what rotate and resume cost.
 */
import { DASHBOARD_LABELS, DASHBOARD_MARKER } from '../core/dashboard/render.ts';
import type { DashboardRequestsPort } from '../core/dashboard/requests-port.ts';
import { type BoxRequest, newlyTicked, untick } from '../core/dashboard/requests.ts';
import type { FileTree } from '../core/snapshot.ts';
import { validateTree } from './inspect.ts';
import type { RotateResult } from './rotate.ts';

/** Who creates the dashboard issue: the dashboard workflow's GITHUB_TOKEN. */
export const DASHBOARD_AUTHOR = 'github-actions[bot]';
/** Roles (the API's legacy `permission`) that may ask: write covers maintain. */
const MAY_ASK = new Set(['admin', 'write']);
/** A GitHub user login; anything else (a bot, an odd string) cannot ask. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** The pointers the event carries: which issue, who edited it, the body before the edit. */
export interface DashboardEdit {
  readonly issue: number;
  readonly sender: string;
  /** `changes.body.from`, when the event has it. */
  readonly before?: string;
}

export interface DashboardActionsInput {
  readonly edit: DashboardEdit;
  /** The default branch's files (the checkout). */
  readonly tree: FileTree;
  readonly now: Date;
}

export interface DashboardActionsPorts {
  readonly requests: DashboardRequestsPort;
  /** Rotate's emergency path for one key with `reason`; says what it did in one line. */
  readonly rotate: (keyId: string, reason: string) => Promise<string>;
  /** `resumeKey` (distribute/failures.ts) for one key, `by` recorded on its issue. */
  readonly resume: (keyId: string, by: string) => Promise<'resumed' | 'not-halted'>;
}

export interface RequestOutcome {
  readonly request: BoxRequest;
  readonly result: 'done' | 'refused';
  readonly detail: string;
}

export type DashboardActionsResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | {
      readonly kind: 'refused';
      readonly requester: string;
      readonly reason: string;
      readonly requests: readonly BoxRequest[];
    }
  | {
      readonly kind: 'handled';
      readonly requester: string;
      readonly outcomes: readonly RequestOutcome[];
      /** A distribution run should follow (a key was resumed or a retry asked for). */
      readonly distribute: boolean;
    };

/** `@login` that notifies nobody where it is quoted (the same escape as inert()). */
const quoted = (login: string) => `@\u200b${login}`;

const WORDS: Record<BoxRequest['kind'], (k: string) => string> = {
  rotate: (k) => `rotate \`${k}\` now`,
  resume: (k) => `resume \`${k}\``,
  retry: (k) => `retry the distribution of \`${k}\``,
};

export async function handleDashboardEdit(
  input: DashboardActionsInput,
  ports: DashboardActionsPorts,
): Promise<DashboardActionsResult> {
  const { edit } = input;
  const issue = await ports.requests.getIssue(edit.issue);
  if (!issue) return { kind: 'ignored', reason: `no issue #${edit.issue}` };
  const validation = validateTree(input.tree, input.now);
  const authors = [DASHBOARD_AUTHOR, ...(validation.snapshot.pipeline['pull-authors'] ?? [])].map(
    (a) => a.toLowerCase(),
  );
  const notOurs = [
    issue.pullRequest && 'it is a pull request',
    !issue.open && 'it is closed',
    !issue.labels.includes(DASHBOARD_LABELS[0]) && `it lacks the ${DASHBOARD_LABELS[0]} label`,
    !issue.body.includes(DASHBOARD_MARKER) && 'it lacks the dashboard marker',
    !authors.includes(issue.author.toLowerCase()) &&
      `its author ${issue.author || 'unknown'} is not the dashboard workflow nor in pull-authors`,
  ].filter((r): r is string => typeof r === 'string');
  if (notOurs.length > 0)
    return {
      kind: 'ignored',
      reason: `#${issue.number} is not rekey's dashboard: ${notOurs.join('; ')}`,
    };

  const requests = newlyTicked(issue.body, edit.before);
  if (requests.length === 0) return { kind: 'ignored', reason: 'no box is ticked' };

  const sender = edit.sender;
  const role = LOGIN.test(sender) ? await ports.requests.permission(sender) : null;
  const refuse = !role
    ? `${quoted(sender)} is not a GitHub user this repository knows`
    : !MAY_ASK.has(role.permission)
      ? `${quoted(sender)} has the ${role.role} role here; a dashboard request needs write access (write, maintain or admin)`
      : undefined;
  const after = untick(issue.body, requests);
  if (refuse !== undefined) {
    // Unticked all the same: a box left ticked would be acted on at the next writer's edit,
    // in that writer's name.
    if (after !== issue.body) await ports.requests.setBody(issue.number, after);
    await ports.requests.comment(
      issue.number,
      [
        `Refused: ${refuse}. Not done, and the box${requests.length > 1 ? 'es are' : ' is'} unticked:`,
        '',
        ...requests.map((r) => `- ${WORDS[r.kind](r.keyId)}`),
      ].join('\n'),
    );
    return { kind: 'refused', requester: sender, reason: refuse, requests };
  }

  if (after !== issue.body) await ports.requests.setBody(issue.number, after);
  const keys = validation.snapshot.keys;
  const invalid = validation.diagnostics.length > 0;
  const outcomes: RequestOutcome[] = [];
  let distribute = false;
  for (const request of requests) {
    const { kind, keyId } = request;
    if (invalid) {
      outcomes.push({
        request,
        result: 'refused',
        detail: 'the manifest on the default branch is invalid (`npx rekey validate`)',
      });
      continue;
    }
    if (!keys.has(keyId)) {
      outcomes.push({
        request,
        result: 'refused',
        detail: `no key \`${keyId}\` in keys-manifest/`,
      });
      continue;
    }
    if (kind === 'rotate') {
      const reason = `Requested-by: ${quoted(sender)} via dashboard (issue #${issue.number})`;
      outcomes.push({ request, result: 'done', detail: await ports.rotate(keyId, reason) });
    } else if (kind === 'resume') {
      const r = await ports.resume(keyId, `${quoted(sender)} via the dashboard`);
      if (r === 'resumed') distribute = true;
      outcomes.push({
        request,
        result: r === 'resumed' ? 'done' : 'refused',
        detail: r === 'resumed' ? 'resumed; a distribution run follows' : 'it is not halted',
      });
    } else {
      distribute = true;
      outcomes.push({ request, result: 'done', detail: 'a distribution run follows' });
    }
  }
  await ports.requests.comment(
    issue.number,
    [
      `Requested by ${quoted(sender)} (${role!.role}) via the dashboard:`,
      '',
      ...outcomes.map(
        (o) =>
          `- ${WORDS[o.request.kind](o.request.keyId)}: ${o.result === 'refused' ? 'refused, ' : ''}${o.detail}`,
      ),
    ].join('\n'),
  );
  return { kind: 'handled', requester: sender, outcomes, distribute };
}

/** One line for the comment: what rotate's emergency path did for the key. */
export function describeRotation(result: RotateResult, keyId: string): string {
  if (result.kind === 'invalid') return 'refused: the manifest on the default branch is invalid';
  if (result.kind === 'dry-run') return 'dry run: nothing opened';
  const k = result.keys.find((r) => r.keyId === keyId);
  if (result.kind === 'superseded' || !k) return 'not done: the default branch moved; tick again';
  if (k.outcome === 'created' || k.outcome === 'adopted' || k.outcome === 'unchanged') {
    if ('version' in k)
      return `${k.outcome === 'created' ? 'opened' : k.outcome} [#${k.pull.number}](${k.pull.url}) (emergency rotation to v${k.version})`;
  }
  return `${k.outcome}: ${'reason' in k ? k.reason : ''}`;
}
