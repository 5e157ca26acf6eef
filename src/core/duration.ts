/** Durations in policies: an integer and one unit of m (minutes), h, d or w. `0d` is allowed. */
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
export const DURATION_PATTERN = /^(0|[1-9][0-9]{0,5})(m|h|d|w)$/;

export type DurationText = `${number}${keyof typeof UNIT_MS}`;

/** Milliseconds of a duration string already validated by {@link DURATION_PATTERN}. */
export function durationMs(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new RangeError(`not a duration: expected an integer and one of m h d w, like 90d`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Human text for a span of milliseconds, in the largest whole unit that keeps one decimal: "83 d". */
export function describeMs(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= UNIT_MS.d) return `${round1(ms / UNIT_MS.d)} d`;
  if (abs >= UNIT_MS.h) return `${round1(ms / UNIT_MS.h)} h`;
  return `${round1(ms / UNIT_MS.m)} min`;
}

function round1(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}
