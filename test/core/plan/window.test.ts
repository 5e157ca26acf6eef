import { describe, expect, it } from 'vitest';
import type { RotationWindow } from '../../../src/core/formats/policy.ts';
import { wallToInstant, windowStatus } from '../../../src/core/plan/window.ts';

const wall = (s: string) => Date.parse(`${s}Z`);
const at = (ms: number) => new Date(ms).toISOString();

describe('wallToInstant', () => {
  it.each([
    ['an ordinary winter time', '2026-01-15T09:00:00', 'Europe/Berlin', '2026-01-15T08:00:00.000Z'],
    ['an ordinary summer time', '2026-07-15T09:00:00', 'Europe/Berlin', '2026-07-15T07:00:00.000Z'],
    [
      'a time skipped by spring forward: the jump itself',
      '2026-03-29T02:30:00',
      'Europe/Berlin',
      '2026-03-29T01:00:00.000Z',
    ],
    [
      'a time read twice at fall back: the first reading',
      '2026-10-25T02:30:00',
      'Europe/Berlin',
      '2026-10-25T00:30:00.000Z',
    ],
    ['a half-hour zone', '2026-06-01T09:00:00', 'Asia/Kolkata', '2026-06-01T03:30:00.000Z'],
    [
      'US spring forward gap',
      '2026-03-08T02:15:00',
      'America/New_York',
      '2026-03-08T07:00:00.000Z',
    ],
    ['UTC', '2026-03-08T02:15:00', 'UTC', '2026-03-08T02:15:00.000Z'],
  ])('%s', (_name, local, tz, expected) => {
    expect(at(wallToInstant(wall(local), tz))).toBe(expected);
  });
});

describe('windowStatus', () => {
  const weekdays: RotationWindow = {
    days: ['mon', 'tue', 'wed', 'thu'],
    hours: '09:00-16:00',
    timezone: 'Europe/Berlin',
  };
  it.each([
    ['Monday 09:00 local, the first minute', weekdays, '2026-11-23T08:00:00Z', undefined],
    ['Monday 15:59 local', weekdays, '2026-11-23T14:59:00Z', undefined],
    [
      'Monday 16:00 local, closed: the end is exclusive',
      weekdays,
      '2026-11-23T15:00:00Z',
      '2026-11-24T08:00:00.000Z',
    ],
    ['Thursday evening: next Monday', weekdays, '2026-11-26T18:00:00Z', '2026-11-30T08:00:00.000Z'],
    [
      'Monday 08:59 local: opens the same day',
      weekdays,
      '2026-11-23T07:59:00Z',
      '2026-11-23T08:00:00.000Z',
    ],
    [
      'UTC Sunday 23:30 is Monday 00:30 in Berlin: the local day counts',
      { days: ['mon'], hours: '00:00-01:00', timezone: 'Europe/Berlin' } as RotationWindow,
      '2026-11-22T23:30:00Z',
      undefined,
    ],
    [
      'a window to midnight (24:00)',
      { days: ['fri'], hours: '22:00-24:00', timezone: 'UTC' } as RotationWindow,
      '2026-11-20T23:59:00Z',
      undefined,
    ],
    [
      'a one-day window just missed waits a week',
      { days: ['fri'], hours: '09:00-10:00', timezone: 'UTC' } as RotationWindow,
      '2026-11-20T10:00:00Z',
      '2026-11-27T09:00:00.000Z',
    ],
  ])('%s', (_name, window, now, nextOpen) => {
    const s = windowStatus(window, new Date(now));
    if (nextOpen === undefined) expect(s).toEqual({ open: true });
    else expect(s.open === false && s.nextOpen.toISOString()).toBe(nextOpen);
  });
});
