import type { InstallationWindow } from '@/lib/contract/installation-window';
import { installTime, type AssignmentTiming } from './install-time';
import { nextOpening, type ScheduleOptions } from './next-opening';

/**
 * Without a window to skip (no windows, or a job timed "as soon as received" or "at" a time, which
 * ignores them), a deferral postpones by a day: the same hour tomorrow, a length a user asking
 * "not now" expects, and the budget still bounds how far an install can slip.
 */
export const DEFERRAL_WITHOUT_WINDOWS_MS = 24 * 3600_000;

export type DeferralOutcome =
  /** notBefore: the assignment's new not-before; expectedAt: when the agent will then run it. */
  | { ok: true; current: Date; notBefore: Date; expectedAt: Date }
  /** The deadline comes before the next chance after this one: the install cannot move later. */
  | { ok: false; current: Date; expectedAt: Date; deadline: Date };

/**
 * A user's deferral of a mandatory install, computed as the agent will see it (pure: clock and
 * spread passed in). The install would run at `current` (installTime, as the agent computes it);
 * in windows, the new not-before is the end of the opening it would run in, so it runs in the one
 * after; otherwise a day later. Refused when that later time passes the deadline, since the
 * deadline would then force the install anyway: a deferral never moves an install past it.
 */
export function deferralTime(timing: AssignmentTiming, windows: InstallationWindow[], timeZone: string, now: Date, spread: number, options: ScheduleOptions = {}): DeferralOutcome {
  const current = installTime(timing, windows, timeZone, now, spread, options);
  const windowBound = timing.timing === 'windows' && windows.length > 0;
  const notBefore = windowBound ? nextOpening(windows, timeZone, current, options).end! : new Date(current.getTime() + DEFERRAL_WITHOUT_WINDOWS_MS);
  // Where it would run without the deadline's override: the time the user is promised.
  const expectedAt = installTime({ ...timing, notBefore: notBefore.toISOString(), deadline: null }, windows, timeZone, now, spread, options);
  if (timing.deadline && expectedAt.getTime() > Date.parse(timing.deadline)) return { ok: false, current, expectedAt, deadline: new Date(timing.deadline) };
  return { ok: true, current, notBefore, expectedAt };
}
