/**
 * Blackout dates: calendar days on which nothing installs on a group's member machines, each
 * meant in the machine's own time zone. Imports only zod: the agent receives them in its plan.
 */
import { z } from 'zod';

export const MAX_BLACKOUT_DATES = 366;

const DATE_MESSAGE = 'expected a real calendar date YYYY-MM-DD';

/** True for a date that exists on the calendar: 2027-02-28 yes, 2027-02-30 no. */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 02-30 over to 03-02: a real date comes back unchanged.
  return year >= 1 && d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export const calendarDateSchema = z.string({ message: DATE_MESSAGE }).refine(isCalendarDate, DATE_MESSAGE);

/** A group's blackout dates: duplicates merged, sorted (ISO dates sort as text). */
export const blackoutDatesSchema = z
  .array(calendarDateSchema, { message: 'expected a list of dates YYYY-MM-DD' })
  .transform((dates) => [...new Set(dates)].sort())
  .pipe(z.array(z.string()).max(MAX_BLACKOUT_DATES, `expected at most ${MAX_BLACKOUT_DATES} dates`));

/**
 * The earliest blackout date that can still hold anything back at `now`: dates are in each
 * machine's zone, at most a day behind UTC, so anything before yesterday (UTC) is over everywhere.
 */
export function oldestRelevantBlackoutDate(now: Date): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}
