import { IANAZone } from 'luxon';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { addWallClock, resolveLocal, toLocal, type LocalDateTime } from './resolve-local';

export interface Opening {
  start: Date;
  /** null: no windows, so any time. */
  end: Date | null;
}

export class UnknownTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`unknown time zone "${timeZone}" (expected an IANA name such as Europe/Berlin)`);
    this.name = 'UnknownTimeZoneError';
  }
}

function zoneOf(timeZone: string): IANAZone {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new UnknownTimeZoneError(timeZone);
  return zone;
}

/**
 * The openings of a machine's windows that end after `from` and start before `to`, in order.
 * Each local calendar day is expanded with its own offset: a window's start and its end (start +
 * length on the clock face, possibly past midnight) are each resolved to instants.
 */
export function openingsBetween(windows: InstallationWindow[], timeZone: string, from: Date, to: Date): Opening[] {
  const zone = zoneOf(timeZone);
  const first = toLocal(from.getTime(), zone);
  // Start a day early: yesterday's window may run past midnight into `from`.
  let day: LocalDateTime = addWallClock({ ...first, hour: 0, minute: 0 }, -1440);
  const openings: Opening[] = [];
  // Days grow monotonically; the bound only guards against a zone database gone wrong.
  const maxDays = Math.ceil((to.getTime() - from.getTime()) / 86_400_000) + 3;
  for (let i = 0; i <= maxDays; i++) {
    const dayStart = resolveLocal(day, zone);
    if (dayStart >= to.getTime()) break;
    const weekday = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
    for (const w of windows) {
      if (w.day !== weekday) continue;
      const [h, m] = w.start.split(':').map(Number);
      const startLocal = { ...day, hour: h, minute: m };
      const start = resolveLocal(startLocal, zone);
      const end = resolveLocal(addWallClock(startLocal, w.minutes), zone);
      // A window that falls wholly inside a skipped hour never opens that day.
      if (end > start && end > from.getTime() && start < to.getTime()) openings.push({ start: new Date(start), end: new Date(end) });
    }
    day = addWallClock(day, 1440);
  }
  openings.sort((a, b) => a.start.getTime() - b.start.getTime());
  // Windows that touch (Mon 00:00-24:00, Tue 00:00-…) are one opening.
  const merged: Opening[] = [];
  for (const o of openings) {
    const last = merged[merged.length - 1];
    if (last && last.end && o.start.getTime() <= last.end.getTime()) {
      if (o.end!.getTime() > last.end.getTime()) last.end = o.end;
    } else merged.push({ ...o });
  }
  return merged;
}

/**
 * When installs may next run: the window open now, or the next one to open. No windows means
 * any time. Pure: the clock is passed in; the portal ("next install: Tue 22:00, in 3 h") and the
 * agent (its timer) call the same function.
 */
export function nextOpening(windows: InstallationWindow[], timeZone: string, now: Date): Opening {
  if (windows.length === 0) {
    zoneOf(timeZone);
    return { start: now, end: null };
  }
  // A weekly window opens within 8 days, unless that week's falls wholly in a skipped hour
  // (spring forward, or a skipped day like Apia's 2011-12-30): then the week after, within 15.
  const [first] = openingsBetween(windows, timeZone, now, new Date(now.getTime() + 15 * 86_400_000));
  if (!first) throw new Error('no opening within 15 days: every window falls inside skipped hours');
  return first;
}

/** The next `count` openings from now (the open one first), for previews. */
export function nextOpenings(windows: InstallationWindow[], timeZone: string, now: Date, count: number): Opening[] {
  if (windows.length === 0) return [{ start: now, end: null }];
  const weeks = Math.ceil(count / windows.length) + 1;
  return openingsBetween(windows, timeZone, now, new Date(now.getTime() + weeks * 7 * 86_400_000)).slice(0, count);
}

/** Whether installs may run at this instant. */
export function isOpen(windows: InstallationWindow[], timeZone: string, at: Date): boolean {
  const opening = nextOpening(windows, timeZone, at);
  return opening.start.getTime() <= at.getTime() && (opening.end === null || at.getTime() < opening.end.getTime());
}
