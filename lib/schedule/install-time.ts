import type { InstallationWindow } from '@/lib/contract/installation-window';
import { blackoutOf, firstAllowed } from './blackout';
import { nextOpening, zoneOf, type Opening, type ScheduleOptions } from './next-opening';

/** The timing of one assignment, as the plan carries it. */
export interface AssignmentTiming {
  kind: 'install' | 'uninstall' | 'inventory';
  timing: 'asap' | 'at' | 'windows';
  startAt: string | null;
  notBefore: string | null;
  deadline: string | null;
  loadSpreading: boolean;
}

/**
 * When an assignment may run: at or before `now` means now. Pure (the clock and the spread are
 * passed in); the agent sets its timer with it and the portal says "next install: …" with it.
 *
 * - asap runs at once and `at` at its time; neither waits for a window.
 * - windows: the next opening of the machine's windows (any time when it has none); with load
 *   spreading, at `spread` (0..1, stable per assignment) of the way through that opening, so a
 *   fleet does not start together at 22:00.
 * - notBefore holds everything back; a mandatory job's deadline overrides the windows: it runs at
 *   the first chance after the deadline.
 * - blackout dates (options) hold back everything but inventory, deadlines included: a freeze is
 *   a freeze. A time that lands on a blackout day moves to the first instant of the next day that
 *   is not one; with windows timing, to the next window opening that is not on a blackout day,
 *   unless the deadline has passed by then, in which case to the first allowed instant. Inventory
 *   only reads facts, so like the windows, blackout dates do not hold it.
 */
export function installTime(a: AssignmentTiming, windows: InstallationWindow[], timeZone: string, now: Date, spread: number, options: ScheduleOptions = {}): Date {
  let base = now.getTime();
  if (a.notBefore) base = Math.max(base, Date.parse(a.notBefore));
  if (a.timing === 'at' && a.startAt) base = Math.max(base, Date.parse(a.startAt));
  if (a.timing !== 'windows' || a.kind === 'inventory') return new Date(withoutBlackout(a, timeZone, base, options));

  let at = timeIn(nextOpening(windows, timeZone, new Date(base)), base, a.loadSpreading, spread);
  if (a.deadline) at = Math.max(base, Math.min(at, Date.parse(a.deadline)));
  if (!options.blackoutDates?.length) return new Date(at);

  // Search on from where it would run without blackout dates, not from now: so a blackout can
  // only ever make an install later (a window cut short at midnight must not pull a spread
  // install earlier than the minute it had).
  const deadline = a.deadline ? Date.parse(a.deadline) : null;
  const zone = zoneOf(timeZone);
  const blackout = blackoutOf(options.blackoutDates);
  if (deadline !== null && deadline <= at) return new Date(firstAllowed(blackout, zone, at));
  const later = timeIn(nextOpening(windows, timeZone, new Date(at), options), at, a.loadSpreading, spread);
  return new Date(deadline !== null && deadline < later ? firstAllowed(blackout, zone, deadline) : later);
}

/** asap, at and inventory: `base`, moved past blackout days except for inventory. */
function withoutBlackout(a: AssignmentTiming, timeZone: string, base: number, options: ScheduleOptions): number {
  if (a.kind === 'inventory' || !options.blackoutDates?.length) return base;
  return firstAllowed(blackoutOf(options.blackoutDates), zoneOf(timeZone), base);
}

/** The instant in an opening to run at: its start, or `spread` of the way through it; never before `base`. */
function timeIn(opening: Opening, base: number, loadSpreading: boolean, spread: number): number {
  const start = opening.start.getTime();
  if (opening.end === null || !loadSpreading) return Math.max(base, start);
  const minutes = Math.max(0, Math.floor((opening.end.getTime() - start) / 60_000) - 1);
  return Math.max(base, start + Math.floor(spread * minutes) * 60_000);
}

/** A stable number in [0, 1) from a key (FNV-1a): the same assignment spreads to the same minute after a restart. */
export function spreadOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}
