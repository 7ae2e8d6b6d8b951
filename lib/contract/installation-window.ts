/**
 * An installation window: a weekly recurring interval in the machine's own IANA time zone.
 * Imports only zod: the agent receives windows in its plan and checks them the same way.
 */
import { z } from 'zod';

export const WEEK_MINUTES = 7 * 1440;

export const installationWindowSchema = z
  .object({
    /** 0 = Sunday … 6 = Saturday, as JavaScript's getDay(). */
    day: z.number({ message: 'expected a day from 0 (Sunday) to 6 (Saturday)' }).int().min(0, 'expected a day from 0 (Sunday) to 6 (Saturday)').max(6, 'expected a day from 0 (Sunday) to 6 (Saturday)'),
    start: z.string({ message: 'expected a start time HH:MM' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a start time HH:MM from 00:00 to 23:59'),
    /** Length on the clock face; a window may cross midnight, none is longer than 24 h. */
    minutes: z.number({ message: 'expected a length in minutes' }).int('expected whole minutes').min(1, 'expected 1 to 1440 minutes').max(1440, 'expected at most 1440 minutes (24 h)'),
  })
  .strict();
export type InstallationWindow = z.infer<typeof installationWindowSchema>;

/** Minutes from Sunday 00:00 on the weekly clock face. */
export function weekStart(w: InstallationWindow): number {
  const [h, m] = w.start.split(':').map(Number);
  return w.day * 1440 + h * 60 + m;
}

export const installationWindowsSchema = z
  .array(installationWindowSchema, { message: 'expected a list of installation windows' })
  .max(50, 'expected at most 50 windows')
  .superRefine((windows, ctx) => {
    // Windows of one machine never overlap, also across the end of the week.
    for (let i = 0; i < windows.length; i++) {
      for (let j = 0; j < i; j++) {
        if (overlaps(windows[i], windows[j])) {
          ctx.addIssue({ code: 'custom', path: [i], message: `overlaps window ${j + 1} (${describeWindow(windows[j])})` });
          return;
        }
      }
    }
  });

function overlaps(a: InstallationWindow, b: InstallationWindow): boolean {
  const as = weekStart(a);
  const bs = weekStart(b);
  // Compare b against a shifted by whole weeks, so wrap-around (Saturday night into Sunday) counts.
  return [-WEEK_MINUTES, 0, WEEK_MINUTES].some((shift) => as + shift < bs + b.minutes && bs < as + shift + a.minutes);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export function describeWindow(w: InstallationWindow): string {
  const h = Math.floor(w.minutes / 60);
  const m = w.minutes % 60;
  return `${DAYS[w.day]} ${w.start} for ${h ? `${h} h` : ''}${h && m ? ' ' : ''}${m ? `${m} min` : ''}`;
}
