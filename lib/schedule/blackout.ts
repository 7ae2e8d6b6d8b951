import type { IANAZone } from 'luxon';
import { addWallClock, resolveLocal, toLocal, type LocalDateTime } from './resolve-local';

/**
 * Blackout dates are local calendar days of the machine's zone ("YYYY-MM-DD"). A day runs from its
 * first instant to the next day's first instant. The first instant is 00:00 resolved by DESIGN.md's
 * rule (resolveLocal): where midnight does not exist (Santiago, Beirut, Havana, Cairo spring
 * forward at 00:00) it is the first existing minute, 01:00; where midnight happens twice (Havana
 * falls back 01:00 → 00:00) it is the first 00:00. luxon's startOf('day') agrees on the first
 * case but picks the second midnight in the other, which would leave the first hour of a
 * blackout day open.
 */
export type Blackout = ReadonlySet<string>;

export function blackoutOf(dates: readonly string[] | undefined): Blackout {
  return new Set(dates ?? []);
}

export function isoDate(local: Pick<LocalDateTime, 'year' | 'month' | 'day'>): string {
  return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
}

/** The local calendar day an instant falls on, "YYYY-MM-DD". */
export function localDate(instant: number, zone: IANAZone): string {
  return isoDate(toLocal(instant, zone));
}

/** The first instant of a local calendar day. */
export function startOfLocalDay(local: Pick<LocalDateTime, 'year' | 'month' | 'day'>, zone: IANAZone): number {
  return resolveLocal({ year: local.year, month: local.month, day: local.day, hour: 0, minute: 0 }, zone);
}

/**
 * `at` itself when its local day is not blacked out, else the first instant of the next day that
 * is not. At most 366 dates, so the walk is short; the guard only catches a zone database gone wrong.
 */
export function firstAllowed(blackout: Blackout, zone: IANAZone, at: number): number {
  if (blackout.size === 0) return at;
  let t = at;
  for (let i = 0; i <= blackout.size + 2; i++) {
    const local = toLocal(t, zone);
    if (!blackout.has(isoDate(local))) return t;
    const next = startOfLocalDay(addWallClock({ ...local, hour: 0, minute: 0 }, 1440), zone);
    if (next <= t) break;
    t = next;
  }
  throw new Error(`blackout dates: no allowed day found after ${new Date(at).toISOString()} in ${zone.name}`);
}

/**
 * The end of an interval that starts at `start` (on an allowed day) and would end at `end`, cut at
 * the first instant of the first blackout day it reaches.
 */
export function cutAtBlackout(blackout: Blackout, zone: IANAZone, start: number, end: number): number {
  if (blackout.size === 0) return end;
  let day: LocalDateTime = { ...toLocal(start, zone), hour: 0, minute: 0 };
  // A window is at most 24 h, so this looks at two or three days.
  for (;;) {
    day = addWallClock(day, 1440);
    const dayStart = startOfLocalDay(day, zone);
    if (dayStart >= end) return end;
    if (blackout.has(isoDate(day))) return Math.max(start, dayStart);
  }
}

/** The last blackout day's first instant plus two days: past it, blackout dates change nothing. */
export function blackoutHorizon(blackout: Blackout): number {
  let last = '';
  for (const d of blackout) if (d > last) last = d;
  return last ? Date.parse(`${last}T00:00:00Z`) + 3 * 86_400_000 : -Infinity;
}
