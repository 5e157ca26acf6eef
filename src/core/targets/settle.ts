/**
 * A secret write's receipt, settled from the scope's list. GitHub answers a secret PUT with
 * 201 or 204 and no body, so the write itself never says the `updated_at` a receipt must
 * carry. Rather than one GET per secret, the writes of a run are settled together: each scope
 * written to is listed once (1 call per 100 secrets) after its writes, and each pending
 * receipt takes the `updated_at` the list shows for its name.
 *
 * The evidence is GitHub's own list, read after the write: a write by someone else between
 * rekey's PUT and the list would be taken for rekey's (the same window a read-back GET had,
 * widened to the scope's writes: distribute lists a scope once its last writer is done). A secret the list does not show (deleted meanwhile), or a
 * list that fails, settles nothing: the write is reported failed with why, so the key is tried
 * again and no receipt claims what rekey cannot show it wrote.
 */
import { scopeId, type SecretScope, type SecretsPort } from '../ports/targets.ts';
import type { SecretReceipt } from './plan.ts';

/** The `updatedAt` of a receipt whose write's answer carried none: settle it before use. */
export const PENDING_UPDATED_AT = '';

export const isPending = (r: SecretReceipt): boolean => r.updatedAt === PENDING_UPDATED_AT;

export interface PendingWrite {
  readonly scope: SecretScope;
  readonly receipt: SecretReceipt;
}

export type Settled = { readonly receipt: SecretReceipt } | { readonly error: string };

const message = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';

/** Lists each scope of `writes` once (at most `concurrency` at a time) and settles each write. */
export async function settleWrites<W extends PendingWrite>(
  writes: readonly W[],
  secrets: Pick<SecretsPort, 'listSecrets'>,
  concurrency = 1,
): Promise<Map<W, Settled>> {
  const byScope = new Map<string, W[]>();
  for (const w of writes) {
    const id = scopeId(w.scope);
    byScope.set(id, [...(byScope.get(id) ?? []), w]);
  }
  const out = new Map<W, Settled>();
  const queue = [...byScope.values()];
  const settleScope = async (group: readonly W[]) => {
    const scope = group[0]!.scope;
    let listed: Awaited<ReturnType<SecretsPort['listSecrets']>>;
    try {
      listed = await secrets.listSecrets(scope);
    } catch (e) {
      const error = `written, but the list of ${scopeId(scope)} that proves it failed: ${message(e)}`;
      for (const w of group) out.set(w, { error });
      return;
    }
    const byName = new Map(listed.map((s) => [s.name.toUpperCase(), s]));
    for (const w of group) {
      const seen = byName.get(w.receipt.name.toUpperCase());
      out.set(
        w,
        seen === undefined
          ? { error: `written, but ${w.receipt.name} is not in the list of ${scopeId(scope)}` }
          : { receipt: { ...w.receipt, updatedAt: seen.updatedAt } },
      );
    }
  };
  const width = Math.max(1, Math.min(Math.floor(concurrency) || 1, queue.length));
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let g = queue.shift(); g !== undefined; g = queue.shift()) await settleScope(g);
    }),
  );
  return out;
}
