// A benchmark's headline figures, each with the target it is measured against. A suite calls
// figure() for what it measured; bench/run.ts collects the lines from every suite and ends
// with one table (figure, value, target, met/missed) so a rerun compares on one screen.
// The figures are measurements, not assertions: a missed target never fails the run.

/** The prefix run.ts recognises; anything else a suite prints passes through unchanged. */
export const FIGURE_PREFIX = '##rekey-figure ';

export interface Figure {
  /** Suite-qualified name, e.g. "plan: validate + plan, 10k keys (run 1)". */
  readonly name: string;
  readonly value: number;
  /** "ms", "MiB", "x" (a ratio), "calls", "calls/secret", "s"... */
  readonly unit: string;
  /** The target the issue or the design sets: value must be below (`<`) or at most (`<=`) it. */
  readonly target?: { readonly op: '<' | '<='; readonly value: number };
  /** Why a figure is what it is, when the table alone would mislead (e.g. "busy machine"). */
  readonly note?: string;
}

/** Prints one figure for run.ts (and as a readable line when a suite is run on its own). */
export function figure(f: Figure): void {
  console.log(`${FIGURE_PREFIX}${JSON.stringify(f)}`);
}

export function met(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  return f.target.op === '<' ? f.value < f.target.value : f.value <= f.target.value;
}

export const formatFigure = (v: number, unit: string): string => {
  const digits = unit === 'x' || unit.includes('/') ? 2 : Math.abs(v) >= 100 ? 0 : 1;
  return `${v.toFixed(digits)}${unit === 'x' ? 'x' : ` ${unit}`}`;
};

/** The summary table, one row per figure, in the order the suites reported them. */
export function renderFigures(figures: readonly Figure[]): string {
  const rows = figures.map((f) => {
    const ok = met(f);
    return [
      f.name,
      formatFigure(f.value, f.unit),
      f.target ? `${f.target.op} ${formatFigure(f.target.value, f.unit)}` : '',
      ok === undefined ? '' : ok ? 'met' : 'MISSED',
      f.note ?? '',
    ];
  });
  const head = ['figure', 'value', 'target', '', 'note'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(width[i]!) : c.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  const missed = figures.filter((f) => met(f) === false).length;
  const targeted = figures.filter((f) => f.target).length;
  return [
    line(head),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${targeted - missed} of ${targeted} targets met${missed ? `, ${missed} missed` : ''}`,
  ].join('\n');
}
