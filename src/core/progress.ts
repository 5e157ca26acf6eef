/**
 * Progress lines for long work (a spaced distribution of 500 secrets takes minutes): at least
 * one line every `everyMs` (10 s) of work, with done/total and an estimate of what is left,
 * and nothing at all for work that ends sooner, so short runs stay quiet.
 *
 * The clock, the sink and the heartbeat are injected: commands tick, the CLI prints to stderr,
 * the actions log inside a group, and tests drive a fake clock. A line carries the task's
 * name, a count and a unit chosen by the caller (`distribute`, `keys`), never an item or a
 * value, so no secret can reach it.
 */

export interface ProgressTask {
  /** `n` more items are done (default 1). */
  tick(n?: number): void;
  /** `done` items are done in all (for loops that know their index). */
  at(done: number): void;
  /** The work is over (done or not); prints the last line if any was printed. Idempotent. */
  end(): void;
}

export interface Progress {
  /** Starts a task of `total` items; `what` and `unit` are fixed words, never data. */
  start(what: string, total: number, unit: string): ProgressTask;
}

export interface ProgressOptions {
  /** Milliseconds since any epoch. */
  readonly now: () => number;
  /** Prints one line (without its newline). */
  readonly line: (text: string) => void;
  /** Opens and closes a collapsible log group around a task's lines (Actions). */
  readonly group?: { start(title: string): void; end(): void };
  /** At most this long without a line while work goes on (default 10 s). */
  readonly everyMs?: number;
  /**
   * Calls `fn` every `ms` until the returned function is called: the heartbeat that prints a
   * line even while one item takes longer than `everyMs`. Without it lines come on ticks only.
   */
  readonly every?: (fn: () => void, ms: number) => () => void;
}

export const PROGRESS_EVERY_MS = 10_000;

/** Progress that prints nothing (the default of every command). */
export const noProgress: Progress = {
  start: () => ({ tick: () => undefined, at: () => undefined, end: () => undefined }),
};

/** `8m 20s`, `45s`, `1h 02m`: whole seconds, the two largest units. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** One progress line: `distribute: 120/500 keys (24%), 2m 00s elapsed, about 6m 20s left`. */
export function progressLine(
  what: string,
  unit: string,
  done: number,
  total: number,
  elapsedMs: number,
): string {
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  const left =
    done === 0
      ? 'no estimate yet'
      : `about ${formatSpan((elapsedMs / done) * (total - done))} left`;
  return `${what}: ${done}/${total} ${unit} (${pct}%), ${formatSpan(elapsedMs)} elapsed, ${left}`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const everyMs = opts.everyMs ?? PROGRESS_EVERY_MS;
  return {
    start(what, total, unit) {
      const startedAt = opts.now();
      let last = startedAt;
      let done = 0;
      let printed = false;
      let ended = false;
      const print = (text: string) => {
        if (!printed) opts.group?.start(`${what}: ${total} ${unit}`);
        printed = true;
        opts.line(text);
      };
      const due = () => {
        if (ended) return;
        const now = opts.now();
        if (now - last < everyMs) return;
        last = now;
        print(progressLine(what, unit, done, total, now - startedAt));
      };
      const at = (n: number) => {
        done = Math.max(0, Math.min(total, n));
        due();
      };
      const stop = opts.every?.(due, everyMs);
      return {
        tick: (n = 1) => at(done + n),
        at,
        end() {
          if (ended) return;
          ended = true;
          stop?.();
          if (!printed) return;
          opts.line(`${what}: ${done}/${total} ${unit} in ${formatSpan(opts.now() - startedAt)}`);
          opts.group?.end();
        },
      };
    },
  };
}
