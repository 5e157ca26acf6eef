/**
 * Doctor's reviewer check: every key owner (`owner:` in key.yaml) and every policy reviewer
 * (`reviewers:`, `emergency.reviewers:`) must be someone GitHub will accept in a review
 * request. GitHub answers 422 for a user who is not a collaborator and for a team it cannot
 * resolve, and the request is all-or-nothing, so one stale handle leaves a rotation PR with
 * nobody asked (REST "Request reviewers for a pull request"; github/docs#35057 for teams an
 * App without `members: read` names). A team must belong to the repository's owner and be
 * visible to the token; a user must have a role on the repository, write to approve.
 *
 * Limit: whether a visible team reaches this repository is not checked. GitHub's App
 * permission data (server-to-server-permissions.json) lists no team-repository route for
 * Apps, so doctor asks only what an App can ask.
 */
import type { FileTree } from '../snapshot.ts';
import { parseYaml } from '../yaml/index.ts';
import type { BaseRole, ReviewerLookupPort } from '../ports/reviewers.ts';
import { type DoctorFinding, finding } from './findings.ts';

/** One handle and where it is written. */
export interface ReviewerRef {
  readonly handle: string;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

const POLICY = /^policies\/(?!pipeline\.ya?ml$)[^/]+\.ya?ml$/;
const KEY = /^keys-manifest\/.+\/key\.ya?ml$/;
const HANDLE = /^@[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/;

type Map_ = { readonly [k: string]: unknown };
const isMap = (v: unknown): v is Map_ => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The handles the manifest names, with their places. Files that do not parse, and values that
 * are not handles, are left to validate's own rules: doctor asks GitHub only about handles.
 */
export function reviewerRefs(tree: FileTree): ReviewerRef[] {
  const out: ReviewerRef[] = [];
  for (const [file, bytes] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const isPolicy = POLICY.test(file);
    if (!isPolicy && !KEY.test(file)) continue;
    const parsed = parseYaml(file, bytes);
    if (parsed.diagnostics.length > 0 || !isMap(parsed.value)) continue;
    const doc = parsed.value;
    const add = (value: unknown, path: readonly (string | number)[]) => {
      if (typeof value !== 'string' || !HANDLE.test(value)) return;
      const at = parsed.locate(path);
      out.push({ handle: value, file, line: at.line, column: at.column });
    };
    if (isPolicy) {
      const lists: [unknown, (string | number)[]][] = [[doc['reviewers'], ['reviewers']]];
      const emergency = doc['emergency'];
      if (isMap(emergency)) lists.push([emergency['reviewers'], ['emergency', 'reviewers']]);
      for (const [list, path] of lists)
        if (Array.isArray(list)) list.forEach((h, i) => add(h, [...path, i]));
    } else add(doc['owner'], ['owner']);
  }
  return out;
}

export interface ReviewerCheck {
  readonly findings: DoctorFinding[];
  /** Why a part could not be checked (the token lacks a permission, say). */
  readonly skipped: string[];
}

/** Asks GitHub about each distinct handle once: 1 call per user, 1 per 100 teams per org. */
export async function checkReviewers(
  refs: readonly ReviewerRef[],
  settings: ReviewerLookupPort,
  reason: (e: unknown) => string,
): Promise<ReviewerCheck> {
  const findings: DoctorFinding[] = [];
  const skipped: string[] = [];
  const owner = settings.owner.toLowerCase();
  let teams: Set<string> | undefined;
  let teamsUnreadable: string | undefined;
  const roles = new Map<string, BaseRole | null | undefined>();
  const reported = new Set<string>();

  for (const ref of refs) {
    const at = {
      file: ref.file,
      ...(ref.line ? { line: ref.line } : {}),
      ...(ref.column ? { column: ref.column } : {}),
    };
    const [name = '', slug] = ref.handle.slice(1).toLowerCase().split('/');
    if (slug !== undefined) {
      if (name !== owner) {
        findings.push(
          finding(
            'doctor/reviewer-unresolvable',
            `${ref.handle} is a team of ${name}, but the repository belongs to ${settings.owner}: GitHub cannot ask it to review`,
            at,
          ),
        );
        continue;
      }
      if (teams === undefined && teamsUnreadable === undefined) {
        try {
          teams = new Set(await settings.teams(settings.owner));
        } catch (e) {
          teamsUnreadable = reason(e);
          skipped.push(`the teams of ${settings.owner} could not be listed: ${teamsUnreadable}`);
        }
      }
      if (teams && !teams.has(slug))
        findings.push(
          finding(
            'doctor/reviewer-unresolvable',
            `${ref.handle} is not a team of ${settings.owner} that this token can see`,
            at,
          ),
        );
      continue;
    }
    if (!roles.has(name)) {
      try {
        roles.set(name, await settings.userRole(name));
      } catch (e) {
        roles.set(name, undefined);
        skipped.push(`${ref.handle} could not be looked up: ${reason(e)}`);
      }
    }
    const role = roles.get(name);
    if (role === undefined) continue;
    const key = `${ref.file}\0${ref.handle}`;
    if (role === null || role === 'none') {
      findings.push(
        finding(
          'doctor/reviewer-unresolvable',
          role === null
            ? `${ref.handle}: GitHub knows no such user`
            : `${ref.handle} has no access to the repository`,
          at,
        ),
      );
    } else if (role === 'read' && !reported.has(key)) {
      reported.add(key);
      findings.push(
        finding(
          'doctor/reviewer-cannot-approve',
          `${ref.handle} has read access only: their approval does not count`,
          at,
        ),
      );
    }
  }
  return { findings, skipped };
}
