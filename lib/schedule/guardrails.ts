import { describeWindow, weekStart, WEEK_MINUTES, type InstallationWindow } from '@/lib/contract/installation-window';

/**
 * Guardrails are an admin's limits on the windows an end user sets for their own machine, per
 * group. They work on the weekly clock face of the machine's own zone, like the windows: both are
 * wall-clock intervals in the same zone, so a DST change moves both alike and never turns an
 * allowed window into a forbidden one. Pure: no clock, no zone.
 *
 * - envelope: each window lies wholly inside the group's allowed intervals (null: anywhere). A
 *   machine in several groups satisfies every envelope at once, so the envelopes intersect.
 * - minimum open time: the week's windows add up to at least this many minutes, so mandatory
 *   installs cannot be starved; of several groups, the largest minimum holds.
 * - Blackout dates are not checked here: they are days, not hours, and the plan enforces them.
 */
export interface GroupGuardrails {
  groupId: string;
  groupName: string;
  windowEnvelope: InstallationWindow[] | null;
  minOpenMinutes: number | null;
}

/** A stretch of the weekly clock face, in minutes from Sunday 00:00; `end` may pass the week's end. */
export interface WeekInterval {
  start: number;
  end: number;
}

export type GuardrailViolation =
  | {
      rule: 'envelope';
      /** The window at fault (its index in the list), or null when the list is empty: "any time". */
      window: number | null;
      groupId: string;
      groupName: string;
      /** The first stretch of the window outside the envelope (null for "any time"). */
      outside: WeekInterval | null;
      message: string;
    }
  | { rule: 'min_open'; window: null; groupId: string; groupName: string; openMinutes: number; neededMinutes: number; message: string };

