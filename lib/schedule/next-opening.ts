import { IANAZone } from 'luxon';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { blackoutHorizon, blackoutOf, cutAtBlackout, firstAllowed, localDate } from './blackout';
import { addWallClock, resolveLocal, toLocal, type LocalDateTime } from './resolve-local';

export interface Opening {
  start: Date;
  /** null: no windows, so any time. */
  end: Date | null;
}

/** What else limits when installs may run, besides the windows. */
export interface ScheduleOptions {
  /**
   * Days ("YYYY-MM-DD" in the machine's zone) on which nothing starts. A window occurrence that
   * opens on a blackout day is skipped whole (even the part after midnight); one that opens the
   * day before is cut at the first instant of the blackout day, so "is it open now?" answers no
   * from midnight on. An install already running at midnight is not stopped: the agent never
   * kills a running installer, it only starts none.
   */
  blackoutDates?: readonly string[];
}

export class UnknownTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`unknown time zone "${timeZone}" (expected an IANA name such as Europe/Berlin)`);
    this.name = 'UnknownTimeZoneError';
  }
}

export function zoneOf(timeZone: string): IANAZone {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new UnknownTimeZoneError(timeZone);
  return zone;
}

/**
 * The openings of a machine's windows that end after `from` and start before `to`, in order.
 * Each local calendar day is expanded with its own offset: a window's start and its end (start +
 * length on the clock face, possibly past midnight) are each resolved to instants.
 */
export function openingsBetween(windows: InstallationWindow[], timeZone: string, from: Date, to: Date, options: ScheduleOptions = {}): Opening[] {
  const zone = zoneOf(timeZone);
  const blackout = blackoutOf(options.blackoutDates);
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
      let end = resolveLocal(addWallClock(startLocal, w.minutes), zone);
      if (blackout.size > 0) {
        // The day the window really opens on: a start moved out of a skipped hour may cross midnight.
        if (blackout.has(localDate(start, zone))) continue;
        end = cutAtBlackout(blackout, zone, start, end);
      }
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
 * Answers already worked out, per windows array (a plan's, which nobody changes): the assignments
 * of one plan mostly ask for the opening after the same instant (now, or a shared not-before), and
 * each answer walks days in the zone (about half a millisecond): the portal dates a user's 1,000
 * assignments at once, the agent its whole plan every round. A few per array, so an agent that
 * keeps one plan for weeks keeps no more.
 */
const remembered = new WeakMap<InstallationWindow[], Map<string, Opening>>();
const REMEMBERED_PER_PLAN = 32;

/**
 * When installs may next run: the window open now, or the next one to open. No windows means
 * any time. Pure: the clock is passed in; the portal ("next install: Tue 22:00, in 3 h") and the
 * agent (its timer) call the same function.
 */
export function nextOpening(windows: InstallationWindow[], timeZone: string, now: Date, options: ScheduleOptions = {}): Opening {
  if (windows.length === 0) return findNextOpening(windows, timeZone, now, options);
  const key = `${timeZone}|${now.getTime()}|${options.blackoutDates?.join(',') ?? ''}`;
  let answers = remembered.get(windows);
  let found = answers?.get(key);
  if (!found) {
    found = findNextOpening(windows, timeZone, now, options);
    if (!answers) remembered.set(windows, (answers = new Map()));
    if (answers.size >= REMEMBERED_PER_PLAN) answers.clear();
    answers.set(key, found);
  }
  // A copy: a caller that moves an opening's end (merging) must not change the remembered one.
  return { start: new Date(found.start), end: found.end && new Date(found.end) };
}

function findNextOpening(windows: InstallationWindow[], timeZone: string, now: Date, options: ScheduleOptions): Opening {
  const zone = zoneOf(timeZone);
  const blackout = blackoutOf(options.blackoutDates);
  // No windows: any time, except on blackout days (end stays null: no window closes it).
  if (windows.length === 0) return { start: new Date(firstAllowed(blackout, zone, now.getTime())), end: null };
  // A weekly window opens within 8 days, unless that week's falls wholly in a skipped hour
  // (spring forward, or a skipped day like Apia's 2011-12-30): then the week after, within 15.
  // Blackout dates can hide more weeks (up to 366 days of them), so look on in 15-day steps until
  // past the last one; without blackout dates this is the one step it always was.
  const horizon = blackoutHorizon(blackout);
  for (let from = now.getTime(); ; from += 15 * 86_400_000) {
    const [first] = openingsBetween(windows, timeZone, new Date(from), new Date(from + 15 * 86_400_000), options);
    if (first) return first;
    if (from > horizon) throw new Error('no opening within 15 days: every window falls inside skipped hours');
  }
}

/**
 * The next `count` openings from now (the open one first), for the portal's preview. Each is
 * `nextOpening` from the end of the one before, the function the agent times its installs with,
 * so the preview shows exactly the openings the agent will use (a week whose windows merge into
 * one opening counts once; a search in date ranges would have had to guess how far to look).
 * Without windows there is one opening, "any time" (end null).
 */
export function nextOpenings(windows: InstallationWindow[], timeZone: string, now: Date, count: number, options: ScheduleOptions = {}): Opening[] {
  const openings: Opening[] = [];
  let from = now;
  while (openings.length < count) {
    const o = nextOpening(windows, timeZone, from, options);
    openings.push(o);
    if (o.end === null) break;
    from = o.end;
  }
  return openings;
}

/** Whether installs may run at this instant. */
export function isOpen(windows: InstallationWindow[], timeZone: string, at: Date, options: ScheduleOptions = {}): boolean {
  const opening = nextOpening(windows, timeZone, at, options);
  return opening.start.getTime() <= at.getTime() && (opening.end === null || at.getTime() < opening.end.getTime());
}

/**
 * The next opening in words, for the machine page and `depot-agent status`: "any time", "any
 * time from …" (no windows, but a blackout day now), "open now, until …", or when it opens.
 */
export function describeOpening(opening: Opening, now: Date, format: (at: Date) => string): string {
  if (opening.end === null) return opening.start <= now ? 'any time' : `any time from ${format(opening.start)}`;
  return opening.start <= now ? `open now, until ${format(opening.end)}` : format(opening.start);
}
