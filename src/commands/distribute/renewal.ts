/**
 * Renewing the lease between keys: `beforeKey` answers true when the run may start the next
 * key (or the next key's removals). The lease is renewed when less than half its TTL is left;
 * one renewal at a time however many keys start at once. A renewal that fails means another
 * run took the lease: this and every later call answer false, and the problem is recorded.
 */
import type { LeaseHandle } from './lease.ts';

const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';

export interface Renewal {
  readonly beforeKey: () => Promise<boolean>;
  /** True once the lease is lost. */
  lost(): boolean;
}

export function leaseRenewal(
  lease: Pick<LeaseHandle, 'expiresAt' | 'renew'>,
  opts: { readonly ttlMs: number; readonly now: () => Date; readonly problems: string[] },
): Renewal {
  const { ttlMs, now, problems } = opts;
  let until = Date.parse(lease.expiresAt);
  let renewing: Promise<boolean> | undefined;
  let lost = false;
  return {
    lost: () => lost,
    beforeKey: async () => {
      if (lost) return false;
      if (until - now().getTime() > ttlMs / 2) return true;
      renewing ??= lease.renew().then(
        () => {
          until = Math.max(Date.parse(lease.expiresAt), now().getTime() + ttlMs);
          renewing = undefined;
          return true;
        },
        (e: unknown) => {
          lost = true;
          problems.push(`the lease was lost; keys not yet started were skipped (${message(e)})`);
          return false;
        },
      );
      return renewing;
    },
  };
}
