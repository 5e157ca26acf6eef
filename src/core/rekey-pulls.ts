/**
 * Which open pull requests are rekey's (DESIGN principle 8): recognised by who made them and
 * where they live, never by what they say. Anyone can paste a `<!-- rekey:v1 ... -->` marker
 * into a PR body; if that alone counted, a handful of such PRs would make rotate and revoke
 * skip their keys ("a rekey PR is open") and spend `max-open-prs`, freezing all rotation.
 *
 * A PR counts as rekey's only when every one of these holds:
 * - its body carries a well-formed marker (which key, which action);
 * - its author is in pipeline.yaml `pull-authors` (case-insensitive), when that is set;
 * - its head branch lives in this repository, not a fork;
 * - its head branch is `rekey/<action>/<key-id>` for the action and key the marker names;
 * - it carries the `rekey` label.
 * Anything else "claims to be rekey's": it is ignored by rotate and revoke, spends no budget,
 * and the dashboard lists it with the reason, for a person to look at. Pure.
 */
import { parseMarker, type PullMarker } from './pull-body.ts';
import type { RekeyPull } from './ports/github.ts';

/** The label every rekey PR carries (others: `rekey:rotation`, `rekey:revocation`, ...). */
export const REKEY_LABEL = 'rekey';

export interface RecognisedPull {
  readonly number: number;
  readonly url: string;
  readonly keyId: string;
  readonly kind: PullMarker['action'];
}

export interface ClaimingPull {
  readonly number: number;
  readonly url: string;
  readonly author: string;
  /** The key its marker names, when the marker is well formed. */
  readonly keyId?: string;
  /** Every check it failed, in plain words. */
  readonly reasons: readonly string[];
}

export interface RecognisedPulls {
  readonly rekey: readonly RecognisedPull[];
  readonly claiming: readonly ClaimingPull[];
}

export interface RecognitionPolicy {
  /** pipeline.yaml `pull-authors`; undefined: the author is not checked (doctor warns). */
  readonly authors: readonly string[] | undefined;
}

type PullFacts = Pick<
  RekeyPull,
  'number' | 'url' | 'body' | 'author' | 'headRef' | 'headRepo' | 'baseRepo' | 'labels'
>;

/** Whether `login` is one of `authors` (GitHub logins are case-insensitive). */
export function isPullAuthor(login: string, authors: readonly string[]): boolean {
  const l = login.toLowerCase();
  return login !== '' && authors.some((a) => a.toLowerCase() === l);
}

/** Why `p` is not rekey's; empty when it is. */
export function claimReasons(
  p: PullFacts,
  marker: PullMarker | undefined,
  policy: RecognitionPolicy,
): string[] {
  const reasons: string[] = [];
  if (!marker) reasons.push('its rekey marker is not well formed');
  if (policy.authors !== undefined && !isPullAuthor(p.author, policy.authors))
    reasons.push(`author ${p.author || 'unknown'} is not in pipeline.yaml pull-authors`);
  if (p.headRepo === null || p.headRepo.toLowerCase() !== p.baseRepo.toLowerCase())
    reasons.push(`its head branch is in ${p.headRepo ?? 'a deleted fork'}, not in ${p.baseRepo}`);
  if (marker && p.headRef !== `rekey/${marker.action}/${marker.key}`)
    reasons.push(
      `its head branch ${p.headRef} is not rekey/${marker.action}/${marker.key}, the branch its marker names`,
    );
  if (!p.labels.includes(REKEY_LABEL)) reasons.push(`it has no \`${REKEY_LABEL}\` label`);
  return reasons;
}

/** Splits marker-carrying PRs into rekey's own and those that merely claim to be. */
export function recognisePulls(
  pulls: readonly PullFacts[],
  policy: RecognitionPolicy,
): RecognisedPulls {
  const rekey: RecognisedPull[] = [];
  const claiming: ClaimingPull[] = [];
  for (const p of pulls) {
    const marker = parseMarker(p.body);
    const reasons = claimReasons(p, marker, policy);
    if (reasons.length === 0 && marker)
      rekey.push({ number: p.number, url: p.url, keyId: marker.key, kind: marker.action });
    else
      claiming.push({
        number: p.number,
        url: p.url,
        author: p.author,
        ...(marker ? { keyId: marker.key } : {}),
        reasons,
      });
  }
  return { rekey, claiming };
}
