/**
 * A version's life as consecutive state segments (from one state change to the next, the last
 * one open until the report's time), for the charts: the Mermaid gantt and the HTML timeline.
 */
import type { KeyState } from '../formats/key.ts';
import type { VersionReport } from './model.ts';

export interface Segment {
  readonly state: Exclude<KeyState, 'destroyed'>;
  readonly from: number;
  readonly to: number;
  /** True when the segment runs until the report's time (the version is still in it). */
  readonly open: boolean;
}

export function segments(v: VersionReport, now: number): Segment[] {
  const changes = v.events
    .filter((e) => !e.kind.startsWith('material-'))
    .map((e) => ({ state: e.kind as KeyState, at: Date.parse(e.commit.time) }));
  const out: Segment[] = [];
  changes.forEach((c, i) => {
    if (c.state === 'destroyed') return;
    const next = changes[i + 1];
    out.push({
      state: c.state,
      from: c.at,
      to: next ? next.at : Math.max(now, c.at),
      open: next === undefined,
    });
  });
  return out;
}

/** Earliest and latest instants of every segment of the report's keys. */
export function span(all: readonly Segment[], now: number): { from: number; to: number } {
  let from = now;
  let to = now;
  for (const s of all) {
    from = Math.min(from, s.from);
    to = Math.max(to, s.to);
  }
  return { from, to };
}
