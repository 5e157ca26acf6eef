/**
 * Which commit of the state ref is rekey's own (docs/distribute-state.md "Who wrote the
 * state"). Anyone who may push to the repository may move `refs/rekey/distribution`: no
 * branch rule covers it. So the ref's content is only a claim; a commit counts as rekey's when
 * rekey vouched for it, with a `rekey/state` success status on the commit's own sha, written
 * by the run right after the ref moved to it. GitHub sets a status's `creator.login` from the
 * token that wrote it, so with pipeline.yaml `status-creators` pinned only rekey's identity
 * can vouch (unpinned, any creator counts, as for `rekey/distribution`; doctor warns).
 *
 * Rules (lease.ts applies them):
 * - Receipts that let a run skip a write, and that are stored as rekey's, come only from the
 *   newest vouched commit on the head's first-parent chain, walked at most STATE_WALK_LIMIT
 *   commits back. None found (a ref from before vouching, one recreated, or a chain longer
 *   than the bound): no receipt is trusted, every secret is written once.
 * - Receipts found only in unvouched commits (the head, and the removal-only list of the
 *   vouched commit) may still name orphans to remove, under the same guards as any orphan
 *   (a secret only while its `updated_at` is the receipt's; a deploy key only by rekey's own
 *   title). They never count for a claimed target, and are kept apart (`unvouched.json`) so
 *   a vouched commit never launders them into trusted receipts.
 * - An unvouched head whose receipts differ from the vouched commit's is reported (counts and
 *   commits only: receipts hold no secret, and the report quotes none of them).
 */
import type { StateRefPort } from '../../core/ports/github.ts';
import { isSecretReceipt, type Receipt } from '../../core/targets/index.ts';

/** The commit status by which rekey vouches for a state commit. */
export const STATE_CONTEXT = 'rekey/state';
/** Commits looked at, the head included, before giving up on finding a vouched one. */
export const STATE_WALK_LIMIT = 20;

export type VouchedCommit =
  /** `depth` 0 is the head. */
  | { readonly commit: string; readonly depth: number; readonly calls: number }
  /** `root`: the chain ends without one; `limit`: STATE_WALK_LIMIT commits without one. */
  | { readonly commit: null; readonly why: 'root' | 'limit'; readonly calls: number };

/** Whether a list of voucher logins counts (`trusted`: pipeline.yaml `status-creators`). */
export function vouchedBy(
  trusted: readonly string[] | undefined,
): (creators: readonly string[]) => boolean {
  const set = trusted && new Set(trusted.map((l) => l.toLowerCase()));
  return (creators) =>
    set === undefined ? creators.length > 0 : creators.some((c) => set.has(c.toLowerCase()));
}

/**
 * The newest commit rekey vouched for on `head`'s first-parent chain. 1 call when the head is
 * vouched (the normal path); otherwise 2 per commit walked (its parents, then its statuses).
 */
export async function findVouched(
  port: Pick<StateRefPort, 'parents' | 'vouchers'>,
  head: string,
  opts: { readonly trusted?: readonly string[]; readonly limit?: number } = {},
): Promise<VouchedCommit> {
  const counts = vouchedBy(opts.trusted);
  const limit = Math.max(1, opts.limit ?? STATE_WALK_LIMIT);
  let calls = 0;
  let sha = head;
  for (let depth = 0; depth < limit; depth++) {
    if (depth > 0) {
      calls++;
      const parents = await port.parents(sha);
      if (parents[0] === undefined) return { commit: null, why: 'root', calls };
      sha = parents[0];
    }
    calls++;
    if (counts(await port.vouchers(sha, STATE_CONTEXT))) return { commit: sha, depth, calls };
  }
  return { commit: null, why: 'limit', calls };
}

/** Field order does not matter; content does. */
export function receiptKey(r: Receipt): string {
  // Receipts are flat objects: the sorted key list as replacer orders every field.
  return JSON.stringify(r, Object.keys(r).sort());
}

const target = (r: Receipt): string =>
  isSecretReceipt(r)
    ? `s ${r.scope.toLowerCase()} ${r.name.toUpperCase()}`
    : `d ${r.repository.toLowerCase()} ${r.id}`;

/**
 * The receipts of `found` (from unvouched commits) that may serve only to remove orphans:
 * not in `trusted`, not about a target `trusted` has a receipt for, and at most one per
 * target (rekey never stores two for one target: when `found` holds several, none counts).
 */
export function removalOnly(
  trusted: readonly Receipt[],
  found: readonly Receipt[],
): { readonly receipts: Receipt[]; readonly ambiguous: number } {
  const known = new Set(trusted.map(receiptKey));
  const covered = new Set(trusted.map(target));
  const byTarget = new Map<string, Map<string, Receipt>>();
  for (const r of found) {
    const k = receiptKey(r);
    if (known.has(k) || covered.has(target(r))) continue;
    const t = target(r);
    const group = byTarget.get(t) ?? new Map<string, Receipt>();
    group.set(k, r);
    byTarget.set(t, group);
  }
  const receipts: Receipt[] = [];
  let ambiguous = 0;
  for (const group of byTarget.values())
    if (group.size === 1) receipts.push(...group.values());
    else ambiguous += group.size;
  return { receipts, ambiguous };
}

/** How two receipt lists differ, in counts. */
export function receiptDiff(
  vouched: readonly Receipt[],
  head: readonly Receipt[],
): { readonly added: number; readonly dropped: number } {
  const a = new Set(vouched.map(receiptKey));
  const b = new Set(head.map(receiptKey));
  return {
    added: [...b].filter((k) => !a.has(k)).length,
    dropped: [...a].filter((k) => !b.has(k)).length,
  };
}

/**
 * The report of an unvouched head, for the run's summary and result; null when there is
 * nothing to report (the head is vouched, or it only moved the lease). Commits and counts only.
 */
export function unvouchedReport(input: {
  readonly ref: string;
  readonly head: string;
  readonly found: VouchedCommit;
  readonly vouchedReceipts: readonly Receipt[];
  readonly headReceipts: readonly Receipt[];
  readonly removalOnly: number;
  readonly ambiguous: number;
  readonly pinned: boolean;
}): string | null {
  const { found } = input;
  if (found.commit !== null && found.depth === 0) return null;
  const diff = receiptDiff(input.vouchedReceipts, input.headReceipts);
  if (diff.added === 0 && diff.dropped === 0) return null;
  const head = input.head.slice(0, 12);
  const who = input.pinned ? 'from a status-creators login' : 'from anyone';
  const cause =
    found.commit !== null
      ? `its receipts differ from those of ${found.commit.slice(0, 12)}, the newest commit rekey vouched for (${found.depth} commit(s) back): ${diff.added} not there, ${diff.dropped} missing. Either a run stopped between moving the ref and vouching for it, or someone else pushed to the ref. The vouched receipts are used`
      : found.why === 'root'
        ? `no commit of the ref is vouched for: state written before rekey vouched for its state (the first run after the upgrade), or a ref someone else created. No receipt is trusted, so every secret is written once`
        : `no commit among the last ${STATE_WALK_LIMIT} is vouched for: someone else pushed to the ref, or runs kept stopping before vouching. No receipt is trusted, so every secret is written once`;
  const ignored = input.ambiguous > 0 ? ` (${input.ambiguous} conflicting ones are ignored)` : '';
  return (
    `${input.ref}: the head ${head} has no ${STATE_CONTEXT} status ${who}, and ${cause}. ` +
    `${input.removalOnly} other receipt(s) only serve to remove orphans rekey can prove it wrote${ignored}; ` +
    `no write is skipped on their word, and this run stores vouched state again.`
  );
}
