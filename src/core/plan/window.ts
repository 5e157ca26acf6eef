import type { RotationWindow, Weekday } from '../formats/policy.ts';

/**
 * Policy windows ("rotate on mon-thu, 09:00-16:00 Europe/Berlin") evaluated on wall-clock
 * time in the window's IANA zone, through Intl, so daylight-saving changes are the zone
 * database's business, not arithmetic on fixed offsets.
 */

export type WindowStatus =
  { readonly open: true } | { readonly open: false; readonly nextOpen: Date };

interface Wall {
  /** The wall-clock reading expressed as if it were UTC, in ms: comparable, addable. */
  readonly ms: number;
  readonly weekday: Weekday;
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wall(instant: number, timeZone: string): Wall {
  const p: Record<string, string> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant)) p[type] = value;
  const [y, mo, d, h, mi, s] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) =>
    Number(p[k]),
  ) as [number, number, number, number, number, number];
  return {
    ms: Date.UTC(y, mo - 1, d, h, mi, s),
    weekday: p.weekday!.toLowerCase() as Weekday,
    minutes: h * 60 + mi,
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAY_OF_UTC_DAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * The instant at which clocks in `timeZone` first read `wallMs`. When the reading happens
 * twice (clocks go back) this is the first time; when it never happens (clocks go forward
 * over it) this is the moment of the jump, the first instant reading later than it.
 */
export function wallToInstant(wallMs: number, timeZone: string): number {
  const offsetAt = (t: number) => wall(t, timeZone).ms - t;
  const candidates = [
    ...new Set([wallMs - offsetAt(wallMs - 14 * HOUR), wallMs - offsetAt(wallMs + 14 * HOUR)]),
  ].sort((a, b) => a - b);
  const exact = candidates.find((c) => wall(c, timeZone).ms === wallMs);
  if (exact !== undefined) return exact;
  // A gap: search, to the minute, the first instant whose reading is at or past wallMs.
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (wall(mid, timeZone).ms >= wallMs) hi = mid;
    else lo = mid;
  }
  return hi;
}

function parseHours(hours: string): [number, number] {
  const [a, b] = hours.split('-') as [string, string];
  const m = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
  return [m(a), m(b)];
}

/** Whether `now` is inside the window and, when not, when it next opens. */
export function windowStatus(window: RotationWindow, now: Date): WindowStatus {
  const [start, end] = parseHours(window.hours);
  const here = wall(now.getTime(), window.timezone);
  if (window.days.includes(here.weekday) && here.minutes >= start && here.minutes < end)
    return { open: true };
  const today = here.ms - (here.ms % DAY);
  // Every listed weekday comes round within a week; today's opening may already be past.
  for (let i = 0; i <= 7; i++) {
    const day = today + i * DAY;
    const weekday = WEEKDAY_OF_UTC_DAY[new Date(day).getUTCDay()]!;
    if (!window.days.includes(weekday)) continue;
    const opens = wallToInstant(day + start * MINUTE, window.timezone);
    if (opens > now.getTime()) return { open: false, nextOpen: new Date(opens) };
  }
  // Unreachable for a valid window (at least one day, start < end); fail loudly if not.
  throw new RangeError(`window never opens: ${window.days.join(',')} ${window.hours}`);
}
