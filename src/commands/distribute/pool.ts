import type { ProgressTask } from '../../core/progress.ts';

/**
 * Runs `fn` over `items` with at most `limit` running at once, starting them in order (the
 * caller sorts: compromised keys first). Every item runs even when another throws; the first
 * error is rethrown after all have settled, so no work is abandoned half-way in the pool.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failed) throw failed.error;
}

/** {@link forEachBounded} that ticks `task` as each item settles, and ends it when all have. */
export function counted(task: ProgressTask | undefined): typeof forEachBounded {
  return (items, limit, fn) =>
    forEachBounded(items, limit, (item, i) => fn(item, i).finally(() => task?.tick())).finally(() =>
      task?.end(),
    );
}