/** "Mon 09:00" for a minute of the week (taken modulo the week). */
export function weekMinuteLabel(minute: number): string {
  const m = ((minute % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  return `${DAYS[Math.floor(m / 1440)]} ${clock(m % 1440)}`;
}
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const clock = (minuteOfDay: number) => `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;

/** "Mon 09:00–11:00", or "Mon 18:00–Tue 08:00" across midnight; "all week" for the whole week. */
export function describeInterval({ start, end }: WeekInterval): string {
  if (end - start >= WEEK_MINUTES) return 'all week';
  const from = weekMinuteLabel(start);
  const sameDay = Math.floor(start / 1440) === Math.floor((end - 1) / 1440) && end % 1440 !== 0;
  return `${from}–${sameDay ? clock(end % 1440) : weekMinuteLabel(end)}`;
}

/** "2 h", "2 h 30 min", "45 min", "0 h". */
export function formatHours(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h && !m) return '0 h';
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}

/**
 * The clock-face stretches a list of windows covers: sorted, with touching and overlapping ones
 * merged, also across the end of the week (Saturday night into Sunday is one stretch). Each starts
 * within the week; one may run past its end. The whole week is one stretch `[0, WEEK)`.
 */
export function mergeWeekIntervals(windows: readonly InstallationWindow[]): WeekInterval[] {
  const sorted = windows.map((w) => ({ start: weekStart(w), end: weekStart(w) + w.minutes })).sort((a, b) => a.start - b.start);
  const merged: WeekInterval[] = [];
  for (const i of sorted) {
    const last = merged[merged.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else merged.push({ ...i });
  }
  // The last stretch may run past the week's end into the first ones: fold them in.
  while (merged.length > 1 && merged[merged.length - 1].end >= merged[0].start + WEEK_MINUTES) {
    const first = merged.shift()!;
    const last = merged[merged.length - 1];
    last.end = Math.max(last.end, first.end + WEEK_MINUTES);
  }
  if (merged.length === 1 && merged[0].end - merged[0].start >= WEEK_MINUTES) return [{ start: 0, end: WEEK_MINUTES }];
  return merged;
}

/** Minutes a week the windows are open (they do not overlap; overlaps would count once). */
export function openMinutesPerWeek(windows: readonly InstallationWindow[]): number {
  return mergeWeekIntervals(windows).reduce((sum, i) => sum + Math.min(i.end - i.start, WEEK_MINUTES), 0);
}

/**
 * The first stretch of `window` that no interval of the envelope covers, as week minutes from the
 * window's own start (so it may pass the week's end), or null when the envelope holds it whole.
 */
export function firstOutside(window: InstallationWindow, envelope: readonly InstallationWindow[]): WeekInterval | null {
  const covered = mergeWeekIntervals(envelope);
  const start = weekStart(window);
  const end = start + window.minutes;
  // Each covered stretch, shifted by whole weeks, as it may meet the window (which spans < 2 weeks).
  const shifted = [-WEEK_MINUTES, 0, WEEK_MINUTES].flatMap((s) => covered.map((c) => ({ start: c.start + s, end: c.end + s }))).sort((a, b) => a.start - b.start);
  let at = start;
  for (const c of shifted) {
    if (c.end <= at) continue;
    if (c.start > at) return { start: at, end: Math.min(c.start, end) };
    at = c.end;
    if (at >= end) return null;
  }
  return at < end ? { start: at, end } : null;
}

/** An envelope in words: "every day 18:00–08:00", or its stretches, at most `limit` of them. */
export function describeEnvelope(envelope: readonly InstallationWindow[], limit = 6): string {
  const merged = mergeWeekIntervals(envelope);
  if (merged.length === 1 && merged[0].end - merged[0].start >= WEEK_MINUTES) return 'any time';
  const daily = merged.length === 7 && merged.every((i, n) => i.end - i.start === merged[0].end - merged[0].start && i.start - merged[0].start === n * 1440);
  if (daily) return `every day ${clock(merged[0].start % 1440)}–${clock(merged[0].end % 1440)}`;
  const shown = merged.slice(0, limit).map(describeInterval).join(', ');
  return merged.length > limit ? `${shown} and ${merged.length - limit} more` : shown;
}

/**
 * What is wrong with a machine's proposed windows under the guardrails of all its groups, in plain
 * words, each naming the window (its index) and the group. An empty list means "any time": it
 * breaks every envelope and meets every minimum.
 */
export function checkGuardrails(windows: readonly InstallationWindow[], groups: readonly GroupGuardrails[]): GuardrailViolation[] {
  const violations: GuardrailViolation[] = [];
  for (const g of groups) {
    if (!g.windowEnvelope) continue;
    const allowed = describeEnvelope(g.windowEnvelope);
    if (windows.length === 0) {
      violations.push({
        rule: 'envelope',
        window: null,
        groupId: g.groupId,
        groupName: g.groupName,
        outside: null,
        message: `No windows means any time, but group ${g.groupName} allows installs only ${allowed}: add windows inside those hours, or clear yours to follow your groups’ defaults.`,
      });
      continue;
    }
    windows.forEach((w, i) => {
      const outside = firstOutside(w, g.windowEnvelope!);
      if (!outside) return;
      violations.push({
        rule: 'envelope',
        window: i,
        groupId: g.groupId,
        groupName: g.groupName,
        outside,
        message: `Window ${i + 1} (${describeWindow(w)}) runs ${describeInterval(outside)}, outside the hours group ${g.groupName} allows: ${allowed}.`,
      });
    });
  }
  // The largest minimum holds; name the group that sets it (the first by the caller's order on a tie).
  const strictest = groups.reduce<GroupGuardrails | null>((best, g) => ((g.minOpenMinutes ?? 0) > (best?.minOpenMinutes ?? 0) ? g : best), null);
  if (strictest && windows.length > 0) {
    const open = openMinutesPerWeek(windows);
    const needed = strictest.minOpenMinutes!;
    if (open < needed) {
      violations.push({
        rule: 'min_open',
        window: null,
        groupId: strictest.groupId,
        groupName: strictest.groupName,
        openMinutes: open,
        neededMinutes: needed,
        message: `${formatHours(open)} a week is open; group ${strictest.groupName} needs at least ${formatHours(needed)} so mandatory installs cannot be starved.`,
      });
    }
  }
  return violations;
}

/** The dotted input field a violation is about: `windows.2`, or `windows` for the list as a whole. */
export function violationField(v: GuardrailViolation): string {
  return v.window === null ? 'windows' : `windows.${v.window}`;
}
